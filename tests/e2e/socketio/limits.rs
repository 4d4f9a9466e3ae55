//! Policy: CORS (the origin reflected by default; with `--socketio-cors-origins`, other
//! origins refused with Engine.IO's 403 code 4, WebSockets included), one POST in flight per
//! session (a second one is a bad request that ends the session, as in engine.io), and
//! protocol 5 clients that never send CONNECT are closed after the interval plus timeout.

use std::time::{Duration, Instant};

use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use super::client::{
    Polling, close_code, engine_error, expect_text, path, request, send_text, websocket,
};
use crate::harness::Server;

const HANDSHAKE: &str = "EIO=4&transport=polling";

#[tokio::test]
async fn the_origin_is_reflected_by_default() {
    let server = Server::start(&[]);
    let response = request(
        server.next_addr(),
        "GET",
        &path(HANDSHAKE),
        &["Origin: https://app.example"],
        b"",
    )
    .await;
    assert_eq!(response.status, 200, "{response:?}");
    assert_eq!(
        response.header("access-control-allow-origin"),
        Some("https://app.example")
    );
    // socket.io-client 2.x polls `withCredentials` by default.
    assert_eq!(
        response.header("access-control-allow-credentials"),
        Some("true")
    );
    let preflight = request(
        server.next_addr(),
        "OPTIONS",
        &path(HANDSHAKE),
        &[
            "Origin: https://app.example",
            "Access-Control-Request-Method: POST",
            "Access-Control-Request-Headers: content-type",
        ],
        b"",
    )
    .await;
    assert_eq!(preflight.status, 200, "{preflight:?}");
    assert_eq!(
        preflight.header("access-control-allow-origin"),
        Some("https://app.example")
    );
}

#[tokio::test]
async fn an_origin_list_refuses_other_origins_with_code_4() {
    let server = Server::start(&[
        "--socketio-cors-origins",
        "https://a.example,https://b.example",
    ]);
    let addr = server.next_addr();
    let allowed = request(
        addr,
        "GET",
        &path(HANDSHAKE),
        &["Origin: https://b.example"],
        b"",
    )
    .await;
    assert_eq!(allowed.status, 200, "{allowed:?}");
    assert_eq!(
        allowed.header("access-control-allow-origin"),
        Some("https://b.example")
    );
    let refused = request(
        addr,
        "GET",
        &path(HANDSHAKE),
        &["Origin: https://evil.example"],
        b"",
    )
    .await;
    engine_error(&refused, 403, 4, "Forbidden");
    let upgrade = request(
        addr,
        "GET",
        &path("EIO=4&transport=websocket"),
        &[
            "Origin: https://evil.example",
            "Upgrade: websocket",
            "Connection: Upgrade",
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
            "Sec-WebSocket-Version: 13",
        ],
        b"",
    )
    .await;
    engine_error(&upgrade, 403, 4, "Forbidden");
    // Without an Origin (not a browser): served.
    let (session, _) = Polling::open(addr, 4).await;
    assert!(!session.sid.is_empty());
}

#[tokio::test]
async fn a_second_post_in_flight_is_a_bad_request_and_ends_the_session() {
    let server = Server::start(&[]);
    let session = Polling::connected(server.next_addr(), 4).await;
    // A POST whose body is announced but not all sent: in flight.
    let mut slow = TcpStream::connect(session.addr).await.unwrap();
    let head = format!(
        "POST {} HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\n42[",
        session.path()
    );
    slow.write_all(head.as_bytes()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let second = session.post(r#"42["x"]"#).await;
    engine_error(&second, 400, 3, "Bad request");
    engine_error(&session.get().await, 400, 1, "Session ID unknown");
}

#[tokio::test]
async fn a_v4_client_that_never_connects_is_closed() {
    let server = Server::start(&[
        "--socketio-ping-interval",
        "300ms",
        "--socketio-ping-timeout",
        "300ms",
        "--handshake-timeout",
        "600ms",
    ]);
    let started = Instant::now();
    let mut ws = websocket(server.next_addr(), "EIO=4&transport=websocket").await;
    assert!(expect_text(&mut ws).await.starts_with('0'));
    // Heartbeats answered, but no CONNECT.
    assert_eq!(expect_text(&mut ws).await, "2");
    send_text(&mut ws, "3").await;
    assert_eq!(close_code(&mut ws).await, Some(1008));
    assert!(started.elapsed() >= Duration::from_millis(550));
}
