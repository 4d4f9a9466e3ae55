//! Three peers in one room negotiate every pair (offer, answer, candidates both ways): each
//! frame reaches exactly its target, intact, and nobody gets a frame not meant for them.

use std::time::Duration;

use futures_util::future::join_all;

use crate::harness::{Client, Server, frames};

#[tokio::test]
async fn three_peers_exchange_offers_answers_and_candidates() {
    let server = Server::start(&[]);
    let names = ["alice", "bob", "carol"];
    let mut peers: Vec<Client> = Vec::new();
    let mut ids: Vec<String> = Vec::new();
    for name in names {
        let mut peer = Client::connect_labelled(&server, name).await;
        let id = peer.join_id("mesh", name).await;
        for earlier in peers.iter_mut() {
            let join = earlier.expect_next("conference", "peerJoin").await;
            assert_eq!(join["data"]["id"], id.as_str(), "{join}");
        }
        peers.push(peer);
        ids.push(id);
    }

    for from in 0..3 {
        for to in (from + 1)..3 {
            let tag = format!("{}-{}", names[from], names[to]);
            // from -> to: offer, then candidates
            send_and_check(&mut peers, &ids, from, to, "sdp", frames::offer(&tag)).await;
            for n in 0..2 {
                let ice = frames::candidate(&format!("{tag}-{n}"));
                send_and_check(&mut peers, &ids, from, to, "trickle", ice).await;
            }
            // to -> from: answer, then candidates
            send_and_check(&mut peers, &ids, to, from, "sdp", frames::answer(&tag)).await;
            for n in 0..2 {
                let ice = frames::candidate(&format!("{tag}-back-{n}"));
                send_and_check(&mut peers, &ids, to, from, "trickle", ice).await;
            }
        }
    }
    for peer in peers.iter_mut() {
        peer.expect_none(Duration::from_millis(300)).await;
    }
}

/// Sends one signal from `from` to `to`; checks that `to` gets it next, exactly, and that
/// the third peer and the sender got nothing.
async fn send_and_check(
    peers: &mut [Client],
    ids: &[String],
    from: usize,
    to: usize,
    kind: &str,
    signal: serde_json::Value,
) {
    let sent = if kind == "sdp" {
        frames::sdp("mesh", &ids[to], signal)
    } else {
        frames::trickle("mesh", Some(&ids[to]), signal)
    };
    peers[from].send_json(sent.clone()).await;
    let got = peers[to].expect_next("signal", kind).await;
    assert_eq!(
        got,
        frames::relayed(&sent, &ids[from]),
        "{kind} {from}->{to}"
    );
    // The sender and the third peer, listened to at once.
    let others = peers
        .iter_mut()
        .enumerate()
        .filter(|(index, _)| *index != to)
        .map(|(_, peer)| peer.expect_none(Duration::from_millis(50)));
    join_all(others).await;
}
