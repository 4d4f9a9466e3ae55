//! Encoding the server's Socket.IO packets, byte for byte as socket.io-parser writes them:
//! the namespace only when it is not `/`, then the ack id, then compact JSON.
//!
//! Event and ack arguments are any `Serialize` value that is a JSON array: a tuple of mixed
//! values (`(&room, &owner_id, &clients)`), a slice, or [`NO_ARGS`]; a forwarded argument is a
//! `&RawValue`, written untouched.

use serde::Serialize;

use super::{DEFAULT_NAMESPACE, EncodeError, PacketType, Version};

/// No arguments: `encode_event(ns, None, "pong", &NO_ARGS)` is `2["pong"]`.
pub const NO_ARGS: [u8; 0] = [];

/// `<type>[<namespace>,][<ack id>]`.
fn header(kind: PacketType, namespace: &str, ack_id: Option<u64>) -> String {
    let mut out = String::with_capacity(64);
    out.push(kind.digit());
    if !namespace.is_empty() && namespace != DEFAULT_NAMESPACE {
        out.push_str(namespace);
        out.push(',');
    }
    if let Some(id) = ack_id {
        out.push_str(&id.to_string());
    }
    out
}

fn json_string(text: &str) -> String {
    serde_json::to_string(text).expect("strings always serialize")
}

/// The server's answer to a CONNECT: v4 `0` (`0/admin,`), v5 `0{"sid":"..."}` with the
/// socket id (`0/admin,{"sid":"..."}`). v4 clients learn their id from the Engine.IO
/// handshake, so `sid` is not written there.
pub fn encode_connect(version: Version, namespace: &str, sid: &str) -> String {
    let mut out = header(PacketType::Connect, namespace, None);
    if version == Version::V5 {
        out.push_str(r#"{"sid":"#);
        out.push_str(&json_string(sid));
        out.push('}');
    }
    out
}

/// The refusal of a namespace: v4 ERROR `4"<message>"`, v5 CONNECT_ERROR
/// `4{"message":"<message>"}` (namespace written as usual). The reference server's text for
/// an unknown namespace is `Invalid namespace`.
pub fn encode_connect_error(version: Version, namespace: &str, message: &str) -> String {
    connect_error(version, namespace, message, None)
}

/// A refused CONNECT with a machine code, as Socket.IO 4 servers send middleware errors:
/// `4{"message":"...","data":{"code":"..."}}` (protocol 5); protocol 4 has room for the
/// message only.
pub fn encode_connect_refusal(
    version: Version,
    namespace: &str,
    message: &str,
    code: &str,
) -> String {
    connect_error(version, namespace, message, Some(code))
}

fn connect_error(version: Version, namespace: &str, message: &str, code: Option<&str>) -> String {
    let mut out = header(PacketType::ConnectError, namespace, None);
    match version {
        Version::V4 => out.push_str(&json_string(message)),
        Version::V5 => {
            out.push_str(r#"{"message":"#);
            out.push_str(&json_string(message));
            if let Some(code) = code {
                out.push_str(r#","data":{"code":"#);
                out.push_str(&json_string(code));
                out.push('}');
            }
            out.push('}');
        }
    }
    out
}

/// The server leaving a namespace: `1` (`1/admin,`).
pub fn encode_disconnect(namespace: &str) -> String {
    header(PacketType::Disconnect, namespace, None)
}

/// An event: `2["<event>",<args>...]`, with `ack_id` when the server waits for an answer.
pub fn encode_event<A: Serialize + ?Sized>(
    namespace: &str,
    ack_id: Option<u64>,
    event: &str,
    args: &A,
) -> Result<String, EncodeError> {
    let mut out = header(PacketType::Event, namespace, ack_id);
    out.push('[');
    out.push_str(&json_string(event));
    append_args(out, args, true)
}

/// The answer to a client's event sent with ack id `id`: `3<id>[<args>...]`.
pub fn encode_ack<A: Serialize + ?Sized>(
    namespace: &str,
    id: u64,
    args: &A,
) -> Result<String, EncodeError> {
    let mut out = header(PacketType::Ack, namespace, Some(id));
    out.push('[');
    append_args(out, args, false)
}

/// Appends the elements of `args` (a JSON array) and the closing `]` to `out`, which ends
/// with `[` and, if `after_first`, one element already.
fn append_args<A: Serialize + ?Sized>(
    out: String,
    args: &A,
    after_first: bool,
) -> Result<String, EncodeError> {
    let mut out = out.into_bytes();
    let start = out.len();
    serde_json::to_writer(&mut out, args).map_err(|err| EncodeError::Json(err.to_string()))?;
    let array = &out[start..];
    if array.first() != Some(&b'[') || array.last() != Some(&b']') {
        return Err(EncodeError::NotASequence);
    }
    if array == b"[]" {
        out.truncate(start);
        out.push(b']');
    } else if after_first {
        out[start] = b',';
    } else {
        out.remove(start);
    }
    String::from_utf8(out).map_err(|err| EncodeError::Json(err.to_string()))
}
