//! `peerjs` dialect: the WebSocket messages (first byte even) and the connect query string
//! (first byte odd), the rest of the input being the text.
//!
//! Proves that neither parser panics, that a parsed relay message rendered as the server
//! relays it re-parses to the same kind, `dst` and payload (byte for byte), that ERROR frames
//! are valid JSON, and that accepted connect parameters written back as a percent-encoded query
//! parse to the same parameters.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use switchboard_protocol::peerjs::{
    ClientMessage, ConnectParams, parse_connect_query, parse_message, render_error, render_relay,
};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    if selector % 2 == 0 {
        message(text);
    } else {
        query(text);
    }
});

fn message(text: &str) {
    match parse_message(text) {
        Ok(ClientMessage::Relay { kind, dst, payload }) => {
            let frame = render_relay(kind.as_str(), "src", &dst, payload.as_deref());
            match parse_message(&frame) {
                Ok(ClientMessage::Relay {
                    kind: kind_again,
                    dst: dst_again,
                    payload: payload_again,
                }) => {
                    assert_eq!(kind_again, kind);
                    assert_eq!(dst_again, dst);
                    assert_eq!(
                        payload_again.as_ref().map(|p| p.get()),
                        payload.as_ref().map(|p| p.get())
                    );
                }
                other => panic!("{frame} re-parsed as {other:?}"),
            }
        }
        Ok(_) => {}
        Err(err) => {
            serde_json::from_str::<Value>(&render_error(&err.0)).expect("ERROR frames are JSON");
        }
    }
}

fn query(text: &str) {
    let Ok(params) = parse_connect_query(text) else {
        return;
    };
    let mut rebuilt = format!(
        "key={}&id={}&token={}",
        percent_encode(&params.key),
        percent_encode(&params.id),
        percent_encode(&params.token)
    );
    if let Some(version) = &params.version {
        rebuilt.push_str("&version=");
        rebuilt.push_str(&percent_encode(version));
    }
    let again: ConnectParams = parse_connect_query(&rebuilt).expect("rebuilt query parses");
    assert_eq!(again, params);
}

/// Every byte but ASCII letters and digits as `%XX`: the most a client could escape.
fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' => char::from(b).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
