//! Shared test harness: the server process, WebSocket clients (tungstenite and a raw one that
//! can go silent), a tiny HTTP client, message builders and a Prometheus text reader.

pub mod client;
pub mod frames;
pub mod http;
pub mod prom;
pub mod raw_ws;
pub mod server;
pub mod wait;

pub use client::Client;
pub use server::Server;
pub use wait::eventually;

/// True when `s` is a lowercase or uppercase hyphenated UUID of version 4 (RFC 4122 variant).
pub fn is_uuid_v4(s: &str) -> bool {
    let bytes = s.as_bytes();
    if bytes.len() != 36 {
        return false;
    }
    let hex_ok = bytes.iter().enumerate().all(|(i, b)| match i {
        8 | 13 | 18 | 23 => *b == b'-',
        _ => b.is_ascii_hexdigit(),
    });
    hex_ok
        && bytes[14] == b'4'
        && matches!(bytes[19].to_ascii_lowercase(), b'8' | b'9' | b'a' | b'b')
}
