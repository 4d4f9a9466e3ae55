//! The in-process bridge: nodes that share one [`MemoryBus`] share rooms.
//!
//! One node on its own bus is the single-node server that `cargo run` starts. Several nodes on
//! one bus are how the core's cross-node behaviour is tested without Redis.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use actix::Recipient;

use super::{Bridge, BridgeError, BridgeFuture, ClusterEvent, FromCluster};
use crate::{NodeId, PeerId, PeerInfo, RoomId};

#[derive(Default)]
struct BusState {
    /// Who is in which room, cluster-wide.
    presence: HashMap<RoomId, HashMap<PeerId, PeerInfo>>,
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
}
