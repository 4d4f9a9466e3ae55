//! The server's PeerJS frames.

use serde::Serialize;
use serde_json::value::RawValue;

#[derive(Serialize)]
struct Relay<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    src: &'a str,
    dst: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    payload: Option<&'a RawValue>,
}

#[derive(Serialize)]
struct Notice<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    payload: Msg<'a>,
}

#[derive(Serialize)]
struct Msg<'a> {
    msg: &'a str,
}

fn json(value: &impl Serialize) -> String {
    serde_json::to_string(value).expect("frames of strings always serialize")
}

/// A relayed message: `src` is the sender as the server knows it.
pub fn render_relay(kind: &str, src: &str, dst: &str, payload: Option<&RawValue>) -> String {
    json(&Relay {
        kind,
        src,
        dst,
        payload,
    })
}

/// EXPIRE to a sender: its messages to `unreachable` were never delivered.
pub fn render_expire(unreachable: &str, sender: &str) -> String {
    json(&Relay {
        kind: "EXPIRE",
        src: unreachable,
        dst: sender,
        payload: None,
    })
}

pub fn render_open() -> String {
    r#"{"type":"OPEN"}"#.to_owned()
}

pub fn render_id_taken() -> String {
    json(&Notice {
        kind: "ID-TAKEN",
        payload: Msg { msg: "ID is taken" },
    })
}

pub fn render_error(message: &str) -> String {
    json(&Notice {
        kind: "ERROR",
        payload: Msg { msg: message },
    })
}
