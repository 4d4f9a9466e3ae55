//! Smoke runs of the load generator (`switchboard-bench`, issue 8) against the real binary,
//! so the benchmark harness cannot rot: each scenario, small and short, in both dialects,
//! must complete with zero errors and a non-zero count. No timing is asserted: these check
//! the instrument, not the server's speed. `cluster` runs the split-pair scenarios on two
//! nodes sharing a Redis.

mod cluster;
mod single;

use std::time::Duration;

use switchboard_bench::{Common, Dialect, Protocol, Report};

pub const DIALECTS: [Dialect; 2] = [Dialect::Peerjs, Dialect::Conference];

/// Flags for the servers under load: the per-connection message rate and the room size
/// are issue 10's defences, and the benchmarks measure the relay, as `scripts/bench-compare`
/// does.
pub const UNLIMITED: &[&str] = &["--max-msgs-per-sec", "0", "--max-room-members", "0"];

/// The measured window of the relay and latency smoke runs.
pub const WINDOW: Duration = Duration::from_secs(1);
pub const WARMUP: Duration = Duration::from_millis(200);

/// Settings for `dialect` with the server's default paths, reading `pids`' CPU time.
pub fn common(dialect: Dialect, pids: &[u32]) -> Common {
    let mut common = Common::new(Protocol::new(dialect));
    common.server_pids = pids.to_vec();
    common
}

/// The run finished, counted something, and met no error; prints the report either way.
pub fn assert_clean(report: Result<Report, String>, what: &str) -> Report {
    let report = report.unwrap_or_else(|err| panic!("{what}: the run failed: {err}"));
    eprintln!("{what}:\n{report}");
    assert_eq!(
        report.errors.total, 0,
        "{what}: errors: {:#?}",
        report.errors
    );
    assert!(report.count > 0, "{what}: counted nothing:\n{report}");
    report
}
