//! The limits in the `rooms` dialect (Socket.IO): the `error` event `rate_limited: …`,
//! `too_many_rooms: …` and `room_full: …`, each leaving the socket working; a WebSocket
//! that keeps flooding is closed with 1008, a polling session is ended.

use std::time::Duration;

use super::flood::Flood;
use super::{counted, flooding_server};
use crate::harness::Server;
use crate::rooms::raw::Peer;
use crate::socketio::client::Polling;

/// Asserts the next packet is the `error` event starting with `code:`.
async fn expect_error(peer: &mut Peer, code: &str) -> String {
    let packet = peer.next().await;
    let prefix = format!(r#"42["error","{code}: "#);
    assert!(packet.starts_with(&prefix), "{packet}");
    packet
}

#[tokio::test]
async fn excess_events_are_dropped_with_one_rate_limited_error_and_the_socket_stays() {
    let server = Server::start(&["--max-msgs-per-sec", "5", "--msgs-burst", "5"]);
    let addr = server.addr();
    let mut a = Peer::websocket(addr, 4).await;
    let mut b = Peer::websocket(addr, 4).await;
    // CONNECT took a token from each; create and join one more.
    a.emit(r#"["room-create","r"]"#).await;
    a.expect(r#"["room-created","r"]"#).await;
    b.emit(r#"["room-join","r"]"#).await;
    b.next().await;
    a.next().await;

    let to_b = |n: usize| format!(r#"["signal-send","r","{}",{n}]"#, b.id);
    for n in 0..20 {
        a.emit(&to_b(n)).await;
    }
    expect_error(&mut a, "rate_limited").await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    a.emit(&to_b(99)).await;
    let mut relayed = 0;
    while b.next().await != format!(r#"42["signal-receive","r","{}",99]"#, a.id) {
        relayed += 1;
    }
    assert!((1..10).contains(&relayed), "{relayed} of 20 relayed");
    counted(server.node(0), "socketio", "rate_limited").await;
}

#[tokio::test]
async fn too_many_rooms_and_room_full_are_refused_and_the_socket_stays() {
    let server = Server::start(&["--max-rooms-per-conn", "2", "--max-room-members", "2"]);
    let addr = server.addr();
    let mut a = Peer::websocket(addr, 4).await;
    for room in ["r1", "r2"] {
        a.emit(&format!(r#"["room-create","{room}"]"#)).await;
        a.expect(&format!(r#"["room-created","{room}"]"#)).await;
    }
    a.emit(r#"["room-create","r3"]"#).await;
    expect_error(&mut a, "too_many_rooms").await;

    let mut b = Peer::polling(addr, 4).await;
    b.emit(r#"["room-join","r1"]"#).await;
    b.expect(&format!(r#"["room-joined","r1","{0}",["{0}"]]"#, a.id))
        .await;
    a.expect(&format!(r#"["client-joined","r1","{}"]"#, b.id))
        .await;
    let mut c = Peer::polling(addr, 3).await;
    c.emit(r#"["room-join","r1"]"#).await;
    expect_error(&mut c, "room_full").await;
    // Both sockets are still served.
    c.emit(r#"["room-create","c1"]"#).await;
    c.expect(r#"["room-created","c1"]"#).await;
    a.emit(r#"["room-leave","r2"]"#).await;
    a.expect(r#"["room-left","r2",false]"#).await;
    a.emit(r#"["room-create","r3"]"#).await;
    a.expect(r#"["room-created","r3"]"#).await;
    counted(server.node(0), "socketio", "too_many_rooms").await;
    counted(server.node(0), "socketio", "room_full").await;
}

#[tokio::test]
async fn a_websocket_that_keeps_flooding_is_closed_with_1008() {
    let server = flooding_server();
    let addr = server.addr();
    let flood = Flood {
        url: format!("ws://{addr}/socket.io/?EIO=4&transport=websocket"),
        setup: &["40".to_owned()],
        message: r#"42["room-leave","r"]"#.to_owned(),
        every: Duration::from_millis(20),
        batch: 1,
        give_up: Duration::from_secs(10),
    };
    let flooded = flood.run().await;
    assert_eq!(flooded.close, Some(1008), "{:?}", flooded.texts);
    assert!(flooded.elapsed >= Duration::from_millis(1800));
    let errors = flooded
        .texts
        .iter()
        .filter(|t| t.starts_with(r#"42["error","rate_limited: "#))
        .count();
    assert!((1..=4).contains(&errors), "{:?}", flooded.texts);
    counted(server.node(0), "socketio", "rate_limit_close").await;
}

#[tokio::test]
async fn a_polling_session_that_keeps_flooding_is_ended() {
    let server = flooding_server();
    let session = Polling::connected(server.addr(), 4).await;
    let started = std::time::Instant::now();
    let packets = [r#"42["room-leave","r"]"#; 5];
    loop {
        let response = session
            .post(&crate::socketio::client::payload(4, &packets))
            .await;
        if response.status != 200 {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "never ended");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(started.elapsed() >= Duration::from_millis(1800));
    assert_eq!(session.get().await.status, 400, "the session is gone");
    counted(server.node(0), "socketio", "rate_limit_close").await;
}
