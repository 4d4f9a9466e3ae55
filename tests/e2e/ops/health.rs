//! /healthz and /readyz: readiness names the node and follows connections and rooms. The
//! counts are each node's own (its sockets, the rooms it has members of): in the cluster
//! topology every node is checked against the clients it holds.

use std::collections::BTreeSet;

use serde_json::json;

use crate::harness::{Client, Server, eventually, single_node_only};

#[tokio::test]
async fn healthz_answers_ok() {
    let server = Server::start(&[]);
    for node in server.nodes() {
        let (status, body) = node.http_get("/healthz").await;
        assert_eq!(status, 200);
        assert_eq!(body.trim(), "ok");
    }
}

/// Waits until every node's /readyz reports the counts of the open connections `open`,
/// given as (node index, rooms joined); the counts settle asynchronously.
async fn counts_become(server: &Server, open: &[(usize, &[&str])]) {
    for (index, node) in server.nodes().iter().enumerate() {
        let here = open.iter().filter(|(on, _)| *on == index);
        let connections = here.clone().count();
        let rooms: BTreeSet<&&str> = here.flat_map(|(_, rooms)| rooms.iter()).collect();
        let rooms = rooms.len();
        let what = format!("/readyz of node {index}: connections={connections} rooms={rooms}");
        eventually(&what, || async {
            let (status, body) = node.readyz().await;
            if status == 200 && body["connections"] == connections && body["rooms"] == rooms {
                Ok(())
            } else {
                Err(format!("{status} {body}"))
            }
        })
        .await;
    }
}

#[tokio::test]
async fn readyz_names_the_node_and_follows_the_counts() {
    let server = Server::start(&["--node-id", "test-node"]);
    for node in server.nodes() {
        let (status, body) = node.readyz().await;
        assert_eq!(status, 200, "{body}");
        // The contract's fields, with these values (other fields may be added); the node is
        // "test-node" on one server, a cluster names its nodes itself.
        let expected = json!({"status": "ready", "node": node.id(), "version": "0.1.0",
            "connections": 0, "rooms": 0, "draining": false});
        for (key, value) in expected.as_object().unwrap() {
            assert_eq!(&body[key], value, "/readyz field {key}: {body}");
        }
    }

    // One server: both on it. A cluster: Alice and Bob on different nodes.
    let mut a = Client::connect(&server).await;
    let mut b = Client::connect(&server).await;
    let (an, bn) = (a.node(), b.node());
    counts_become(&server, &[(an, &[]), (bn, &[])]).await;
    a.join("one", "Alice").await;
    counts_become(&server, &[(an, &["one"]), (bn, &[])]).await;
    b.join("one", "Bob").await;
    counts_become(&server, &[(an, &["one"]), (bn, &["one"])]).await;
    b.join("two", "Bob").await;
    counts_become(&server, &[(an, &["one"]), (bn, &["one", "two"])]).await;
    b.leave("two").await;
    counts_become(&server, &[(an, &["one"]), (bn, &["one"])]).await;
    a.leave("one").await;
    counts_become(&server, &[(an, &[]), (bn, &["one"])]).await;
    b.leave("one").await;
    counts_become(&server, &[(an, &[]), (bn, &[])]).await;
    a.close().await;
    b.abort();
    counts_become(&server, &[]).await;
}

#[tokio::test]
async fn rooms_of_a_vanished_client_are_closed() {
    let server = Server::start(&[]);
    let mut a = Client::connect(&server).await;
    let an = a.node();
    a.join("one", "Alice").await;
    a.join("two", "Alice").await;
    counts_become(&server, &[(an, &["one", "two"])]).await;
    a.abort();
    counts_become(&server, &[]).await;
}

#[tokio::test]
async fn node_id_env_twin_names_the_node() {
    single_node_only!("a cluster gives each node its own --node-id, which overrides the env twin");
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
    single_node_only!("a cluster gives each node its own --node-id");
    let server = Server::start(&[]);
    let (_, body) = server.readyz().await;
    let node = body["node"].as_str().unwrap_or_default();
    let suffix = node
        .strip_prefix("node-")
        .unwrap_or_else(|| panic!("node {node:?}"));
    assert_eq!(suffix.len(), 8, "node {node:?} is not node-xxxxxxxx");
}

/// Through a load balancer, `x-switchboard-node` is how a client sees where it landed: on
/// plain HTTP and on the WebSocket upgrade alike.
#[tokio::test]
async fn every_response_names_the_node_that_served_it() {
    let server = Server::start(&["--node-id", "served-by"]);
    for node in server.nodes() {
        let health = crate::harness::http::get(node.addr(), "/healthz")
            .await
            .expect("GET /healthz");
        assert_eq!(health.header("x-switchboard-node"), Some(node.id()));
        let socket = crate::harness::raw_ws::connect(node.addr()).await;
        assert_eq!(socket.head.header("x-switchboard-node"), Some(node.id()));
    }
}
