//! PeerJS across a cluster of two nodes sharing a Redis: ids are claimed cluster-wide, so a
//! peer on one node reaches a peer on the other, ID-TAKEN and same-token replacement work
//! across nodes, queues wait for an id wherever it connects, EXPIRE reaches the sender on
//! its node, discovery lists both nodes' ids, and a node killed with -9 frees its ids once
//! its lease runs out. These assemble their own cluster, whatever the topology of the run.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::client::{
    LIMIT, PeerClient, candidate_payload, error, expect_in_order, expire, id_taken, message,
    offer_payload, open, relayed,
};
use super::connect::round_trip;
use crate::harness::Node;
use crate::harness::redis::RedisServer;

const HEARTBEAT: &str = "500ms";
const LEASE: Duration = Duration::from_secs(2);

/// Two nodes n1, n2 and their Redis. Fields drop in order: nodes first.
struct PeerjsCluster {
    nodes: Vec<Node>,
    /// Dropped after the nodes.
    redis: RedisServer,
}

impl PeerjsCluster {
    /// Redis plus two nodes started with `args`; returns once both are ready and see each
    /// other.
    async fn start(args: &[&str]) -> PeerjsCluster {
        let redis = RedisServer::start();
        let url = redis.url();
        let lease = format!("{}ms", LEASE.as_millis());
        let nodes = ["n1", "n2"]
            .iter()
            .map(|id| {
                let mut node_args = args.to_vec();
                node_args.extend(["--redis-url", &url, "--node-id", id]);
                node_args.extend(["--cluster-heartbeat", HEARTBEAT, "--cluster-lease", &lease]);
                Node::start(&node_args, &[])
            })
            .collect();
        let cluster = PeerjsCluster { nodes, redis };
        for node in &cluster.nodes {
            cluster.wait_ready(node).await;
        }
        cluster
    }

    async fn wait_ready(&self, node: &Node) {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let (status, body) = node.readyz().await;
            let mut nodes: Vec<&str> = body["nodes"]
                .as_array()
                .map(|list| list.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            nodes.sort();
            if status == 200 && body["redis_connected"] == true && nodes == ["n1", "n2"] {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{} not ready with n1, n2: {status} {body}\n{}",
                node.id(),
                self.logs()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    fn addr(&self, index: usize) -> SocketAddr {
        self.nodes[index].addr()
    }

    fn logs(&self) -> String {
        self.nodes
            .iter()
            .map(|node| format!("--- {} ---\n{}", node.id(), node.logs()))
            .collect()
    }
}

#[tokio::test]
async fn peers_on_two_nodes_relay_both_ways() {
    let cluster = PeerjsCluster::start(&[]).await;
    let mut a = PeerClient::open(cluster.addr(0), "a", "ta").await;
    let mut b = PeerClient::open(cluster.addr(1), "b", "tb").await;
    round_trip(&mut a, "a", &mut b, "b", "n1-to-n2").await;
    round_trip(&mut b, "b", &mut a, "a", "n2-to-n1").await;

    // Spoofed src, raw payload bytes, and order, across nodes.
    let raw = r#"{ "n" : 1.50 , "s":"\u00e9\r\n" }"#;
    b.send_text(&format!(
        r#"{{"type":"CANDIDATE","src":"mallory","dst":"a","payload":{raw}}}"#
    ))
    .await;
    let frame = a
        .expect_next(&relayed(
            "CANDIDATE",
            "b",
            "a",
            Some(&serde_json::from_str(raw).unwrap()),
        ))
        .await;
    assert_eq!(frame.raw_payload().as_deref(), Some(raw), "{}", frame.text);
    let payloads: Vec<Value> = (0..20).map(|n| candidate_payload("x", n)).collect();
    for payload in &payloads {
        a.send_json(&message("CANDIDATE", "b", payload)).await;
    }
    for payload in &payloads {
        b.expect_next(&relayed("CANDIDATE", "a", "b", Some(payload)))
            .await;
    }
    a.expect_none().await;
    b.expect_none().await;
}

#[tokio::test]
async fn an_id_held_on_one_node_is_taken_on_the_other() {
    let cluster = PeerjsCluster::start(&[]).await;
    let mut holder = PeerClient::open(cluster.addr(0), "a", "right").await;
    let mut b = PeerClient::open(cluster.addr(1), "b", "tb").await;

    let mut taker = PeerClient::connect(cluster.addr(1), "a", "wrong").await;
    taker.expect_next(&id_taken()).await;
    taker.expect_close().await;

    round_trip(&mut b, "b", &mut holder, "a", "holder-unaffected").await;
    holder.expect_none().await;
    b.expect_none().await;
}

#[tokio::test]
async fn the_same_token_on_the_other_node_replaces_the_old_socket() {
    let cluster = PeerjsCluster::start(&[]).await;
    let mut old = PeerClient::open(cluster.addr(0), "a", "tok")
        .await
        .named("old a@n1");
    let mut c = PeerClient::open(cluster.addr(0), "c", "tc").await;

    let mut new = PeerClient::connect(cluster.addr(1), "a", "tok")
        .await
        .named("new a@n2");
    old.expect_close().await;
    // The new socket's first frame is the ANSWER: no second OPEN.
    round_trip(&mut new, "a", &mut c, "c", "replaced").await;
    let offer = offer_payload("to-new");
    c.send_json(&message("OFFER", "a", &offer)).await;
    new.expect_next(&relayed("OFFER", "c", "a", Some(&offer)))
        .await;
    new.expect_none().await;
    c.expect_none().await;
}

/// A takeover of `a` from n1 by n2, then the new holder leaves: nobody holds `a` anymore.
/// Returns a peer `c` on n2.
async fn take_over_then_leave(cluster: &PeerjsCluster) -> PeerClient {
    let mut old = PeerClient::open(cluster.addr(0), "a", "tok")
        .await
        .named("old a@n1");
    let mut c = PeerClient::open(cluster.addr(1), "c", "tc").await;
    let mut new = PeerClient::connect(cluster.addr(1), "a", "tok")
        .await
        .named("new a@n2");
    old.expect_close().await;
    round_trip(&mut new, "a", &mut c, "c", "taken-over").await;
    new.close().await;
    c
}

#[tokio::test]
async fn an_id_taken_over_across_nodes_is_free_on_the_old_node_once_its_holder_leaves() {
    let cluster = PeerjsCluster::start(&[]).await;
    let mut c = take_over_then_leave(&cluster).await;
    let mut next = PeerClient::connect(cluster.addr(0), "a", "another")
        .await
        .named("next a@n1");
    next.expect_next(&open()).await;
    round_trip(&mut c, "c", &mut next, "a", "next-a").await;
    next.expect_none().await;
}

/// A client that closed its socket and, once the close is done, opens the same id with a
/// new token on another node (a new `Peer` behind a load balancer) gets OPEN: the old node
/// releases the id in Redis before it answers the close.
#[tokio::test]
async fn an_id_is_free_on_every_node_once_its_close_is_answered() {
    let cluster = PeerjsCluster::start(&[]).await;
    for round in 0..50 {
        let (first, then) = (round % 2, 1 - round % 2);
        let holder = PeerClient::open(cluster.addr(first), "a", &format!("first-{round}")).await;
        holder.close().await;
        let mut next = PeerClient::connect(cluster.addr(then), "a", &format!("then-{round}"))
            .await
            .named(&format!("a again, round {round}"));
        next.expect_next(&open()).await;
        next.close().await;
    }
}

#[tokio::test]
async fn a_message_for_an_id_taken_over_then_left_waits_for_it() {
    let cluster = PeerjsCluster::start(&["--peerjs-expire-timeout", "60000"]).await;
    let mut c = take_over_then_leave(&cluster).await;
    let offer = offer_payload("for-the-next-a");
    c.send_json(&message("OFFER", "a", &offer)).await;
    let mut d = PeerClient::open(cluster.addr(1), "d", "td").await;
    round_trip(&mut c, "c", &mut d, "d", "barrier").await;

    // On n2, where the id was released properly.
    let mut next = PeerClient::open(cluster.addr(1), "a", "another")
        .await
        .named("next a@n2");
    next.expect_next(&relayed("OFFER", "c", "a", Some(&offer)))
        .await;
    next.expect_none().await;
    c.expect_none().await;
}

#[tokio::test]
async fn a_message_waits_for_an_id_that_connects_on_the_other_node() {
    let cluster = PeerjsCluster::start(&["--peerjs-expire-timeout", "60000"]).await;
    let mut a = PeerClient::open(cluster.addr(0), "a", "ta").await;
    let mut b = PeerClient::open(cluster.addr(1), "b", "tb").await;
    let offer = offer_payload("queued");
    let mut sent = vec![relayed("OFFER", "a", "x", Some(&offer))];
    a.send_json(&message("OFFER", "x", &offer)).await;
    for n in 1..=8 {
        let candidate = candidate_payload("queued", n);
        a.send_json(&message("CANDIDATE", "x", &candidate)).await;
        sent.push(relayed("CANDIDATE", "a", "x", Some(&candidate)));
    }
    round_trip(&mut a, "a", &mut b, "b", "barrier").await;

    let mut x = PeerClient::open(cluster.addr(1), "x", "tx").await;
    // What waited for it, in a's order (0: the OFFER, n: CANDIDATE n).
    expect_in_order(&mut x, &sent).await;
    round_trip(&mut a, "a", &mut x, "x", "live").await;
    x.expect_none().await;
    a.expect_none().await;
}

/// With Redis gone, a message for a peer on another node can be neither delivered nor
/// queued: it comes back to its sender as EXPIRE (the PeerJS way to fail one connection
/// attempt), and the sender's socket stays open.
#[tokio::test]
async fn a_message_that_cannot_reach_the_cluster_comes_back_as_expire() {
    let mut cluster = PeerjsCluster::start(&[]).await;
    let mut a = PeerClient::open(cluster.addr(0), "a", "ta").await;
    let mut b = PeerClient::open(cluster.addr(1), "b", "tb").await;
    round_trip(&mut a, "a", &mut b, "b", "before the outage").await;
    cluster.redis.kill();
    for kind in ["OFFER", "CANDIDATE"] {
        a.send_json(&message(kind, "b", &offer_payload("lost")))
            .await;
        a.expect_next(&expire("b", "a")).await;
    }
    a.expect_none().await;
}

#[tokio::test]
async fn expire_reaches_the_sender_across_nodes() {
    let cluster = PeerjsCluster::start(&[
        "--peerjs-expire-timeout",
        "1000",
        "--peerjs-cleanup-out-msgs",
        "200",
    ])
    .await;
    let mut a = PeerClient::open(cluster.addr(0), "a", "ta").await;
    let mut b = PeerClient::open(cluster.addr(1), "b", "tb").await;
    for n in 0..3 {
        a.send_json(&message("CANDIDATE", "x", &candidate_payload("x", n)))
            .await;
    }
    b.send_json(&message("OFFER", "x", &offer_payload("x")))
        .await;
    a.expect_next(&expire("x", "a")).await;
    b.expect_next(&expire("x", "b")).await;
    a.expect_none().await;
    b.expect_none().await;

    // Nothing waited past the expiry, on either node.
    let mut x = PeerClient::open(cluster.addr(1), "x", "tx").await;
    round_trip(&mut a, "a", &mut x, "x", "after-expiry").await;
    round_trip(&mut b, "b", &mut x, "x", "after-expiry-b").await;
    x.expect_none().await;
}

#[tokio::test]
async fn discovery_lists_the_ids_of_both_nodes() {
    let cluster = PeerjsCluster::start(&["--peerjs-allow-discovery", "true"]).await;
    let _a = PeerClient::open(cluster.addr(0), "a", "ta").await;
    let _b = PeerClient::open(cluster.addr(1), "b", "tb").await;
    let _c = PeerClient::open(cluster.addr(1), "c", "tc").await;
    for node in &cluster.nodes {
        let (status, body) = node.http_get("/peerjs/peers").await;
        assert_eq!(status, 200, "{}: {body}", node.id());
        let mut ids: Vec<String> = serde_json::from_str(&body)
            .unwrap_or_else(|err| panic!("{}: not a JSON array ({err}): {body}", node.id()));
        ids.sort();
        assert_eq!(ids, ["a", "b", "c"], "{}", node.id());
    }
}

#[tokio::test]
async fn a_killed_node_frees_its_ids_within_the_lease() {
    let mut cluster = PeerjsCluster::start(&[]).await;
    let mut a = PeerClient::open(cluster.addr(0), "a", "ta").await;
    let mut b = PeerClient::open(cluster.addr(1), "b", "old-token").await;
    round_trip(&mut a, "a", &mut b, "b", "before").await;

    cluster.nodes[1].kill9().expect("kill -9 n2");
    // n1 notices when the lease runs out (plus a heartbeat); the margin is for a loaded
    // machine, not a latency requirement.
    let deadline = Instant::now() + LEASE + Duration::from_secs(10);
    let mut new_b = loop {
        let mut client = PeerClient::connect(cluster.addr(0), "b", "new-token")
            .await
            .named("new b@n1");
        let frame = client.recv().await;
        if frame.json == open() {
            break client;
        }
        assert_eq!(
            frame.json,
            id_taken(),
            "n1 while n2's lease runs: {}",
            frame.text
        );
        client.expect_close().await;
        assert!(
            Instant::now() < deadline,
            "b was not freed after n2 died\n{}",
            cluster.logs()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    round_trip(&mut a, "a", &mut new_b, "b", "after").await;
    a.expect_none().await;
    new_b.expect_none().await;
}

/// A same-token reconnect on a node at its limit, while the id is held on the other node:
/// refused (the holder keeps its id) or a replacement (the new socket has it), but never
/// both the holder closed and the newcomer refused, which leaves the id to no one.
#[tokio::test]
async fn a_same_token_reconnect_on_a_full_node_never_leaves_the_id_to_no_one() {
    let cluster = PeerjsCluster::start(&["--peerjs-concurrent-limit", "1"]).await;
    let mut filler = PeerClient::open(cluster.addr(0), "f", "tf").await;
    let mut holder = PeerClient::open(cluster.addr(1), "a", "tok")
        .await
        .named("holder a@n2");

    let mut again = PeerClient::connect(cluster.addr(0), "a", "tok")
        .await
        .named("again a@n1");
    again.poll(super::client::quiet()).await;
    if again.queued().first() == Some(&error(LIMIT)) {
        again.recv().await;
        again.expect_close().await;
        // Refused: the holder must not have been touched.
        round_trip(&mut filler, "f", &mut holder, "a", "holder-kept").await;
        holder.expect_none().await;
    } else {
        // Admitted as a replacement: the old socket goes, the new one has the id.
        holder.expect_close().await;
        round_trip(&mut filler, "f", &mut again, "a", "replaced").await;
    }
}
