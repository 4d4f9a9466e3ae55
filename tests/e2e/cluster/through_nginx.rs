//! The production shape: nginx in front of three nodes, round-robin, no stickiness. Two
//! clients that landed on different nodes (as `connectResponse.node` tells) run a whole
//! offer/answer/candidate exchange through the proxy.

use super::harness::peer::{exchange, land_apart};
use super::harness::{Cluster, Nginx, Peer, quiet};
use crate::harness::http;

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

    let mut first = Peer::via(nginx.addr(), "via-nginx", "r").await;
    let (mut second, mut others) =
        land_apart(nginx.addr(), "via-nginx", "r", &[&first.node], MAX_TRIES).await;
    let nodes: Vec<String> = (0..3).map(Cluster::id).collect();
    assert!(nodes.contains(&first.node) && nodes.contains(&second.node));

    first.join("r", &mut []).await;
    second.join("r", &mut [&mut first]).await;
    exchange(&mut first, &mut second, "r").await;
    quiet(&mut [&mut first, &mut second]).await;
    for other in others.iter_mut() {
        quiet(&mut [other]).await;
    }
}
