//! Refused requests get Engine.IO's JSON errors (unknown sid 1, bad transport 0, a handshake
//! that is not a GET 2, bad request 3, unsupported version 5); a payload over
//! `--socketio-max-payload` ends the session (413 on polling, 1009 on a WebSocket); binary
//! events and malformed packets get the `error` event and the socket stays.

use super::client::{
    Polling, close_code, engine_error, expect_text, get, path, post, request, send_binary,
    send_text, websocket,
};
use crate::harness::Server;

#[tokio::test]
async fn refused_requests_get_engine_io_errors() {
    let server = Server::start(&[]);
    let addr = server.next_addr();
    let unknown = get(addr, &path("EIO=4&transport=polling&sid=nosuchsession")).await;
    engine_error(&unknown, 400, 1, "Session ID unknown");
    let unknown = post(
        addr,
        &path("EIO=3&transport=polling&sid=nosuchsession"),
        "1:2",
    )
    .await;
    engine_error(&unknown, 400, 1, "Session ID unknown");
    for query in [
        "EIO=4&transport=carrier-pigeon",
        "EIO=4",
        "EIO=4&transport=polling&j=1",
    ] {
        engine_error(&get(addr, &path(query)).await, 400, 0, "Transport unknown");
    }
    for query in [
        "EIO=2&transport=polling",
        "transport=polling",
        "EIO=5&transport=websocket",
    ] {
        engine_error(
            &get(addr, &path(query)).await,
            400,
            5,
            "Unsupported protocol version",
        );
    }
    let handshake_post = post(addr, &path("EIO=4&transport=polling"), "40").await;
    engine_error(&handshake_post, 400, 2, "Bad handshake method");
    // transport=websocket without an upgrade, and a repeated sid.
    engine_error(
        &get(addr, &path("EIO=4&transport=websocket")).await,
        400,
        3,
        "Bad request",
    );
    engine_error(
        &get(addr, &path("EIO=4&transport=polling&sid=a&sid=b")).await,
        400,
        3,
        "Bad request",
    );
    // A session's requests with another method.
    let session = Polling::connected(addr, 4).await;
    let put = request(addr, "PUT", &session.path(), &[], b"").await;
    engine_error(&put, 400, 3, "Bad request");
}

#[tokio::test]
async fn a_post_over_the_limit_is_413_and_ends_the_session() {
    let server = Server::start(&["--socketio-max-payload", "1000"]);
    for eio in [3u8, 4] {
        let session = Polling::connected(server.next_addr(), eio).await;
        // At the limit: fine.
        let event = format!(r#"42["x","{}"]"#, "a".repeat(900));
        session.send(&[&event]).await;
        assert_eq!(session.poll().await, [r#"42["error","unknown event: x"]"#]);
        let big = format!(r#"42["x","{}"]"#, "a".repeat(2000));
        let response = session.post(&super::client::payload(eio, &[&big])).await;
        assert_eq!(response.status, 413, "{response:?}");
        engine_error(&session.get().await, 400, 1, "Session ID unknown");
    }
}

#[tokio::test]
async fn a_websocket_message_over_the_limit_closes_with_1009() {
    let server = Server::start(&["--socketio-max-payload", "1000"]);
    let mut ws = websocket(server.next_addr(), "EIO=3&transport=websocket").await;
    assert!(expect_text(&mut ws).await.starts_with('0'));
    assert_eq!(expect_text(&mut ws).await, "40");
    send_text(&mut ws, &format!(r#"42["x","{}"]"#, "a".repeat(2000))).await;
    assert_eq!(close_code(&mut ws).await, Some(1009));
}

#[tokio::test]
async fn binary_events_get_the_error_event_and_the_socket_stays() {
    let server = Server::start(&[]);
    // Polling, both versions: the attachment as a base64 record.
    for (eio, attachment) in [(3u8, "b4AQID"), (4, "bAQID")] {
        let session = Polling::connected(server.next_addr(), eio).await;
        session
            .send(&[
                r#"451-["upload",{"_placeholder":true,"num":0}]"#,
                attachment,
                r#"42["after"]"#,
            ])
            .await;
        assert_eq!(
            session.poll().await,
            [
                r#"42["error","binary events are not supported"]"#,
                r#"42["error","unknown event: after"]"#,
            ],
            "EIO={eio}"
        );
    }
    // WebSocket, v4: the attachment as a binary frame; v3: with its type byte first.
    for (eio, attachment) in [(4u8, vec![1u8, 2, 3]), (3, vec![4u8, 1, 2, 3])] {
        let mut ws = websocket(
            server.next_addr(),
            &format!("EIO={eio}&transport=websocket"),
        )
        .await;
        assert!(expect_text(&mut ws).await.starts_with('0'));
        if eio == 4 {
            send_text(&mut ws, "40").await;
        }
        assert!(expect_text(&mut ws).await.starts_with("40"));
        send_text(&mut ws, r#"451-9["upload",{"_placeholder":true,"num":0}]"#).await;
        send_binary(&mut ws, &attachment).await;
        assert_eq!(
            expect_text(&mut ws).await,
            r#"42["error","binary events are not supported"]"#
        );
        assert_eq!(
            expect_text(&mut ws).await,
            r#"439[{"error":"binary events are not supported"}]"#,
            "the client waiting on its callback gets an answer"
        );
        // A binary message nobody announced.
        send_binary(&mut ws, &attachment).await;
        assert!(expect_text(&mut ws).await.starts_with(r#"42["error","#));
        send_text(&mut ws, r#"42["after"]"#).await;
        assert_eq!(
            expect_text(&mut ws).await,
            r#"42["error","unknown event: after"]"#
        );
    }
}

#[tokio::test]
async fn malformed_socketio_packets_get_the_error_event() {
    let server = Server::start(&[]);
    let session = Polling::connected(server.next_addr(), 4).await;
    session
        .send(&[r#"42{"not":"an array"}"#, "42[", "49", r#"42["ok"]"#])
        .await;
    let replies = session.poll().await;
    assert_eq!(replies.len(), 4, "{replies:?}");
    for reply in &replies[..3] {
        assert!(
            reply.starts_with(r#"42["error","invalid packet: "#),
            "{reply}"
        );
    }
    assert_eq!(replies[3], r#"42["error","unknown event: ok"]"#);
}

#[tokio::test]
async fn a_malformed_engine_io_payload_is_a_bad_request_and_ends_the_session() {
    let server = Server::start(&[]);
    let session = Polling::connected(server.next_addr(), 3).await;
    let response = session.post("5:42[").await;
    engine_error(&response, 400, 3, "Bad request");
    engine_error(&session.get().await, 400, 1, "Session ID unknown");
}
