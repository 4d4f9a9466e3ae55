//! No sticky sessions for Socket.IO: a polling request, or the WebSocket upgrade of a polling
//! session, that reaches a node other than the one holding its session is handed over to
//! that node (the sid names it; its lease names its address). Raw requests pin the wire;
//! the stock clients of both versions run the whole seed flow through nginx round-robin in
//! front of three nodes, and the nodes' handover counters prove their requests landed on
//! nodes that did not hold their sessions.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use super::harness::{Cluster, Nginx};
use crate::harness::{http, prom};
use crate::rooms::stock_client::flow;
use crate::socketio::client::{self, Polling, engine_error, expect_text, send_text, websocket};

const HANDOVERS: &str = "switchboard_socketio_handovers_total";

/// Requests for other nodes' sessions that the node at `addr` handed over on `transport`.
async fn handed_over(addr: SocketAddr, transport: &str) -> f64 {
    let metrics = http::get(addr, "/metrics").await.expect("GET /metrics");
    prom::value(
        &metrics.body,
        HANDOVERS,
        &[("transport", transport), ("outcome", "handed_over")],
    )
    .unwrap_or(0.0)
}

#[tokio::test]
async fn polling_requests_reach_their_session_through_any_node() {
    let cluster = Cluster::start(3).await;
    let [n1, n2, n3] = [0, 1, 2].map(|index| cluster.node(index).addr());
    for eio in [3u8, 4] {
        let (mut session, rest) = Polling::open(n1, eio).await;
        assert!(
            session.sid.len() <= 128
                && session
                    .sid
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_".contains(&b)),
            "{}",
            session.sid
        );
        session.addr = n2;
        if eio == 4 {
            assert!(rest.is_empty(), "{rest:?}");
            session.send(&["40"]).await;
            session.addr = n3;
            let answer = session.get().await;
            assert_eq!(answer.status, 200, "{answer:?}\n{}", cluster.all_logs());
            assert_eq!(answer.header("x-switchboard-node"), Some("n3"));
            assert_eq!(answer.header("x-switchboard-session-node"), Some("n1"));
            assert_eq!(
                answer.header("content-type"),
                Some("text/plain; charset=UTF-8")
            );
            let packets = client::packets(eio, &answer.body);
            assert!(packets[0].starts_with(r#"40{"sid":""#), "{packets:?}");
        } else {
            assert_eq!(rest, ["40"]);
        }
        let room = format!("handover-{eio}");
        session.addr = n2;
        session
            .send(&[&format!(r#"42["room-create","{room}"]"#)])
            .await;
        session.addr = n3;
        assert_eq!(
            session.poll().await,
            [format!(r#"42["room-created","{room}"]"#)]
        );
        // And back on its own node, nothing is handed over.
        session.addr = n1;
        session.send(&[r#"42["room-create"]"#]).await;
        let answer = session.get().await;
        assert_eq!(answer.header("x-switchboard-session-node"), None);
        assert!(answer.body.contains("error"), "{answer:?}");
    }
    for addr in [n2, n3] {
        assert!(handed_over(addr, "polling").await >= 2.0);
    }
    assert_eq!(handed_over(n1, "polling").await, 0.0);
}

#[tokio::test]
async fn a_polling_session_upgrades_through_another_node() {
    let cluster = Cluster::start(3).await;
    let [n1, n2, n3] = [0, 1, 2].map(|index| cluster.node(index).addr());
    for eio in [3u8, 4] {
        let mut session = Polling::connected(n1, eio).await;
        session.addr = n3;
        let held = tokio::spawn({
            let (addr, path) = (session.addr, session.path());
            async move { client::get(addr, &path).await }
        });
        tokio::time::sleep(Duration::from_millis(100)).await;
        let query = format!("EIO={eio}&transport=websocket&sid={}", session.sid);
        let mut ws = websocket(n2, &query).await;
        send_text(&mut ws, "2probe").await;
        assert_eq!(expect_text(&mut ws).await, "3probe");
        let held = held.await.unwrap();
        assert_eq!(client::packets(eio, &held.body), ["6"], "{held:?}");
        send_text(&mut ws, "5").await;
        send_text(&mut ws, r#"42["room-create","upgraded"]"#).await;
        let reply = expect_text(&mut ws).await;
        assert!(
            reply == r#"42["room-created","upgraded"]"#
                || reply == r#"42["room-exists","upgraded"]"#,
            "{reply}"
        );
        // The upgraded session is the one on n1: polling it is now a bad request there.
        session.addr = n1;
        engine_error(&session.get().await, 400, 3, "Bad request");
        drop(ws);
    }
    assert_eq!(handed_over(n2, "websocket").await, 2.0);
}

#[tokio::test]
async fn a_handed_over_request_is_not_handed_over_again() {
    let cluster = Cluster::start(2).await;
    let session = Polling::connected(cluster.node(0).addr(), 4).await;
    let response = client::request(
        cluster.node(1).addr(),
        "GET",
        &session.path(),
        &["x-switchboard-handover: n9"],
        b"",
    )
    .await;
    engine_error(&response, 400, 1, "Session ID unknown");
}

#[tokio::test]
async fn a_sid_naming_no_live_node_is_unknown() {
    let cluster = Cluster::start(2).await;
    // "nobody" in URL-safe base64, then a secret.
    let path =
        client::path("EIO=4&transport=polling&sid=bm9ib2R5_0123456789abcdef0123456789abcdef");
    engine_error(
        &client::get(cluster.node(1).addr(), &path).await,
        400,
        1,
        "Session ID unknown",
    );
}

#[tokio::test]
async fn a_session_whose_node_died_is_unknown_at_once() {
    let mut cluster = Cluster::start(2).await;
    let mut session = Polling::connected(cluster.node(0).addr(), 4).await;
    cluster.nodes[0].kill9().expect("kill -9 n1");
    session.addr = cluster.node(1).addr();
    // Before and after n1's lease runs out: refused, never held.
    for _ in 0..2 {
        let asked = Instant::now();
        engine_error(&session.get().await, 400, 1, "Session ID unknown");
        assert!(asked.elapsed() < client::TIMEOUT);
        tokio::time::sleep(cluster.lease_wait()).await;
    }
}

/// The seed flow with every client behind nginx round-robin over three nodes.
async fn through_nginx(version: &str) {
    let cluster = Cluster::start(3).await;
    let upstreams: Vec<_> = cluster.nodes.iter().map(|node| node.addr()).collect();
    let nginx = Nginx::start(&upstreams).await;
    let url = format!("http://{}", nginx.addr());
    for transports in ["polling", "websocket", "default"] {
        flow(
            cluster.node(0),
            (url.clone(), url.clone()),
            version,
            transports,
        )
        .await;
    }
    let mut handing_nodes = 0;
    for addr in &upstreams {
        if handed_over(*addr, "polling").await > 0.0 {
            handing_nodes += 1;
        }
    }
    assert!(
        handing_nodes >= 2,
        "polling requests were handed over by {handing_nodes} nodes\n{}",
        nginx.logs()
    );
}

#[tokio::test]
async fn stock_client_4_needs_no_sticky_sessions() {
    through_nginx("4").await;
}

#[tokio::test]
async fn stock_client_2_needs_no_sticky_sessions() {
    through_nginx("2").await;
}
