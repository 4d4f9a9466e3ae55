//! HEARTBEAT: the server never answers it, and only it keeps a client: with
//! `--peerjs-alive-timeout 1500`, clients that send HEARTBEATs stay while one that is silent
//! is closed and its id freed (a client with another token then gets OPEN for it).

use std::time::{Duration, Instant};

use super::client::PeerClient;
use super::connect::round_trip;
use crate::harness::Server;

const ALIVE_TIMEOUT_MS: u64 = 1500;

/// Each heartbeating client sends one HEARTBEAT and reads for a moment.
async fn beat(clients: &mut [&mut PeerClient]) {
    for client in clients.iter_mut() {
        client.heartbeat().await;
    }
    for client in clients.iter_mut() {
        client.poll(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn heartbeats_keep_a_client_and_a_silent_one_is_dropped() {
    let alive = ALIVE_TIMEOUT_MS.to_string();
    let server = Server::start(&["--peerjs-alive-timeout", &alive]);
    let mut a = PeerClient::open(server.next_addr(), "a", "ta").await;
    let mut b = PeerClient::open(server.next_addr(), "b", "tb").await;
    let mut silent = PeerClient::open(server.next_addr(), "s", "ts").await;

    // Beat every ~250 ms until the silent one is closed (the deadline only stops a hang).
    let deadline = Instant::now() + Duration::from_secs(30);
    while silent.end().is_none() {
        assert!(Instant::now() < deadline, "s was never dropped");
        beat(&mut [&mut a, &mut b]).await;
        silent.poll(Duration::from_millis(150)).await;
    }
    assert!(
        silent.queued().is_empty(),
        "s got frames before it was dropped: {:?}",
        silent.queued()
    );
    assert!(
        matches!(silent.end(), Some(super::client::End::Closed(_))),
        "s: dropped without a close frame: {:?}",
        silent.end()
    );

    // Keep beating for longer than the alive timeout: a and b stay, and no HEARTBEAT is
    // ever answered.
    let until = Instant::now() + Duration::from_millis(ALIVE_TIMEOUT_MS * 2);
    while Instant::now() < until {
        beat(&mut [&mut a, &mut b]).await;
    }
    for (label, client) in [("a", &a), ("b", &b)] {
        assert!(
            client.end().is_none(),
            "{label} was dropped: {:?}",
            client.end()
        );
        assert!(
            client.queued().is_empty(),
            "{label} got frames for its HEARTBEATs: {:?}",
            client.queued()
        );
    }
    round_trip(&mut a, "a", &mut b, "b", "still-alive").await;

    // s's id is free: another token gets it (on the node s was on).
    let mut s2 = PeerClient::open(silent.addr(), "s", "another").await;
    round_trip(&mut a, "a", &mut s2, "s", "new-s").await;
}
