//! Two rooms on one server: joins, leaves and signals of one never reach the other, and a
//! member of one room cannot be addressed from the other.

use std::time::Duration;

use serde_json::json;

use crate::harness::{Client, Server, frames};

const QUIET: Duration = Duration::from_millis(300);

#[tokio::test]
async fn two_rooms_do_not_see_each_other() {
    let server = Server::start(&[]);
    let mut a = Client::connect_labelled(&server, "alice (red)").await;
    let mut b = Client::connect_labelled(&server, "bob (red)").await;
    let mut c = Client::connect_labelled(&server, "carol (blue)").await;
    let mut d = Client::connect_labelled(&server, "dave (blue)").await;

    let a_id = a.join_id("red", "Alice").await;
    let c_id = c.join_id("blue", "Carol").await;
    let b_data = b.join("red", "Bob").await;
    let b_id = b_data["id"].as_str().unwrap().to_string();
    assert_eq!(b_data["peers"], json!([{"id": a_id, "name": "Alice"}]));
    let d_data = d.join("blue", "Dave").await;
    let d_id = d_data["id"].as_str().unwrap().to_string();
    assert_eq!(d_data["peers"], json!([{"id": c_id, "name": "Carol"}]));
    assert_eq!(
        a.expect_next("conference", "peerJoin").await["data"]["id"],
        b_id.as_str()
    );
    assert_eq!(
        c.expect_next("conference", "peerJoin").await["data"]["id"],
        d_id.as_str()
    );

    // Broadcast trickles stay in their room.
    let red = frames::trickle("red", None, frames::candidate("red"));
    a.send_json(red.clone()).await;
    b.expect_exact(frames::relayed(&red, &a_id)).await;
    let blue = frames::trickle("blue", None, frames::candidate("blue"));
    d.send_json(blue.clone()).await;
    c.expect_exact(frames::relayed(&blue, &d_id)).await;

    // Directed signals too.
    let offer = frames::sdp("blue", &d_id, frames::offer("c-d"));
    c.send_json(offer.clone()).await;
    d.expect_exact(frames::relayed(&offer, &c_id)).await;
    let offer = frames::sdp("red", &a_id, frames::offer("b-a"));
    b.send_json(offer.clone()).await;
    a.expect_exact(frames::relayed(&offer, &b_id)).await;

    // Addressing a blue member through red is refused, and nothing leaks.
    a.send_json(frames::sdp("red", &c_id, frames::offer("cross")))
        .await;
    a.expect_error("unknown_target", Some("signal/sdp")).await;

    // A leave in red is not announced in blue.
    b.leave("red").await;
    a.expect_exact(json!({"type": "conference", "name": "peerLeave",
        "data": {"id": b_id, "room": "red"}}))
        .await;

    for client in [&mut a, &mut b, &mut c, &mut d] {
        client.expect_none(QUIET).await;
    }
}
