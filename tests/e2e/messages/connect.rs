//! `room/connect` and the server-made client id: a UUID v4, one per connection, the same in
//! every response on that connection.

use serde_json::json;

use crate::harness::client::object_keys;
use crate::harness::{Client, Server, frames, is_uuid_v4};

#[tokio::test]
async fn connect_answers_room_id_and_node() {
    let server = Server::start(&["--node-id", "test-node"]);
    let mut a = Client::connect(&server).await;
    a.send_json(frames::connect("lobby")).await;
    let response = a.expect_next("room", "connectResponse").await;
    assert_eq!(
        object_keys(&response),
        ["data", "name", "type"],
        "{response}"
    );
    let data = &response["data"];
    assert_eq!(object_keys(data), ["id", "node", "room"], "{response}");
    assert_eq!(data["room"], "lobby");
    // "test-node" on one server; a cluster names its nodes itself.
    assert_eq!(data["node"], server.node(a.node()).id());
    let id = data["id"].as_str().expect("id is a string");
    assert!(is_uuid_v4(id), "id {id:?} is not a UUID v4");
    a.expect_none(std::time::Duration::from_millis(200)).await;
}

#[tokio::test]
async fn connect_again_and_join_keep_the_same_id() {
    let server = Server::start(&[]);
    let mut a = Client::connect(&server).await;
    let first = a.connect_id("lobby").await;
    a.send_json(frames::connect("elsewhere")).await;
    let again = a.expect_next("room", "connectResponse").await;
    assert_eq!(again["data"]["id"], first.as_str(), "{again}");
    assert_eq!(again["data"]["room"], "elsewhere", "{again}");
    let joined = a.join("lobby", "alice").await;
    assert_eq!(
        joined["id"],
        first.as_str(),
        "joinResponse id differs from connect id"
    );
}

#[tokio::test]
async fn seed_messages_carrying_the_own_id_are_accepted() {
    // The seed's join and leave carry data.id = "MyClientId": the client's own id is fine.
    let server = Server::start(&[]);
    let mut a = Client::connect(&server).await;
    let id = a.connect_id("r").await;
    a.send_json(json!({"type": "conference", "name": "join",
        "data": {"room": "r", "name": "MyName", "id": id}}))
        .await;
    let joined = a.expect_next("conference", "joinResponse").await;
    assert_eq!(
        joined,
        json!({"type": "conference", "name": "joinResponse",
            "data": {"id": id, "room": "r", "peers": []}})
    );
    a.send_json(json!({"type": "conference", "name": "leave", "data": {"room": "r", "id": id}}))
        .await;
    let left = a.expect_next("conference", "leaveResponse").await;
    assert_eq!(
        left,
        json!({"type": "conference", "name": "leaveResponse", "data": {"id": id, "room": "r"}})
    );
}

#[tokio::test]
async fn join_without_connect_gets_a_uuid() {
    let server = Server::start(&[]);
    let mut a = Client::connect(&server).await;
    let id = a.join_id("r", "alice").await;
    assert!(is_uuid_v4(&id), "id {id:?} is not a UUID v4");
    assert_eq!(
        a.connect_id("r").await,
        id,
        "connect after join returns another id"
    );
}

#[tokio::test]
async fn ids_are_distinct_per_connection() {
    let server = Server::start(&[]);
    let mut ids = Vec::new();
    let mut clients = Vec::new();
    for _ in 0..6 {
        let mut client = Client::connect(&server).await;
        let id = client.connect_id("lobby").await;
        assert!(is_uuid_v4(&id), "id {id:?} is not a UUID v4");
        ids.push(id);
        clients.push(client);
    }
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "ids repeat: {ids:?}");
}
