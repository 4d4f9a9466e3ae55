//! Several JSON messages in one text frame, separated by "\n", are all handled, in order.

use std::time::Duration;

use crate::harness::{Client, Server, frames};

#[tokio::test]
async fn messages_in_one_frame_are_handled_in_order() {
    let server = Server::start(&[]);
    let mut a = Client::connect(&server).await;
    let frame = format!(
        "{}\n{}\n{}",
        frames::connect("one"),
        frames::join("one", "Alice"),
        frames::join("two", "Alice")
    );
    a.send_text(&frame).await;
    let connected = a.expect_next("room", "connectResponse").await;
    let first = a.expect_next("conference", "joinResponse").await;
    let second = a.expect_next("conference", "joinResponse").await;
    assert_eq!(first["data"]["room"], "one", "{first}");
    assert_eq!(second["data"]["room"], "two", "{second}");
    assert_eq!(first["data"]["id"], connected["data"]["id"]);
    assert_eq!(second["data"]["id"], connected["data"]["id"]);
    a.expect_none(Duration::from_millis(300)).await;
}

#[tokio::test]
async fn a_join_and_a_signal_in_one_frame_arrive_in_order() {
    let server = Server::start(&[]);
    let mut b = Client::connect_labelled(&server, "bob").await;
    let b_id = b.join_id("r", "Bob").await;
    let mut a = Client::connect_labelled(&server, "alice").await;
    let offer = frames::sdp("r", &b_id, frames::offer("same-frame"));
    a.send_text(&format!("{}\n{}", frames::join("r", "Alice"), offer))
        .await;
    let joined = a.expect_next("conference", "joinResponse").await;
    let a_id = joined["data"]["id"].as_str().unwrap().to_string();
    let peer_join = b.expect_next("conference", "peerJoin").await;
    assert_eq!(peer_join["data"]["id"], a_id.as_str());
    let relayed = b.expect_next("signal", "sdp").await;
    assert_eq!(relayed, frames::relayed(&offer, &a_id));
}
