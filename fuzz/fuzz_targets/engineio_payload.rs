//! Engine.IO polling payloads: the first input byte picks v3 text (`<length>:<packet>`), v3
//! binary (XHR2) or v4 (`\x1e`-separated), the rest is the HTTP body.
//!
//! Proves that no body panics `decode_payload`, and that the packets of every body that
//! decodes, encoded as the server writes payloads (`encode_payload`, always text), decode
//! back to the same packets.
#![no_main]

use libfuzzer_sys::fuzz_target;
use switchboard_protocol::socketio::engineio::{Version, decode_payload, encode_payload};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let (version, binary) = match selector % 3 {
        0 => (Version::V3, false),
        1 => (Version::V3, true),
        _ => (Version::V4, false),
    };
    let Ok(packets) = decode_payload(version, body, binary) else {
        return;
    };
    let encoded = encode_payload(version, &packets);
    let again = decode_payload(version, encoded.as_bytes(), false)
        .unwrap_or_else(|err| panic!("{encoded:?} does not decode: {err}"));
    assert_eq!(again, packets);
});
