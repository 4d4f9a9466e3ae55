//! Parsing what a PeerJS client sends on its WebSocket.

use serde::Deserialize;
use serde_json::value::RawValue;

/// The messages the server relays from one peer to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelayKind {
    Offer,
    Answer,
    Candidate,
    Leave,
    Expire,
}

impl RelayKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Offer => "OFFER",
            Self::Answer => "ANSWER",
            Self::Candidate => "CANDIDATE",
            Self::Leave => "LEAVE",
            Self::Expire => "EXPIRE",
        }
    }

    /// Whether a message of this kind waits for a peer that is not connected (LEAVE and
    /// EXPIRE to an absent peer mean nothing, as in peerjs-server).
    pub fn is_queued(self) -> bool {
        matches!(self, Self::Offer | Self::Answer | Self::Candidate)
    }
}

#[derive(Debug)]
pub enum ClientMessage {
    Heartbeat,
    Relay {
        kind: RelayKind,
        dst: String,
        /// The payload, relayed untouched.
        payload: Option<Box<RawValue>>,
    },
    /// LEAVE with no `dst`: the client gives up its id.
    LeaveServer,
    /// A `type` this server does not know: dropped, as peerjs-server does, so newer clients
    /// keep working.
    Unknown {
        kind: String,
    },
}

/// Why a message was refused; the text goes into an ERROR message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageError(pub String);

#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(rename = "type", borrow, default)]
    kind: Option<&'a RawValue>,
    #[serde(borrow, default)]
    dst: Option<&'a RawValue>,
    #[serde(borrow, default)]
    payload: Option<&'a RawValue>,
}

fn refuse(message: impl Into<String>) -> MessageError {
    MessageError(message.into())
}

pub fn parse_message(text: &str) -> Result<ClientMessage, MessageError> {
    // serde would also read the envelope from a JSON array, by position.
    if !text.trim_start().starts_with('{') {
        return Err(match serde_json::from_str::<serde::de::IgnoredAny>(text) {
            Ok(_) => refuse("Invalid message: expected a JSON object"),
            Err(err) => refuse(format!("Invalid JSON: {err}")),
        });
    }
    let envelope: Envelope =
        serde_json::from_str(text).map_err(|err| refuse(format!("Invalid message: {err}")))?;
    let kind = envelope
        .kind
        .ok_or_else(|| refuse("Invalid message: type is required"))?;
    let kind: String = serde_json::from_str(kind.get())
        .map_err(|_| refuse("Invalid message: type must be a string"))?;
    let kind = match kind.as_str() {
        "HEARTBEAT" => return Ok(ClientMessage::Heartbeat),
        "OFFER" => RelayKind::Offer,
        "ANSWER" => RelayKind::Answer,
        "CANDIDATE" => RelayKind::Candidate,
        "LEAVE" => RelayKind::Leave,
        "EXPIRE" => RelayKind::Expire,
        _ => return Ok(ClientMessage::Unknown { kind }),
    };
    // An empty dst names nobody, as in peerjs-server (`!dstId`).
    let dst = match envelope.dst {
        None => None,
        Some(raw) => Some(
            serde_json::from_str::<String>(raw.get())
                .map_err(|_| refuse(format!("Invalid {}: dst must be a string", kind.as_str())))?,
        ),
    }
    .filter(|dst| !dst.is_empty());
    let payload = match envelope.payload {
        Some(raw) if !raw.get().starts_with('{') => {
            return Err(refuse(format!(
                "Invalid {}: payload must be an object",
                kind.as_str()
            )));
        }
        other => other.map(ToOwned::to_owned),
    };
    match (kind, dst) {
        (RelayKind::Leave, None) => Ok(ClientMessage::LeaveServer),
        (_, None) => Err(refuse(format!(
            "Invalid {}: dst is required",
            kind.as_str()
        ))),
        (kind, Some(_)) if kind.is_queued() && payload.is_none() => Err(refuse(format!(
            "Invalid {}: payload is required",
            kind.as_str()
        ))),
        (kind, Some(dst)) => Ok(ClientMessage::Relay { kind, dst, payload }),
    }
}
