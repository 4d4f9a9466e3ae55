//! Unit tests of the actor core: rooms, the registry that starts and retires them, and rooms
//! shared between in-process nodes through a [`MemoryBus`](crate::bridge::MemoryBus).
//!
//! They exist because the core's promises are about concurrency (who hears what, exactly once,
//! while rooms start and stop on other threads), which the end-to-end tests only reach by
//! chance. Every test asserts what was delivered and in which order; the timeouts below only
//! keep a broken build from hanging. "Nothing else arrived" is shown with a fence: a signal
//! sent afterwards through the same room must be the very next event in the inbox.

mod bridge_down;
mod cluster;
mod full;
mod lifecycle;
mod local;
mod ordering;
mod owned;
mod resync;

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix::prelude::*;
use tokio::sync::mpsc;

use crate::bridge::{Bridge, MemoryBus};
use crate::{
    Deliver, Event, Hub, LeaveReason, NodeId, Payload, PeerId, PeerInfo, RoomError, RoomHandle,
    RoomId,
};

/// How long anything may take before a test gives up (only so that nothing hangs).
const PATIENCE: Duration = Duration::from_secs(10);

/// Awaits `future`, panicking with `what` if it does not finish within [`PATIENCE`].
async fn within<F: Future>(what: &str, future: F) -> F::Output {
    tokio::time::timeout(PATIENCE, future)
        .await
        .unwrap_or_else(|_| panic!("timed out: {what}"))
}

/// Polls `condition` with short sleeps until it holds (for state that settles asynchronously).
async fn settle(what: &str, mut condition: impl FnMut() -> bool) {
    within(what, async {
        while !condition() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await;
}

/// A session stand-in: forwards every delivered event to a channel the test reads.
struct Probe {
    events: mpsc::UnboundedSender<Event>,
}

impl Actor for Probe {
    type Context = Context<Self>;
}

impl Handler<Deliver> for Probe {
    type Result = ();

    fn handle(&mut self, Deliver(event): Deliver, _: &mut Self::Context) {
        let _ = self.events.send(event);
    }
}

/// An event with what a test compares: everything but `received_at`.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Seen {
    Joined(RoomId, PeerInfo),
    Left(RoomId, PeerId, LeaveReason),
    Signal(RoomId, PeerId, String),
    /// Events for peers addressed by id (the `Directory`).
    Direct(PeerId, String),
    Expired(PeerId),
    Replaced,
    Closed(RoomId),
}

/// The peer-addressing half of `Bridge` for the test bridges below, which only shape room
/// traffic: a single-node `MemoryBridge` serves it.
macro_rules! peers_in_memory {
    ($field:ident) => {
        fn attach_peers(&self, sink: std::sync::Weak<dyn crate::bridge::PeerSink>) {
            self.$field.attach_peers(sink)
        }
        fn claim_peer(
            &self,
            peer: &crate::bridge::PeerAddress,
            token: &str,
        ) -> BridgeFuture<crate::bridge::ClaimOutcome> {
            self.$field.claim_peer(peer, token)
        }
        fn release_peer(&self, peer: &crate::bridge::PeerAddress, token: &str) {
            self.$field.release_peer(peer, token)
        }
        fn send_to_peer(
            &self,
            peer: &crate::bridge::PeerAddress,
            message: crate::bridge::PeerMessage,
        ) -> BridgeFuture<bool> {
            self.$field.send_to_peer(peer, message)
        }
        fn deliver_or_enqueue(
            &self,
            peer: &crate::bridge::PeerAddress,
            message: crate::bridge::Queued,
            expires_in: std::time::Duration,
        ) -> BridgeFuture<bool> {
            self.$field.deliver_or_enqueue(peer, message, expires_in)
        }
        fn take_queued(
            &self,
            peer: &crate::bridge::PeerAddress,
        ) -> BridgeFuture<Vec<crate::bridge::Queued>> {
            self.$field.take_queued(peer)
        }
        fn take_expired(
            &self,
        ) -> BridgeFuture<Vec<(crate::bridge::PeerAddress, Vec<crate::bridge::Queued>)>> {
            self.$field.take_expired()
        }
        fn list_peers(&self, space: &str) -> BridgeFuture<Vec<PeerId>> {
            self.$field.list_peers(space)
        }
    };
}
pub(crate) use peers_in_memory;

impl From<Event> for Seen {
    fn from(event: Event) -> Self {
        match event {
            Event::PeerJoined { room, peer } => Self::Joined(room, peer),
            Event::PeerLeft { room, peer, reason } => Self::Left(room, peer, reason),
            Event::Signal {
                room,
                from,
                payload,
                ..
            } => Self::Signal(room, from, payload.to_string()),
            Event::Direct { from, payload, .. } => Self::Direct(from, payload.to_string()),
            Event::Expired { peer } => Self::Expired(peer),
            Event::Replaced => Self::Replaced,
            Event::RoomClosed { room } => Self::Closed(room),
        }
    }
}

/// The receiving end of a [`Probe`].
struct Inbox {
    probe: Addr<Probe>,
    events: mpsc::UnboundedReceiver<Event>,
}

impl Inbox {
    fn start() -> Self {
        let (tx, events) = mpsc::unbounded_channel();
        Self {
            probe: Probe { events: tx }.start(),
            events,
        }
    }

    fn recipient(&self) -> Recipient<Deliver> {
        self.probe.clone().recipient()
    }

    /// The next event, whole.
    async fn next_event(&mut self) -> Event {
        within("waiting for an event", self.events.recv())
            .await
            .expect("the probe is gone")
    }

    async fn next(&mut self) -> Seen {
        self.next_event().await.into()
    }

    /// Every event before the signal whose payload is `fence` (which is consumed).
    async fn until_fence(&mut self, fence: &str) -> Vec<Seen> {
        let mut before = Vec::new();
        loop {
            match self.next().await {
                Seen::Signal(_, _, payload) if payload == fence => return before,
                other => before.push(other),
            }
        }
    }
}

fn peer(id: &str, node: &NodeId) -> PeerInfo {
    PeerInfo {
        id: PeerId::new(id),
        name: Arc::from(format!("{id}'s name")),
        node: node.clone(),
    }
}

fn payload(text: &str) -> Payload {
    Payload::from(text)
}

/// Peers sorted by id, for comparing a `Joined::peers` (which has no order).
fn sorted(mut peers: Vec<PeerInfo>) -> Vec<PeerInfo> {
    peers.sort_by(|a, b| a.id.cmp(&b.id));
    peers
}

/// A hub alone on its own bus.
fn solo_hub(room_threads: usize) -> (MemoryBus, Hub) {
    let bus = MemoryBus::new();
    let hub = Hub::start(Arc::new(bus.bridge(NodeId::new("solo"))), room_threads);
    (bus, hub)
}

fn hub_on(bus: &MemoryBus, node: &str, room_threads: usize) -> Hub {
    let bridge: Arc<dyn Bridge> = Arc::new(bus.bridge(NodeId::new(node)));
    Hub::start(bridge, room_threads)
}

/// A joined session: who it is, what it hears, and its room.
struct Member {
    info: PeerInfo,
    inbox: Inbox,
    room: RoomHandle,
}

impl Member {
    fn id(&self) -> PeerId {
        self.info.id.clone()
    }

    fn room_id(&self) -> RoomId {
        self.room.id().clone()
    }

    /// Signals `to` (or everyone else), stamped now.
    fn signal(
        &self,
        to: Option<&PeerId>,
        text: &str,
    ) -> impl Future<Output = Result<(), RoomError>> + 'static + use<'_> {
        self.room
            .signal(self.id(), to.cloned(), payload(text), Instant::now())
    }

    async fn leave(&self, reason: LeaveReason) -> Result<(), RoomError> {
        within("leave", self.room.leave(self.id(), reason)).await
    }

    /// What this member's inbox shows for a signal it sent with `text`.
    fn sent(&self, text: &str) -> Seen {
        Seen::Signal(self.room_id(), self.id(), text.to_owned())
    }

    /// What others' inboxes show for this member joining.
    fn joined(&self) -> Seen {
        Seen::Joined(self.room_id(), self.info.clone())
    }

    fn left(&self, reason: LeaveReason) -> Seen {
        Seen::Left(self.room_id(), self.id(), reason)
    }
}

/// Joins `id` (on the hub's node) to `room`, returning the member and the peers it was shown.
async fn join(hub: &Hub, room: &RoomId, id: &str) -> (Member, Vec<PeerInfo>) {
    let info = peer(id, hub.node());
    let inbox = Inbox::start();
    let joined = within(
        "join",
        hub.join(room.clone(), info.clone(), inbox.recipient()),
    )
    .await
    .unwrap_or_else(|err| panic!("{id} could not join {room}: {err}"));
    let member = Member {
        info,
        inbox,
        room: joined.room,
    };
    (member, sorted(joined.peers))
}

/// `from` broadcasts `fence`; each of `others` must see it as its very next event, which shows
/// that nothing else reached them since their last checked event.
async fn fence(from: &Member, others: &mut [&mut Member], text: &str) {
    within("fence", from.signal(None, text))
        .await
        .expect("fence signal");
    for other in others.iter_mut() {
        assert_eq!(
            other.inbox.next().await,
            from.sent(text),
            "{} heard something before the fence",
            other.info.id
        );
    }
}
