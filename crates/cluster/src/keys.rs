//! Names of the Redis keys and channels (all under one prefix). See `docs/cluster.md`.

use switchboard_core::RoomId;

#[derive(Debug, Clone)]
pub(crate) struct Keys {
    prefix: String,
}

impl Keys {
    pub(crate) fn new(prefix: &str) -> Self {
        Self {
            prefix: prefix.to_owned(),
        }
    }

    /// SET of the ids of every node that registered (live or not yet cleaned up).
    pub(crate) fn nodes(&self) -> String {
        format!("{}nodes", self.prefix)
    }

    /// STRING with a TTL: the node is alive while it exists.
    pub(crate) fn lease(&self, node: &str) -> String {
        format!("{}lease:{node}", self.prefix)
    }

    /// SET of the node's memberships, each `[space, room, peer]` as JSON.
    pub(crate) fn node_members(&self, node: &str) -> String {
        format!("{}members:{node}", self.prefix)
    }

    /// STRING with a TTL: which node is cleaning up after a dead one.
    pub(crate) fn cleanup_lock(&self, node: &str) -> String {
        format!("{}cleanup:{node}", self.prefix)
    }

    /// HASH peer id -> member JSON, for one room.
    pub(crate) fn room(&self, room: &RoomId) -> String {
        format!("{}room:{}:{}", self.prefix, room.space, room.name)
    }

    /// Channel of one room's events.
    pub(crate) fn room_channel(&self, room: &RoomId) -> String {
        format!("{}ch:room:{}:{}", self.prefix, room.space, room.name)
    }

    /// Channel of the signals for one node.
    pub(crate) fn node_channel(&self, node: &str) -> String {
        format!("{}ch:node:{node}", self.prefix)
    }
}
