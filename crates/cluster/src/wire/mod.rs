//! What travels on the channels and sits in the hashes, readable with `redis-cli`: JSON
//! (wire format 1), except for frames relayed between clients, which travel in wire format 2
//! (`compact.rs`) once every node reads it. The `encode_*` and `read_*` functions
//! (`formats.rs`) pick the format; nothing else in the crate needs to know there are two.

mod formats;

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use switchboard_core::bridge::ClusterEvent;
use switchboard_core::{LeaveReason, NodeId, PeerId, PeerInfo, RoomId};

pub(crate) use formats::{
    ToPeer, encode_event, encode_peer_message, encode_queued, read_event, read_peer_message,
    read_queued,
};

/// A member as stored in a room's hash.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Member {
    pub id: String,
    pub name: String,
    pub node: String,
}

impl From<&PeerInfo> for Member {
    fn from(peer: &PeerInfo) -> Self {
        Self {
            id: peer.id.to_string(),
            name: peer.name.to_string(),
            node: peer.node.to_string(),
        }
    }
}

impl From<Member> for PeerInfo {
    fn from(member: Member) -> Self {
        Self {
            id: PeerId::new(member.id),
            name: Arc::from(member.name),
            node: NodeId::new(member.node),
        }
    }
}

/// An entry of a node's membership set.
pub(crate) fn membership(room: &RoomId, peer: &str) -> String {
    serde_json::to_string(&(&*room.space, &*room.name, peer)).expect("strings serialize")
}

pub(crate) fn parse_membership(entry: &str) -> Option<(RoomId, String)> {
    let (space, name, peer): (String, String, String) = serde_json::from_str(entry).ok()?;
    Some((RoomId::new(space, name), peer))
}

/// One message on a channel. `origin` is the node it speaks for: a node ignores its own room
/// messages, but hears the departures it announces for a dead node.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Envelope {
    pub origin: String,
    pub space: String,
    pub room: String,
    #[serde(flatten)]
    pub body: Body,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub(crate) enum Body {
    Join {
        peer: Member,
    },
    Leave {
        peer: String,
        disconnected: bool,
    },
    Signal {
        from: String,
        to: Option<String>,
        payload: String,
    },
}

impl Envelope {
    /// The wire form of a local event; `None` for events that never cross nodes.
    pub(crate) fn from_event(origin: &str, event: &ClusterEvent) -> Option<Self> {
        let room = event.room();
        let body = match event {
            ClusterEvent::PeerJoined { peer, .. } => Body::Join { peer: peer.into() },
            ClusterEvent::PeerLeft { peer, reason, .. } => Body::Leave {
                peer: peer.to_string(),
                disconnected: *reason == LeaveReason::Disconnected,
            },
            ClusterEvent::Signal {
                from, to, payload, ..
            } => Body::Signal {
                from: from.to_string(),
                to: to.as_ref().map(|(peer, _)| peer.to_string()),
                payload: payload.to_string(),
            },
            ClusterEvent::RoomMembers { .. } => return None,
        };
        Some(Self {
            origin: origin.to_owned(),
            space: room.space.to_string(),
            room: room.name.to_string(),
            body,
        })
    }

    pub(crate) fn into_event(self, node: &NodeId) -> ClusterEvent {
        let room = RoomId::new(self.space, self.room);
        match self.body {
            Body::Join { peer } => ClusterEvent::PeerJoined {
                room,
                peer: peer.into(),
            },
            Body::Leave { peer, disconnected } => ClusterEvent::PeerLeft {
                room,
                peer: PeerId::new(peer),
                reason: if disconnected {
                    LeaveReason::Disconnected
                } else {
                    LeaveReason::Left
                },
            },
            Body::Signal { from, to, payload } => ClusterEvent::Signal {
                room,
                from: PeerId::new(from),
                to: to.map(|peer| (PeerId::new(peer), node.clone())),
                payload: payload.into(),
            },
        }
    }

    pub(crate) fn to_json(&self) -> String {
        serde_json::to_string(self).expect("envelopes serialize")
    }
}

/// An entry of a node's peer set, and of the queue index.
pub(crate) fn peer_entry(peer: &switchboard_core::bridge::PeerAddress) -> String {
    serde_json::to_string(&(&*peer.space, peer.id.as_str())).expect("strings serialize")
}

pub(crate) fn parse_peer_entry(entry: &str) -> Option<switchboard_core::bridge::PeerAddress> {
    let (space, id): (String, String) = serde_json::from_str(entry).ok()?;
    Some(switchboard_core::bridge::PeerAddress::new(
        space,
        PeerId::new(id),
    ))
}

/// A message on a peer's channel, naming the peer it is for.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct PeerEnvelope {
    pub space: String,
    pub to: String,
    #[serde(flatten)]
    pub body: PeerWire,
}

/// What travels on a peer's channel.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub(crate) enum PeerWire {
    Direct {
        from: String,
        payload: String,
        /// How long the message may wait if it arrives before its peer is ready here.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        keep_ms: Option<u64>,
    },
    Expired {
        peer: String,
    },
    Replaced,
}

impl From<&switchboard_core::bridge::PeerMessage> for PeerWire {
    fn from(message: &switchboard_core::bridge::PeerMessage) -> Self {
        use switchboard_core::bridge::PeerMessage;
        match message {
            PeerMessage::Direct { from, payload } => Self::Direct {
                from: from.to_string(),
                payload: payload.to_string(),
                keep_ms: None,
            },
            PeerMessage::Expired { peer } => Self::Expired {
                peer: peer.to_string(),
            },
            PeerMessage::Replaced => Self::Replaced,
        }
    }
}

impl From<PeerWire> for switchboard_core::bridge::PeerMessage {
    fn from(wire: PeerWire) -> Self {
        match wire {
            PeerWire::Direct { from, payload, .. } => Self::Direct {
                from: PeerId::new(from),
                payload: payload.into(),
            },
            PeerWire::Expired { peer } => Self::Expired {
                peer: PeerId::new(peer),
            },
            PeerWire::Replaced => Self::Replaced,
        }
    }
}

/// A queued message as stored in a queue list.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct QueuedWire {
    pub from: String,
    pub payload: String,
}

#[cfg(test)]
mod tests;
