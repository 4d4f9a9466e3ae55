//! Each scenario once per dialect against the run's server (one node, or in the cluster
//! topology peers spread over its nodes).

use switchboard_bench::scenario::{connect, idle, latency, relay};
use switchboard_bench::{
    ConnectConfig, IdleConfig, LatencyConfig, Pacing, Placement, RelayConfig, Size,
};

use super::{DIALECTS, UNLIMITED, WARMUP, WINDOW, assert_clean, common};
use crate::harness::Server;

fn placement(server: &Server) -> Placement {
    Placement {
        a: server.next_addr(),
        b: server.next_addr(),
    }
}

fn pids(server: &Server) -> Vec<u32> {
    server.nodes().iter().map(|node| node.pid()).collect()
}

#[tokio::test]
async fn relay_runs_clean_in_both_dialects_and_sizes() {
    let server = Server::start(UNLIMITED);
    for (dialect, size) in DIALECTS.into_iter().zip([Size::Candidate, Size::Offer]) {
        let config = RelayConfig {
            common: common(dialect, &pids(&server)),
            placement: placement(&server),
            pairs: 2,
            size,
            window: 2,
            duration: WINDOW,
            warmup: WARMUP,
        };
        let report = assert_clean(relay::run(&config).await, &format!("relay {dialect:?}"));
        let latency = report.latency_us.expect("relay reports latency");
        assert_eq!(latency.count, report.count, "one latency per message");
        assert!(report.cpu.server_seconds().is_some(), "server CPU was read");
    }
}

#[tokio::test]
async fn latency_runs_clean_and_delivers_every_scheduled_message() {
    let server = Server::start(UNLIMITED);
    for dialect in DIALECTS {
        let config = LatencyConfig {
            common: common(dialect, &pids(&server)),
            placement: placement(&server),
            pairs: 2,
            rate: 400,
            size: Size::Candidate,
            duration: WINDOW,
            warmup: WARMUP,
            pacing: Pacing::Timer,
        };
        let report = assert_clean(latency::run(&config).await, &format!("latency {dialect:?}"));
        // 400/s for the 1 s window: the schedule is exact, and nothing may be lost.
        assert_eq!(report.count, 400, "messages due in the window");
        assert!(report.sent.unwrap() >= 400, "{report}");
    }
}

#[tokio::test]
async fn connect_runs_clean_in_both_dialects() {
    let server = Server::start(UNLIMITED);
    for dialect in DIALECTS {
        let config = ConnectConfig {
            common: common(dialect, &pids(&server)),
            server: server.next_addr(),
            total: 60,
            concurrency: 8,
            keep_open: dialect == switchboard_bench::Dialect::Conference,
        };
        let report = assert_clean(connect::run(&config).await, &format!("connect {dialect:?}"));
        assert_eq!(report.count, 60, "every connection opened");
    }
}

#[tokio::test]
async fn idle_holds_connections_and_reads_the_servers_memory() {
    let server = Server::start(UNLIMITED);
    for dialect in DIALECTS {
        let node = server.node(server.next_node());
        let config = IdleConfig {
            common: common(dialect, &[node.pid()]),
            server: node.addr(),
            connections: 50,
            concurrency: 16,
            hold: std::time::Duration::from_millis(1500),
            settle: std::time::Duration::from_millis(500),
        };
        let report = assert_clean(idle::run(&config).await, &format!("idle {dialect:?}"));
        assert_eq!(report.count, 50, "every connection held");
        let memory = report.memory.as_ref().expect("idle reports memory");
        assert!(memory.servers[0].after_kib > 0, "{report}");
    }
}
