//! The checks on connect, in peerjs-server's order: missing (or empty) key/id/token, then a
//! wrong key, then an id held with another token (ID-TAKEN), then the same token (the new
//! socket replaces the old, without a second OPEN), then the concurrent limit; otherwise
//! OPEN. A refusal is one frame and a close, and leaves everyone else as they were.

use super::client::{
    INVALID_KEY, KEY, LIMIT, NO_PARAMS, PeerClient, answer_payload, error, id_taken, message,
    offer_payload, query, relayed,
};
use crate::harness::Server;

/// Opens with `query` and expects exactly `first`, then the close.
async fn refused(server: &Server, query: &str, first: &serde_json::Value) {
    let mut client = PeerClient::connect_url(server.next_addr(), "/", query, query).await;
    client.expect_next(first).await;
    client.expect_close().await;
}

/// `from` sends an OFFER to `to_id` and `to` must get it next; then `to` answers and
/// `from` must get the ANSWER next: both sockets work and nothing else came first.
pub async fn round_trip(
    from: &mut PeerClient,
    from_id: &str,
    to: &mut PeerClient,
    to_id: &str,
    tag: &str,
) {
    let offer = offer_payload(tag);
    from.send_json(&message("OFFER", to_id, &offer)).await;
    to.expect_next(&relayed("OFFER", from_id, to_id, Some(&offer)))
        .await;
    let answer = answer_payload(tag);
    to.send_json(&message("ANSWER", from_id, &answer)).await;
    from.expect_next(&relayed("ANSWER", to_id, from_id, Some(&answer)))
        .await;
}

#[tokio::test]
async fn missing_or_empty_key_id_or_token_is_refused() {
    let server = Server::start(&[]);
    let no_params = error(NO_PARAMS);
    for query in [
        "",
        "id=a&token=t",
        "key=peerjs&token=t",
        "key=peerjs&id=a",
        "key=&id=a&token=t",
        "key=peerjs&id=&token=t",
        "key=peerjs&id=a&token=",
        "key&id&token",
        // Checked before the key: a wrong key with a missing token is still "no token".
        "key=wrong&id=a",
    ] {
        refused(&server, query, &no_params).await;
    }
    // None of that claimed `a`.
    let _a = PeerClient::open(server.next_addr(), "a", "t").await;
}

#[tokio::test]
async fn a_wrong_key_is_refused() {
    let server = Server::start(&[]);
    refused(&server, &query("wrong", "a", "t"), &error(INVALID_KEY)).await;
    refused(&server, &query("PEERJS", "a", "t"), &error(INVALID_KEY)).await;
    // Checked before the id: a held id with a wrong key is still a wrong key.
    let mut holder = PeerClient::open(server.next_addr(), "held", "t1").await;
    refused(&server, &query("wrong", "held", "t2"), &error(INVALID_KEY)).await;
    // The refusal claimed nothing: `a` is free, and the holder saw nothing.
    let mut a = PeerClient::open(server.next_addr(), "a", "t").await;
    round_trip(&mut a, "a", &mut holder, "held", "after-wrong-key").await;
    holder.expect_none().await;

    // With --peerjs-key, that key is required.
    let server = Server::start(&["--peerjs-key", "s3cret"]);
    refused(&server, &query(KEY, "a", "t"), &error(INVALID_KEY)).await;
    let mut client =
        PeerClient::connect_url(server.next_addr(), "/", &query("s3cret", "a", "t"), "a").await;
    client.expect_next(&super::client::open()).await;
}

#[tokio::test]
async fn an_id_held_with_another_token_is_taken() {
    let server = Server::start(&[]);
    let mut holder = PeerClient::open(server.next_addr(), "a", "right").await;
    let mut other = PeerClient::open(server.next_addr(), "b", "tb").await;

    let mut taker = PeerClient::connect(server.next_addr(), "a", "wrong").await;
    taker.expect_next(&id_taken()).await;
    taker.expect_close().await;

    // The holder keeps its id and its socket, and heard nothing of it.
    round_trip(&mut other, "b", &mut holder, "a", "still-held").await;
    holder.expect_none().await;
    other.expect_none().await;
}

#[tokio::test]
async fn the_same_token_replaces_the_old_socket_without_a_second_open() {
    let server = Server::start(&[]);
    let mut old = PeerClient::open(server.next_addr(), "a", "tok")
        .await
        .named("old a");
    let mut peer = PeerClient::open(server.next_addr(), "b", "tb").await;

    let mut new = PeerClient::connect(server.next_addr(), "a", "tok")
        .await
        .named("new a");
    old.expect_close().await;
    // The new socket's first frame is the relayed ANSWER: no OPEN came before it. (Its
    // OFFER is handled only once its claim is done, so the ANSWER finds it.)
    round_trip(&mut new, "a", &mut peer, "b", "replaced").await;
    new.expect_none().await;
    peer.expect_none().await;

    // Messages for `a` now go to the new socket only.
    let offer = offer_payload("to-new");
    peer.send_json(&message("OFFER", "a", &offer)).await;
    new.expect_next(&relayed("OFFER", "b", "a", Some(&offer)))
        .await;
    new.expect_none().await;
}

#[tokio::test]
async fn over_the_concurrent_limit_is_refused() {
    let server = Server::start(&["--peerjs-concurrent-limit", "2"]);
    // The limit is per node: every client here goes to the first one.
    let addr = server.addr();
    let mut a = PeerClient::open(addr, "a", "ta").await;
    let mut b = PeerClient::open(addr, "b", "tb").await;

    let mut c = PeerClient::connect(addr, "c", "tc").await;
    c.expect_next(&error(LIMIT)).await;
    c.expect_close().await;

    // ID-TAKEN comes before the limit; the same token replaces, whatever the limit.
    let mut taker = PeerClient::connect(addr, "a", "other").await;
    taker.expect_next(&id_taken()).await;
    taker.expect_close().await;
    let mut a2 = PeerClient::connect(addr, "a", "ta").await.named("new a");
    a.expect_close().await;
    round_trip(&mut a2, "a", &mut b, "b", "at-the-limit").await;

    // Below the limit again, `c` gets in.
    b.close().await;
    let mut c = PeerClient::open(addr, "c", "tc").await.named("c again");
    round_trip(&mut c, "c", &mut a2, "a", "after-leave").await;
    a2.expect_none().await;
    c.expect_none().await;
}

/// peerjs-server checks the limit before it registers the client, so a refused client
/// touches nothing: the messages waiting for its id still wait for it.
#[tokio::test]
async fn a_client_refused_over_the_limit_leaves_its_queue_alone() {
    let server = Server::start(&[
        "--peerjs-concurrent-limit",
        "2",
        "--peerjs-expire-timeout",
        "60000",
    ]);
    let addr = server.addr();
    let mut a = PeerClient::open(addr, "a", "ta").await;
    let mut b = PeerClient::open(addr, "b", "tb").await;
    let offer = offer_payload("waiting");
    a.send_json(&message("OFFER", "c", &offer)).await;
    round_trip(&mut a, "a", &mut b, "b", "barrier").await;

    let mut c = PeerClient::connect(addr, "c", "tc").await;
    c.expect_next(&error(LIMIT)).await;
    c.expect_close().await;

    b.close().await;
    let mut c = PeerClient::open(addr, "c", "tc").await.named("c again");
    c.expect_next(&relayed("OFFER", "a", "c", Some(&offer)))
        .await;
    c.expect_none().await;
    a.expect_none().await;
}
