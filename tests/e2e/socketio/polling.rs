//! Long-polling: a POST's events are answered on the next GET (`error` for an unknown
//! event, and the ack when the client asked for one), a GET with nothing to send is held
//! until there is something, only one GET may be in flight, and v3 clients may POST the
//! XHR2 binary payload (v4 ones may not).

use std::time::{Duration, Instant};

use super::client::{Polling, engine_error};
use crate::harness::Server;

#[tokio::test]
async fn post_and_get_round_trip_in_both_versions() {
    let server = Server::start(&[]);
    for eio in [3u8, 4] {
        let session = Polling::connected(server.next_addr(), eio).await;
        // Two packets in one POST, multi-byte text included.
        session
            .send(&[r#"42["caf\u00e9","€😀"]"#, r#"4212["ping?",{"a":[1,2]}]"#])
            .await;
        assert_eq!(
            session.poll().await,
            [
                r#"42["error","unknown event: café"]"#,
                r#"42["error","unknown event: ping?"]"#,
                r#"4312[{"error":"unknown event: ping?"}]"#,
            ],
            "EIO={eio}"
        );
    }
}

#[tokio::test]
async fn a_held_get_is_answered_when_a_packet_comes() {
    let server = Server::start(&[]);
    let session = Polling::connected(server.next_addr(), 4).await;
    let started = Instant::now();
    let held = tokio::spawn({
        let (addr, path) = (session.addr, session.path());
        async move { super::client::get(addr, &path).await }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !held.is_finished(),
        "the GET is held while there is nothing"
    );
    session.send(&[r#"42["x"]"#]).await;
    let response = held.await.unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(response.body, r#"42["error","unknown event: x"]"#);
    assert!(started.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn a_held_get_gets_a_noop_after_the_ping_interval_in_v3() {
    let server = Server::start(&[
        "--socketio-ping-interval",
        "400ms",
        "--socketio-ping-timeout",
        "5s",
    ]);
    let session = Polling::connected(server.next_addr(), 3).await;
    let started = Instant::now();
    assert_eq!(session.poll().await, ["6"]);
    assert!(started.elapsed() >= Duration::from_millis(350));
}

#[tokio::test]
async fn a_second_concurrent_get_is_a_bad_request_and_ends_the_session() {
    let server = Server::start(&[]);
    for eio in [3u8, 4] {
        let session = Polling::connected(server.next_addr(), eio).await;
        let first = tokio::spawn({
            let (addr, path) = (session.addr, session.path());
            async move { super::client::get(addr, &path).await }
        });
        tokio::time::sleep(Duration::from_millis(200)).await;
        let second = session.get().await;
        engine_error(&second, 400, 3, "Bad request");
        // The held GET ends with a close packet, and the session is gone.
        let first = first.await.unwrap();
        assert_eq!(first.status, 200);
        assert_eq!(super::client::packets(eio, &first.body), ["1"], "EIO={eio}");
        engine_error(&session.get().await, 400, 1, "Session ID unknown");
    }
}

#[tokio::test]
async fn a_close_packet_ends_the_session() {
    let server = Server::start(&[]);
    let session = Polling::connected(server.next_addr(), 4).await;
    session.send(&["1"]).await;
    engine_error(&session.get().await, 400, 1, "Session ID unknown");
}

#[tokio::test]
async fn a_socketio_disconnect_ends_the_session() {
    let server = Server::start(&[]);
    for eio in [3u8, 4] {
        // The stock client's way: DISCONNECT, then the Engine.IO close, both answered `ok`.
        let session = Polling::connected(server.next_addr(), eio).await;
        session.send(&["41"]).await;
        session.send(&["1"]).await;
        engine_error(&session.get().await, 400, 1, "Session ID unknown");
        // Without the close, the session ends shortly after; events meanwhile are dropped.
        let session = Polling::connected(server.next_addr(), eio).await;
        session.send(&["41", r#"42["late"]"#]).await;
        let started = Instant::now();
        let last = session.get().await;
        assert_eq!(last.status, 200, "{last:?}");
        assert_eq!(super::client::packets(eio, &last.body), ["1"]);
        assert!(started.elapsed() < Duration::from_secs(3));
        engine_error(&session.get().await, 400, 1, "Session ID unknown");
    }
}

#[tokio::test]
async fn v3_clients_may_post_the_xhr2_binary_payload() {
    let server = Server::start(&[]);
    let session = Polling::connected(server.next_addr(), 3).await;
    // Records: `0` (text) or `1` (binary), the length as digit bytes, 0xFF, the packet. A
    // binary event (40 characters), its attachment (a message: type byte 4 and 3 bytes),
    // then an event.
    let mut body = vec![0u8, 4, 0, 0xff];
    body.extend_from_slice(br#"451-["up",{"_placeholder":true,"num":0}]"#);
    body.extend_from_slice(&[1, 4, 0xff, 4, 1, 2, 3]);
    body.extend_from_slice(&[0, 8, 0xff]);
    body.extend_from_slice(br#"42["xy"]"#);
    let response = super::client::request(
        session.addr,
        "POST",
        &session.path(),
        &["Content-Type: application/octet-stream"],
        &body,
    )
    .await;
    assert_eq!(response.status, 200, "{response:?}");
    assert_eq!(
        session.poll().await,
        [
            r#"42["error","binary events are not supported"]"#,
            r#"42["error","unknown event: xy"]"#,
        ]
    );
}

#[tokio::test]
async fn a_binary_post_from_a_v4_client_is_a_bad_request() {
    let server = Server::start(&[]);
    let session = Polling::connected(server.next_addr(), 4).await;
    let response = super::client::request(
        session.addr,
        "POST",
        &session.path(),
        &["Content-Type: application/octet-stream"],
        b"\x00\x01\xff2",
    )
    .await;
    engine_error(&response, 400, 3, "Bad request");
    engine_error(&session.get().await, 400, 1, "Session ID unknown");
}
