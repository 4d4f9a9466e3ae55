//! Handshakes: the `open` packet of each version (v4 adds `maxPayload`), the Socket.IO
//! connection of the default namespace (v3: sent by the server on its own, v4: the answer to
//! the client's CONNECT, with the socket id), other namespaces refused, and WebSocket-only
//! sessions (no upgrades offered).

use serde_json::json;

use super::client::{Polling, expect_text, send_text, websocket};
use crate::harness::Server;

const ARGS: &[&str] = &[
    "--socketio-ping-interval",
    "7s",
    "--socketio-ping-timeout",
    "3s",
    "--socketio-max-payload",
    "5000",
];

fn check_open(open: &serde_json::Value, eio: u8, upgrades: serde_json::Value) {
    let sid = open["sid"].as_str().expect("sid is a string");
    assert!(
        !sid.is_empty()
            && sid.len() <= 64
            && sid
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
        "sid is short and URL-safe: {sid:?}"
    );
    let mut expected = json!({
        "sid": sid,
        "upgrades": upgrades,
        "pingInterval": 7000,
        "pingTimeout": 3000,
    });
    if eio == 4 {
        expected["maxPayload"] = json!(5000);
    }
    assert_eq!(open, &expected);
}

#[tokio::test]
async fn polling_handshake_v3_connects_the_default_namespace_on_its_own() {
    let server = Server::start(ARGS);
    let (session, rest) = Polling::open(server.next_addr(), 3).await;
    check_open(&session.open, 3, json!(["websocket"]));
    assert_eq!(rest, ["40"]);
}

#[tokio::test]
async fn polling_handshake_v4_waits_for_connect_and_answers_with_the_socket_id() {
    let server = Server::start(ARGS);
    let (session, rest) = Polling::open(server.next_addr(), 4).await;
    check_open(&session.open, 4, json!(["websocket"]));
    assert!(rest.is_empty(), "{rest:?}");
    // CONNECT with auth.
    session.send(&[r#"40{"token":"abc"}"#]).await;
    let reply = session.poll().await;
    let json = reply[0].strip_prefix("40").expect("CONNECT reply");
    let sid = serde_json::from_str::<serde_json::Value>(json).unwrap()["sid"]
        .as_str()
        .expect("socket id")
        .to_string();
    assert!(!sid.is_empty());
    assert_ne!(sid, session.sid, "the socket id is not the engine sid");
}

#[tokio::test]
async fn other_namespaces_are_refused_in_each_version() {
    let server = Server::start(ARGS);
    let v4 = Polling::connected(server.next_addr(), 4).await;
    v4.send(&["40/admin,"]).await;
    assert_eq!(
        v4.poll().await,
        [r#"44/admin,{"message":"Invalid namespace"}"#]
    );
    let v3 = Polling::connected(server.next_addr(), 3).await;
    v3.send(&["40/admin?token=1,"]).await;
    assert_eq!(v3.poll().await, [r#"44/admin,"Invalid namespace""#]);
    // The default namespace still works.
    v3.send(&[r#"42["hello"]"#]).await;
    assert_eq!(v3.poll().await, [r#"42["error","unknown event: hello"]"#]);
}

#[tokio::test]
async fn websocket_only_sessions_of_both_versions() {
    let server = Server::start(ARGS);
    for eio in [3u8, 4] {
        let mut ws = websocket(
            server.next_addr(),
            &format!("EIO={eio}&transport=websocket"),
        )
        .await;
        let open = expect_text(&mut ws).await;
        let json: serde_json::Value =
            serde_json::from_str(open.strip_prefix('0').expect("open packet")).unwrap();
        check_open(&json, eio, json!([]));
        if eio == 3 {
            assert_eq!(expect_text(&mut ws).await, "40");
        } else {
            send_text(&mut ws, "40").await;
            assert!(expect_text(&mut ws).await.starts_with("40{\"sid\":"));
        }
        send_text(&mut ws, r#"421["hi",1]"#).await;
        assert_eq!(
            expect_text(&mut ws).await,
            r#"42["error","unknown event: hi"]"#
        );
        assert_eq!(
            expect_text(&mut ws).await,
            r#"431[{"error":"unknown event: hi"}]"#
        );
    }
}
