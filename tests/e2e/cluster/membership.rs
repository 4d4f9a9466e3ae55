//! One room spread over three nodes behaves as one room on one server: a joiner's answer
//! lists every earlier member whatever its node, `peerJoin`/`peerLeave` reach everyone, and
//! signals cross nodes exactly once (to their target, or to every other member).

use serde_json::json;

use super::harness::{Cluster, Peer, placement, quiet};
use crate::harness::frames;

#[tokio::test]
async fn a_room_over_three_nodes_acts_as_one() {
    let cluster = Cluster::start(3).await;
    let mut a = Peer::on(cluster.node(0), "a@n1", "r").await;
    let mut b = Peer::on(cluster.node(1), "b@n2", "r").await;
    let mut c = Peer::on(cluster.node(2), "c@n3", "r").await;
    assert_eq!(
        [&a.node, &b.node, &c.node],
        ["n1", "n2", "n3"],
        "connectResponse.node names the node a client landed on"
    );

    a.join("r", &mut []).await;
    b.join("r", &mut [&mut a]).await;
    c.join("r", &mut [&mut a, &mut b]).await;
    quiet(&mut [&mut a, &mut b, &mut c]).await;

    // sdp and trickle with `to`: only the target, once, whatever the two nodes.
    let offer = frames::sdp("r", &c.id, frames::offer("a-to-c"));
    a.relay(offer, &mut [&mut c]).await;
    quiet(&mut [&mut a, &mut b, &mut c]).await;
    let answer = frames::sdp("r", &a.id, frames::answer("c-to-a"));
    c.relay(answer, &mut [&mut a]).await;
    quiet(&mut [&mut a, &mut b, &mut c]).await;
    let candidate = frames::trickle("r", Some(&a.id), frames::candidate("b-to-a"));
    b.relay(candidate, &mut [&mut a]).await;
    quiet(&mut [&mut a, &mut b, &mut c]).await;

    // trickle without `to`: every other member, once each, never the sender.
    let to_all = frames::trickle("r", None, frames::candidate("a-to-all"));
    a.relay(to_all, &mut [&mut b, &mut c]).await;
    quiet(&mut [&mut a, &mut b, &mut c]).await;
    let to_all = frames::trickle("r", None, frames::candidate("c-to-all"));
    c.relay(to_all, &mut [&mut a, &mut b]).await;
    quiet(&mut [&mut a, &mut b, &mut c]).await;

    // A leave is announced on every node; Redis forgets the member.
    b.leave("r", &mut [&mut a, &mut c]).await;
    quiet(&mut [&mut a, &mut b, &mut c]).await;
    assert_eq!(
        cluster.room_placement("r"),
        placement(&[&a, &c]),
        "room hash after b left"
    );

    // A newcomer on the node b left sees the two who stay, each once, and not b.
    let mut d = Peer::on(cluster.node(1), "d@n2", "r").await;
    d.join("r", &mut [&mut a, &mut c]).await;
    let offer = frames::sdp("r", &a.id, frames::offer("d-to-a"));
    d.relay(offer, &mut [&mut a]).await;
    quiet(&mut [&mut a, &mut b, &mut c, &mut d]).await;
    assert_eq!(
        cluster.room_placement("r"),
        placement(&[&a, &c, &d]),
        "room hash after d joined"
    );

    // The member sets per node match: one entry per membership, on the member's node.
    let members_of = |node: &str| {
        let mut entries = cluster
            .redis
            .cli(&["SMEMBERS", &Cluster::key(&format!("members:{node}"))]);
        entries.sort();
        entries
    };
    let entry = |peer: &Peer| json!(["conference", "r", peer.id]).to_string();
    assert_eq!(members_of("n1"), [entry(&a)]);
    assert_eq!(members_of("n2"), [entry(&d)]);
    assert_eq!(members_of("n3"), [entry(&c)]);
}

/// An answered join is known cluster-wide: a client that joins on another node right after
/// the answer finds the first member listed, as on one node, rather than both learning of
/// each other by `peerJoin`. Many rooms at once, so the joins queue in the nodes' writers.
#[tokio::test]
async fn a_join_on_another_node_after_an_answered_join_lists_its_member() {
    let cluster = Cluster::start(2).await;
    let pairs = (0..40).map(|n| {
        let cluster = &cluster;
        async move {
            let room = format!("race-{n}");
            let mut a = Peer::on(cluster.node(0), &format!("a{n}@n1"), &room).await;
            let mut b = Peer::on(cluster.node(1), &format!("b{n}@n2"), &room).await;
            a.join(&room, &mut []).await;
            b.join(&room, &mut [&mut a]).await;
            (a, b)
        }
    });
    let mut pairs = futures_util::future::join_all(pairs).await;
    let mut everyone: Vec<&mut Peer> = pairs.iter_mut().flat_map(|(a, b)| [a, b]).collect();
    quiet(&mut everyone).await;
}
