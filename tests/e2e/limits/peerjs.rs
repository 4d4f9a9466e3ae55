//! The message rate in the `peerjs` dialect: excess messages dropped and answered with one
//! `ERROR` whose `msg` names `rate_limited`, the connection staying, and a client that keeps
//! flooding closed with 1008. PeerJS has no rooms, so the room limits do not apply.

use std::time::Duration;

use serde_json::{Value, json};

use super::flood::Flood;
use super::{counted, flooding_server};
use crate::harness::Server;
use crate::peerjs::client::{PeerClient, message, relayed};

#[tokio::test]
async fn excess_messages_are_dropped_with_one_rate_limited_error_and_the_connection_stays() {
    let server = Server::start(&["--max-msgs-per-sec", "5", "--msgs-burst", "5"]);
    let mut a = PeerClient::open(server.next_addr(), "alice", "ta").await;
    let mut b = PeerClient::open(server.next_addr(), "bob", "tb").await;
    for n in 0..20 {
        a.send_json(&message("CANDIDATE", "bob", &json!({"n": n})))
            .await;
    }
    let error = a.expect_error().await;
    assert!(error.starts_with("rate_limited"), "{error}");
    // The burst passed (in order), the rest was dropped.
    for n in 0..5 {
        b.expect_next(&relayed(
            "CANDIDATE",
            "alice",
            "bob",
            Some(&json!({"n": n})),
        ))
        .await;
    }
    a.expect_none().await;

    tokio::time::sleep(Duration::from_millis(1200)).await;
    let after = json!({"n": "after"});
    a.send_json(&message("OFFER", "bob", &after)).await;
    let mut more = 0;
    while b.recv().await.json != relayed("OFFER", "alice", "bob", Some(&after)) {
        more += 1;
    }
    assert!(more <= 2, "{more} more relayed than the burst");
    a.expect_none().await;
    counted(server.node(0), "peerjs", "rate_limited").await;
}

#[tokio::test]
async fn a_client_that_keeps_flooding_is_closed_with_1008() {
    let server = flooding_server();
    let node = server.next_node();
    let addr = server.node(node).addr();
    let flood = Flood {
        url: format!("ws://{addr}/peerjs?key=peerjs&id=flooder&token=t"),
        setup: &[],
        message: json!({"type": "HEARTBEAT"}).to_string(),
        every: Duration::from_millis(20),
        batch: 1,
        give_up: Duration::from_secs(10),
    };
    let flooded = flood.run().await;
    assert_eq!(flooded.close, Some(1008), "{:?}", flooded.elapsed);
    assert!(flooded.elapsed >= Duration::from_millis(1800));
    let errors = flooded
        .texts
        .iter()
        .filter_map(|t| serde_json::from_str::<Value>(t).ok())
        .filter(|m| m["type"] == "ERROR")
        .count();
    assert!(
        (1..=4).contains(&errors),
        "{errors} ERRORs in {:?}",
        flooded.texts
    );
    counted(server.node(node), "peerjs", "rate_limit_close").await;
}
