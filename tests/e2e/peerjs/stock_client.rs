//! The stock `peerjs` npm client, unchanged, against Switchboard: the Node rig in
//! tests/peerjs-client (real DataConnections over node-datachannel) run against this run's
//! topology. On one node both peers use it; on a cluster peer A uses the first node and peer
//! B the second, so every exchange crosses nodes through Redis.

use std::path::PathBuf;
use std::time::Duration;

use crate::harness::Server;

/// Longest the rig may take (it takes about 10 s).
const RIG_TIMEOUT: Duration = Duration::from_secs(180);

/// The rig's folder, once `scripts/peerjs-client-setup` has installed it.
fn rig() -> Option<PathBuf> {
    let rig = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/peerjs-client");
    if rig.join("node_modules/peerjs").is_dir() {
        return Some(rig);
    }
    let hint =
        "tests/peerjs-client is not installed: run scripts/peerjs-client-setup (scripts/test does)";
    assert!(std::env::var_os("CI").is_none(), "{hint}");
    eprintln!("skipped: {hint}");
    None
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
    let run = tokio::process::Command::new("node")
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
        .env("PEERJS_ALIVE_TIMEOUT_MS", "3000")
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(RIG_TIMEOUT, run)
        .await
        .expect("the stock client rig finished in time")
        .expect("node runs");
    let report = format!(
        "{}\n{}\nserver log:\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
        server.logs()
    );
    assert!(
        output.status.success(),
        "stock peerjs client tests failed:\n{report}"
    );
}
