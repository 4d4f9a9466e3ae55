//! Issue 10's limits inside a connection and a room, in every dialect they apply to: the
//! message rate (`rate_limited`, one answer a second, 1008 after a long flood), rooms per
//! connection (`too_many_rooms`), members per room (`room_full`), the handshake deadline,
//! and the reason for all of it: a flooding client does not stop other rooms' signals.

mod bystander;
mod conference;
mod flood;
mod handshake;
mod peerjs;
mod rooms;

use crate::harness::{Node, Server, eventually, prom};

/// A short flood window (the hidden `--flood-window`), so that only one test per run waits
/// the real 10 s.
pub const SHORT_WINDOW: &str = "2s";

/// A server allowing 5 messages a second (burst 5) and closing floods after [`SHORT_WINDOW`]:
/// what the flood-close tests run against.
pub fn flooding_server() -> Server {
    Server::start(&[
        "--max-msgs-per-sec",
        "5",
        "--msgs-burst",
        "5",
        "--flood-window",
        SHORT_WINDOW,
    ])
}

/// Waits until `node` counts at least one `switchboard_errors_total{dialect, code}`.
pub async fn counted(node: &Node, dialect: &str, code: &str) {
    eventually(&format!("{dialect} {code} counted"), || async {
        let text = node.metrics().await;
        match prom::value(
            &text,
            "switchboard_errors_total",
            &[("dialect", dialect), ("code", code)],
        ) {
            Some(v) if v >= 1.0 => Ok(()),
            other => Err(format!("value {other:?}")),
        }
    })
    .await;
}
