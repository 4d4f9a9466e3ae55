//! The production shape: nginx in front of three nodes, round-robin, no stickiness. Two
//! clients that landed on different nodes (as `connectResponse.node` tells) run a whole
//! offer/answer/candidate exchange through the proxy.

use super::harness::{Cluster, Nginx, Peer, quiet};
use crate::harness::{frames, http};

/// More connections than round-robin over three nodes can need to hit a second node.
const MAX_TRIES: usize = 6;

#[tokio::test]
async fn two_peers_on_different_nodes_exchange_through_nginx() {
    let cluster = Cluster::start(3).await;
    let upstreams: Vec<_> = cluster.nodes.iter().map(|node| node.addr()).collect();
    let nginx = Nginx::start(&upstreams).await;

    let health = http::get(nginx.addr(), "/healthz")
        .await
        .expect("GET /healthz via nginx");
    assert_eq!(
        (health.status, health.body.as_str()),
        (200, "ok"),
        "/healthz through nginx"
    );

    let mut first = Peer::via(nginx.addr(), "via-nginx-0", "r").await;
    let mut others = Vec::new();
    let mut second = None;
    for attempt in 1..MAX_TRIES {
        let peer = Peer::via(nginx.addr(), &format!("via-nginx-{attempt}"), "r").await;
        if peer.node != first.node {
            second = Some(peer);
            break;
        }
        others.push(peer);
    }
    let mut second = second.unwrap_or_else(|| {
        panic!(
            "{MAX_TRIES} connections through nginx all landed on {}; nginx log:\n{}",
            first.node,
            nginx.logs()
        )
    });
    let nodes: Vec<String> = (0..3).map(Cluster::id).collect();
    assert!(nodes.contains(&first.node) && nodes.contains(&second.node));

    first.join("r", &mut []).await;
    second.join("r", &mut [&mut first]).await;

    let offer = frames::sdp("r", &second.id, frames::offer("first-offer"));
    first.relay(offer, &mut [&mut second]).await;
    let answer = frames::sdp("r", &first.id, frames::answer("second-answer"));
    second.relay(answer, &mut [&mut first]).await;
    for n in 0..3 {
        let candidate = frames::candidate(&format!("first-{n}"));
        first
            .relay(
                frames::trickle("r", Some(&second.id), candidate),
                &mut [&mut second],
            )
            .await;
        let candidate = frames::candidate(&format!("second-{n}"));
        second
            .relay(
                frames::trickle("r", Some(&first.id), candidate),
                &mut [&mut first],
            )
            .await;
    }
    let end = frames::trickle("r", None, frames::candidate("first-end-of-candidates"));
    first.relay(end, &mut [&mut second]).await;
    quiet(&mut [&mut first, &mut second]).await;
    for other in others.iter_mut() {
        quiet(&mut [other]).await;
    }
}
