//! The seam between one node's rooms and the rest of the cluster.
//!
//! A room tells the bridge when a local member joins or leaves and hands it signals for
//! members on other nodes; the bridge hands the room what other nodes said. Implementations:
//! [`MemoryBus`] (one process; the single-node default, and several in-process nodes for
//! tests) and, in the server, the Redis pub/sub bridge. Rooms do not know which they have.

mod memory;
mod peers;

use std::future::Future;
use std::pin::Pin;

use actix::{Message, Recipient};

pub use memory::{MemoryBridge, MemoryBus};
pub use peers::{ClaimOutcome, PeerAddress, PeerMessage, PeerSink, Queued};

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

/// Told why a message could not be handed to the cluster; called on whichever thread the
/// bridge runs on.
pub type OnFailure = Box<dyn FnOnce(BridgeError) + Send>;

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

    /// Resolves once every event published (and every id or room released) before the call
    /// has reached the cluster, or failed to. A room answers a join only then, so a join on another node that follows
    /// the answer finds this member. A bridge whose `publish` takes effect at once (the
    /// in-memory one) keeps this default.
    fn published(&self) -> BridgeFuture<()> {
        Box::pin(std::future::ready(Ok(())))
    }

    // Owned rooms (`JoinMode::Create`): one owner per room, cluster-wide.

    /// Makes `owner` the owner of `room`, atomically across the cluster: true when the room
    /// had no (live) owner and no member, false when it exists. The default serves bridges
    /// with one node, where the room actor's own check is the whole truth.
    fn claim_room(&self, _room: &RoomId, _owner: &PeerInfo) -> BridgeFuture<bool> {
        Box::pin(std::future::ready(Ok(true)))
    }

    /// The owner of `room`, as the cluster knows it.
    fn room_owner(&self, _room: &RoomId) -> BridgeFuture<Option<PeerId>> {
        Box::pin(std::future::ready(Ok(None)))
    }

    /// Gives up `owner`'s ownership of `room` (a newer owner is left alone).
    fn release_room(&self, _room: &RoomId, _owner: &PeerId) {}

    // Peers addressed by id (the `Directory`): who holds an id, messages between ids on any
    // node, and queues for ids that are not connected yet.

    /// Where messages for this node's peers go when they come from another node.
    fn attach_peers(&self, sink: std::sync::Weak<dyn PeerSink>);

    /// Claims `peer` for this node, atomically across the cluster.
    fn claim_peer(&self, peer: &PeerAddress, token: &str) -> BridgeFuture<ClaimOutcome>;

    /// Gives up a claim made with `token` (a newer claim is left alone).
    fn release_peer(&self, peer: &PeerAddress, token: &str);

    /// Hands `message` to the node that holds `peer`; answers whether some node took it.
    fn send_to_peer(&self, peer: &PeerAddress, message: PeerMessage) -> BridgeFuture<bool>;

    /// Hands `message` to the node that holds `peer`, or, when nobody does, keeps it until
    /// the peer claims its id or the queue's first message is `expires_in` old. One step, so
    /// messages from one sender keep their order whichever way each goes. Answers whether it
    /// was delivered.
    fn deliver_or_enqueue(
        &self,
        peer: &PeerAddress,
        message: Queued,
        expires_in: std::time::Duration,
    ) -> BridgeFuture<bool>;

    /// [`Bridge::deliver_or_enqueue`] for a caller that needs to hear only of a failure. A
    /// bridge that runs on another thread than its callers (the Redis one) answers nothing
    /// when all goes well, so the caller's thread is not woken once per message. The default
    /// serves a bridge whose calls complete at once (the in-memory one).
    fn deliver_or_enqueue_quietly(
        &self,
        peer: &PeerAddress,
        message: Queued,
        expires_in: std::time::Duration,
        on_failure: OnFailure,
    ) {
        use futures_util::FutureExt;
        let mut sending = self.deliver_or_enqueue(peer, message, expires_in);
        match (&mut sending).now_or_never() {
            Some(Ok(_)) => {}
            Some(Err(err)) => on_failure(err),
            None => {
                actix::spawn(async move {
                    if let Err(err) = sending.await {
                        on_failure(err);
                    }
                });
            }
        }
    }

    /// Removes and returns what waits for `peer`, oldest first.
    fn take_queued(&self, peer: &PeerAddress) -> BridgeFuture<Vec<Queued>>;

    /// Removes and returns the queues past their expiry (each taken by one node only).
    fn take_expired(&self) -> BridgeFuture<Vec<(PeerAddress, Vec<Queued>)>>;

    /// The ids claimed in `space`, on every node.
    fn list_peers(&self, space: &str) -> BridgeFuture<Vec<PeerId>>;

    // Nodes.

    /// The HTTP address `node` publishes for the other nodes while it lives, where a request
    /// for one of its sessions can be handed over. A bridge with one node knows none.
    fn node_address(&self, _node: &NodeId) -> BridgeFuture<Option<String>> {
        Box::pin(std::future::ready(Ok(None)))
    }
}
