//! The soak smoke run (`switchboard-bench soak`, issue "Soak under faults"): two minutes of
//! client churn against a 3-node cluster that the soak starts itself from this build's
//! binary, with a node killed (-9) and restarted every 30 s and Redis restarted empty once.
//! Every check of the soak must pass: no signal to the wrong peer or under a wrong sender
//! id, none lost between members that stayed while their nodes and Redis were up, no room,
//! connection or member key left, the witness node's memory back within 10 % of its
//! warmed-up baseline, no panic in the logs. No timing is asserted.

use std::time::Duration;

use switchboard_bench::soak::churn::ChurnConfig;
use switchboard_bench::soak::ledger::Window;
use switchboard_bench::soak::{self, SoakConfig};

use crate::harness::node::BIN;

#[tokio::test]
async fn a_two_minute_soak_under_kills_and_a_redis_restart_passes_every_check() {
    let run_dir =
        std::env::temp_dir().join(format!("switchboard-soak-smoke-{}", std::process::id()));
    let config = SoakConfig {
        server_bin: BIN.into(),
        run_dir: run_dir.clone(),
        duration: Duration::from_secs(120),
        warmup: Duration::from_secs(20),
        kill_every: Duration::from_secs(30),
        redis_restart_at: Some(Duration::from_secs(65)),
        clients: 24,
        churn: ChurnConfig {
            nodes: Vec::new(),
            rooms: 6,
            stay: Duration::from_secs(6),
            signal_every: Duration::from_millis(250),
            drop_ratio: 0.3,
            path: "/conference".into(),
            timeout: Duration::from_secs(5),
        },
        heartbeat: Duration::from_millis(500),
        fault_settle: Duration::from_secs(5),
        window: Window {
            before_ns: 1_000_000_000,
            grace_ns: 2_000_000_000,
        },
        end_settle: Duration::from_secs(30),
        rss_tolerance: 0.10,
        seed: 7,
    };
    let report = soak::run(&config).await.unwrap_or_else(|err| {
        panic!(
            "the soak could not run (logs in {}): {err}",
            run_dir.display()
        )
    });
    eprintln!("{report}");
    for check in &report.checks {
        assert!(
            check.passed,
            "soak check {}: {}\n{report}",
            check.name, check.detail
        );
    }
    assert!(report.passed);
    assert_eq!(
        report.kills.len(),
        3,
        "kills at 50, 80 and 110 s: {:?}",
        report.kills
    );
    assert_eq!(report.redis_restarts.len(), 1);
    let _ = std::fs::remove_dir_all(&run_dir);
}
