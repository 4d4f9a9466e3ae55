//! What travels on the channels and sits in the hashes, readable with `redis-cli`: JSON
//! (wire format 1), except for frames relayed between clients, which travel in wire format 2
//! (`compact.rs`) once every node reads it. The `encode_*` and `read_*` functions below pick
//! the format; nothing else in the crate needs to know there are two.

use std::borrow::Cow;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use serde::{Deserialize, Serialize};
use switchboard_core::bridge::{ClusterEvent, PeerAddress, PeerMessage, Queued};
use switchboard_core::{LeaveReason, NodeId, PeerId, PeerInfo, RoomId};

use crate::compact::{self, DirectHeader, SignalHeader};

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

/// The bytes to publish for a local event; `None` for events that never cross nodes. A
/// signal is written in format 2 when `compact`.
pub(crate) fn encode_event(origin: &str, event: &ClusterEvent, compact: bool) -> Option<Vec<u8>> {
    if let (
        true,
        ClusterEvent::Signal {
            room,
            from,
            to,
            payload,
        },
    ) = (compact, event)
    {
        let header = SignalHeader {
            origin: origin.into(),
            space: (&*room.space).into(),
            room: (&*room.name).into(),
            from: from.as_str().into(),
            to: to.as_ref().map(|(peer, _)| peer.as_str().into()),
        };
        return Some(compact::encode(&header, payload));
    }
    Envelope::from_event(origin, event).map(|envelope| envelope.to_json().into_bytes())
}

/// Reads an event from a room's or a node's channel, in either format: the node it speaks
/// for, and the event as this node (`node`) sees it.
pub(crate) fn read_event<'a>(
    bytes: &'a Bytes,
    node: &NodeId,
) -> Result<(Cow<'a, str>, ClusterEvent), String> {
    if compact::is_compact(bytes) {
        let (header, payload) =
            compact::decode::<SignalHeader>(bytes).map_err(|err| err.to_string())?;
        let event = ClusterEvent::Signal {
            room: RoomId::new(header.space, header.room),
            from: PeerId::new(header.from),
            to: header.to.map(|peer| (PeerId::new(peer), node.clone())),
            payload,
        };
        return Ok((header.origin, event));
    }
    let envelope: Envelope = serde_json::from_slice(bytes).map_err(|err| err.to_string())?;
    let origin = Cow::Owned(envelope.origin.clone());
    Ok((origin, envelope.into_event(node)))
}

/// The bytes to publish on `peer`'s channel. A direct message is written in format 2 when
/// `compact`; `keep` is how long it may wait should it arrive before its peer is ready.
pub(crate) fn encode_peer_message(
    peer: &PeerAddress,
    message: &PeerMessage,
    keep: Option<Duration>,
    compact: bool,
) -> Vec<u8> {
    let keep_ms = keep.map(|keep| keep.as_millis() as u64);
    if let (true, PeerMessage::Direct { from, payload }) = (compact, message) {
        let header = DirectHeader {
            space: (&*peer.space).into(),
            to: peer.id.as_str().into(),
            from: from.as_str().into(),
            keep_ms,
        };
        return compact::encode(&header, payload);
    }
    let mut body = PeerWire::from(message);
    if let PeerWire::Direct { keep_ms: keep, .. } = &mut body {
        *keep = keep_ms;
    }
    let envelope = PeerEnvelope {
        space: peer.space.to_string(),
        to: peer.id.to_string(),
        body,
    };
    serde_json::to_vec(&envelope).expect("envelopes serialize")
}

/// A message read from a peer's channel: for whom, what, and how long it may wait.
pub(crate) struct ToPeer {
    pub peer: PeerAddress,
    pub message: PeerMessage,
    pub keep: Option<Duration>,
}

/// Reads a message from a peer's channel, in either format.
pub(crate) fn read_peer_message(bytes: &Bytes) -> Result<ToPeer, String> {
    if compact::is_compact(bytes) {
        let (header, payload) =
            compact::decode::<DirectHeader>(bytes).map_err(|err| err.to_string())?;
        return Ok(ToPeer {
            peer: PeerAddress::new(header.space, PeerId::new(header.to)),
            message: PeerMessage::Direct {
                from: PeerId::new(header.from),
                payload,
            },
            keep: header.keep_ms.map(Duration::from_millis),
        });
    }
    let envelope: PeerEnvelope = serde_json::from_slice(bytes).map_err(|err| err.to_string())?;
    let keep = match &envelope.body {
        PeerWire::Direct { keep_ms, .. } => keep_ms.map(Duration::from_millis),
        _ => None,
    };
    Ok(ToPeer {
        peer: PeerAddress::new(envelope.space, PeerId::new(envelope.to)),
        message: envelope.body.into(),
        keep,
    })
}

/// A queued message as stored in a queue list: in format 1 a [`QueuedWire`]; in format 2
/// the message's direct envelope itself, so the caller stores what it publishes (`None`).
pub(crate) fn encode_queued(message: &Queued, compact: bool) -> Option<Vec<u8>> {
    if compact {
        return None;
    }
    let stored = QueuedWire {
        from: message.from.to_string(),
        payload: message.payload.to_string(),
    };
    Some(serde_json::to_vec(&stored).expect("strings serialize"))
}

/// Reads a queued message, in either format.
pub(crate) fn read_queued(bytes: &Bytes) -> Option<Queued> {
    if compact::is_compact(bytes) {
        let (header, payload) = compact::decode::<DirectHeader>(bytes).ok()?;
        return Some(Queued {
            from: PeerId::new(header.from),
            payload,
        });
    }
    let stored: QueuedWire = serde_json::from_slice(bytes).ok()?;
    Some(Queued {
        from: PeerId::new(stored.from),
        payload: stored.payload.into(),
    })
}

#[cfg(test)]
mod tests;
