//! Heartbeats per version: v3 clients ping and get a pong, and a v3 client silent for
//! `pingInterval + pingTimeout` is dropped; v4 servers ping every `pingInterval`, a pong
//! keeps the session, and no pong within `pingTimeout` drops it. On WebSockets as on polling.

use std::time::{Duration, Instant};

use super::client::{Polling, engine_error, expect_text, next_text, send_text, websocket};
use crate::harness::Server;

const ARGS: &[&str] = &[
    "--socketio-ping-interval",
    "400ms",
    "--socketio-ping-timeout",
    "300ms",
];

#[tokio::test]
async fn v3_client_pings_are_answered_and_keep_the_session() {
    let server = Server::start(ARGS);
    let session = Polling::connected(server.next_addr(), 3).await;
    // Several intervals, pinging on time: the session stays.
    for _ in 0..4 {
        tokio::time::sleep(Duration::from_millis(300)).await;
        session.send(&["2"]).await;
        assert_eq!(session.poll().await, ["3"]);
    }
    session.send(&["2probe"]).await;
    assert_eq!(session.poll().await, ["3probe"]);
}

#[tokio::test]
async fn a_silent_v3_client_is_dropped_after_interval_plus_timeout() {
    let server = Server::start(ARGS);
    let session = Polling::connected(server.next_addr(), 3).await;
    let started = Instant::now();
    tokio::time::sleep(Duration::from_millis(1000)).await;
    engine_error(&session.get().await, 400, 1, "Session ID unknown");
    assert!(started.elapsed() >= Duration::from_millis(700));
}

#[tokio::test]
async fn v4_server_pings_and_pongs_keep_the_session() {
    let server = Server::start(ARGS);
    let session = Polling::connected(server.next_addr(), 4).await;
    for _ in 0..3 {
        let started = Instant::now();
        assert_eq!(session.poll().await, ["2"], "the server's ping");
        assert!(started.elapsed() <= Duration::from_millis(600));
        session.send(&["3"]).await;
    }
}

#[tokio::test]
async fn a_v4_client_that_does_not_pong_is_dropped() {
    let server = Server::start(ARGS);
    let session = Polling::connected(server.next_addr(), 4).await;
    assert_eq!(session.poll().await, ["2"]);
    // No pong: gone after the timeout.
    tokio::time::sleep(Duration::from_millis(600)).await;
    engine_error(&session.get().await, 400, 1, "Session ID unknown");
}

#[tokio::test]
async fn heartbeats_on_websockets() {
    let server = Server::start(ARGS);
    // v4: pinged, pong, pinged again; then silence closes the socket.
    let mut ws = websocket(server.next_addr(), "EIO=4&transport=websocket").await;
    assert!(expect_text(&mut ws).await.starts_with('0'));
    send_text(&mut ws, "40").await;
    assert!(expect_text(&mut ws).await.starts_with("40{"));
    assert_eq!(expect_text(&mut ws).await, "2");
    send_text(&mut ws, "3").await;
    assert_eq!(expect_text(&mut ws).await, "2");
    let started = Instant::now();
    assert_eq!(next_text(&mut ws).await, None, "closed for want of a pong");
    assert!(started.elapsed() >= Duration::from_millis(200));

    // v3: the client pings.
    let mut ws = websocket(server.next_addr(), "EIO=3&transport=websocket").await;
    assert!(expect_text(&mut ws).await.starts_with('0'));
    assert_eq!(expect_text(&mut ws).await, "40");
    send_text(&mut ws, "2").await;
    assert_eq!(expect_text(&mut ws).await, "3");
    let started = Instant::now();
    assert_eq!(next_text(&mut ws).await, None, "closed for want of a ping");
    assert!(started.elapsed() >= Duration::from_millis(600));
}
