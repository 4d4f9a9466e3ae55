//! The polling → WebSocket upgrade, as engine.io-client does it: a WebSocket with the sid,
//! `2probe` → `3probe`, the held GET ends with a `noop`, then `5` moves the session to the
//! socket (what was queued for polling included); polling on the upgraded session is a bad
//! request. A probe that goes wrong is dropped and the session keeps polling.

use std::time::Duration;

use super::client::{Polling, engine_error, expect_text, next_text, send_text, websocket};
use crate::harness::Server;

#[tokio::test]
async fn polling_upgrades_to_websocket_in_both_versions() {
    let server = Server::start(&[]);
    for eio in [3u8, 4] {
        let session = Polling::connected(server.next_addr(), eio).await;
        let held = tokio::spawn({
            let (addr, path) = (session.addr, session.path());
            async move { super::client::get(addr, &path).await }
        });
        tokio::time::sleep(Duration::from_millis(100)).await;
        let query = format!("EIO={eio}&transport=websocket&sid={}", session.sid);
        let mut ws = websocket(session.addr, &query).await;
        send_text(&mut ws, "2probe").await;
        assert_eq!(expect_text(&mut ws).await, "3probe");
        let held = held.await.unwrap();
        assert_eq!(
            super::client::packets(eio, &held.body),
            ["6"],
            "the held GET ends with a noop"
        );
        // An event posted before the switch is answered on the socket after it.
        session.send(&[r#"42["before"]"#]).await;
        send_text(&mut ws, "5").await;
        assert_eq!(
            expect_text(&mut ws).await,
            r#"42["error","unknown event: before"]"#
        );
        send_text(&mut ws, r#"427["after"]"#).await;
        assert_eq!(
            expect_text(&mut ws).await,
            r#"42["error","unknown event: after"]"#
        );
        assert_eq!(
            expect_text(&mut ws).await,
            r#"437[{"error":"unknown event: after"}]"#
        );
        engine_error(&session.get().await, 400, 3, "Bad request");
        // The session lives on, on the socket.
        send_text(&mut ws, r#"42["still"]"#).await;
        assert_eq!(
            expect_text(&mut ws).await,
            r#"42["error","unknown event: still"]"#
        );
    }
}

#[tokio::test]
async fn a_bad_probe_is_dropped_and_polling_goes_on() {
    let server = Server::start(&[]);
    let session = Polling::connected(server.next_addr(), 4).await;
    let query = format!("EIO=4&transport=websocket&sid={}", session.sid);
    let mut ws = websocket(session.addr, &query).await;
    send_text(&mut ws, r#"42["not a probe"]"#).await;
    assert_eq!(next_text(&mut ws).await, None, "the probe socket is closed");
    session.send(&[r#"42["polling"]"#]).await;
    assert_eq!(
        session.poll().await,
        [r#"42["error","unknown event: polling"]"#]
    );
}

#[tokio::test]
async fn an_upgrade_of_an_unknown_session_is_refused() {
    let server = Server::start(&[]);
    let response = super::client::request(
        server.next_addr(),
        "GET",
        &super::client::path("EIO=4&transport=websocket&sid=nosuchsession"),
        &[
            "Upgrade: websocket",
            "Connection: Upgrade",
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
            "Sec-WebSocket-Version: 13",
        ],
        b"",
    )
    .await;
    engine_error(&response, 400, 1, "Session ID unknown");
}
