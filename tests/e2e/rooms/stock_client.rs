//! The stock `socket.io-client` 4.x and 2.x (tests/socketio-client, pinned) through the whole
//! seed flow (rooms-flow.cjs): create, room-exists, join, signals both ways,
//! target-not-found, a member leaving and rejoining, bad arguments, the owner leaving (the
//! others kicked), and disconnects (a member's is a leave, an owner's closes the room); over
//! `["polling"]`, `["websocket"]` and the default upgrade.

use std::time::Duration;

use crate::harness::{Server, node_rig};
use crate::socketio::stock_client::{every_client_and_transport, rig};

const RUN_TIMEOUT: Duration = Duration::from_secs(40);

/// Runs rooms-flow.cjs with its clients on `urls` (the owner on the first, the others on the
/// second).
pub async fn flow(server: &Server, urls: (String, String), client: &str, transports: &str) {
    let Some(rig) = rig() else { return };
    let mut command = tokio::process::Command::new("node");
    command
        .arg("rooms-flow.cjs")
        .current_dir(&rig)
        .env("SIO_URL", urls.0)
        .env("SIO_URL_B", urls.1)
        .env("SIO_CLIENT", client)
        .env("SIO_TRANSPORTS", transports);
    let what = format!("socket.io-client {client} ({transports})");
    node_rig::run(command, RUN_TIMEOUT, &what, server).await;
}

async fn run(client: &str, transports: &str) {
    let server = Server::start(&[]);
    let url = format!("http://{}", server.addr());
    flow(&server, (url.clone(), url), client, transports).await;
}

every_client_and_transport!(run);
