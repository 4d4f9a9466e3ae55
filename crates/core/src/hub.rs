//! The API a dialect's session uses: [`Hub::join`] a room, then leave or signal through the
//! [`RoomHandle`] it returns. Calls are queued at once, in order, and answered through the
//! returned futures, so a session may pipeline them.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use actix::prelude::*;

use crate::bridge::Bridge;
use crate::registry::{JoinRoom, Registry};
use crate::room::Room;
use crate::room::messages::{Leave, Signal};
use crate::{
    Deliver, Directory, LeaveReason, NodeId, Payload, PeerId, PeerInfo, RoomError, RoomId,
};

/// A node's rooms. Cheap to clone: one per session is fine.
#[derive(Clone)]
pub struct Hub {
    registry: Addr<Registry>,
    directory: Directory,
    bridge: Arc<dyn Bridge>,
    room_count: Arc<AtomicUsize>,
}

/// The answer to a join.
pub struct Joined {
    pub room: RoomHandle,
    /// Members present before the join, on every node.
    pub peers: Vec<PeerInfo>,
    /// The room's owner (rooms joined with [`JoinMode::Create`] have one; the joiner itself
    /// for a create).
    pub owner: Option<PeerId>,
}

/// Bounds every room of a hub keeps to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RoomLimits {
    /// Most members a room may have, counted on every node the room knows of; a join
    /// beyond it gets [`RoomError::RoomFull`]. 0: no bound.
    pub max_members: usize,
}

impl RoomLimits {
    /// Whether a room with `members` members takes no more.
    pub fn is_full(&self, members: usize) -> bool {
        self.max_members > 0 && members >= self.max_members
    }
}

/// How a join treats a room that does or does not exist yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JoinMode {
    /// The room is made on the first join and lives while it has members; no owner.
    Open,
    /// The room must have no member; the joiner becomes its owner, and its leaving (or
    /// disconnecting) closes the room: every other member gets [`Event::RoomClosed`] and is
    /// removed. Refused with [`RoomError::RoomExists`] otherwise.
    ///
    /// [`Event::RoomClosed`]: crate::Event::RoomClosed
    Create,
    /// The room must have members; refused with [`RoomError::NoSuchRoom`] otherwise.
    Existing,
}

/// A joined room.
#[derive(Clone)]
pub struct RoomHandle {
    id: RoomId,
    addr: Addr<Room>,
}

impl Hub {
    /// Starts the registry in the current actix system, with rooms spread over `room_threads`
    /// new threads (0: rooms run on the current thread), and rooms of any size.
    pub fn start(bridge: Arc<dyn Bridge>, room_threads: usize) -> Self {
        Self::start_with(bridge, room_threads, RoomLimits::default())
    }

    /// Starts like [`Hub::start`], every room bounded by `limits`.
    pub fn start_with(bridge: Arc<dyn Bridge>, room_threads: usize, limits: RoomLimits) -> Self {
        let arbiters = (0..room_threads).map(|_| Arbiter::new().handle()).collect();
        let room_count = Arc::new(AtomicUsize::new(0));
        let registry = Registry::new(bridge.clone(), arbiters, room_count.clone(), limits);
        // Unbounded for the same reason as rooms (see `Registry::start_room`): joins keep
        // their order.
        let registry = Registry::create(|ctx| {
            ctx.set_mailbox_capacity(0);
            registry
        });
        Self {
            registry,
            directory: Directory::new(bridge.clone()),
            bridge,
            room_count,
        }
    }

    /// Peers addressed by id rather than by room.
    pub fn directory(&self) -> &Directory {
        &self.directory
    }

    pub fn node(&self) -> &NodeId {
        self.bridge.node()
    }

    /// Where another node takes requests for its sessions (see `Bridge::node_address`).
    pub fn node_address(&self, node: &NodeId) -> crate::bridge::BridgeFuture<Option<String>> {
        self.bridge.node_address(node)
    }

    /// Rooms with members on this node.
    pub fn room_count(&self) -> usize {
        self.room_count.load(Ordering::Relaxed)
    }

    /// Joins `peer` to `room`; the room pushes its events to `inbox` until the peer leaves.
    pub fn join(
        &self,
        room: RoomId,
        peer: PeerInfo,
        inbox: Recipient<Deliver>,
    ) -> impl Future<Output = Result<Joined, RoomError>> + 'static {
        self.join_as(room, peer, inbox, JoinMode::Open)
    }

    /// Joins like [`Hub::join`], creating an owned room or joining only an existing one as
    /// `mode` says.
    pub fn join_as(
        &self,
        room: RoomId,
        peer: PeerInfo,
        inbox: Recipient<Deliver>,
        mode: JoinMode,
    ) -> impl Future<Output = Result<Joined, RoomError>> + 'static {
        let answer = self.registry.send(JoinRoom {
            room,
            peer,
            inbox,
            mode,
        });
        async move { answer.await.map_err(|_| RoomError::Unavailable)? }
    }
}

impl RoomHandle {
    pub(crate) fn new(id: RoomId, addr: Addr<Room>) -> Self {
        Self { id, addr }
    }

    pub fn id(&self) -> &RoomId {
        &self.id
    }

    pub fn leave(
        &self,
        peer: PeerId,
        reason: LeaveReason,
    ) -> impl Future<Output = Result<(), RoomError>> + 'static {
        let answer = self.addr.send(Leave { peer, reason });
        async move { answer.await.map_err(|_| RoomError::Unavailable)? }
    }

    /// Leaves without waiting for the answer: for sessions that are going away.
    pub fn leave_now(&self, peer: PeerId, reason: LeaveReason) {
        self.addr.do_send(Leave { peer, reason });
    }

    /// Sends `payload` to `to`, or to every other member when `to` is `None`.
    pub fn signal(
        &self,
        from: PeerId,
        to: Option<PeerId>,
        payload: Payload,
        received_at: Instant,
    ) -> impl Future<Output = Result<(), RoomError>> + 'static {
        let answer = self.addr.send(Signal {
            from,
            to,
            payload,
            received_at,
        });
        async move { answer.await.map_err(|_| RoomError::Unavailable)? }
    }
}
