//! `conference/join` and `conference/leave`: the joiner's response lists the members before
//! it, the others get `peerJoin` (with both `peerName` and `name`), a leaver gets
//! `leaveResponse` and the others `peerLeave`.

use std::time::Duration;

use serde_json::{Value, json};

use crate::harness::{Client, Server};

const QUIET: Duration = Duration::from_millis(300);

fn peer_join(id: &str, room: &str, name: &str) -> Value {
    json!({"type": "conference", "name": "peerJoin",
        "data": {"id": id, "room": room, "peerName": name, "name": name}})
}

/// The `peers` of a joinResponse as sorted (id, name) pairs; each entry must be exactly
/// `{id, name}`.
fn peers(data: &Value) -> Vec<(String, String)> {
    let list = data["peers"]
        .as_array()
        .unwrap_or_else(|| panic!("no peers array: {data}"));
    let mut pairs: Vec<(String, String)> = list
        .iter()
        .map(|peer| {
            let keys = crate::harness::client::object_keys(peer);
            assert_eq!(keys, ["id", "name"], "peer entry {peer}");
            (
                peer["id"].as_str().unwrap().into(),
                peer["name"].as_str().unwrap().into(),
            )
        })
        .collect();
    pairs.sort();
    pairs
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = list
        .iter()
        .map(|(id, name)| (id.to_string(), name.to_string()))
        .collect();
    out.sort();
    out
}

#[tokio::test]
async fn join_lists_earlier_members_and_announces_the_joiner() {
    let server = Server::start(&[]);
    let (mut a, mut b, mut c) = (
        Client::connect_labelled(&server, "alice").await,
        Client::connect_labelled(&server, "bob").await,
        Client::connect_labelled(&server, "carol").await,
    );

    a.send_json(crate::harness::frames::join("room-1", "Alice"))
        .await;
    let first = a.expect_next("conference", "joinResponse").await;
    let a_id = first["data"]["id"].as_str().unwrap().to_string();
    assert_eq!(
        first,
        json!({"type": "conference", "name": "joinResponse",
            "data": {"id": a_id, "room": "room-1", "peers": []}})
    );

    let b_data = b.join("room-1", "Bob").await;
    let b_id = b_data["id"].as_str().unwrap().to_string();
    assert_eq!(
        crate::harness::client::object_keys(&b_data),
        ["id", "peers", "room"]
    );
    assert_eq!(peers(&b_data), pairs(&[(&a_id, "Alice")]));
    a.expect_exact(peer_join(&b_id, "room-1", "Bob")).await;

    let c_data = c.join("room-1", "Carol").await;
    let c_id = c_data["id"].as_str().unwrap().to_string();
    assert_eq!(peers(&c_data), pairs(&[(&a_id, "Alice"), (&b_id, "Bob")]));
    a.expect_exact(peer_join(&c_id, "room-1", "Carol")).await;
    b.expect_exact(peer_join(&c_id, "room-1", "Carol")).await;

    for client in [&mut a, &mut b, &mut c] {
        client.expect_none(QUIET).await;
    }
}

#[tokio::test]
async fn leave_answers_the_leaver_and_tells_the_others() {
    let server = Server::start(&[]);
    let mut a = Client::connect_labelled(&server, "alice").await;
    let mut b = Client::connect_labelled(&server, "bob").await;
    let mut c = Client::connect_labelled(&server, "carol").await;
    let a_id = a.join_id("r", "Alice").await;
    let b_id = b.join_id("r", "Bob").await;
    let c_id = c.join_id("r", "Carol").await;
    a.expect_exact(peer_join(&b_id, "r", "Bob")).await;
    a.expect_exact(peer_join(&c_id, "r", "Carol")).await;
    b.expect_exact(peer_join(&c_id, "r", "Carol")).await;

    b.send_json(crate::harness::frames::leave("r")).await;
    let left = b.expect_next("conference", "leaveResponse").await;
    assert_eq!(
        left,
        json!({"type": "conference", "name": "leaveResponse", "data": {"id": b_id, "room": "r"}})
    );
    let peer_leave = json!({"type": "conference", "name": "peerLeave",
        "data": {"id": b_id, "room": "r"}});
    a.expect_exact(peer_leave.clone()).await;
    c.expect_exact(peer_leave).await;
    for client in [&mut a, &mut b, &mut c] {
        client.expect_none(QUIET).await;
    }

    // Bob may come back: the room now holds Alice and Carol.
    let again = b.join("r", "Bob").await;
    assert_eq!(again["id"], b_id.as_str(), "id changed on rejoin");
    assert_eq!(peers(&again), pairs(&[(&a_id, "Alice"), (&c_id, "Carol")]));
    a.expect_exact(peer_join(&b_id, "r", "Bob")).await;
    c.expect_exact(peer_join(&b_id, "r", "Bob")).await;
}

#[tokio::test]
async fn last_member_leaving_then_a_new_join_finds_an_empty_room() {
    let server = Server::start(&[]);
    let mut a = Client::connect(&server).await;
    let mut b = Client::connect(&server).await;
    a.join("r", "Alice").await;
    a.leave("r").await;
    let data = b.join("r", "Bob").await;
    assert_eq!(
        data["peers"],
        json!([]),
        "a member that left is still listed"
    );
    a.expect_none(QUIET).await;
}
