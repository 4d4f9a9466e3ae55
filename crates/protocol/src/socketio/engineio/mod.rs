//! Engine.IO, the transport under Socket.IO: protocol 3 (`EIO=3`, socket.io-client 1.x and
//! 2.x) and protocol 4 (`EIO=4`, socket.io-client 3.x and later).
//!
//! A session exchanges [`Packet`]s: one per WebSocket frame ([`decode_text`],
//! [`decode_binary`], [`encode_frame`]), or several per HTTP body on the polling transport
//! ([`decode_payload`], [`encode_payload`]). The two versions differ in the payload format
//! (v3: `<length>:<packet>` with lengths in UTF-16 code units, plus an XHR2 binary format;
//! v4: packets joined by `\x1e`), in how binary messages are written, and in who pings (v3:
//! the client, v4: the server). The `open` packet's JSON is [`Handshake`]; the query of every
//! request is read by [`parse_query`]; refused requests get an [`EngineError`] body.
//!
//! Specs: engine.io-protocol (branch `v3` for protocol 3, `main` for 4); reference parsers:
//! engine.io-parser 2.2.x (v3, also vendored in engine.io 6 as `parser-v3`) and 5.x (v4).

mod error;
mod handshake;
mod http_error;
mod packet;
mod payload;
mod payload_v3;
mod query;

pub use error::DecodeError;
pub use handshake::{DEFAULT_UPGRADES, Handshake};
pub use http_error::{EngineError, ErrorCode};
pub use packet::{
    Data, Frame, PROBE, Packet, PacketType, decode_binary, decode_text, encode_frame, encode_text,
};
pub use payload::{RECORD_SEPARATOR, decode_payload, decode_payload_v4, encode_payload};
pub use payload_v3::{
    decode_binary_payload_v3, decode_text_payload_v3, encode_text_payload_v3, utf16_len,
};
pub use query::{MAX_SID_BYTES, RequestQuery, Transport, parse_query};

/// The Engine.IO protocol revision a session speaks, from the `EIO` query parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Version {
    /// `EIO=3`: socket.io-client 1.x and 2.x (Socket.IO protocol 4).
    V3,
    /// `EIO=4`: socket.io-client 3.x and later (Socket.IO protocol 5).
    V4,
}

impl Version {
    /// The value of the `EIO` query parameter.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::V3 => "3",
            Self::V4 => "4",
        }
    }

    /// Whether the server sends the pings (v4) or answers the client's (v3).
    pub fn server_pings(self) -> bool {
        self == Self::V4
    }

    /// Whether the `open` packet carries `maxPayload` (added in v4).
    pub fn has_max_payload(self) -> bool {
        self == Self::V4
    }
}

#[cfg(test)]
mod tests;
