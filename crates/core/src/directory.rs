//! Peers addressed by id, not through a room (the PeerJS model): a peer claims an id, anyone
//! may send to that id, and messages for an id that is not connected wait in a queue until it
//! connects or the queue expires.
//!
//! The directory is an index of this node's claimed ids and their sessions' inboxes, so a
//! message to a local peer costs one lookup and one actor message, with no actor in between.
//! Sessions change it only through `claim` and `release`; everything cluster-wide (who holds
//! an id, queues, other nodes) goes through the bridge.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::{Duration, Instant};

use actix::Recipient;
use futures_util::future::Either;

use crate::bridge::{
    Bridge, BridgeError, BridgeFuture, ClaimOutcome, OnFailure, PeerAddress, PeerMessage, PeerSink,
    Queued,
};
use crate::{Deliver, Event, Payload, PeerId};

#[derive(Debug, Clone, thiserror::Error)]
pub enum ClaimError {
    /// Another client holds the id, with another token.
    #[error("the id is taken")]
    Taken,
    #[error(transparent)]
    Unavailable(#[from] BridgeError),
}

/// A claimed id, with the messages that waited for it.
#[derive(Debug)]
pub struct Claimed {
    /// The id was held with the same token, and this session took it over.
    pub taken_over: bool,
    pub queued: Vec<Queued>,
}

/// What became of a message sent to an id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sent {
    Delivered,
    /// Nobody holds the id: the message waits for it.
    Queued,
    /// Nobody holds the id, and the message was not to be kept.
    Dropped,
}

struct LocalPeer {
    token: Arc<str>,
    inbox: Recipient<Deliver>,
}

struct Index {
    peers: RwLock<HashMap<PeerAddress, LocalPeer>>,
}

impl Index {
    fn read(&self) -> RwLockReadGuard<'_, HashMap<PeerAddress, LocalPeer>> {
        self.peers
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, HashMap<PeerAddress, LocalPeer>> {
        self.peers
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl PeerSink for Index {
    fn deliver(&self, peer: &PeerAddress, message: PeerMessage) -> bool {
        let peers = self.read();
        let Some(local) = peers.get(peer) else {
            return false;
        };
        let event = match message {
            PeerMessage::Direct { from, payload } => Event::Direct {
                from,
                payload,
                received_at: Instant::now(),
            },
            PeerMessage::Expired { peer } => Event::Expired { peer },
            PeerMessage::Replaced => Event::Replaced,
        };
        local.inbox.do_send(Deliver(event));
        true
    }
}

/// This node's peers by id. Cheap to clone.
#[derive(Clone)]
pub struct Directory {
    index: Arc<Index>,
    bridge: Arc<dyn Bridge>,
}

impl Directory {
    pub(crate) fn new(bridge: Arc<dyn Bridge>) -> Self {
        let index = Arc::new(Index {
            peers: RwLock::default(),
        });
        let sink: Arc<dyn PeerSink> = index.clone();
        bridge.attach_peers(Arc::downgrade(&sink));
        Self { index, bridge }
    }

    /// Claims `peer` for a session. Same token as the current holder: the new session takes
    /// over and the old one gets [`Event::Replaced`]. Another token: [`ClaimError::Taken`].
    pub fn claim(
        &self,
        peer: PeerAddress,
        token: Arc<str>,
        inbox: Recipient<Deliver>,
    ) -> impl Future<Output = Result<Claimed, ClaimError>> + 'static {
        let held_locally_by_other = self
            .index
            .read()
            .get(&peer)
            .is_some_and(|held| held.token != token);
        let claim = (!held_locally_by_other).then(|| self.bridge.claim_peer(&peer, &token));
        let (index, bridge) = (self.index.clone(), self.bridge.clone());
        async move {
            let Some(claim) = claim else {
                return Err(ClaimError::Taken);
            };
            let outcome = claim.await?;
            if outcome == ClaimOutcome::Taken {
                return Err(ClaimError::Taken);
            }
            let previous = index
                .write()
                .insert(peer.clone(), LocalPeer { token, inbox });
            if let Some(previous) = previous {
                previous.inbox.do_send(Deliver(Event::Replaced));
            }
            let queued = bridge.take_queued(&peer).await.unwrap_or_else(|err| {
                log::warn!("queued messages for {peer} lost: {err}");
                Vec::new()
            });
            Ok(Claimed {
                taken_over: outcome == ClaimOutcome::TakenOver,
                queued,
            })
        }
    }

    /// Gives up `peer`, unless a newer session took it over from `inbox`. The release takes
    /// effect here at once; the future resolves once it has reached the cluster too (bounded
    /// by the bridge), so a session that waits for it before closing its socket lets the
    /// client claim the id again on any node as soon as it sees the close.
    pub fn release(&self, peer: &PeerAddress, inbox: &Recipient<Deliver>) -> BridgeFuture<()> {
        let mut peers = self.index.write();
        if !peers.get(peer).is_some_and(|held| held.inbox == *inbox) {
            return Box::pin(std::future::ready(Ok(())));
        }
        match peers.remove(peer) {
            Some(held) => {
                drop(peers);
                self.bridge.release_peer(peer, &held.token);
                self.bridge.published()
            }
            None => Box::pin(std::future::ready(Ok(()))),
        }
    }

    /// Whether `peer` is held on this node: `Some(true)` with `token`, `Some(false)` with
    /// another token.
    pub fn held_here(&self, peer: &PeerAddress, token: &str) -> Option<bool> {
        self.index
            .read()
            .get(peer)
            .map(|held| &*held.token == token)
    }

    /// Ids claimed on this node in `space`.
    pub fn local_count(&self, space: &str) -> usize {
        self.index
            .read()
            .keys()
            .filter(|peer| &*peer.space == space)
            .count()
    }

    /// Ids claimed in `space` on every node.
    pub fn list(
        &self,
        space: &str,
    ) -> impl Future<Output = Result<Vec<PeerId>, BridgeError>> + 'static {
        self.bridge.list_peers(space)
    }

    /// Sends `payload` from `from` to `to`, wherever `to` is connected. When nobody holds `to`
    /// and `keep_for` is given, the message waits that long for it.
    pub fn send(
        &self,
        to: &PeerAddress,
        from: PeerId,
        payload: Payload,
        received_at: Instant,
        keep_for: Option<Duration>,
    ) -> impl Future<Output = Result<Sent, BridgeError>> + 'static {
        let Queued { from, payload } =
            match self.deliver_here(to, Queued { from, payload }, received_at) {
                Ok(()) => return Either::Left(std::future::ready(Ok(Sent::Delivered))),
                Err(message) => message,
            };
        // Called now, not when the future is polled: the bridge keeps the call order.
        let sending = match keep_for {
            Some(keep_for) => {
                self.bridge
                    .deliver_or_enqueue(to, Queued { from, payload }, keep_for)
            }
            None => self
                .bridge
                .send_to_peer(to, PeerMessage::Direct { from, payload }),
        };
        Either::Right(async move {
            Ok(match (sending.await?, keep_for.is_some()) {
                (true, _) => Sent::Delivered,
                (false, true) => Sent::Queued,
                (false, false) => Sent::Dropped,
            })
        })
    }

    /// [`Directory::send`] for a message that may wait up to `keep_for` for its peer, when the
    /// caller needs to hear only of a failure (`on_failure`, called on any thread): the
    /// common case, delivered or queued, costs no answer across threads.
    pub fn send_quietly(
        &self,
        to: &PeerAddress,
        message: Queued,
        received_at: Instant,
        keep_for: Duration,
        on_failure: OnFailure,
    ) {
        if let Err(message) = self.deliver_here(to, message, received_at) {
            self.bridge
                .deliver_or_enqueue_quietly(to, message, keep_for, on_failure);
        }
    }

    /// Hands `message` to `to`'s session when it is on this node (one lookup, one actor
    /// message); gives it back otherwise.
    fn deliver_here(
        &self,
        to: &PeerAddress,
        message: Queued,
        received_at: Instant,
    ) -> Result<(), Queued> {
        let local = self.index.read().get(to).map(|held| held.inbox.clone());
        let Some(inbox) = local else {
            return Err(message);
        };
        inbox.do_send(Deliver(Event::Direct {
            from: message.from,
            payload: message.payload,
            received_at,
        }));
        Ok(())
    }

    /// Handles the queues that expired: their messages go to the peer if it connected in the
    /// meantime; otherwise each sender gets one [`Event::Expired`] per unreachable peer.
    pub fn expire_queues(&self) -> impl Future<Output = Result<(), BridgeError>> + 'static {
        let directory = self.clone();
        async move {
            for (to, queued) in directory.bridge.take_expired().await? {
                let mut senders = HashSet::new();
                let mut reached = None;
                for message in queued {
                    let from = message.from.clone();
                    if reached != Some(false) {
                        let sent = directory
                            .send(&to, message.from, message.payload, Instant::now(), None)
                            .await
                            .unwrap_or(Sent::Dropped);
                        reached = Some(sent == Sent::Delivered);
                    }
                    if reached == Some(false) {
                        senders.insert(from);
                    }
                }
                for sender in senders {
                    let sender = PeerAddress::new(to.space.clone(), sender);
                    let notice = PeerMessage::Expired {
                        peer: to.id.clone(),
                    };
                    if !directory.index.deliver(&sender, notice.clone()) {
                        let _ = directory.bridge.send_to_peer(&sender, notice).await;
                    }
                }
            }
            Ok(())
        }
    }
}
