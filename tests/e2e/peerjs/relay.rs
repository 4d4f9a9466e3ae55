//! Relaying between connected peers: OFFER, ANSWER, CANDIDATE, LEAVE and EXPIRE arrive as
//! `{type, src, dst, payload}` with `src` the sender's id whatever the client wrote, other
//! fields dropped, the payload's bytes untouched, and in the order they were sent.

use serde_json::{Value, json};

use super::client::{PeerClient, candidate_payload, message, relayed};
use crate::harness::Server;

/// A payload whose text would change under any re-encoding: odd spacing, escapes a
/// serializer would not write, a number written as `1.50`, a key order no map keeps.
const RAW_PAYLOAD: &str = r#"{ "z" : 1.50,"sdp":{"type":"offer","sdp":"v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n"},  "u":"\u00e9\ud83d\ude00\/" ,"a":[ 1, {"b" :null} ] }"#;

/// The text a client sends: `src` spoofed, an extra field, the raw payload.
fn spoofed(kind: &str, dst: &str) -> String {
    format!(
        r#"{{"type":"{kind}","src":"mallory","dst":"{dst}","extra":"dropped","payload":{RAW_PAYLOAD}}}"#
    )
}

#[tokio::test]
async fn every_relayed_type_gets_the_senders_src_and_its_payload_untouched() {
    let server = Server::start(&[]);
    let mut a = PeerClient::open(server.next_addr(), "alice", "ta").await;
    let mut b = PeerClient::open(server.next_addr(), "bob", "tb").await;
    let payload: Value = serde_json::from_str(RAW_PAYLOAD).unwrap();

    for (kind, forward) in [
        ("OFFER", true),
        ("ANSWER", false),
        ("CANDIDATE", true),
        ("CANDIDATE", false),
        ("LEAVE", true),
        ("EXPIRE", false),
    ] {
        let (from, from_id, to, to_id) = if forward {
            (&mut a, "alice", &mut b, "bob")
        } else {
            (&mut b, "bob", &mut a, "alice")
        };
        from.send_text(&spoofed(kind, to_id)).await;
        let frame = to
            .expect_next(&relayed(kind, from_id, to_id, Some(&payload)))
            .await;
        assert_eq!(
            frame.raw_payload().as_deref(),
            Some(RAW_PAYLOAD),
            "{kind} from {from_id}: payload bytes; frame: {}",
            frame.text
        );
    }
    a.expect_none().await;
    b.expect_none().await;
}

#[tokio::test]
async fn leave_and_expire_without_payload_are_relayed_without_one() {
    let server = Server::start(&[]);
    let mut a = PeerClient::open(server.next_addr(), "alice", "ta").await;
    let mut b = PeerClient::open(server.next_addr(), "bob", "tb").await;
    a.send_json(&json!({"type": "LEAVE", "dst": "bob"})).await;
    b.expect_next(&json!({"type": "LEAVE", "src": "alice", "dst": "bob"}))
        .await;
    b.send_json(&json!({"type": "EXPIRE", "dst": "alice", "src": "nobody"}))
        .await;
    a.expect_next(&json!({"type": "EXPIRE", "src": "bob", "dst": "alice"}))
        .await;
    a.expect_none().await;
    b.expect_none().await;
}

#[tokio::test]
async fn a_burst_of_candidates_arrives_in_order() {
    let server = Server::start(&[]);
    let mut a = PeerClient::open(server.next_addr(), "alice", "ta").await;
    let mut b = PeerClient::open(server.next_addr(), "bob", "tb").await;
    let payloads: Vec<Value> = (0..30).map(|n| candidate_payload("burst", n)).collect();
    for payload in &payloads {
        a.send_json(&message("CANDIDATE", "bob", payload)).await;
    }
    for payload in &payloads {
        b.expect_next(&relayed("CANDIDATE", "alice", "bob", Some(payload)))
            .await;
    }
    b.expect_none().await;
    a.expect_none().await;
}

#[tokio::test]
async fn three_peers_each_get_only_their_own_messages() {
    let server = Server::start(&[]);
    let mut a = PeerClient::open(server.next_addr(), "a", "ta").await;
    let mut b = PeerClient::open(server.next_addr(), "b", "tb").await;
    let mut c = PeerClient::open(server.next_addr(), "c", "tc").await;
    let to_b = candidate_payload("to-b", 1);
    let to_c = candidate_payload("to-c", 2);
    a.send_json(&message("CANDIDATE", "b", &to_b)).await;
    a.send_json(&message("CANDIDATE", "c", &to_c)).await;
    b.expect_next(&relayed("CANDIDATE", "a", "b", Some(&to_b)))
        .await;
    c.expect_next(&relayed("CANDIDATE", "a", "c", Some(&to_c)))
        .await;
    for client in [&mut a, &mut b, &mut c] {
        client.expect_none().await;
    }
}

/// Ids are read from the query percent-decoded (as URLSearchParams does), and relayed as
/// such.
#[tokio::test]
async fn percent_encoded_ids_are_decoded() {
    let server = Server::start(&[]);
    let query = super::client::query(super::client::KEY, "b%C3%BCb+smith", "tb");
    let mut b = PeerClient::connect_url(server.next_addr(), "/", &query, "büb smith").await;
    b.expect_next(&super::client::open()).await;
    let mut a = PeerClient::open(server.next_addr(), "a", "ta").await;
    super::connect::round_trip(&mut a, "a", &mut b, "büb smith", "decoded").await;
    a.expect_none().await;
    b.expect_none().await;
}
