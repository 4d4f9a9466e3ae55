//! Engine.IO packets, v3 and v4, as WebSocket text frames and binary frames. The first input
//! byte picks the case (bit 0: v3 or v4; bit 1: text or binary frame), the rest is the frame.
//!
//! Proves that neither decoder panics and that every decoded packet survives encoding: as
//! text (`encode_text`, base64 for binary data) and as a frame (`encode_frame`), it decodes
//! back to the same packet.
#![no_main]

use libfuzzer_sys::fuzz_target;
use switchboard_protocol::socketio::engineio::{
    Frame, Packet, Version, decode_binary, decode_text, encode_frame, encode_text,
};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, frame)) = data.split_first() else {
        return;
    };
    let version = if selector & 1 == 0 {
        Version::V3
    } else {
        Version::V4
    };
    let decoded = if selector & 2 == 0 {
        match std::str::from_utf8(frame) {
            Ok(text) => decode_text(version, text),
            Err(_) => return,
        }
    } else {
        decode_binary(version, frame)
    };
    if let Ok(packet) = decoded {
        check_round_trip(version, &packet);
    }
});

fn check_round_trip(version: Version, packet: &Packet) {
    let text = encode_text(version, packet);
    assert_eq!(
        &decode_text(version, &text).expect("encoded text decodes"),
        packet
    );
    let again = match encode_frame(version, packet) {
        Frame::Text(text) => decode_text(version, &text).map(Packet::into_owned),
        Frame::Binary(bytes) => decode_binary(version, &bytes).map(Packet::into_owned),
    };
    assert_eq!(&again.expect("an encoded frame decodes"), packet);
}
