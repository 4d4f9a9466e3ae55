//! The stock `socket.io-client`, unchanged, against Switchboard: 4.x and 2.x from
//! tests/socketio-client (pinned in its lockfile), each with `transports: ["polling"]`,
//! `["websocket"]` and the default (polling, then the upgrade). Each run connects, idles
//! across a few heartbeats, emits an event no dialect knows with an ack, expects the `error`
//! event and the ack, and disconnects (unknown-event.cjs). And a drain ends each version's
//! polling and WebSocket connection as a transport close, which the client would reconnect
//! from (drain.cjs).

use std::path::PathBuf;
use std::time::Duration;

use crate::harness::{Server, node_rig};

/// Longest one run may take (it takes about a second and a half).
const RUN_TIMEOUT: Duration = Duration::from_secs(30);

/// The socket.io-client rig, both versions installed.
pub fn rig() -> Option<PathBuf> {
    node_rig::rig(
        "socketio-client",
        &["socket.io-client-v2", "socket.io-client"],
        "scripts/socketio-client-setup",
    )
}

async fn run(client: &str, transports: &str) {
    let Some(rig) = rig() else { return };
    // Short heartbeats, so the idle second spans several of them; a timeout long enough
    // that a Node client stalled by a busy machine is not taken for a dead one (500 ms
    // failed once under a loaded CI run).
    let server = Server::start(&[
        "--socketio-ping-interval",
        "300ms",
        "--socketio-ping-timeout",
        "3s",
    ]);
    let addr = server.next_addr();
    let mut command = tokio::process::Command::new("node");
    command
        .arg("unknown-event.cjs")
        .current_dir(&rig)
        .env("SIO_URL", format!("http://{addr}"))
        .env("SIO_CLIENT", client)
        .env("SIO_TRANSPORTS", transports)
        .env("SIO_HOLD_MS", "1000");
    let what = format!("socket.io-client {client} ({transports})");
    let report = node_rig::run(command, RUN_TIMEOUT, &what, &server).await;
    if transports == "default" {
        assert!(
            server.logs().contains("upgraded to websocket"),
            "the default run upgraded:\n{report}"
        );
    }
}

/// One test per stock client version (4.x, 2.x) and transport setting (`polling`,
/// `websocket`, the default upgrade), each calling `$run(client, transports)`: the matrix
/// every stock socket.io-client suite runs.
macro_rules! every_client_and_transport {
    ($run:ident) => {
        #[tokio::test]
        async fn client_4_polling() {
            $run("4", "polling").await;
        }

        #[tokio::test]
        async fn client_4_websocket() {
            $run("4", "websocket").await;
        }

        #[tokio::test]
        async fn client_4_default_upgrades() {
            $run("4", "default").await;
        }

        #[tokio::test]
        async fn client_2_polling() {
            $run("2", "polling").await;
        }

        #[tokio::test]
        async fn client_2_websocket() {
            $run("2", "websocket").await;
        }

        #[tokio::test]
        async fn client_2_default_upgrades() {
            $run("2", "default").await;
        }
    };
}
pub(crate) use every_client_and_transport;

every_client_and_transport!(run);

/// A drain ends the stock client's connection as a transport close, which it reconnects
/// from: a WebSocket closed with 1001, a held poll answered with the `close` packet.
async fn drained(client: &str, transports: &str) {
    use tokio::io::{AsyncBufReadExt, BufReader};

    crate::harness::single_node_only!("signals one process");
    let Some(rig) = rig() else { return };
    let mut server = Server::start(&["--drain-timeout", "3s"]);
    let mut child = tokio::process::Command::new("node")
        .arg("drain.cjs")
        .current_dir(&rig)
        .env("SIO_URL", format!("http://{}", server.addr()))
        .env("SIO_CLIENT", client)
        .env("SIO_TRANSPORTS", transports)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("node runs");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let connected = tokio::time::timeout(RUN_TIMEOUT, lines.next_line())
        .await
        .expect("the client connected in time")
        .expect("read the client's output");
    assert_eq!(connected.as_deref(), Some("connected"), "{}", server.logs());
    // Let a polling client's next GET be held.
    tokio::time::sleep(Duration::from_millis(300)).await;
    server.sigterm();
    let output = tokio::time::timeout(RUN_TIMEOUT, child.wait_with_output())
        .await
        .expect("the client finished in time")
        .expect("node runs");
    let rest = lines.next_line().await.ok().flatten().unwrap_or_default();
    assert!(
        output.status.success(),
        "socket.io-client {client} ({transports}) on drain: {rest}\n{}\nserver log:\n{}",
        String::from_utf8_lossy(&output.stderr),
        server.logs()
    );
    let status = server.wait_exit(Duration::from_secs(5)).await;
    assert!(status.is_some_and(|status| status.success()), "{status:?}");
}

#[tokio::test]
async fn client_4_websocket_drained() {
    drained("4", "websocket").await;
}

#[tokio::test]
async fn client_4_polling_drained() {
    drained("4", "polling").await;
}

#[tokio::test]
async fn client_2_websocket_drained() {
    drained("2", "websocket").await;
}

#[tokio::test]
async fn client_2_polling_drained() {
    drained("2", "polling").await;
}
