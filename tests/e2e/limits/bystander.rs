//! The reason for the message rate (issue 10): one client floods as fast as it can, with the
//! default limits, and a bystander pair in another room still gets every signal it sends.
//! What is asserted is delivery, not timing.

use std::time::Duration;

use serde_json::json;

use super::counted;
use super::flood::Flood;
use crate::harness::{Client, Server, frames};

const SIGNALS: usize = 40;

#[tokio::test]
async fn a_flooding_client_does_not_stop_a_bystander_pairs_signals() {
    let server = Server::start(&[]);
    let node = server.next_node();
    let addr = server.node(node).addr();
    // A victim in the flooder's room, which never reads: at most the allowed rate reaches it.
    let mut victim = Client::connect_addr(addr, "victim").await;
    victim.join("flood", "victim").await;
    let mut x = Client::connect_labelled(&server, "x").await;
    let x_id = x.join_id("calm", "X").await;
    let mut y = Client::connect_labelled(&server, "y").await;
    let y_id = y.join_id("calm", "Y").await;
    x.expect("conference", "peerJoin").await;

    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let flood = tokio::spawn(async move {
        let flood = Flood {
            url: format!("ws://{addr}/conference"),
            setup: &[frames::join("flood", "flooder").to_string()],
            message: frames::trickle("flood", None, json!({"spam": "x".repeat(200)})).to_string(),
            every: Duration::from_millis(1),
            batch: 50,
            give_up: Duration::from_secs(30),
        };
        flood
            .run_until(async {
                let _ = stopped.await;
            })
            .await
    });
    // Let the flood get going before the bystanders talk.
    tokio::time::sleep(Duration::from_millis(500)).await;

    for n in 0..SIGNALS {
        x.send_json(frames::sdp("calm", &y_id, json!({"n": n})))
            .await;
        y.send_json(frames::sdp("calm", &x_id, json!({"n": n})))
            .await;
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    for n in 0..SIGNALS {
        let got = y.expect("signal", "sdp").await;
        assert_eq!(
            (&got["data"]["id"], &got["signal"]["n"]),
            (&json!(x_id), &json!(n))
        );
        let got = x.expect("signal", "sdp").await;
        assert_eq!(
            (&got["data"]["id"], &got["signal"]["n"]),
            (&json!(y_id), &json!(n))
        );
    }

    let _ = stop.send(());
    let flooded = flood.await.expect("flood task");
    assert!(
        flooded.texts.iter().any(|t| t.contains("rate_limited")),
        "the flooder was never limited: {:?}",
        flooded.close
    );
    counted(server.node(node), "conference", "rate_limited").await;
}
