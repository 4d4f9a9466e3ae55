//! The PeerJS HTTP API: `GET <path>` is peerjs-server's info object, `<path><key>/id` a fresh
//! v4 UUID, `<path><key>/peers` the connected ids when discovery is on (401 otherwise or
//! with a wrong key); CORS reflects any origin unless `--peerjs-cors-origins` lists them;
//! `--peerjs-path` moves the API and the WebSocket together.

use std::collections::HashSet;

use serde_json::{Value, json};

use super::client::{KEY, PeerClient, query, relayed, try_upgrade, ws_url};
use crate::harness::{Server, eventually, http, is_uuid_v4};

fn info() -> Value {
    json!({
        "name": "PeerJS Server",
        "description": "A server side element to broker connections between PeerJS clients.",
        "website": "https://peerjs.com/"
    })
}

async fn get(server: &Server, path: &str) -> http::Response {
    get_from(server, path, &[]).await
}

async fn get_from(server: &Server, path: &str, headers: &[&str]) -> http::Response {
    http::get_with(server.addr(), path, headers)
        .await
        .unwrap_or_else(|err| panic!("GET {path}: {err}\n{}", server.logs()))
}

fn json_body(response: &http::Response, what: &str) -> Value {
    serde_json::from_str(&response.body)
        .unwrap_or_else(|err| panic!("{what}: body is not JSON ({err}): {response:?}"))
}

fn assert_info(response: &http::Response, what: &str) {
    assert_eq!(response.status, 200, "{what}: {response:?}");
    assert!(
        response
            .header("content-type")
            .is_some_and(|value| value.starts_with("application/json")),
        "{what}: content-type: {response:?}"
    );
    assert_eq!(json_body(response, what), info(), "{what}");
}

fn assert_fresh_ids(bodies: &[String], what: &str) {
    for body in bodies {
        assert!(is_uuid_v4(body), "{what}: not a v4 UUID: {body:?}");
    }
    let distinct: HashSet<&String> = bodies.iter().collect();
    assert_eq!(
        distinct.len(),
        bodies.len(),
        "{what}: repeated ids {bodies:?}"
    );
}

#[tokio::test]
async fn root_is_the_peerjs_server_info() {
    let server = Server::start(&[]);
    assert_info(&get(&server, "/").await, "GET /");
}

#[tokio::test]
async fn id_is_a_fresh_v4_uuid_on_every_call() {
    let server = Server::start(&[]);
    let mut bodies = Vec::new();
    for _ in 0..5 {
        let response = get(&server, "/peerjs/id").await;
        assert_eq!(response.status, 200, "GET /peerjs/id: {response:?}");
        bodies.push(response.body);
    }
    assert_fresh_ids(&bodies, "GET /peerjs/id");
}

#[tokio::test]
async fn a_wrong_key_is_401() {
    let server = Server::start(&["--peerjs-allow-discovery", "true"]);
    for path in ["/wrong/id", "/wrong/peers", "/PEERJS/id"] {
        let response = get(&server, path).await;
        assert_eq!(response.status, 401, "GET {path}: {response:?}");
    }
    // A custom key: the default one is now wrong.
    let server = Server::start(&["--peerjs-key", "s3cret"]);
    assert_eq!(get(&server, "/peerjs/id").await.status, 401, "default key");
    let response = get(&server, "/s3cret/id").await;
    assert_eq!(response.status, 200, "custom key: {response:?}");
    assert!(is_uuid_v4(&response.body), "{response:?}");
}

#[tokio::test]
async fn peers_is_401_without_discovery() {
    let server = Server::start(&[]);
    let _a = PeerClient::open(server.next_addr(), "a", "ta").await;
    let response = get(&server, "/peerjs/peers").await;
    assert_eq!(response.status, 401, "discovery off: {response:?}");
    let server = Server::start(&["--peerjs-allow-discovery", "false"]);
    let response = get(&server, "/peerjs/peers").await;
    assert_eq!(response.status, 401, "discovery false: {response:?}");
}

/// The ids of `GET /peerjs/peers`, sorted (the order is not part of the contract).
async fn listed(server: &Server) -> Result<Vec<String>, String> {
    let response = get(server, "/peerjs/peers").await;
    if response.status != 200 {
        return Err(format!("{response:?}"));
    }
    let ids: Vec<String> = serde_json::from_str(&response.body)
        .map_err(|err| format!("not a JSON array of strings ({err}): {response:?}"))?;
    let mut ids = ids;
    ids.sort();
    Ok(ids)
}

#[tokio::test]
async fn peers_lists_the_connected_ids_with_discovery() {
    let server = Server::start(&["--peerjs-allow-discovery", "true"]);
    let response = get(&server, "/peerjs/peers").await;
    assert_eq!(response.status, 200, "{response:?}");
    assert!(
        response
            .header("content-type")
            .is_some_and(|value| value.starts_with("application/json")),
        "{response:?}"
    );
    assert_eq!(json_body(&response, "no peers"), json!([]));

    let a = PeerClient::open(server.next_addr(), "alice", "ta").await;
    let b = PeerClient::open(server.next_addr(), "bob", "tb").await;
    let c = PeerClient::open(server.next_addr(), "carol", "tc").await;
    // Claimed before OPEN: listed at once.
    assert_eq!(
        listed(&server).await,
        Ok(vec!["alice".into(), "bob".into(), "carol".into()])
    );
    // A refused connection is not listed.
    let mut taken = PeerClient::connect(server.next_addr(), "zed", "").await;
    taken.expect_error().await;
    assert_eq!(
        listed(&server).await,
        Ok(vec!["alice".into(), "bob".into(), "carol".into()])
    );

    b.close().await;
    eventually("bob is no longer listed", || async {
        match listed(&server).await {
            Ok(ids) if ids == ["alice", "carol"] => Ok(()),
            other => Err(format!("{other:?}")),
        }
    })
    .await;
    drop((a, c));
}

#[tokio::test]
async fn cors_reflects_any_origin_by_default() {
    let server = Server::start(&["--peerjs-allow-discovery", "true"]);
    for path in ["/", "/peerjs/id", "/peerjs/peers"] {
        let response = get_from(&server, path, &["Origin: http://a.example"]).await;
        assert_eq!(response.status, 200, "GET {path}: {response:?}");
        assert_eq!(
            response.header("access-control-allow-origin"),
            Some("http://a.example"),
            "GET {path}: {response:?}"
        );
    }
}

#[tokio::test]
async fn cors_origins_allow_only_the_listed_origins() {
    let server = Server::start(&["--peerjs-cors-origins", "http://b.example,http://c.example"]);
    for origin in ["http://b.example", "http://c.example"] {
        let response = get_from(&server, "/", &[&format!("Origin: {origin}")]).await;
        assert_eq!(response.status, 200, "{origin}: {response:?}");
        assert_eq!(
            response.header("access-control-allow-origin"),
            Some(origin),
            "{origin}: {response:?}"
        );
    }
    for path in ["/", "/peerjs/id"] {
        let response = get_from(&server, path, &["Origin: http://a.example"]).await;
        assert_eq!(
            response.header("access-control-allow-origin"),
            None,
            "GET {path} from an unlisted origin: {response:?}"
        );
    }
}

#[tokio::test]
async fn a_custom_path_moves_the_api_and_the_websocket() {
    let server = Server::start(&["--peerjs-path", "/myapp"]);
    assert_info(&get(&server, "/myapp").await, "GET /myapp");
    assert_info(&get(&server, "/myapp/").await, "GET /myapp/");
    let mut bodies = Vec::new();
    for _ in 0..2 {
        let response = get(&server, "/myapp/peerjs/id").await;
        assert_eq!(response.status, 200, "GET /myapp/peerjs/id: {response:?}");
        bodies.push(response.body);
    }
    assert_fresh_ids(&bodies, "GET /myapp/peerjs/id");
    assert_eq!(get(&server, "/myapp/wrong/id").await.status, 401);

    let mut a =
        PeerClient::connect_url(server.next_addr(), "/myapp/", &query(KEY, "a", "ta"), "a").await;
    a.expect_next(&super::client::open()).await;
    let mut b =
        PeerClient::connect_url(server.next_addr(), "/myapp/", &query(KEY, "b", "tb"), "b").await;
    b.expect_next(&super::client::open()).await;
    let payload = super::client::offer_payload("myapp");
    a.send_json(&super::client::message("OFFER", "b", &payload))
        .await;
    b.expect_next(&relayed("OFFER", "a", "b", Some(&payload)))
        .await;

    // The default places are gone.
    for path in ["/", "/peerjs/id", "/peerjs/peers"] {
        let response = get(&server, path).await;
        assert_eq!(response.status, 404, "GET {path}: {response:?}");
    }
    let url = ws_url(server.addr(), "/", &query(KEY, "c", "tc"));
    assert_eq!(try_upgrade(&url).await.err(), Some(404), "upgrade at {url}");
}
