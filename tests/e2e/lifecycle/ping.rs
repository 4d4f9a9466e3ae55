//! Liveness: a client that stops answering pings (and sends nothing) is closed after
//! --ping-timeout and announced as disconnected; a client that keeps reading (tungstenite
//! answers pings) stays.

use std::time::Duration;

use serde_json::json;

use crate::harness::{Client, Server, frames, raw_ws};

#[tokio::test]
async fn a_silent_client_is_dropped_and_announced() {
    let server = Server::start(&["--ping-interval", "200ms", "--ping-timeout", "1s"]);
    let mut b = Client::connect_labelled(&server, "bob (reads)").await;
    b.join("r", "Bob").await;

    let mut silent = raw_ws::connect(server.next_addr()).await;
    silent
        .send_text(&frames::join("r", "Silent").to_string())
        .await;
    let joined = b.expect_next("conference", "peerJoin").await;
    let silent_id = joined["data"]["id"].as_str().unwrap().to_string();

    // Bob keeps reading (and so answering pings) while waiting.
    b.expect_exact(json!({"type": "system", "name": "peerDisconnected",
        "data": {"id": silent_id, "room": "r"}}))
        .await;
    let code = silent.close_code(Duration::from_secs(5)).await;
    assert_eq!(
        code,
        Some(1001),
        "the silent client's socket should close with 1001"
    );

    // Bob outlives several ping timeouts and is still served.
    b.expect_none(Duration::from_millis(2500)).await;
    let data = b.join("r2", "Bob").await;
    assert_eq!(data["peers"], json!([]));
}
