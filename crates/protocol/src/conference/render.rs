//! Rendering the server's frames.

use serde::Serialize;
use serde::ser::SerializeMap;
use serde_json::value::RawValue;

use super::ProtocolError;
use super::command::{SignalCommand, SignalKind};
use super::fields::Data;

/// One member in `joinResponse.peers`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PeerEntry<'a> {
    pub id: &'a str,
    pub name: &'a str,
}

/// A frame the server sends, other than a relayed signal.
#[derive(Debug)]
pub enum ServerMessage<'a> {
    ConnectResponse {
        room: &'a str,
        id: &'a str,
        node: &'a str,
    },
    JoinResponse {
        id: &'a str,
        room: &'a str,
        peers: &'a [PeerEntry<'a>],
    },
    /// Sent with both `peerName` (seed 000) and `name` (its later revision).
    PeerJoin {
        id: &'a str,
        room: &'a str,
        name: &'a str,
    },
    LeaveResponse {
        id: &'a str,
        room: &'a str,
    },
    PeerLeave {
        id: &'a str,
        room: &'a str,
    },
    PeerDisconnected {
        id: &'a str,
        room: &'a str,
    },
    Error(&'a ProtocolError),
}

#[derive(Serialize)]
struct Frame<'a, D: Serialize> {
    #[serde(rename = "type")]
    kind: &'a str,
    name: &'a str,
    data: D,
}

#[derive(Serialize)]
struct IdRoom<'a> {
    id: &'a str,
    room: &'a str,
}

#[derive(Serialize)]
struct ConnectData<'a> {
    room: &'a str,
    id: &'a str,
    node: &'a str,
}

#[derive(Serialize)]
struct JoinData<'a> {
    id: &'a str,
    room: &'a str,
    peers: &'a [PeerEntry<'a>],
}

#[derive(Serialize)]
struct PeerJoinData<'a> {
    id: &'a str,
    room: &'a str,
    #[serde(rename = "peerName")]
    peer_name: &'a str,
    name: &'a str,
}

#[derive(Serialize)]
struct ErrorData<'a> {
    code: &'a str,
    message: &'a str,
    request: Option<&'a str>,
}

fn frame<D: Serialize>(kind: &str, name: &str, data: D) -> String {
    serde_json::to_string(&Frame { kind, name, data })
        .expect("frames of strings and numbers always serialize")
}

/// Renders a server frame as JSON text.
pub fn render(message: &ServerMessage) -> String {
    match *message {
        ServerMessage::ConnectResponse { room, id, node } => {
            frame("room", "connectResponse", ConnectData { room, id, node })
        }
        ServerMessage::JoinResponse { id, room, peers } => {
            frame("conference", "joinResponse", JoinData { id, room, peers })
        }
        ServerMessage::PeerJoin { id, room, name } => frame(
            "conference",
            "peerJoin",
            PeerJoinData {
                id,
                room,
                peer_name: name,
                name,
            },
        ),
        ServerMessage::LeaveResponse { id, room } => {
            frame("conference", "leaveResponse", IdRoom { id, room })
        }
        ServerMessage::PeerLeave { id, room } => {
            frame("conference", "peerLeave", IdRoom { id, room })
        }
        ServerMessage::PeerDisconnected { id, room } => {
            frame("system", "peerDisconnected", IdRoom { id, room })
        }
        ServerMessage::Error(err) => frame(
            "system",
            "error",
            ErrorData {
                code: err.code.as_str(),
                message: &err.message,
                request: err.request.as_deref(),
            },
        ),
    }
}

/// The client's `data` with `id` replaced by the sender's: the receiver learns who sent it
/// from the server, never from the sender.
struct DataFromSender<'a> {
    data: &'a Data,
    sender: &'a str,
}

impl Serialize for DataFromSender<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        for (key, value) in self.data.iter().filter(|(key, _)| key.as_str() != "id") {
            map.serialize_entry(key, value)?;
        }
        map.serialize_entry("id", self.sender)?;
        map.end()
    }
}

#[derive(Serialize)]
struct RelayedSignal<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    name: &'static str,
    data: DataFromSender<'a>,
    signal: &'a RawValue,
}

/// The frame a signal's receivers get: rendered once by the sender's session and shared.
pub fn render_relayed_signal(signal: &SignalCommand, sender: &str) -> String {
    serde_json::to_string(&RelayedSignal {
        kind: "signal",
        name: signal.kind.as_str(),
        data: DataFromSender {
            data: &signal.data,
            sender,
        },
        signal: &signal.signal,
    })
    .expect("parsed JSON always serializes")
}

/// Which signal a frame from [`render_relayed_signal`] carries, read from its fixed prefix
/// (for metrics on the receiving side, which gets the frame already rendered).
pub fn relayed_signal_kind(frame: &str) -> Option<SignalKind> {
    [SignalKind::Sdp, SignalKind::Trickle]
        .into_iter()
        .find(|kind| {
            frame
                .strip_prefix(r#"{"type":"signal","name":""#)
                .and_then(|rest| rest.strip_prefix(kind.as_str()))
                .is_some_and(|rest| rest.starts_with('"'))
        })
}
