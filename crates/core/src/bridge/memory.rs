//! The in-process bridge: nodes that share one [`MemoryBus`] share rooms.
//!
//! One node on its own bus is the single-node server that `cargo run` starts. Several nodes on
//! one bus are how the core's cross-node behaviour is tested without Redis.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};

use actix::Recipient;

use super::{
    Bridge, BridgeError, BridgeFuture, ClaimOutcome, ClusterEvent, FromCluster, PeerAddress,
    PeerMessage, PeerSink, Queued,
};
use crate::{NodeId, PeerId, PeerInfo, RoomId};

struct PeerQueue {
    messages: Vec<Queued>,
    expires_at: Instant,
}

#[derive(Default)]
struct BusState {
    /// Who holds which peer id, with its token.
    claims: HashMap<PeerAddress, (Arc<str>, NodeId)>,
    queues: HashMap<PeerAddress, PeerQueue>,
    sinks: HashMap<NodeId, Weak<dyn PeerSink>>,
    /// Who is in which room, cluster-wide.
    presence: HashMap<RoomId, HashMap<PeerId, PeerInfo>>,
    /// The owner of each owned room.
    owners: HashMap<RoomId, PeerId>,
    /// Which node's room actor hears a room's events.
    watchers: HashMap<RoomId, HashMap<NodeId, Recipient<FromCluster>>>,
}

/// Shared state of the nodes of one process.
#[derive(Clone, Default)]
pub struct MemoryBus {
    state: Arc<Mutex<BusState>>,
}

impl MemoryBus {
    pub fn new() -> Self {
        Self::default()
    }

    /// A node on this bus.
    pub fn bridge(&self, node: NodeId) -> MemoryBridge {
        MemoryBridge {
            node,
            bus: self.clone(),
        }
    }

    /// The sink of the node holding `peer`, taken out of the lock so delivering never runs
    /// under it.
    fn holder_sink(&self, peer: &PeerAddress) -> Option<Arc<dyn PeerSink>> {
        let state = self.lock();
        let (_, node) = state.claims.get(peer)?;
        state.sinks.get(node)?.upgrade()
    }

    fn lock(&self) -> MutexGuard<'_, BusState> {
        // A panic while holding the lock cannot leave the maps half-updated in a way that
        // matters more than stopping the node, so keep serving.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Members recorded for a room (for tests and introspection).
    pub fn members(&self, room: &RoomId) -> Vec<PeerInfo> {
        self.lock()
            .presence
            .get(room)
            .map(|members| members.values().cloned().collect())
            .unwrap_or_default()
    }
}

/// One node's view of a [`MemoryBus`].
#[derive(Clone)]
pub struct MemoryBridge {
    node: NodeId,
    bus: MemoryBus,
}

impl Bridge for MemoryBridge {
    fn node(&self) -> &NodeId {
        &self.node
    }

    fn claim_room(&self, room: &RoomId, owner: &PeerInfo) -> BridgeFuture<bool> {
        let mut state = self.bus.lock();
        let taken = state.owners.contains_key(room)
            || state
                .presence
                .get(room)
                .is_some_and(|members| !members.is_empty());
        if !taken {
            state.owners.insert(room.clone(), owner.id.clone());
        }
        Box::pin(std::future::ready(Ok(!taken)))
    }

    fn room_owner(&self, room: &RoomId) -> BridgeFuture<Option<PeerId>> {
        let owner = self.bus.lock().owners.get(room).cloned();
        Box::pin(std::future::ready(Ok(owner)))
    }

    fn release_room(&self, room: &RoomId, owner: &PeerId) {
        let mut state = self.bus.lock();
        if state.owners.get(room) == Some(owner) {
            state.owners.remove(room);
        }
    }

    fn watch_room(
        &self,
        room: &RoomId,
        inbox: Recipient<FromCluster>,
    ) -> BridgeFuture<Vec<PeerInfo>> {
        let mut state = self.bus.lock();
        state
            .watchers
            .entry(room.clone())
            .or_default()
            .insert(self.node.clone(), inbox);
        let others = state
            .presence
            .get(room)
            .map(|members| {
                members
                    .values()
                    .filter(|peer| peer.node != self.node)
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        Box::pin(std::future::ready(Ok(others)))
    }

    fn unwatch_room(&self, room: &RoomId) {
        let mut state = self.bus.lock();
        if let Some(watchers) = state.watchers.get_mut(room) {
            watchers.remove(&self.node);
            if watchers.is_empty() {
                state.watchers.remove(room);
            }
        }
    }

    fn publish(&self, event: ClusterEvent) -> Result<(), BridgeError> {
        let mut state = self.bus.lock();
        let room = event.room().clone();
        match &event {
            ClusterEvent::PeerJoined { peer, .. } => {
                state
                    .presence
                    .entry(room.clone())
                    .or_default()
                    .insert(peer.id.clone(), peer.clone());
            }
            ClusterEvent::PeerLeft { peer, .. } => {
                if let Some(members) = state.presence.get_mut(&room) {
                    members.remove(peer);
                    if members.is_empty() {
                        state.presence.remove(&room);
                    }
                }
            }
            ClusterEvent::Signal { .. } | ClusterEvent::RoomMembers { .. } => {}
        }
        let target_node = match &event {
            ClusterEvent::Signal {
                to: Some((_, node)),
                ..
            } => Some(node.clone()),
            _ => None,
        };
        let Some(watchers) = state.watchers.get(&room) else {
            return Ok(());
        };
        for (node, inbox) in watchers {
            let wanted = match &target_node {
                Some(target) => node == target,
                None => *node != self.node,
            };
            if wanted {
                inbox.do_send(FromCluster(event.clone()));
            }
        }
        Ok(())
    }

    fn attach_peers(&self, sink: Weak<dyn PeerSink>) {
        self.bus.lock().sinks.insert(self.node.clone(), sink);
    }

    fn claim_peer(&self, peer: &PeerAddress, token: &str) -> BridgeFuture<ClaimOutcome> {
        let mut state = self.bus.lock();
        let outcome = match state.claims.get(peer) {
            None => ClaimOutcome::Claimed,
            Some((held, _)) if &**held != token => ClaimOutcome::Taken,
            Some((_, node)) => {
                // The directory of this node replaces its own holder itself.
                if let Some(sink) = state
                    .sinks
                    .get(node)
                    .filter(|_| *node != self.node)
                    .and_then(Weak::upgrade)
                {
                    sink.deliver(peer, PeerMessage::Replaced);
                }
                ClaimOutcome::TakenOver
            }
        };
        if outcome != ClaimOutcome::Taken {
            state
                .claims
                .insert(peer.clone(), (Arc::from(token), self.node.clone()));
        }
        Box::pin(std::future::ready(Ok(outcome)))
    }

    fn release_peer(&self, peer: &PeerAddress, token: &str) {
        let mut state = self.bus.lock();
        if state
            .claims
            .get(peer)
            .is_some_and(|(held, node)| &**held == token && *node == self.node)
        {
            state.claims.remove(peer);
        }
    }

    fn send_to_peer(&self, peer: &PeerAddress, message: PeerMessage) -> BridgeFuture<bool> {
        let delivered = self
            .bus
            .holder_sink(peer)
            .is_some_and(|sink| sink.deliver(peer, message));
        Box::pin(std::future::ready(Ok(delivered)))
    }

    fn deliver_or_enqueue(
        &self,
        peer: &PeerAddress,
        message: Queued,
        expires_in: Duration,
    ) -> BridgeFuture<bool> {
        let direct = PeerMessage::Direct {
            from: message.from.clone(),
            payload: message.payload.clone(),
        };
        let delivered = self
            .bus
            .holder_sink(peer)
            .is_some_and(|sink| sink.deliver(peer, direct));
        if !delivered {
            self.bus
                .lock()
                .queues
                .entry(peer.clone())
                .or_insert_with(|| PeerQueue {
                    messages: Vec::new(),
                    expires_at: Instant::now() + expires_in,
                })
                .messages
                .push(message);
        }
        Box::pin(std::future::ready(Ok(delivered)))
    }

    fn take_queued(&self, peer: &PeerAddress) -> BridgeFuture<Vec<Queued>> {
        let queued = self
            .bus
            .lock()
            .queues
            .remove(peer)
            .map(|queue| queue.messages);
        Box::pin(std::future::ready(Ok(queued.unwrap_or_default())))
    }

    fn take_expired(&self) -> BridgeFuture<Vec<(PeerAddress, Vec<Queued>)>> {
        let now = Instant::now();
        let mut state = self.bus.lock();
        let expired: Vec<PeerAddress> = state
            .queues
            .iter()
            .filter(|(_, queue)| queue.expires_at <= now)
            .map(|(peer, _)| peer.clone())
            .collect();
        let taken = expired
            .into_iter()
            .filter_map(|peer| {
                state
                    .queues
                    .remove(&peer)
                    .map(|queue| (peer, queue.messages))
            })
            .collect();
        Box::pin(std::future::ready(Ok(taken)))
    }

    fn list_peers(&self, space: &str) -> BridgeFuture<Vec<PeerId>> {
        let peers = self
            .bus
            .lock()
            .claims
            .keys()
            .filter(|peer| &*peer.space == space)
            .map(|peer| peer.id.clone())
            .collect();
        Box::pin(std::future::ready(Ok(peers)))
    }
}
