//! The limits in the `conference` dialect: `rate_limited`, `too_many_rooms` and `room_full`
//! as `system/error`, each leaving the connection working, and the 1008 close of a client
//! that floods for the whole (real, 10 s) window.

use std::time::Duration;

use serde_json::{Value, json};

use super::counted;
use super::flood::Flood;
use crate::harness::{Client, Server, frames};

fn codes(messages: &[Value], code: &str) -> usize {
    messages
        .iter()
        .filter(|m| m["name"] == "error" && m["data"]["code"] == code)
        .count()
}

#[tokio::test]
async fn excess_messages_are_dropped_with_one_rate_limited_error_and_the_connection_stays() {
    let server = Server::start(&["--max-msgs-per-sec", "5", "--msgs-burst", "5"]);
    let mut a = Client::connect_labelled(&server, "a").await;
    a.join_id("r", "A").await;
    let mut b = Client::connect_labelled(&server, "b").await;
    b.join_id("r", "B").await;
    a.expect("conference", "peerJoin").await;

    // Twenty messages in one frame: each counts, so most are dropped.
    let trickle = |n: usize| frames::trickle("r", None, json!({"n": n}));
    let frame: Vec<String> = (0..20).map(|n| trickle(n).to_string()).collect();
    a.send_text(&frame.join("\n")).await;
    let error = a.expect_error("rate_limited", Some("signal/trickle")).await;
    assert!(error["message"].as_str().unwrap().contains("dropped"));

    // After a second's refill, the connection works again; B got only what passed.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    a.send_json(frames::trickle("r", None, json!({"n": "after"})))
        .await;
    let mut relayed = 0;
    loop {
        let message = b.expect("signal", "trickle").await;
        if message["signal"]["n"] == "after" {
            break;
        }
        relayed += 1;
    }
    assert!((1..10).contains(&relayed), "{relayed} of 20 relayed");
    // One answer for the whole burst of refusals, not one per dropped message.
    a.poll_incoming(Duration::from_millis(300)).await;
    assert_eq!(codes(&a.take_queued(), "rate_limited"), 0);
    counted(server.node(a.node()), "conference", "rate_limited").await;
}

#[tokio::test]
async fn a_join_beyond_max_rooms_per_conn_is_refused_and_the_connection_stays() {
    let server = Server::start(&["--max-rooms-per-conn", "2"]);
    let mut a = Client::connect_labelled(&server, "a").await;
    a.join("r1", "A").await;
    a.join("r2", "A").await;
    a.send_json(frames::join("r3", "A")).await;
    let error = a
        .expect_error("too_many_rooms", Some("conference/join"))
        .await;
    assert!(error["message"].as_str().unwrap().contains('2'), "{error}");
    // Still served: leaving one makes room for another.
    a.leave("r1").await;
    a.join("r3", "A").await;
    counted(server.node(a.node()), "conference", "too_many_rooms").await;
}

#[tokio::test]
async fn a_join_of_a_full_room_is_refused_with_room_full() {
    // In the cluster topology the three clients sit on three nodes: members on other nodes
    // count.
    let server = Server::start(&["--max-room-members", "2"]);
    let mut a = Client::connect_labelled(&server, "a").await;
    a.join("r", "A").await;
    let mut b = Client::connect_labelled(&server, "b").await;
    b.join("r", "B").await;
    let mut c = Client::connect_labelled(&server, "c").await;
    c.send_json(frames::join("r", "C")).await;
    let error = c.expect_error("room_full", Some("conference/join")).await;
    assert!(error["message"].as_str().unwrap().contains("full"));
    a.expect("conference", "peerJoin").await;
    // Nobody heard of the refused join, and c is served elsewhere.
    c.join("elsewhere", "C").await;
    a.expect_none(Duration::from_millis(300)).await;
    counted(server.node(c.node()), "conference", "room_full").await;

    // A leave makes room (on another node, once the leave has crossed over).
    b.leave("r").await;
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        c.send_json(frames::join("r", "C")).await;
        let answer = c
            .expect_where("join answer", |m| {
                m["name"] == "joinResponse" || m["data"]["code"] == "room_full"
            })
            .await;
        if answer["name"] == "joinResponse" {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the room stayed full");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_client_flooding_for_ten_seconds_is_closed_with_1008() {
    let server = Server::start(&["--max-msgs-per-sec", "5", "--msgs-burst", "5"]);
    let node = server.next_node();
    let addr = server.node(node).addr();
    let flood = Flood {
        url: format!("ws://{addr}/conference"),
        setup: &[frames::join("r", "flooder").to_string()],
        message: frames::trickle("r", None, json!({})).to_string(),
        every: Duration::from_millis(20),
        batch: 1,
        give_up: Duration::from_secs(16),
    };
    let flooded = flood.run().await;
    assert_eq!(flooded.close, Some(1008), "{:?}", flooded.elapsed);
    assert!(
        flooded.elapsed >= Duration::from_millis(9500),
        "closed after {:?}",
        flooded.elapsed
    );
    let messages: Vec<Value> = flooded
        .texts
        .iter()
        .map(|t| serde_json::from_str(t).unwrap())
        .collect();
    // About one answer a second for ~500 refused messages.
    let answers = codes(&messages, "rate_limited");
    assert!(
        (8..=12).contains(&answers),
        "{answers} rate_limited answers"
    );
    counted(server.node(node), "conference", "rate_limit_close").await;
}
