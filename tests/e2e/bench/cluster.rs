//! The `cluster` scenarios, relay and latency with each pair's sender on one node and its
//! receiver on the other, on two nodes sharing a Redis, whatever the run's topology.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use switchboard_bench::scenario::{latency, relay};
use switchboard_bench::{LatencyConfig, Pacing, Placement, RelayConfig, Size};

use super::{DIALECTS, WARMUP, WINDOW, assert_clean, common};
use crate::harness::Node;
use crate::harness::redis::RedisServer;
use crate::harness::server::live_nodes;

/// Two nodes n1, n2 and their Redis; the fields drop in order, nodes first.
struct TwoNodes {
    nodes: [Node; 2],
    _redis: RedisServer,
}

impl TwoNodes {
    async fn start() -> TwoNodes {
        let redis = RedisServer::start();
        let url = redis.url();
        let node = |id: &str| {
            Node::start(
                &[
                    "--redis-url",
                    &url,
                    "--node-id",
                    id,
                    "--cluster-heartbeat",
                    "500ms",
                    "--max-msgs-per-sec",
                    "0",
                    "--max-room-members",
                    "0",
                ],
                &[],
            )
        };
        let cluster = TwoNodes {
            nodes: [node("n1"), node("n2")],
            _redis: redis,
        };
        for node in &cluster.nodes {
            let deadline = Instant::now() + Duration::from_secs(15);
            loop {
                let (status, body) = node.readyz().await;
                if status == 200 && live_nodes(&body) == ["n1", "n2"] {
                    break;
                }
                assert!(
                    Instant::now() < deadline,
                    "{} not ready: {status} {body}",
                    node.id()
                );
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
        cluster
    }

    fn placement(&self) -> Placement {
        let addr = |node: &Node| -> SocketAddr { node.addr() };
        Placement {
            a: addr(&self.nodes[0]),
            b: addr(&self.nodes[1]),
        }
    }

    fn pids(&self) -> Vec<u32> {
        self.nodes.iter().map(Node::pid).collect()
    }
}

#[tokio::test]
async fn cluster_relay_and_latency_run_clean_across_two_nodes() {
    let cluster = TwoNodes::start().await;
    for dialect in DIALECTS {
        let relay = RelayConfig {
            common: common(dialect, &cluster.pids()),
            placement: cluster.placement(),
            pairs: 2,
            size: Size::Candidate,
            window: 1,
            duration: WINDOW,
            warmup: WARMUP,
        };
        let report = assert_clean(
            relay::run(&relay).await,
            &format!("cluster relay {dialect:?}"),
        );
        assert_eq!(report.scenario, "cluster relay");
        assert_eq!(report.cpu.servers.len(), 2, "both nodes' CPU was read");

        let latency = LatencyConfig {
            common: common(dialect, &cluster.pids()),
            placement: cluster.placement(),
            pairs: 2,
            rate: 400,
            size: Size::Offer,
            duration: WINDOW,
            warmup: WARMUP,
            pacing: Pacing::Timer,
        };
        let what = format!("cluster latency {dialect:?}");
        let report = assert_clean(latency::run(&latency).await, &what);
        assert_eq!(report.count, 400, "{what}: messages due in the window");
    }
}
