//! The compose cluster, as a user runs it: docker-compose.yml on podman (Redis, three nodes,
//! nginx on 127.0.0.1:8080), brought up by `tests/compose/cluster.sh up`. Through the load
//! balancer, conference peers and a PeerJS pair on different nodes signal each other, a
//! Socket.IO polling session works though its requests land on every node; a killed node's
//! peers are announced gone on the survivors; after Redis restarts, signaling
//! comes back.
//!
//! Ignored by default, since it needs that cluster: `tests/compose/test.sh` brings it up, runs
//! this, and tears it down (scripts/test calls it).

use std::net::SocketAddr;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use super::harness::peer::{disconnected, exchange, land_apart};
use super::harness::util::{gather, wait_until};
use super::harness::{Peer, quiet};
use crate::harness::http;
use crate::peerjs::client::{PeerClient, answer_payload, message, offer_payload, relayed};
use crate::socketio::client::{self, Polling};

/// Where cluster.sh publishes the load balancer.
const LB: &str = "127.0.0.1:8080";
/// Connections through the balancer before giving up on reaching another node.
const TRIES: usize = 9;
/// The compose nodes' lease is the default 5 s; the announcement may take a heartbeat or two
/// more, and a reaper's cleanup.
const LEASE_WAIT: Duration = Duration::from_secs(15);
/// Redis restarts empty; the nodes reconnect with backoff and re-assert what they hold.
const RECOVERY: Duration = Duration::from_secs(60);

fn lb() -> SocketAddr {
    LB.parse().expect("a socket address")
}

/// Each compose node `nodeN` is also published on the host at 127.0.0.1:808N.
fn published(node: &str) -> SocketAddr {
    let n: u16 = node
        .strip_prefix("node")
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{node} is not one of the compose nodes"));
    SocketAddr::from(([127, 0, 0, 1], 8080 + n))
}

/// `tests/compose/cluster.sh <args>`, which must succeed.
fn cluster_sh(args: &[&str]) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/compose/cluster.sh");
    let status = Command::new(&script)
        .args(args)
        .status()
        .unwrap_or_else(|err| panic!("{}: {err}", script.display()));
    assert!(status.success(), "cluster.sh {args:?}: {status}");
}

async fn wait_ready(node: &str, within: Duration) {
    let addr = published(node);
    wait_until(
        &format!("{node} ready"),
        within,
        async || match http::get(addr, "/readyz").await {
            Ok(response) if response.status == 200 => Ok(()),
            Ok(response) => Err(format!("{} {}", response.status, response.body)),
            Err(err) => Err(err.to_string()),
        },
    )
    .await;
}

/// PeerJS peers through the balancer: `a`, then `b`s until one lands on a node `a` is not on.
/// Returns them, `b`'s id, and the `b`s that landed with `a`.
async fn peerjs_pair_apart(tag: &str) -> (PeerClient, PeerClient, String, Vec<PeerClient>) {
    let a = PeerClient::open(lb(), &format!("{tag}-a"), "token-a").await;
    let a_node = a.node.clone().expect("x-switchboard-node on the upgrade");
    let mut same = Vec::new();
    for attempt in 0..TRIES {
        let b_id = format!("{tag}-b{attempt}");
        let b = PeerClient::open(lb(), &b_id, "token-b").await;
        if b.node.as_deref() != Some(a_node.as_str()) {
            return (a, b, b_id, same);
        }
        same.push(b);
    }
    panic!("{TRIES} PeerJS connections through {LB} all landed on {a_node}");
}

#[tokio::test]
#[ignore = "needs the compose cluster: run tests/compose/test.sh"]
async fn compose_cluster_signals_across_nodes_and_recovers() {
    // Conference peers on two different nodes, through the balancer.
    let mut first = Peer::via(lb(), "first", "compose").await;
    let (mut second, mut idle) = land_apart(lb(), "second", "compose", &[&first.node], TRIES).await;
    first.join("compose", &mut []).await;
    second.join("compose", &mut [&mut first]).await;
    exchange(&mut first, &mut second, "compose").await;

    // A PeerJS pair on two different nodes.
    let (mut a, mut b, b_id, same) = peerjs_pair_apart("compose").await;
    let a_id = "compose-a";
    a.send_json(&message("OFFER", &b_id, &offer_payload("compose")))
        .await;
    b.expect_next(&relayed(
        "OFFER",
        a_id,
        &b_id,
        Some(&offer_payload("compose")),
    ))
    .await;
    b.send_json(&message("ANSWER", a_id, &answer_payload("compose")))
        .await;
    a.expect_next(&relayed(
        "ANSWER",
        &b_id,
        a_id,
        Some(&answer_payload("compose")),
    ))
    .await;
    drop(same);

    // A Socket.IO polling session through the balancer: its requests land on every node, and
    // the nodes that do not hold it hand them over at the addresses the compose file gives.
    let session = Polling::connected(lb(), 4).await;
    let mut handed_over = 0;
    for round in 0..6 {
        let room = format!("compose-{round}");
        session
            .send(&[&format!(r#"42["room-create","{room}"]"#)])
            .await;
        let answer = session.get().await;
        assert_eq!(answer.status, 200, "{answer:?}");
        assert_eq!(
            client::packets(4, &answer.body),
            [format!(r#"42["room-created","{room}"]"#)]
        );
        if answer.header("x-switchboard-session-node").is_some() {
            handed_over += 1;
        }
    }
    assert!(handed_over > 0, "no request was handed over");

    // The node of `second` dies without a word: `first` hears of it within the lease.
    let killed = second.node.clone();
    cluster_sh(&["kill", &killed]);
    let got = gather(&mut first.client, "first", 1, LEASE_WAIT).await;
    assert_eq!(
        got,
        [disconnected(&second, "compose")],
        "after {killed} died"
    );
    idle.retain(|peer| peer.node != killed);

    // Redis restarts (empty): the survivors become ready again, and a newcomer on another
    // survivor joins `first`'s room and signals with it.
    cluster_sh(&["restart", "redis"]);
    let survivors: Vec<String> = (1..=3)
        .map(|n| format!("node{n}"))
        .filter(|node| *node != killed)
        .collect();
    for node in &survivors {
        wait_ready(node, RECOVERY).await;
    }
    let (mut third, _more) = land_apart(
        lb(),
        "third",
        "compose",
        &[first.node.as_str(), killed.as_str()],
        TRIES,
    )
    .await;
    third.join("compose", &mut [&mut first]).await;
    exchange(&mut third, &mut first, "compose").await;
    quiet(&mut [&mut first, &mut third]).await;
}
