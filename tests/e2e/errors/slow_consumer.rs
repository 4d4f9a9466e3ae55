//! The slow-consumer bound: a client that stops reading while signals pile up for it is
//! closed with 1008 once its outgoing buffer passes --outgoing-buffer, counted in
//! switchboard_slow_consumer_disconnects_total, and the sender is unaffected.

use std::time::Duration;

use serde_json::json;

use crate::harness::{Client, Server, eventually, frames, prom};

#[tokio::test]
async fn a_reader_that_stalls_is_closed_with_1008() {
    // The sender floods on purpose: no message rate, or it would be limited first.
    let server = Server::start(&["--outgoing-buffer", "262144", "--max-msgs-per-sec", "0"]);
    let mut stalled = Client::connect_labelled(&server, "stalled").await;
    let stalled_id = stalled.join_id("r", "Stalled").await;
    let mut sender = Client::connect_labelled(&server, "sender").await;
    let sender_id = sender.join_id("r", "Sender").await;
    stalled.expect_next("conference", "peerJoin").await;

    // ~40 MB for a client that reads nothing: more than the kernel buffers can hide.
    let bulk = "a".repeat(50_000);
    let mut sent = 0;
    for n in 0..800 {
        let signal = json!({"ice": {"candidate": bulk, "n": n}});
        sender
            .send_json(frames::trickle("r", Some(&stalled_id), signal))
            .await;
        sent += 1;
        if n % 20 == 0 {
            // Keep reading our own socket, so the sender is never the slow one.
            sender.poll_incoming(Duration::from_millis(1)).await;
            if sender.queued().any(|m| m["name"] == "peerDisconnected") {
                break;
            }
        }
    }
    assert!(sent > 0);

    let code = stalled.expect_close_within(Duration::from_secs(30)).await;
    assert_eq!(code, 1008, "close code for a slow consumer");
    let relayed = stalled.take_queued();
    assert!(
        relayed.iter().all(|m| m["name"] == "trickle"),
        "the stalled client got something else than trickles"
    );

    // Whatever errors the late trickles caused, the sender learns the peer is gone and
    // keeps being served.
    sender
        .expect_exact(json!({"type": "system", "name": "peerDisconnected",
            "data": {"id": stalled_id, "room": "r"}}))
        .await;
    let data = sender.join("after", "Sender").await;
    assert_eq!(data["id"], sender_id.as_str());

    // Counted by the node that closed the stalled client.
    let node = server.node(stalled.node());
    eventually("slow consumer counted", || async {
        let text = node.metrics().await;
        match prom::value(
            &text,
            "switchboard_slow_consumer_disconnects_total",
            &[("dialect", "conference")],
        ) {
            Some(v) if v >= 1.0 => Ok(()),
            other => Err(format!("value {other:?}")),
        }
    })
    .await;
}
