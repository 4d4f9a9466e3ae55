//! Writing what crosses nodes in the format the cluster reads now, and reading it in either:
//! a relayed frame goes in wire format 2 (`compact.rs`) when `compact` says every live node
//! reads it, everything else in format 1 (the JSON types of `mod.rs`).

use std::borrow::Cow;
use std::time::Duration;

use bytes::Bytes;
use switchboard_core::bridge::{ClusterEvent, PeerAddress, PeerMessage, Queued};
use switchboard_core::{NodeId, PeerId, RoomId};

use super::{Envelope, PeerEnvelope, PeerWire, QueuedWire};
use crate::compact::{self, DirectHeader, SignalHeader};

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
