//! /healthz and /readyz: readiness names the node and follows connections and rooms.

use serde_json::json;

use crate::harness::{Client, Server, eventually};

#[tokio::test]
async fn healthz_answers_ok() {
    let server = Server::start(&[]);
    let (status, body) = server.http_get("/healthz").await;
    assert_eq!(status, 200);
    assert_eq!(body.trim(), "ok");
}

/// Waits until /readyz reports these counts (they settle asynchronously).
async fn counts_become(server: &Server, connections: u64, rooms: u64) {
    let what = format!("/readyz connections={connections} rooms={rooms}");
    eventually(&what, || async {
        let (status, body) = server.readyz().await;
        if status == 200 && body["connections"] == connections && body["rooms"] == rooms {
            Ok(())
        } else {
            Err(format!("{status} {body}"))
        }
    })
    .await;
}

#[tokio::test]
async fn readyz_names_the_node_and_follows_the_counts() {
    let server = Server::start(&["--node-id", "test-node"]);
    let (status, body) = server.readyz().await;
    assert_eq!(status, 200, "{body}");
    // The contract's fields, with these values (other fields may be added).
    let expected = json!({"status": "ready", "node": "test-node", "version": "0.1.0",
        "connections": 0, "rooms": 0, "draining": false});
    for (key, value) in expected.as_object().unwrap() {
        assert_eq!(&body[key], value, "/readyz field {key}: {body}");
    }

    let mut a = Client::connect(&server).await;
    a.join("one", "Alice").await;
    counts_become(&server, 1, 1).await;
    let mut b = Client::connect(&server).await;
    b.join("one", "Bob").await;
    counts_become(&server, 2, 1).await;
    b.join("two", "Bob").await;
    counts_become(&server, 2, 2).await;
    b.leave("two").await;
    counts_become(&server, 2, 1).await;
    a.leave("one").await;
    counts_become(&server, 2, 1).await;
    b.leave("one").await;
    counts_become(&server, 2, 0).await;
    a.close().await;
    b.abort();
    counts_become(&server, 0, 0).await;
}

#[tokio::test]
async fn rooms_of_a_vanished_client_are_closed() {
    let server = Server::start(&[]);
    let mut a = Client::connect(&server).await;
    a.join("one", "Alice").await;
    a.join("two", "Alice").await;
    counts_become(&server, 1, 2).await;
    a.abort();
    counts_become(&server, 0, 0).await;
}

#[tokio::test]
async fn node_id_env_twin_names_the_node() {
    let server = Server::start_with_env(&[], &[("SWITCHBOARD_NODE_ID", "env-node")]);
    let (_, body) = server.readyz().await;
    assert_eq!(body["node"], "env-node", "{body}");
    let mut a = Client::connect(&server).await;
    a.send_json(crate::harness::frames::connect("r")).await;
    let response = a.expect_next("room", "connectResponse").await;
    assert_eq!(response["data"]["node"], "env-node", "{response}");
}

#[tokio::test]
async fn default_node_id_is_random_node_name() {
    let server = Server::start(&[]);
    let (_, body) = server.readyz().await;
    let node = body["node"].as_str().unwrap_or_default();
    let suffix = node
        .strip_prefix("node-")
        .unwrap_or_else(|| panic!("node {node:?}"));
    assert_eq!(suffix.len(), 8, "node {node:?} is not node-xxxxxxxx");
}
