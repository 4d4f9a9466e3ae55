//! The `open` packet: the first packet of a session, whose JSON tells the client its session
//! id, where it may upgrade to and the heartbeat timing.
//!
//! v3: `{"sid","upgrades","pingInterval","pingTimeout"}` (engine.io 3.x); v4 adds
//! `maxPayload`, the body size the client keeps its POSTs under. The keys come in the order
//! the reference server writes them.

use serde::Serialize;

use super::{Packet, PacketType, Version};

/// The upgrades offered to a polling session.
pub const DEFAULT_UPGRADES: &[&str] = &["websocket"];

/// The handshake data of an `open` packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Handshake<'a> {
    /// The session id: the `sid` of every later request of the session.
    pub sid: &'a str,
    /// Transports the client may upgrade to: [`DEFAULT_UPGRADES`] on polling, none on a
    /// WebSocket.
    pub upgrades: &'a [&'a str],
    /// Milliseconds between pings (v3: the client's, v4: the server's).
    pub ping_interval_ms: u64,
    /// Milliseconds to wait for the ping's answer before the session counts as dead.
    pub ping_timeout_ms: u64,
    /// Largest body, in bytes, the server accepts (sent in v4 only).
    pub max_payload: u64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OpenJson<'a> {
    sid: &'a str,
    upgrades: &'a [&'a str],
    ping_interval: u64,
    ping_timeout: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_payload: Option<u64>,
}

impl Handshake<'_> {
    /// The JSON data of the `open` packet.
    pub fn to_json(&self, version: Version) -> String {
        serde_json::to_string(&OpenJson {
            sid: self.sid,
            upgrades: self.upgrades,
            ping_interval: self.ping_interval_ms,
            ping_timeout: self.ping_timeout_ms,
            max_payload: version.has_max_payload().then_some(self.max_payload),
        })
        .expect("strings and numbers always serialize")
    }

    /// The `open` packet (`0{...}`).
    pub fn open_packet(&self, version: Version) -> Packet<'static> {
        Packet::new(PacketType::Open, self.to_json(version))
    }
}
