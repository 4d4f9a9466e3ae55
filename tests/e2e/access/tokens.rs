//! `--jwt-secret`: every dialect's connection needs a valid token, presented where its
//! stock clients can put one (conference `?token=`, PeerJS `key`, Socket.IO `auth.token` or
//! `?token=`); a missing, badly signed or expired one is refused with 401 before the
//! upgrade, and a room outside the token's `rooms` gets the dialect's `forbidden` error.

use std::time::{SystemTime, UNIX_EPOCH};

use jsonwebtoken::{EncodingKey, Header, encode};
use serde_json::json;

use super::{refused, upgrade};
use crate::harness::{Client, Server, http};
use crate::socketio::client::{self, Polling};

const SECRET: &str = "test-secret-1";
const ROTATED: &str = "test-secret-2";

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn token_with(secret: &str, claims: serde_json::Value) -> String {
    encode(
        &Header::default(),
        &claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .expect("a token")
}

/// A token for `sub` valid for an hour, granting `rooms` (all when `None`).
fn token(rooms: Option<&[&str]>) -> String {
    let mut claims = json!({"sub": "alice", "exp": now() + 3600});
    if let Some(rooms) = rooms {
        claims["rooms"] = json!(rooms);
    }
    token_with(SECRET, claims)
}

fn server() -> Server {
    Server::start(&["--jwt-secret", SECRET, "--jwt-secret", ROTATED])
}

#[tokio::test]
async fn conference_needs_a_valid_token() {
    let server = server();
    let addr = server.node(0).addr();
    let cases = [
        ("/conference".to_string(), "missing_token"),
        ("/conference?token=".to_string(), "missing_token"),
        ("/conference?token=garbage".to_string(), "malformed_token"),
        (
            format!(
                "/conference?token={}",
                token_with("wrong", json!({"exp": now() + 60}))
            ),
            "bad_signature",
        ),
        (
            format!(
                "/conference?token={}",
                token_with(SECRET, json!({"exp": now() - 3600}))
            ),
            "token_expired",
        ),
    ];
    for (path, code) in cases {
        assert_eq!(
            refused(upgrade(addr, &path, &[]).await),
            (401, code.to_string()),
            "{path}"
        );
    }
    // Either secret of a rotation is accepted.
    let rotated = token_with(ROTATED, json!({"exp": now() + 60}));
    upgrade(addr, &format!("/conference?token={rotated}"), &[])
        .await
        .expect("a token of the second secret");
}

#[tokio::test]
async fn conference_rooms_outside_the_grant_are_forbidden() {
    let server = server();
    let path = format!("/conference?token={}", token(Some(&["team-*", "lobby"])));
    let mut client = Client::connect_path(server.node(0).addr(), &path, "alice").await;
    client
        .send_json(crate::harness::frames::connect("secret"))
        .await;
    client.expect_error("forbidden", Some("room/connect")).await;
    client.connect_id("lobby").await;
    client
        .send_json(crate::harness::frames::join("other", "alice"))
        .await;
    client
        .expect_error("forbidden", Some("conference/join"))
        .await;
    // The connection stays, and granted rooms open.
    client.join("team-red", "alice").await;
    client.join("lobby", "alice").await;
}

#[tokio::test]
async fn peerjs_takes_the_token_as_its_key() {
    let server = server();
    let addr = server.node(0).addr();
    let good = token(None);
    // The fixed key is no token.
    assert_eq!(
        refused(upgrade(addr, "/peerjs?key=peerjs&id=a&token=t", &[]).await),
        (401, "malformed_token".to_string())
    );
    upgrade(addr, &format!("/peerjs?key={good}&id=a&token=t"), &[])
        .await
        .expect("a PeerJS client with a token as its key");
    let id = http::get(addr, &format!("/{good}/id")).await.unwrap();
    assert_eq!(id.status, 200, "{id:?}");
    let refused_id = http::get(addr, "/peerjs/id").await.unwrap();
    assert_eq!(refused_id.status, 401, "{refused_id:?}");
    let body: serde_json::Value = serde_json::from_str(&refused_id.body).unwrap();
    assert_eq!(body["code"], "malformed_token");
}

#[tokio::test]
async fn socketio_2_sends_the_token_in_the_query() {
    let server = server();
    let addr = server.node(0).addr();
    let handshake = client::get(addr, &client::path("EIO=3&transport=polling")).await;
    assert_eq!(handshake.status, 401, "{handshake:?}");
    assert!(handshake.body.contains("missing_token"), "{handshake:?}");
    let query = format!("EIO=3&transport=polling&token={}", token(Some(&["ok"])));
    let handshake = client::get(addr, &client::path(&query)).await;
    assert_eq!(handshake.status, 200, "{handshake:?}");
    let packets = client::packets(3, &handshake.body);
    assert_eq!(packets[1], "40", "{packets:?}");
}

#[tokio::test]
async fn socketio_4_sends_the_token_in_its_connect() {
    let server = server();
    let addr = server.node(0).addr();
    let (session, _) = Polling::open(addr, 4).await;
    // No token, then a forged one: CONNECT_ERROR with the code, and the session stays.
    session.send(&["40"]).await;
    let reply = session.poll().await;
    let error: serde_json::Value =
        serde_json::from_str(reply[0].strip_prefix("44").expect("a CONNECT_ERROR")).unwrap();
    assert_eq!(error["data"]["code"], "missing_token", "{reply:?}");
    let forged = token_with("wrong", json!({"exp": now() + 60}));
    session
        .send(&[&format!(r#"40{{"token":"{forged}"}}"#)])
        .await;
    let reply = session.poll().await;
    assert!(reply[0].contains("bad_signature"), "{reply:?}");
    // A valid token connects; rooms outside its grant are forbidden.
    let good = token(Some(&["ok-*"]));
    session.send(&[&format!(r#"40{{"token":"{good}"}}"#)]).await;
    let reply = session.poll().await;
    assert!(reply[0].starts_with(r#"40{"sid":""#), "{reply:?}");
    session.send(&[r#"42["room-create","secret"]"#]).await;
    let reply = session.poll().await;
    assert!(
        reply[0].starts_with(r#"42["error","forbidden: "#),
        "{reply:?}"
    );
    session.send(&[r#"42["room-create","ok-1"]"#]).await;
    assert_eq!(session.poll().await, [r#"42["room-created","ok-1"]"#]);
}
