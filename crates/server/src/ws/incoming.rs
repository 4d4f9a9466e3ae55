//! What a frame from the client means to a session, whatever the dialect: the transport
//! cases (pings, close, oversize, a lost connection) are handled the same everywhere.

use actix_ws::{AggregatedMessage, ProtocolError};
use bytestring::ByteString;

pub enum Incoming {
    Text(ByteString),
    Binary,
    Ping(bytes::Bytes),
    Pong,
    /// The client closed the connection.
    Closed,
    /// A frame over the size limit: close with 1009.
    TooLarge,
    /// The connection broke (I/O error, EOF without a close frame).
    Lost(String),
    /// The client broke the WebSocket protocol: close with 1002.
    Invalid(String),
}

impl From<Result<AggregatedMessage, ProtocolError>> for Incoming {
    fn from(item: Result<AggregatedMessage, ProtocolError>) -> Self {
        match item {
            Ok(AggregatedMessage::Text(text)) => Self::Text(text),
            Ok(AggregatedMessage::Binary(_)) => Self::Binary,
            Ok(AggregatedMessage::Ping(payload)) => Self::Ping(payload),
            Ok(AggregatedMessage::Pong(_)) => Self::Pong,
            Ok(AggregatedMessage::Close(_)) => Self::Closed,
            Err(ProtocolError::Overflow) => Self::TooLarge,
            Err(ProtocolError::Io(error)) => Self::Lost(error.to_string()),
            Err(error) => Self::Invalid(error.to_string()),
        }
    }
}
