//! The stock `peerjs` npm client, unchanged, against Switchboard: the Node rig in
//! tests/peerjs-client (real DataConnections over node-datachannel) run against this run's
//! topology. On one node both peers use it; on a cluster peer A uses the first node and peer
//! B the second, so every exchange crosses nodes through Redis.

use std::path::PathBuf;
use std::time::Duration;

use crate::harness::{Server, node_rig};

/// Longest the rig may take (it takes about 10 s).
const RIG_TIMEOUT: Duration = Duration::from_secs(180);

/// The rig's folder, once `scripts/peerjs-client-setup` has installed it.
fn rig() -> Option<PathBuf> {
    node_rig::rig("peerjs-client", &["peerjs"], "scripts/peerjs-client-setup")
}

#[tokio::test]
async fn the_stock_peerjs_client_works_unchanged() {
    let Some(rig) = rig() else { return };
    let server = Server::start(&[
        "--peerjs-expire-timeout",
        "1000",
        "--peerjs-alive-timeout",
        "3000",
    ]);
    let nodes = server.nodes();
    let (a, b) = (nodes[0].addr(), nodes[nodes.len().min(2) - 1].addr());
    let mut command = tokio::process::Command::new("node");
    command
        .args([
            "--test",
            "--test-force-exit",
            "--test-concurrency=1",
            "test/",
        ])
        .current_dir(&rig)
        .env("PEERJS_HOST", a.ip().to_string())
        .env("PEERJS_PORT", a.port().to_string())
        .env("PEERJS_HOST_B", b.ip().to_string())
        .env("PEERJS_PORT_B", b.port().to_string())
        .env("PEERJS_PATH", "/")
        .env("PEERJS_KEY", "peerjs")
        .env("PEERJS_EXPIRE_TIMEOUT_MS", "1000")
        .env("PEERJS_ALIVE_TIMEOUT_MS", "3000");
    node_rig::run(
        command,
        RIG_TIMEOUT,
        "the stock peerjs client tests",
        &server,
    )
    .await;
}
