//! What rooms tell their members. Sessions receive [`Deliver`] and render it in their dialect.

use std::sync::Arc;
use std::time::Instant;

use actix::Message;

use crate::{NodeId, PeerId, RoomId};

/// A signal's body, already rendered by the sender's dialect: the core relays it unread, and
/// every receiver shares one copy.
pub type Payload = bytestring::ByteString;

/// A member of a room as others see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeerInfo {
    pub id: PeerId,
    /// Display name; empty where a dialect has none.
    pub name: Arc<str>,
    /// The node whose session holds this peer.
    pub node: NodeId,
}

/// Why a member is gone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LeaveReason {
    /// It asked to leave.
    Left,
    /// Its connection closed, timed out, or its node went away.
    Disconnected,
}

#[derive(Clone, Debug)]
pub enum Event {
    PeerJoined {
        room: RoomId,
        peer: PeerInfo,
    },
    PeerLeft {
        room: RoomId,
        peer: PeerId,
        reason: LeaveReason,
    },
    Signal {
        room: RoomId,
        from: PeerId,
        payload: Payload,
        /// When this node received it: the relay-latency metric starts here.
        received_at: Instant,
    },
    /// A message addressed to this peer by id (see `Directory`), not through a room.
    Direct {
        from: PeerId,
        payload: Payload,
        received_at: Instant,
    },
    /// Messages this peer sent to `peer` waited in a queue until they expired: `peer` never
    /// connected.
    Expired {
        peer: PeerId,
    },
    /// A newer connection claimed this peer's id with the same token: this one must close.
    Replaced,
    /// The room's owner left it (or disconnected), which closes an owned room: this member
    /// was removed from it and needs no leave.
    RoomClosed {
        room: RoomId,
    },
}

/// An event pushed into a session's inbox.
#[derive(Message, Clone, Debug)]
#[rtype(result = "()")]
pub struct Deliver(pub Event);
