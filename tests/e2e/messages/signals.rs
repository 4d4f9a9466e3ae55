//! `signal/sdp` and `signal/trickle` relays: delivered to `to` only (or, for a trickle
//! without `to`, to every other member), with `data.id` = sender and `signal` untouched.

use std::time::Duration;

use serde_json::{Value, json};

use crate::harness::{Client, Server, frames};

const QUIET: Duration = Duration::from_millis(300);

/// A room "r" with `n` members; returns them with their ids, all join traffic consumed.
pub async fn room_of(server: &Server, n: usize) -> (Vec<Client>, Vec<String>) {
    let mut clients: Vec<Client> = Vec::new();
    let mut ids: Vec<String> = Vec::new();
    for i in 0..n {
        let mut client = Client::connect_labelled(server, &format!("peer{i}")).await;
        let id = client.join_id("r", &format!("Peer {i}")).await;
        for earlier in clients.iter_mut() {
            earlier
                .expect_where("peerJoin", |m| {
                    m["name"] == "peerJoin" && m["data"]["id"] == id.as_str()
                })
                .await;
        }
        clients.push(client);
        ids.push(id);
    }
    (clients, ids)
}

#[tokio::test]
async fn sdp_reaches_only_its_target_with_the_sender_id() {
    let server = Server::start(&[]);
    let (mut peers, ids) = room_of(&server, 3).await;
    let offer = frames::sdp("r", &ids[1], frames::offer("a-to-b"));
    peers[0].send_json(offer.clone()).await;
    let got = peers[1].expect_next("signal", "sdp").await;
    assert_eq!(
        got,
        json!({"type": "signal", "name": "sdp",
            "data": {"room": "r", "to": ids[1], "id": ids[0]},
            "signal": frames::offer("a-to-b")})
    );
    for peer in peers.iter_mut() {
        peer.expect_none(QUIET).await;
    }
}

#[tokio::test]
async fn sdp_keeps_the_client_data_fields() {
    let server = Server::start(&[]);
    let (mut peers, ids) = room_of(&server, 2).await;
    let sent = json!({"type": "signal", "name": "sdp",
        "data": {"room": "r", "to": ids[1], "id": ids[0], "extra": {"k": [1, 2.5, null]}},
        "signal": frames::answer("keep")});
    peers[0].send_json(sent.clone()).await;
    peers[1].expect_exact(sent).await;
    peers[0].expect_none(QUIET).await;
}

#[tokio::test]
async fn trickle_with_to_reaches_only_its_target() {
    let server = Server::start(&[]);
    let (mut peers, ids) = room_of(&server, 3).await;
    let sent = frames::trickle("r", Some(&ids[2]), frames::candidate("a-to-c"));
    peers[0].send_json(sent).await;
    let got = peers[2].expect_next("signal", "trickle").await;
    assert_eq!(
        got,
        json!({"type": "signal", "name": "trickle",
            "data": {"room": "r", "candidate": "string", "to": ids[2], "id": ids[0]},
            "signal": frames::candidate("a-to-c")})
    );
    for peer in peers.iter_mut() {
        peer.expect_none(QUIET).await;
    }
}

#[tokio::test]
async fn trickle_without_to_reaches_every_other_member() {
    let server = Server::start(&[]);
    let (mut peers, ids) = room_of(&server, 4).await;
    let sent = frames::trickle("r", None, frames::candidate("to-all"));
    peers[1].send_json(sent.clone()).await;
    let expected = json!({"type": "signal", "name": "trickle",
        "data": {"room": "r", "candidate": "string", "id": ids[1]},
        "signal": frames::candidate("to-all")});
    for (i, peer) in peers.iter_mut().enumerate() {
        if i != 1 {
            peer.expect_exact(expected.clone()).await;
        }
    }
    for peer in peers.iter_mut() {
        peer.expect_none(QUIET).await;
    }
}

#[tokio::test]
async fn signal_payload_is_relayed_untouched() {
    let server = Server::start(&[]);
    let (mut peers, ids) = room_of(&server, 2).await;
    let signal: Value = serde_json::from_str(
        r#"{"desc":{"type":"offer","sdp":"v=0\r\na=x:\"quoted\" \\ back\u0000slash\r\n"},
            "nested":{"deep":[{"a":[[],{}]},-0.125,12345678901234,true,false,null,"\u2603"]},
            "empty":"","unicode":"h\u00e9llo \ud83d\ude00"}"#,
    )
    .expect("test signal is JSON");
    let sent = frames::sdp("r", &ids[1], signal.clone());
    peers[0].send_json(sent).await;
    let got = peers[1].expect_next("signal", "sdp").await;
    assert_eq!(got["signal"], signal, "signal changed on the way");
    assert_eq!(got["data"]["id"], ids[0].as_str());
}
