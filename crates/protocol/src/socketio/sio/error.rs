//! Why a Socket.IO packet could not be decoded or encoded. The reference decoder throws on
//! all of these and the server closes the connection; the `rooms` dialect may instead keep
//! the socket and answer with an `error` event, so each rule broken has its own variant.

use super::PacketType;

/// A malformed Socket.IO packet.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("empty Socket.IO packet")]
    Empty,
    #[error("unknown Socket.IO packet type {0}")]
    UnknownType(String),
    /// A binary packet whose `<count>-` prefix is missing or not a number.
    #[error("invalid attachment count")]
    InvalidAttachments,
    /// Ack id digits that do not fit in 64 bits.
    #[error("invalid ack id")]
    InvalidAckId,
    #[error("{0} packet without an ack id")]
    MissingAckId(PacketType),
    #[error("{0} packet cannot carry an ack id")]
    UnexpectedAckId(PacketType),
    #[error("{0} packet without a payload")]
    MissingPayload(PacketType),
    #[error("{0} packet cannot carry a payload")]
    UnexpectedPayload(PacketType),
    /// The payload is not JSON (the text is serde_json's).
    #[error("invalid JSON in {packet} packet: {reason}")]
    InvalidJson { packet: PacketType, reason: String },
    /// JSON, but of the wrong shape for the packet type.
    #[error("{packet} payload must be {expected}")]
    InvalidPayload {
        packet: PacketType,
        expected: &'static str,
    },
    #[error("event payload is an empty array: no event name")]
    MissingEventName,
    #[error("event name must be a string")]
    EventNameNotString,
}

/// Arguments that cannot be written as a Socket.IO event or ack.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    /// serde_json refused a value (e.g. a map with non-string keys).
    #[error("arguments do not serialize to JSON: {0}")]
    Json(String),
    /// The arguments serialize to something other than a JSON array (use a tuple, a slice
    /// or [`NO_ARGS`](super::NO_ARGS)).
    #[error("arguments must serialize to a JSON array")]
    NotASequence,
}
