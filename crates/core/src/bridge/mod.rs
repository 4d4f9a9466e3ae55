//! The seam between one node's rooms and the rest of the cluster.
//!
//! A room tells the bridge when a local member joins or leaves and hands it signals for
//! members on other nodes; the bridge hands the room what other nodes said. Implementations:
//! [`MemoryBus`] (one process; the single-node default, and several in-process nodes for
//! tests) and, in the server, the Redis pub/sub bridge. Rooms do not know which they have.

mod memory;

use std::future::Future;
use std::pin::Pin;

use actix::{Message, Recipient};

pub use memory::{MemoryBridge, MemoryBus};

use crate::{LeaveReason, NodeId, Payload, PeerId, PeerInfo, RoomId};

/// What crosses nodes.
#[derive(Clone, Debug)]
pub enum ClusterEvent {
    PeerJoined {
        room: RoomId,
        peer: PeerInfo,
    },
    PeerLeft {
        room: RoomId,
        peer: PeerId,
        reason: LeaveReason,
    },
    /// To one peer on one node, or (`to: None`) to every member of the room on other nodes.
    Signal {
        room: RoomId,
        from: PeerId,
        to: Option<(PeerId, NodeId)>,
        payload: Payload,
    },
    /// Every member of the room as the cluster knows it now, after the bridge lost events
    /// (its link to the other nodes was down): the room makes its members on other nodes
    /// match the list, telling its local members who came and who went.
    RoomMembers {
        room: RoomId,
        peers: Vec<PeerInfo>,
    },
}

impl ClusterEvent {
    pub fn room(&self) -> &RoomId {
        match self {
            Self::PeerJoined { room, .. }
            | Self::PeerLeft { room, .. }
            | Self::Signal { room, .. }
            | Self::RoomMembers { room, .. } => room,
        }
    }
}

/// A cluster event for a room on this node.
#[derive(Message, Clone, Debug)]
#[rtype(result = "()")]
pub struct FromCluster(pub ClusterEvent);

#[derive(Debug, Clone, thiserror::Error)]
#[error("cluster bridge unavailable: {0}")]
pub struct BridgeError(pub String);

pub type BridgeFuture<T> = Pin<Box<dyn Future<Output = Result<T, BridgeError>> + Send>>;

pub trait Bridge: Send + Sync + 'static {
    /// This node's id.
    fn node(&self) -> &NodeId;

    /// Starts handing the room's events from other nodes to `inbox` (a node watches a room
    /// only while it hosts members of it), then returns the members other nodes hold.
    /// Watching first and reading second means no join is missed in between; a member seen
    /// both ways is the same member.
    fn watch_room(
        &self,
        room: &RoomId,
        inbox: Recipient<FromCluster>,
    ) -> BridgeFuture<Vec<PeerInfo>>;

    /// Stops handing the room's events to this node.
    fn unwatch_room(&self, room: &RoomId);

    /// Records a local member's join or leave and tells the nodes that host the room; sends a
    /// signal to the node (or nodes) of its receivers. Never blocks: an error says at once
    /// that the cluster cannot be reached now, and a sent event is delivered at most once.
    fn publish(&self, event: ClusterEvent) -> Result<(), BridgeError>;
}
