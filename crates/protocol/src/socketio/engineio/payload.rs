//! Polling payloads: the packets of one HTTP body.
//!
//! v4 joins text packets with the record separator `\x1e` (`4hello\x1e2\x1e4world`), binary
//! ones in base64 (`bAQIDBA==`); Socket.IO's JSON escapes control characters, so `\x1e` never
//! appears inside its packets. v3 prefixes each packet with its length (see
//! [`decode_text_payload_v3`](super::decode_text_payload_v3)). What a server sends is always
//! text: every client of both versions reads base64 records, so the v3 XHR2 binary format is
//! only ever decoded.
//!
//! A decoded `close` packet ends the session: the reference server stops reading the payload
//! there, so callers should ignore the packets after it.

use super::payload_v3::{decode_binary_payload_v3, decode_text_payload_v3, encode_text_payload_v3};
use super::{DecodeError, Packet, Version, decode_text, encode_text};

/// Separates the packets of a v4 payload.
pub const RECORD_SEPARATOR: char = '\x1e';

/// Decodes the body of a polling POST. `binary` says whether it came as
/// `Content-Type: application/octet-stream`: the v3 XHR2 binary format, which stock v3
/// clients use for payloads holding binary packets; v4 has no such format.
pub fn decode_payload(
    version: Version,
    body: &[u8],
    binary: bool,
) -> Result<Vec<Packet<'_>>, DecodeError> {
    match (version, binary) {
        (Version::V4, true) => Err(DecodeError::BinaryPayloadInV4),
        (Version::V3, true) => decode_binary_payload_v3(body),
        (version, false) => {
            let text = std::str::from_utf8(body).map_err(|_| DecodeError::InvalidUtf8)?;
            match version {
                Version::V3 => decode_text_payload_v3(text),
                Version::V4 => decode_payload_v4(text),
            }
        }
    }
}

/// Decodes a v4 payload: packets separated by `\x1e`. An empty record is an error, as in
/// engine.io-parser (so is an empty body).
pub fn decode_payload_v4(text: &str) -> Result<Vec<Packet<'_>>, DecodeError> {
    if text.is_empty() {
        return Err(DecodeError::EmptyPayload);
    }
    text.split(RECORD_SEPARATOR)
        .map(|record| decode_text(Version::V4, record))
        .collect()
}

/// Encodes packets as the body of a polling GET response (`text/plain; charset=UTF-8`).
/// Text data must not hold `\x1e` in v4 (the protocol cannot carry it).
pub fn encode_payload(version: Version, packets: &[Packet]) -> String {
    match version {
        Version::V3 => encode_text_payload_v3(packets),
        Version::V4 => {
            let mut out = String::new();
            for (index, packet) in packets.iter().enumerate() {
                if index > 0 {
                    out.push(RECORD_SEPARATOR);
                }
                out.push_str(&encode_text(Version::V4, packet));
            }
            out
        }
    }
}
