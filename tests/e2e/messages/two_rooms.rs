//! One connection in two rooms at once: each room sees only its own part of it.

use std::time::Duration;

use serde_json::json;

use crate::harness::{Client, Server, frames};

const QUIET: Duration = Duration::from_millis(300);

#[tokio::test]
async fn a_client_can_be_in_two_rooms() {
    let server = Server::start(&[]);
    let mut a = Client::connect_labelled(&server, "alice").await;
    let mut b = Client::connect_labelled(&server, "bob (red)").await;
    let mut c = Client::connect_labelled(&server, "carol (blue)").await;
    let b_id = b.join_id("red", "Bob").await;
    let c_id = c.join_id("blue", "Carol").await;

    let red = a.join("red", "Alice").await;
    let a_id = red["id"].as_str().unwrap().to_string();
    assert_eq!(red["peers"], json!([{"id": b_id, "name": "Bob"}]));
    let blue = a.join("blue", "Alice").await;
    assert_eq!(blue["id"], a_id.as_str(), "one connection, one id");
    assert_eq!(blue["peers"], json!([{"id": c_id, "name": "Carol"}]));

    b.expect_exact(json!({"type": "conference", "name": "peerJoin",
        "data": {"id": a_id, "room": "red", "peerName": "Alice", "name": "Alice"}}))
        .await;
    c.expect_exact(json!({"type": "conference", "name": "peerJoin",
        "data": {"id": a_id, "room": "blue", "peerName": "Alice", "name": "Alice"}}))
        .await;

    // A broadcast trickle in blue reaches Carol only.
    let to_blue = frames::trickle("blue", None, frames::candidate("blue"));
    a.send_json(to_blue.clone()).await;
    c.expect_exact(frames::relayed(&to_blue, &a_id)).await;

    // Leaving red tells Bob; Alice stays in blue.
    let left = a.leave("red").await;
    assert_eq!(left, json!({"id": a_id, "room": "red"}));
    b.expect_exact(json!({"type": "conference", "name": "peerLeave",
        "data": {"id": a_id, "room": "red"}}))
        .await;
    let offer = frames::sdp("blue", &c_id, frames::offer("still-blue"));
    a.send_json(offer.clone()).await;
    c.expect_exact(frames::relayed(&offer, &a_id)).await;

    for client in [&mut a, &mut b, &mut c] {
        client.expect_none(QUIET).await;
    }
}
