//! Messages for an id nobody holds: OFFER/ANSWER/CANDIDATE wait for it and arrive right
//! after its OPEN, in order; LEAVE and EXPIRE are dropped. When the wait passes
//! `--peerjs-expire-timeout`, each sender gets one EXPIRE per unreachable id, and what
//! waited is gone for good.
//!
//! "Nothing more arrives" is shown by order where possible: a later message must be the next
//! frame, so a stale one would have come first.

use serde_json::json;

use super::client::{
    PeerClient, answer_payload, candidate_payload, expect_in_order, expire, message, offer_payload,
    relayed,
};
use super::connect::round_trip;
use crate::harness::Server;

#[tokio::test]
async fn queued_messages_arrive_right_after_open_in_order() {
    let server = Server::start(&["--peerjs-expire-timeout", "60000"]);
    let mut a = PeerClient::open(server.next_addr(), "a", "ta").await;
    let mut b = PeerClient::open(server.next_addr(), "b", "tb").await;
    let offer = offer_payload("queued");
    let mut sent = vec![relayed("OFFER", "a", "x", Some(&offer))];
    a.send_json(&message("OFFER", "x", &offer)).await;
    for n in 1..=8 {
        let candidate = candidate_payload("queued", n);
        a.send_json(&message("CANDIDATE", "x", &candidate)).await;
        sent.push(relayed("CANDIDATE", "a", "x", Some(&candidate)));
    }
    // a's messages are handled before this comes back.
    round_trip(&mut a, "a", &mut b, "b", "barrier").await;

    let mut x = PeerClient::open(server.next_addr(), "x", "tx").await;
    // What waited for it, in the order a sent it (0: the OFFER, n: CANDIDATE n).
    expect_in_order(&mut x, &sent).await;
    // Nothing else waited: a live message is next.
    round_trip(&mut a, "a", &mut x, "x", "live").await;
    x.expect_none().await;
    a.expect_none().await;
    b.expect_none().await;
}

#[tokio::test]
async fn messages_from_several_senders_all_wait() {
    let server = Server::start(&["--peerjs-expire-timeout", "60000"]);
    let mut a = PeerClient::open(server.next_addr(), "a", "ta").await;
    let mut b = PeerClient::open(server.next_addr(), "b", "tb").await;
    let offer = offer_payload("from-a");
    let answer = answer_payload("from-b");
    a.send_json(&message("OFFER", "x", &offer)).await;
    b.send_json(&message("ANSWER", "x", &answer)).await;
    round_trip(&mut a, "a", &mut b, "b", "barrier-a").await;
    round_trip(&mut b, "b", &mut a, "a", "barrier-b").await;

    let mut x = PeerClient::open(server.next_addr(), "x", "tx").await;
    x.expect_unordered(&[
        relayed("OFFER", "a", "x", Some(&offer)),
        relayed("ANSWER", "b", "x", Some(&answer)),
    ])
    .await;
    round_trip(&mut b, "b", &mut x, "x", "live").await;
    x.expect_none().await;
    a.expect_none().await;
}

#[tokio::test]
async fn a_sender_gets_one_expire_per_unreachable_id() {
    let server = Server::start(&[
        "--peerjs-expire-timeout",
        "1000",
        "--peerjs-cleanup-out-msgs",
        "200",
    ]);
    let mut a = PeerClient::open(server.next_addr(), "a", "ta").await;
    let mut b = PeerClient::open(server.next_addr(), "b", "tb").await;
    a.send_json(&message("OFFER", "x", &offer_payload("x")))
        .await;
    a.send_json(&message("CANDIDATE", "x", &candidate_payload("x", 1)))
        .await;
    a.send_json(&message("CANDIDATE", "x", &candidate_payload("x", 2)))
        .await;
    a.send_json(&message("OFFER", "y", &offer_payload("y")))
        .await;
    b.send_json(&message("ANSWER", "x", &answer_payload("x")))
        .await;

    a.expect_unordered(&[expire("x", "a"), expire("y", "a")])
        .await;
    b.expect_next(&expire("x", "b")).await;
    a.expect_none().await;
    b.expect_none().await;

    // What waited is gone: the first thing x and y get after OPEN is a new message.
    let mut x = PeerClient::open(server.next_addr(), "x", "tx").await;
    let mut y = PeerClient::open(server.next_addr(), "y", "ty").await;
    round_trip(&mut a, "a", &mut x, "x", "after-expiry").await;
    round_trip(&mut b, "b", &mut y, "y", "after-expiry").await;
    for client in [&mut a, &mut b, &mut x, &mut y] {
        client.expect_none().await;
    }
}

#[tokio::test]
async fn leave_and_expire_to_an_absent_id_are_dropped() {
    let server = Server::start(&[
        "--peerjs-expire-timeout",
        "1000",
        "--peerjs-cleanup-out-msgs",
        "200",
    ]);
    let mut a = PeerClient::open(server.next_addr(), "a", "ta").await;
    a.send_json(&json!({"type": "LEAVE", "dst": "x"})).await;
    a.send_json(&json!({"type": "EXPIRE", "dst": "x", "payload": {"k": 1}}))
        .await;
    // Sent after them, so expiring after them: had LEAVE/EXPIRE been queued, an EXPIRE
    // for x would come first (or with it).
    a.send_json(&message("OFFER", "y", &offer_payload("y")))
        .await;
    a.expect_next(&expire("y", "a")).await;
    a.expect_none().await;

    let mut x = PeerClient::open(server.next_addr(), "x", "tx").await;
    round_trip(&mut a, "a", &mut x, "x", "nothing-waited").await;
    x.expect_none().await;
    a.expect_none().await;
}

/// Interleaved with queued messages, LEAVE and EXPIRE for an absent id still do not wait:
/// the id finds only the OFFER and CANDIDATE (compared in any order here; order is
/// `queued_messages_arrive_right_after_open_in_order`'s business).
#[tokio::test]
async fn only_offer_answer_and_candidate_wait_for_an_absent_id() {
    let server = Server::start(&["--peerjs-expire-timeout", "60000"]);
    let mut a = PeerClient::open(server.next_addr(), "a", "ta").await;
    let mut b = PeerClient::open(server.next_addr(), "b", "tb").await;
    let offer = offer_payload("kept");
    let candidate = candidate_payload("kept", 1);
    a.send_json(&json!({"type": "LEAVE", "dst": "x"})).await;
    a.send_json(&message("OFFER", "x", &offer)).await;
    a.send_json(&json!({"type": "LEAVE", "dst": "x", "payload": {"k": 1}}))
        .await;
    a.send_json(&message("CANDIDATE", "x", &candidate)).await;
    a.send_json(&json!({"type": "EXPIRE", "dst": "x"})).await;
    round_trip(&mut a, "a", &mut b, "b", "barrier").await;

    let mut x = PeerClient::open(server.next_addr(), "x", "tx").await;
    x.expect_unordered(&[
        relayed("OFFER", "a", "x", Some(&offer)),
        relayed("CANDIDATE", "a", "x", Some(&candidate)),
    ])
    .await;
    round_trip(&mut a, "a", &mut x, "x", "live").await;
    x.expect_none().await;
    a.expect_none().await;
}
