//! Connection limits: per client address (concurrent, and new per second) and per node,
//! each refused before the upgrade with its status and code; behind a trusted proxy the
//! address is the one `X-Forwarded-For` names, and only then.

use std::net::SocketAddr;
use std::time::Duration;

use serde_json::Value;

use super::{refused, upgrade};
use crate::harness::{Client, Server, http};
use crate::socketio::client;

/// Every way a client opens a connection: each dialect's WebSocket upgrade, and the
/// Socket.IO long-polling handshake of either Engine.IO version.
const WEBSOCKETS: [&str; 3] = [
    "/conference",
    "/peerjs?key=peerjs&id=limited&token=t",
    "/socket.io/?EIO=4&transport=websocket",
];
const POLLING: [&str; 2] = ["EIO=4&transport=polling", "EIO=3&transport=polling"];

/// Asserts that every entry point of every dialect is refused with `status` and `code`.
async fn every_dialect_refuses(addr: SocketAddr, status: u16, code: &str) {
    for path in WEBSOCKETS {
        assert_eq!(
            refused(upgrade(addr, path, &[]).await),
            (status, code.to_string()),
            "{path}"
        );
    }
    for query in POLLING {
        let response = client::get(addr, &client::path(query)).await;
        let body: Value = serde_json::from_str(&response.body).unwrap_or(Value::Null);
        assert_eq!(
            (response.status, body["code"].as_str()),
            (status, Some(code)),
            "{query}: {response:?}"
        );
    }
}

#[tokio::test]
async fn an_address_holds_at_most_its_connections() {
    let server = Server::start(&["--max-conns-per-ip", "2"]);
    let addr = server.node(0).addr();
    let first = Client::connect_addr(addr, "first").await;
    let _second = Client::connect_addr(addr, "second").await;
    every_dialect_refuses(addr, 429, "too_many_connections").await;
    // A closed connection gives its place back.
    first.close().await;
    crate::harness::eventually("a place is free again", || async {
        upgrade(addr, "/peerjs?key=peerjs&id=p&token=t", &[])
            .await
            .map_err(|refusal| format!("{refusal:?}"))
    })
    .await;
}

#[tokio::test]
async fn an_address_opens_connections_at_its_rate() {
    let server = Server::start(&["--max-new-conns-per-sec", "1", "--new-conns-burst", "2"]);
    let addr = server.node(0).addr();
    upgrade(addr, "/conference", &[]).await.expect("first");
    upgrade(addr, "/conference", &[]).await.expect("second");
    // A refused attempt takes no token, so all of these find the bucket empty.
    every_dialect_refuses(addr, 429, "rate_limited").await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    upgrade(addr, "/conference", &[])
        .await
        .expect("after a second");
}

#[tokio::test]
async fn a_full_node_refuses_and_says_so_in_readyz() {
    let server = Server::start(&["--max-conns", "1", "--max-conns-per-ip", "0"]);
    let addr = server.node(0).addr();
    let _held = Client::connect_addr(addr, "held").await;
    crate::harness::eventually("the node is full", || async {
        let ready = http::get(addr, "/readyz")
            .await
            .map_err(|e| e.to_string())?;
        (ready.status == 503 && ready.body.contains(r#""status":"full""#))
            .then_some(())
            .ok_or(format!("{ready:?}"))
    })
    .await;
    every_dialect_refuses(addr, 503, "node_full").await;
}

#[tokio::test]
async fn forwarded_addresses_count_only_behind_trusted_proxies() {
    let trusting = Server::start(&[
        "--max-conns-per-ip",
        "1",
        "--trusted-proxies",
        "127.0.0.0/8",
    ]);
    let addr = trusting.node(0).addr();
    let from = |ip: &'static str| [("x-forwarded-for", ip)];
    upgrade(addr, "/conference", &from("203.0.113.1"))
        .await
        .expect("client 1");
    upgrade(addr, "/conference", &from("203.0.113.2"))
        .await
        .expect("client 2");

    let wary = Server::start(&["--max-conns-per-ip", "1"]);
    let addr = wary.node(0).addr();
    let _held = Client::connect_addr(addr, "held").await;
    assert_eq!(
        refused(upgrade(addr, "/conference", &from("203.0.113.9")).await),
        (429, "too_many_connections".to_string()),
        "a spoofed X-Forwarded-For from an untrusted peer is ignored"
    );
}
