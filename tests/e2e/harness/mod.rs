//! Shared test harness: the server under test in either topology (one process, or three
//! nodes and a Redis, chosen by `SWITCHBOARD_E2E_TOPOLOGY`), WebSocket clients (tungstenite
//! and a raw one that can go silent), a tiny HTTP client, message builders and a Prometheus
//! text reader.

pub mod client;
pub mod frames;
pub mod http;
pub mod node;
pub mod node_rig;
pub mod prom;
pub mod raw_ws;
pub mod redis;
pub mod server;
pub mod wait;

pub use client::Client;
pub use node::Node;
pub use server::{Server, is_cluster};
pub use wait::eventually;

/// Ends the calling test early, saying why on stderr, when this run uses the cluster
/// topology: for the few tests of something a cluster cannot show (see `skip_in_cluster`).
macro_rules! single_node_only {
    ($why:expr) => {
        if $crate::harness::skip_in_cluster($why) {
            return;
        }
    };
}
pub(crate) use single_node_only;

/// True (after printing `why` and the test's name) when the test must be skipped because
/// this run uses the cluster topology.
pub fn skip_in_cluster(why: &str) -> bool {
    if !is_cluster() {
        return false;
    }
    let thread = std::thread::current();
    let test = thread.name().unwrap_or("this test");
    // Straight to stderr, not eprintln!: the test harness would swallow that for a test that
    // passes, and a skip should show.
    use std::io::Write;
    let _ = writeln!(
        std::io::stderr(),
        "skipped in the cluster topology: {test}: {why}"
    );
    true
}

/// A port on 127.0.0.1 that was free a moment ago (the OS picked it for a listener we closed).
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local_addr").port()
}

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
