//! `--handshake-timeout`: a conference socket that sends neither `room/connect` nor
//! `conference/join` in time, or a Socket.IO 5 session without CONNECT, is closed (1008),
//! so idle half-open sockets do not pile up; one that did is left alone.

use std::time::{Duration, Instant};

use super::counted;
use crate::harness::{Client, Server, frames};
use crate::socketio::client::{Polling, close_code, expect_text, send_text, websocket};

#[tokio::test]
async fn a_conference_socket_without_its_handshake_is_closed_with_1008() {
    let server = Server::start(&["--handshake-timeout", "500ms"]);
    let started = Instant::now();
    let mut idle = Client::connect_labelled(&server, "idle").await;
    let mut junk = Client::connect_labelled(&server, "junk").await;
    let mut connected = Client::connect_labelled(&server, "connected").await;
    let mut joined = Client::connect_labelled(&server, "joined").await;
    junk.send_text("not json").await;
    junk.expect_error("invalid_json", None).await;
    connected.connect_id("r").await;
    joined.join("r", "J").await;

    assert_eq!(idle.expect_close().await, 1008);
    assert_eq!(junk.expect_close().await, 1008);
    assert!(started.elapsed() >= Duration::from_millis(450));
    // Past the deadline, the two that spoke the protocol are still served.
    tokio::time::sleep(Duration::from_millis(300)).await;
    connected.connect_id("r").await;
    joined.join("s", "J").await;
    counted(server.node(idle.node()), "conference", "handshake_timeout").await;
}

#[tokio::test]
async fn zero_turns_the_handshake_deadline_off() {
    let server = Server::start(&["--handshake-timeout", "0"]);
    let mut idle = Client::connect_labelled(&server, "idle").await;
    idle.expect_none(Duration::from_millis(1500)).await;
    idle.send_json(frames::connect("r")).await;
    idle.expect("room", "connectResponse").await;
}

#[tokio::test]
async fn a_socketio_5_polling_session_without_connect_is_ended() {
    let server = Server::start(&["--handshake-timeout", "500ms"]);
    let started = Instant::now();
    let (v4, rest) = Polling::open(server.addr(), 4).await;
    assert!(rest.is_empty());
    let v3 = Polling::connected(server.addr(), 3).await;
    // The held poll is answered with the close packet when the session ends.
    assert_eq!(v4.poll().await, ["1"]);
    assert!(started.elapsed() >= Duration::from_millis(450));
    assert_eq!(v4.get().await.status, 400);
    // A protocol 4 client is connected by the server: no deadline.
    v3.send(&["2"]).await;
    assert_eq!(v3.poll().await, ["3"]);
    counted(server.node(0), "socketio", "handshake_timeout").await;
}

#[tokio::test]
async fn a_socketio_websocket_without_connect_is_closed_with_1008() {
    let server = Server::start(&["--handshake-timeout", "500ms"]);
    let mut silent = websocket(server.addr(), "EIO=4&transport=websocket").await;
    let mut connected = websocket(server.addr(), "EIO=4&transport=websocket").await;
    for ws in [&mut silent, &mut connected] {
        assert!(expect_text(ws).await.starts_with("0{"), "the OPEN packet");
    }
    send_text(&mut connected, "40").await;
    assert!(
        expect_text(&mut connected).await.starts_with("40{"),
        "CONNECT answered"
    );
    assert_eq!(close_code(&mut silent).await, Some(1008));
    // The one that connected in time is still served.
    send_text(&mut connected, r#"42["room-join","r"]"#).await;
    assert!(expect_text(&mut connected).await.starts_with("42["));
    counted(server.node(0), "socketio", "handshake_timeout").await;
}
