//! Bad input from a client: each malformed message gets exactly one ERROR (with a message)
//! and the connection keeps working; an unknown type is dropped without a word; a binary
//! frame is an ERROR; a frame over `--max-frame-size` closes that socket with 1009 and no
//! one else notices.

use serde_json::json;

use super::client::PeerClient;
use super::connect::round_trip;
use crate::harness::Server;

#[tokio::test]
async fn each_malformed_message_gets_one_error_and_the_socket_keeps_working() {
    let server = Server::start(&[]);
    let mut a = PeerClient::open(server.next_addr(), "a", "ta").await;
    let mut b = PeerClient::open(server.next_addr(), "b", "tb").await;
    let cases: &[(&str, String)] = &[
        ("invalid JSON", r#"{"type":"OFFER","dst":"b""#.to_string()),
        ("not JSON at all", "hello".to_string()),
        ("a JSON array", r#"["OFFER","b",{"sdp":"x"}]"#.to_string()),
        ("a JSON string", r#""OFFER""#.to_string()),
        ("JSON null", "null".to_string()),
        (
            "no type",
            json!({"dst": "b", "payload": {"sdp": "x"}}).to_string(),
        ),
        (
            "a numeric type",
            json!({"type": 7, "dst": "b", "payload": {}}).to_string(),
        ),
        (
            "a null type",
            json!({"type": null, "dst": "b", "payload": {}}).to_string(),
        ),
        (
            "an object type",
            json!({"type": {"t": "OFFER"}, "dst": "b", "payload": {}}).to_string(),
        ),
        (
            "a string payload",
            json!({"type": "OFFER", "dst": "b", "payload": "sdp"}).to_string(),
        ),
        (
            "an array payload",
            json!({"type": "CANDIDATE", "dst": "b", "payload": [1]}).to_string(),
        ),
        (
            "a numeric payload",
            json!({"type": "ANSWER", "dst": "b", "payload": 5}).to_string(),
        ),
        (
            "OFFER without dst",
            json!({"type": "OFFER", "payload": {}}).to_string(),
        ),
        (
            "CANDIDATE without dst",
            json!({"type": "CANDIDATE", "payload": {"candidate": {}}}).to_string(),
        ),
        (
            "a numeric dst",
            json!({"type": "OFFER", "dst": 5, "payload": {}}).to_string(),
        ),
    ];
    for (index, (what, text)) in cases.iter().enumerate() {
        a.send_text(text).await;
        let msg = a.expect_error().await;
        eprintln!("{what}: ERROR {msg:?}");
        // b got nothing of it, and a got one ERROR only: the round trip's frames are next.
        round_trip(&mut a, "a", &mut b, "b", &format!("after-{index}")).await;
    }
    a.expect_none().await;
    b.expect_none().await;
}

#[tokio::test]
async fn an_unknown_type_is_dropped_silently() {
    let server = Server::start(&[]);
    let mut a = PeerClient::open(server.next_addr(), "a", "ta").await;
    let mut b = PeerClient::open(server.next_addr(), "b", "tb").await;
    for kind in ["FOO", "OPEN", "ID-TAKEN", "ERROR", "offer", ""] {
        a.send_json(&json!({"type": kind, "dst": "b", "payload": {"sdp": "x"}}))
            .await;
        a.send_json(&json!({"type": kind})).await;
        // Neither a nor b gets anything before the round trip's frames.
        round_trip(&mut a, "a", &mut b, "b", &format!("after-{kind}")).await;
    }
    a.expect_none().await;
    b.expect_none().await;
}

#[tokio::test]
async fn a_binary_frame_gets_an_error() {
    let server = Server::start(&[]);
    let mut a = PeerClient::open(server.next_addr(), "a", "ta").await;
    let mut b = PeerClient::open(server.next_addr(), "b", "tb").await;
    let offer = json!({"type": "OFFER", "dst": "b", "payload": {"sdp": "x"}}).to_string();
    a.send_binary(offer.into_bytes()).await;
    a.expect_error().await;
    round_trip(&mut a, "a", &mut b, "b", "after-binary").await;
    a.expect_none().await;
    b.expect_none().await;
}

#[tokio::test]
async fn a_frame_over_the_size_limit_closes_with_1009() {
    let server = Server::start(&["--max-frame-size", "1024"]);
    let mut a = PeerClient::open(server.next_addr(), "a", "ta").await;
    let mut b = PeerClient::open(server.next_addr(), "b", "tb").await;
    let mut big = PeerClient::open(server.next_addr(), "big", "tbig").await;

    // Under the limit: relayed.
    let fits = json!({"type": "OFFER", "dst": "b", "payload": {"pad": "p".repeat(900)}});
    big.send_json(&fits).await;
    b.expect_next(&super::client::relayed(
        "OFFER",
        "big",
        "b",
        Some(&fits["payload"]),
    ))
    .await;

    let too_big = json!({"type": "OFFER", "dst": "b", "payload": {"pad": "p".repeat(2000)}});
    big.send_json(&too_big).await;
    assert_eq!(
        big.expect_close().await,
        1009,
        "close code for a 2 KB frame"
    );

    // The bystanders got nothing of it and still work.
    round_trip(&mut a, "a", &mut b, "b", "after-oversized").await;
    a.expect_none().await;
    b.expect_none().await;
}
