//! Names of the Redis keys and channels (all under one prefix). See `docs/cluster.md`.

use switchboard_core::RoomId;
use switchboard_core::bridge::PeerAddress;

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

    /// STRING: the node has written its members into this Redis (missing after Redis
    /// restarted empty, until the node re-asserts them).
    pub(crate) fn asserted(&self, node: &str) -> String {
        format!("{}asserted:{node}", self.prefix)
    }

    /// STRING with a TTL: which node is cleaning up after a dead one.
    pub(crate) fn cleanup_lock(&self, node: &str) -> String {
        format!("{}cleanup:{node}", self.prefix)
    }

    /// HASH peer id -> member JSON, for one room.
    pub(crate) fn room(&self, room: &RoomId) -> String {
        format!("{}room:{}:{}", self.prefix, room.space, room.name)
    }

    /// STRING `{"node","peer"}`: the owner of an owned room.
    pub(crate) fn room_owner(&self, room: &RoomId) -> String {
        format!("{}owner:{}:{}", self.prefix, room.space, room.name)
    }

    /// Channel of one room's events.
    pub(crate) fn room_channel(&self, room: &RoomId) -> String {
        format!("{}ch:room:{}:{}", self.prefix, room.space, room.name)
    }

    /// Channel of the signals for one node.
    pub(crate) fn node_channel(&self, node: &str) -> String {
        format!("{}ch:node:{node}", self.prefix)
    }

    /// STRING `{"token","node"}`: who holds a peer id.
    pub(crate) fn peer(&self, peer: &PeerAddress) -> String {
        format!("{}peer:{}:{}", self.prefix, peer.space, peer.id)
    }

    /// SET of the peer ids a node holds, each `[space, id]` as JSON.
    pub(crate) fn node_peers(&self, node: &str) -> String {
        format!("{}peers:{node}", self.prefix)
    }

    /// SET of the ids claimed in a space, for discovery.
    pub(crate) fn peer_set(&self, space: &str) -> String {
        format!("{}peerset:{space}", self.prefix)
    }

    /// LIST of the messages waiting for a peer id.
    pub(crate) fn queue(&self, peer: &PeerAddress) -> String {
        format!("{}queue:{}:{}", self.prefix, peer.space, peer.id)
    }

    /// ZSET of waiting queues (`[space, id]`) by expiry time in ms.
    pub(crate) fn queues(&self) -> String {
        format!("{}queues", self.prefix)
    }

    /// Channel of the messages for one peer id: only its holder's node subscribes.
    pub(crate) fn peer_channel(&self, peer: &PeerAddress) -> String {
        format!("{}ch:peer:{}:{}", self.prefix, peer.space, peer.id)
    }

    /// What every peer channel's name starts with.
    pub(crate) fn peer_channel_prefix(&self) -> String {
        format!("{}ch:peer:", self.prefix)
    }

    pub(crate) fn prefix(&self) -> &str {
        &self.prefix
    }
}
