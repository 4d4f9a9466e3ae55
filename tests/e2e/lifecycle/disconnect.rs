//! A client whose socket goes away (dropped without a close frame, or closed politely) is
//! announced with system/peerDisconnected in every room it was in, and only there.

use std::time::Duration;

use serde_json::{Value, json};

use crate::harness::{Client, Server, frames};

const QUIET: Duration = Duration::from_millis(300);

fn disconnected(id: &str, room: &str) -> Value {
    json!({"type": "system", "name": "peerDisconnected", "data": {"id": id, "room": room}})
}

#[tokio::test]
async fn a_vanished_client_is_announced_in_every_room() {
    let server = Server::start(&[]);
    let mut a = Client::connect_labelled(&server, "alice (red, blue)").await;
    let mut b = Client::connect_labelled(&server, "bob (red, blue)").await;
    let mut c = Client::connect_labelled(&server, "carol (blue)").await;
    let mut d = Client::connect_labelled(&server, "dave (green)").await;
    b.join("red", "Bob").await;
    b.join("blue", "Bob").await;
    let c_id = c.join_id("blue", "Carol").await;
    d.join("green", "Dave").await;
    let a_id = a.join_id("red", "Alice").await;
    a.join("blue", "Alice").await;
    // Bob hears of Carol (blue) and Alice (red, blue); Carol of Alice.
    for _ in 0..3 {
        b.expect("conference", "peerJoin").await;
    }
    c.expect("conference", "peerJoin").await;

    a.abort();
    b.expect_exact(disconnected(&a_id, "red")).await;
    b.expect_exact(disconnected(&a_id, "blue")).await;
    c.expect_exact(disconnected(&a_id, "blue")).await;
    for client in [&mut b, &mut c, &mut d] {
        client.expect_none(QUIET).await;
    }

    // Alice is gone from the rooms: she cannot be addressed any more, and the rooms go on.
    b.send_json(frames::sdp("red", &a_id, frames::offer("late")))
        .await;
    b.expect_error("unknown_target", Some("signal/sdp")).await;
    c.leave("blue").await;
    b.expect_exact(json!({"type": "conference", "name": "peerLeave",
        "data": {"id": c_id, "room": "blue"}}))
        .await;
}

#[tokio::test]
async fn a_closed_client_is_announced() {
    let server = Server::start(&[]);
    let mut a = Client::connect_labelled(&server, "alice").await;
    let mut b = Client::connect_labelled(&server, "bob").await;
    b.join("r", "Bob").await;
    let a_id = a.join_id("r", "Alice").await;
    b.expect_next("conference", "peerJoin").await;
    a.close().await;
    b.expect_exact(disconnected(&a_id, "r")).await;
    b.expect_none(QUIET).await;
}

#[tokio::test]
async fn a_client_that_left_is_not_announced_again() {
    let server = Server::start(&[]);
    let mut a = Client::connect_labelled(&server, "alice").await;
    let mut b = Client::connect_labelled(&server, "bob").await;
    b.join("r", "Bob").await;
    let a_id = a.join_id("r", "Alice").await;
    b.expect_next("conference", "peerJoin").await;
    a.leave("r").await;
    b.expect_exact(json!({"type": "conference", "name": "peerLeave",
        "data": {"id": a_id, "room": "r"}}))
        .await;
    a.abort();
    b.expect_none(Duration::from_millis(500)).await;
}

#[tokio::test]
async fn a_client_in_other_rooms_only_is_not_announced() {
    let server = Server::start(&[]);
    let mut b = Client::connect_labelled(&server, "bob").await;
    b.join("r", "Bob").await;
    let mut a = Client::connect_labelled(&server, "alice").await;
    a.join("s", "Alice").await;
    a.abort();
    b.expect_none(Duration::from_millis(500)).await;
}
