//! The stock `socket.io-client` 4.x and 2.x (tests/socketio-client, pinned) through the whole
//! seed flow (rooms-flow.cjs): create, room-exists, join, signals both ways,
//! target-not-found, a member leaving and rejoining, bad arguments, the owner leaving (the
//! others kicked), and disconnects (a member's is a leave, an owner's closes the room); over
//! `["polling"]`, `["websocket"]` and the default upgrade.

use std::path::PathBuf;
use std::time::Duration;

use crate::harness::Server;

const RUN_TIMEOUT: Duration = Duration::from_secs(40);

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

/// Runs rooms-flow.cjs with its clients on `urls` (the owner on the first, the others on the
/// second).
pub async fn flow(server: &Server, urls: (String, String), client: &str, transports: &str) {
    let Some(rig) = rig() else { return };
    let command = tokio::process::Command::new("node")
        .arg("rooms-flow.cjs")
        .current_dir(&rig)
        .env("SIO_URL", urls.0)
        .env("SIO_URL_B", urls.1)
        .env("SIO_CLIENT", client)
        .env("SIO_TRANSPORTS", transports)
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(RUN_TIMEOUT, command)
        .await
        .expect("the client finished in time")
        .expect("node runs");
    assert!(
        output.status.success(),
        "socket.io-client {client} ({transports}) failed:\n{}\n{}\nserver log:\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
        server.logs()
    );
}

async fn run(client: &str, transports: &str) {
    let server = Server::start(&[]);
    let url = format!("http://{}", server.addr());
    flow(&server, (url.clone(), url), client, transports).await;
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
