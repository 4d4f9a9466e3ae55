//! Graceful drain on SIGTERM/SIGINT: /readyz turns 503 at once, new upgrades get 503,
//! members hear of each other's departure (or just get closed), every socket closes with
//! 1001, and the process exits 0 within --drain-timeout. In the cluster topology the signal
//! goes to the node of the first client only: its sockets close with 1001 while the members
//! on the other nodes stay, hear `peerDisconnected` for each departure, and keep being served.

use std::time::Duration;

use serde_json::{Value, json};

use crate::harness::{Client, Node, Server, frames, http, raw_ws};

/// Slack on top of --drain-timeout for a loaded machine; the contract bound is the timeout.
const EXIT_SLACK: Duration = Duration::from_secs(2);

/// Polls /readyz until it stops answering 200; that answer must be 503 "draining".
async fn readyz_turns_503(node: &Node) -> Value {
    for _ in 0..2000 {
        match http::get(node.addr(), "/readyz").await {
            Ok(response) if response.status == 200 => {
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
            Ok(response) => {
                assert_eq!(response.status, 503, "/readyz while draining: {response:?}");
                return serde_json::from_str(&response.body).unwrap_or_else(|e| {
                    panic!("/readyz body not JSON ({e}): {:?}", response.body)
                });
            }
            Err(err) => panic!("/readyz unreachable before it ever answered 503: {err}"),
        }
    }
    panic!("/readyz still 200 long after SIGTERM");
}

/// Reads `client` up to its close frame; everything before it must be peerDisconnected for
/// one of `others` in `room`.
async fn closes_with_1001(client: &mut Client, room: &str, others: &[&str]) {
    assert_eq!(client.expect_close().await, 1001, "close code during drain");
    for message in client.take_queued() {
        let data = &message["data"];
        assert!(
            message["type"] == "system"
                && message["name"] == "peerDisconnected"
                && data["room"] == room
                && others.iter().any(|id| data["id"] == *id),
            "unexpected message during drain: {message}"
        );
    }
}

/// The process must exit with status 0 within `drain` (plus slack).
async fn exits_zero(node: &mut Node, drain: Duration) {
    let Some(status) = node.wait_exit(drain + EXIT_SLACK).await else {
        panic!(
            "still running after the drain timeout; log:\n{}",
            node.logs()
        );
    };
    assert_eq!(status.code(), Some(0), "exit status; log:\n{}", node.logs());
}

fn disconnected(id: &str, room: &str) -> Value {
    json!({"type": "system", "name": "peerDisconnected", "data": {"id": id, "room": room}})
}

/// In a cluster, a member on a node that keeps running: it hears `peerDisconnected` for
/// each of `gone` in `room` (in any order), nothing else, and is still served.
async fn stays_and_hears(client: &mut Client, room: &str, gone: &[&str]) {
    for id in gone {
        client.expect_exact(disconnected(id, room)).await;
    }
    client.expect_none(Duration::from_millis(500)).await;
    let data = client.join(&format!("after-{room}"), "Survivor").await;
    assert_eq!(data["peers"], json!([]), "{data}");
}

#[tokio::test]
async fn sigterm_drains_and_exits_zero() {
    let mut server = Server::start(&["--drain-timeout", "3s", "--node-id", "draining-node"]);
    let mut a = Client::connect_labelled(&server, "alice").await;
    let mut b = Client::connect_labelled(&server, "bob").await;
    let mut c = Client::connect_labelled(&server, "carol (alone)").await;
    let a_id = a.join_id("r", "Alice").await;
    let b_id = b.join_id("r", "Bob").await;
    c.join("solo", "Carol").await;
    a.expect_next("conference", "peerJoin").await;
    // The node that drains: the server, or in a cluster Alice's node (not Bob's or Carol's).
    let draining = a.node();
    // A member that never reads nor answers must not hold the drain past its timeout.
    let mut silent = raw_ws::connect(server.node(draining).addr()).await;
    silent
        .send_text(&frames::join("r", "Silent").to_string())
        .await;
    let silent_id = a.expect_next("conference", "peerJoin").await["data"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    b.expect_next("conference", "peerJoin").await;

    server.node(draining).sigterm();
    let ready = readyz_turns_503(server.node(draining)).await;
    assert_eq!(ready["status"], "draining", "{ready}");
    assert_eq!(ready["draining"], true, "{ready}");
    // "draining-node" on one server; a cluster names its nodes itself.
    assert_eq!(ready["node"], server.node(draining).id(), "{ready}");

    match raw_ws::upgrade(server.node(draining).addr()).await {
        Ok(raw_ws::Upgrade::Refused(response)) => {
            assert_eq!(response.status, 503, "upgrade while draining: {response:?}")
        }
        Ok(raw_ws::Upgrade::Accepted(_)) => panic!("an upgrade was accepted while draining"),
        Err(err) => panic!("upgrade while draining failed below HTTP (expected 503): {err}"),
    }

    closes_with_1001(&mut a, "r", &[&b_id, &silent_id]).await;
    if server.is_cluster() {
        stays_and_hears(&mut b, "r", &[&a_id, &silent_id]).await;
        stays_and_hears(&mut c, "solo", &[]).await;
    } else {
        closes_with_1001(&mut b, "r", &[&a_id, &silent_id]).await;
        closes_with_1001(&mut c, "solo", &[]).await;
    }

    exits_zero(server.node_mut(draining), Duration::from_secs(3)).await;
    // The silent member's socket was closed with 1001 too (it reads it only now).
    let code = silent.close_code(Duration::from_secs(5)).await;
    assert_eq!(
        code,
        Some(1001),
        "close code of the silent member during drain"
    );
}

#[tokio::test]
async fn sigint_drains_too() {
    let mut server = Server::start(&["--drain-timeout", "2s"]);
    let mut a = Client::connect_labelled(&server, "alice").await;
    let mut b = Client::connect_labelled(&server, "bob").await;
    let a_id = a.join_id("r", "Alice").await;
    let b_id = b.join_id("r", "Bob").await;
    a.expect_next("conference", "peerJoin").await;

    let draining = a.node();
    server.node(draining).sigint();
    closes_with_1001(&mut a, "r", &[&b_id]).await;
    if server.is_cluster() {
        stays_and_hears(&mut b, "r", &[&a_id]).await;
    } else {
        closes_with_1001(&mut b, "r", &[&a_id]).await;
    }
    exits_zero(server.node_mut(draining), Duration::from_secs(2)).await;
}

#[tokio::test]
async fn drain_with_no_clients_exits_zero() {
    let mut server = Server::start(&["--drain-timeout", "2s"]);
    let (status, _) = server.http_get("/healthz").await;
    assert_eq!(status, 200);
    // Every node, in a cluster.
    server.sigterm();
    for node in server.nodes_mut() {
        exits_zero(node, Duration::from_secs(2)).await;
    }
}
