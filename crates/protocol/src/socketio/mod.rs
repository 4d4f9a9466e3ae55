//! The wire formats under the `rooms` dialect: Engine.IO and Socket.IO, for the stock
//! `socket.io-client` 2.x (Engine.IO protocol 3 carrying Socket.IO protocol 4) and 3.x/4.x
//! (Engine.IO 4 carrying Socket.IO 5).
//!
//! Two layers, as in the reference implementation:
//! - [`engineio`]: packets (`open`, `ping`, `message`, ...), the polling payloads that batch
//!   them into one HTTP body (v3 length-prefixed, v4 record-separated), binary messages, the
//!   `open` handshake and the HTTP query and error bodies.
//! - [`sio`]: Socket.IO packets (`CONNECT`, `EVENT`, `ACK`, ...) carried as the text of
//!   Engine.IO `message` packets, decoded into typed packets whose event arguments stay raw
//!   JSON so the dialect forwards them untouched.
//!
//! Everything here is pure (text or bytes in, typed packets or typed errors out), so the
//! session actor only moves bytes and every format is pinned by unit tests against the
//! protocol documents and the reference parsers. [`fuzz`] feeds one input to every decoder,
//! for fuzzers and for the property tests.
//!
//! Why not `engineioxide-core`/`socketioxide-parser-common`: the Socket.IO parser works on
//! socketioxide's own packet and value model rather than raw JSON arguments, and the
//! Engine.IO payload codec reads `http` 1.x body streams (with `futures`, `rand`, `smallvec`)
//! for tower services, its v3 payloads behind a feature; the codecs here are a few hundred
//! lines over `serde_json` and `base64`, both already in the build.

pub mod engineio;
pub mod sio;

/// Runs `data` through every decoder of both layers and both versions, re-encoding what
/// decodes. Never panics: that is what fuzzers (and the property tests) check.
pub fn fuzz(data: &[u8]) {
    use engineio::Version::{V3, V4};
    for version in [V3, V4] {
        let _ = engineio::decode_binary(version, data);
        for binary in [false, true] {
            if let Ok(packets) = engineio::decode_payload(version, data, binary) {
                let _ = engineio::encode_payload(version, &packets);
                for packet in &packets {
                    if let Some(text) = packet.text() {
                        let _ = sio::decode(version.into(), text);
                    }
                }
            }
        }
    }
    if let Ok(text) = std::str::from_utf8(data) {
        for version in [V3, V4] {
            if let Ok(packet) = engineio::decode_text(version, text) {
                let _ = engineio::encode_text(version, &packet);
                let _ = engineio::encode_frame(version, &packet);
            }
            let _ = sio::decode(version.into(), text);
        }
        let _ = engineio::parse_query(text);
    }
}

#[cfg(test)]
mod tests;
