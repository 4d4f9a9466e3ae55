//! Sessions are counted like every dialect's connections (`dialect="socketio"`), refusals
//! by their Engine.IO error, and a drain
//! closes them: a WebSocket with 1001, a held GET with a `close` packet.

use std::time::Duration;

use super::client::{Polling, close_code, expect_text, websocket};
use crate::harness::{Server, eventually, prom, single_node_only};

fn socketio_gauge(metrics: &str, name: &str) -> f64 {
    prom::value(metrics, name, &[("dialect", "socketio")]).unwrap_or(0.0)
}

#[tokio::test]
async fn sessions_are_counted_in_the_metrics() {
    single_node_only!("counts the sessions of one node");
    let server = Server::start(&[]);
    let metrics = server.metrics().await;
    assert_eq!(socketio_gauge(&metrics, "switchboard_connections"), 0.0);
    let session = Polling::connected(server.addr(), 4).await;
    let mut ws = websocket(server.addr(), "EIO=3&transport=websocket").await;
    assert!(expect_text(&mut ws).await.starts_with('0'));
    let metrics = server.metrics().await;
    assert_eq!(socketio_gauge(&metrics, "switchboard_connections"), 2.0);
    assert_eq!(
        socketio_gauge(&metrics, "switchboard_connections_opened_total"),
        2.0
    );
    session.send(&["1"]).await;
    drop(ws);
    eventually("both sessions closed", || async {
        match socketio_gauge(&server.metrics().await, "switchboard_connections") {
            0.0 => Ok(()),
            open => Err(format!("{open} open")),
        }
    })
    .await;
    // Refusals are counted by their Engine.IO error.
    let unknown = super::client::get(
        server.addr(),
        &super::client::path("EIO=4&transport=polling&sid=gone"),
    )
    .await;
    assert_eq!(unknown.status, 400);
    let metrics = server.metrics().await;
    let refused = prom::value(
        &metrics,
        "switchboard_errors_total",
        &[("dialect", "socketio"), ("code", "unknown_sid")],
    );
    assert_eq!(refused, Some(1.0), "{metrics}");
}

#[tokio::test]
async fn a_drain_closes_websockets_with_1001_and_held_polls_with_close() {
    single_node_only!("signals one process");
    let mut server = Server::start(&["--drain-timeout", "3s"]);
    let session = Polling::connected(server.addr(), 3).await;
    let held = tokio::spawn({
        let (addr, path) = (session.addr, session.path());
        async move { super::client::get(addr, &path).await }
    });
    let mut ws = websocket(server.addr(), "EIO=4&transport=websocket").await;
    assert!(expect_text(&mut ws).await.starts_with('0'));
    tokio::time::sleep(Duration::from_millis(200)).await;
    server.sigterm();
    assert_eq!(close_code(&mut ws).await, Some(1001));
    let held = held.await.unwrap();
    assert_eq!(super::client::packets(3, &held.body), ["1"]);
    let status = server.wait_exit(Duration::from_secs(5)).await;
    assert!(status.is_some_and(|status| status.success()), "{status:?}");
}
