//! Builders for the conference messages clients send (notes/contract.md, seed 000), and
//! realistic signal payloads that must come back untouched.

use serde_json::{Value, json};

pub fn connect(room: &str) -> Value {
    json!({"type": "room", "name": "connect", "data": {"room": room}})
}

pub fn join(room: &str, name: &str) -> Value {
    json!({"type": "conference", "name": "join", "data": {"room": room, "name": name}})
}

pub fn leave(room: &str) -> Value {
    json!({"type": "conference", "name": "leave", "data": {"room": room}})
}

/// `signal/sdp` to `to`.
pub fn sdp(room: &str, to: &str, signal: Value) -> Value {
    json!({"type": "signal", "name": "sdp", "data": {"room": room, "to": to}, "signal": signal})
}

/// `signal/trickle`, to one peer or (with `to` = None) to the whole room.
pub fn trickle(room: &str, to: Option<&str>, signal: Value) -> Value {
    let mut data = json!({"room": room, "candidate": "string"});
    if let Some(to) = to {
        data["to"] = json!(to);
    }
    json!({"type": "signal", "name": "trickle", "data": data, "signal": signal})
}

/// What a relayed signal must look like: the sender's data plus `id` = sender, same signal.
pub fn relayed(sent: &Value, sender: &str) -> Value {
    let mut expected = sent.clone();
    expected["data"]["id"] = json!(sender);
    expected
}

pub fn offer(tag: &str) -> Value {
    json!({"desc": {"type": "offer", "sdp": session(tag)}})
}

pub fn answer(tag: &str) -> Value {
    json!({"desc": {"type": "answer", "sdp": session(tag)}})
}

pub fn candidate(tag: &str) -> Value {
    json!({"ice": {
        "candidate": format!("candidate:1176663647 1 udp 2122260223 10.0.0.7 5{} typ host {tag}", tag.len()),
        "sdpMid": "0",
        "sdpMLineIndex": 0
    }})
}

/// A short SDP with CRLF line ends and unicode, so any re-encoding would show.
fn session(tag: &str) -> String {
    format!(
        "v=0\r\no=- 2057321257886006919 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n\
         a=group:BUNDLE 0\r\na=msid-semantic: WMS {tag}\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n\
         a=ice-ufrag:{tag}\r\na=fingerprint:sha-256 AB:CD:EF \u{e9}\u{1f600}\r\n"
    )
}
