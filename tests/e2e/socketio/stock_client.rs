//! The stock `socket.io-client`, unchanged, against Switchboard: 4.x and 2.x from
//! tests/socketio-client (pinned in its lockfile), each with `transports: ["polling"]`,
//! `["websocket"]` and the default (polling, then the upgrade). Each run connects, idles
//! across a few heartbeats, emits an event no dialect knows with an ack, expects the `error`
//! event and the ack, and disconnects (unknown-event.cjs).

use std::path::PathBuf;
use std::time::Duration;

use crate::harness::Server;

/// Longest one run may take (it takes about a second and a half).
const RUN_TIMEOUT: Duration = Duration::from_secs(30);

/// The rig's folder, once `scripts/socketio-client-setup` has installed it.
fn rig() -> Option<PathBuf> {
    let rig = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/socketio-client");
    if rig.join("node_modules/socket.io-client-v2").is_dir()
        && rig.join("node_modules/socket.io-client").is_dir()
    {
        return Some(rig);
    }
    let hint = "tests/socketio-client is not installed: run scripts/socketio-client-setup \
                (scripts/test does)";
    assert!(std::env::var_os("CI").is_none(), "{hint}");
    eprintln!("skipped: {hint}");
    None
}

async fn run(client: &str, transports: &str) {
    let Some(rig) = rig() else { return };
    // Short heartbeats, so the idle second spans several of them.
    let server = Server::start(&[
        "--socketio-ping-interval",
        "300ms",
        "--socketio-ping-timeout",
        "500ms",
    ]);
    let addr = server.next_addr();
    let command = tokio::process::Command::new("node")
        .arg("unknown-event.cjs")
        .current_dir(&rig)
        .env("SIO_URL", format!("http://{addr}"))
        .env("SIO_CLIENT", client)
        .env("SIO_TRANSPORTS", transports)
        .env("SIO_HOLD_MS", "1000")
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(RUN_TIMEOUT, command)
        .await
        .expect("the client finished in time")
        .expect("node runs");
    let report = format!(
        "{}\n{}\nserver log:\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
        server.logs()
    );
    assert!(
        output.status.success(),
        "socket.io-client {client} ({transports}) failed:\n{report}"
    );
    if transports == "default" {
        assert!(
            server.logs().contains("upgraded to websocket"),
            "the default run upgraded:\n{report}"
        );
    }
}

#[tokio::test]
async fn client_4_polling() {
    run("4", "polling").await;
}

#[tokio::test]
async fn client_4_websocket() {
    run("4", "websocket").await;
}

#[tokio::test]
async fn client_4_default_upgrades() {
    run("4", "default").await;
}

#[tokio::test]
async fn client_2_polling() {
    run("2", "polling").await;
}

#[tokio::test]
async fn client_2_websocket() {
    run("2", "websocket").await;
}

#[tokio::test]
async fn client_2_default_upgrades() {
    run("2", "default").await;
}
