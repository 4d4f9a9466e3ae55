//! `soak`: a bounded run under faults against a cluster the soak starts and owns (Redis and
//! three nodes on loopback). Clients churn (see [`churn`]) while a node is killed with
//! SIGKILL and restarted every `kill_every` and Redis is killed and restarted, empty, once.
//! At the end, after every client left, it checks that no signal went to the wrong peer or
//! under a wrong sender id, that none was lost between members that stayed while their nodes
//! and Redis were up, that no room, connection or member is left, that the witness node's
//! memory came back to its warmed-up baseline, and that no node panicked.
//!
//! The run has two rounds. The warm-up round churns without faults for `warmup`; every
//! client leaves, the cluster settles, and each node's RSS is read: the baseline, taken
//! idle after the allocator has seen the load. The main round churns with faults until
//! `duration` (counted from the start of the warm-up). Kills rotate among every node but
//! the last, the witness: a restarted node has no warmed-up baseline to compare with, so
//! the memory check is on a node that lived through the whole run, its neighbours' deaths
//! and the Redis restart included.

pub mod checks;
pub mod churn;
pub mod cluster;
pub mod http;
pub mod ledger;
pub mod report;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;

use crate::clock::{instant_at, nanos, now_ns};
use crate::limits::raise_nofile;
use crate::net::Dialer;
use checks::{Check, Rss};
use churn::{ChurnConfig, ChurnTally};
use cluster::Cluster;
use ledger::{Fault, Ledger, Ns, Window};
use report::SoakReport;

/// Nodes in the soak's cluster; the last one is never killed (the memory witness).
pub const NODES: usize = 3;
/// How long a killed node stays down, and Redis.
const DOWN: Duration = Duration::from_secs(1);
/// Pause after everyone left before reading memory.
const QUIET: Duration = Duration::from_secs(2);
const READ_BUFFER: usize = 8 * 1024;

#[derive(Clone, Debug)]
pub struct SoakConfig {
    pub server_bin: PathBuf,
    /// Where the processes' logs go.
    pub run_dir: PathBuf,
    /// The whole run, warm-up included.
    pub duration: Duration,
    pub warmup: Duration,
    /// A node is killed and restarted this often during the main round.
    pub kill_every: Duration,
    /// When Redis is restarted, from the start of the run (`None`: half-way).
    pub redis_restart_at: Option<Duration>,
    pub clients: usize,
    pub churn: ChurnConfig,
    /// The nodes' `--cluster-heartbeat`.
    pub heartbeat: Duration,
    /// After a node or Redis is back, how long it still counts as down for the loss check
    /// (re-assert and resync take a few heartbeats).
    pub fault_settle: Duration,
    pub window: Window,
    /// How long the end state may take to reach zero.
    pub end_settle: Duration,
    /// Largest RSS growth of the witness allowed, as a fraction of its baseline.
    pub rss_tolerance: f64,
    pub seed: u64,
}

pub async fn run(config: &SoakConfig) -> Result<SoakReport, String> {
    raise_nofile(config.clients as u64 * 2 + 1024);
    let began = now_ns();
    let seconds = |at: Ns| at.saturating_sub(began) as f64 / 1e9;
    let mut cluster =
        Cluster::start(&config.server_bin, &config.run_dir, NODES, config.heartbeat).await?;
    let mut churn = config.churn.clone();
    churn.nodes = cluster.addrs();
    let churn = Arc::new(churn);
    let dialer = Dialer::new(Vec::new(), config.churn.timeout, READ_BUFFER);
    let ledger = Arc::new(Mutex::new(Ledger::default()));

    let start = now_ns();
    let until = start + nanos(config.duration);
    let warmup = churn::round(
        churn.clone(),
        dialer.clone(),
        ledger.clone(),
        config.clients,
        start + nanos(config.warmup),
        config.seed,
    )
    .await;
    let settled = checks::end_state(&cluster, config.end_settle).await;
    if !settled.is_empty() {
        return Err(format!(
            "the cluster did not empty after the warm-up: {settled:?}"
        ));
    }
    tokio::time::sleep(QUIET).await;
    let baseline = checks::rss_now(&cluster, NODES);

    let main = tokio::spawn(churn::round(
        churn,
        dialer,
        ledger.clone(),
        config.clients,
        until,
        config.seed.wrapping_add(1 << 32),
    ));
    let faults = inject_faults(config, &mut cluster, &ledger, start, until).await;
    let tally = main.await.unwrap_or_else(|_| ChurnTally::default());
    let (kills, redis_restarts) = faults?;

    let end_state = checks::end_state(&cluster, config.end_settle).await;
    tokio::time::sleep(QUIET).await;
    let end = checks::rss_now(&cluster, NODES);
    let panics = checks::panics(&cluster.logs());
    let (deliveries, losses) = {
        let ledger = ledger.lock().expect("ledger");
        (ledger.deliveries(), ledger.losses(config.window))
    };
    let rss: Vec<Rss> = (0..NODES)
        .map(|index| Rss {
            node: cluster.node_ids()[index].clone(),
            witness: index == NODES - 1,
            restarts: kills.iter().filter(|(_, node)| *node == index).count(),
            baseline_kib: baseline[index],
            end_kib: end[index],
            change: checks::change(baseline[index], end[index]),
        })
        .collect();

    let mut verdicts = vec![
        Check::new(
            "misdelivered",
            deliveries.misdelivered == 0 && deliveries.duplicated == 0,
            format!(
                "{} misdelivered, {} duplicated of {} received",
                deliveries.misdelivered, deliveries.duplicated, deliveries.received
            ),
        ),
        Check::new(
            "lost",
            losses.lost == 0 && losses.eligible > 0,
            format!(
                "{} lost of {} eligible ({} sent)",
                losses.lost, losses.eligible, losses.sent
            ),
        ),
        Check::new(
            "left over",
            end_state.is_empty(),
            format!(
                "rooms, connections and room/member keys {} after {:.1} s",
                if end_state.is_empty() {
                    "all zero"
                } else {
                    "remain"
                },
                end_state.settle_seconds
            ),
        ),
    ];
    for witness in rss.iter().filter(|rss| rss.witness) {
        let passed = witness
            .change
            .is_some_and(|change| change <= config.rss_tolerance);
        verdicts.push(Check::new(
            "witness RSS",
            passed,
            format!(
                "{}: {:+.1}% (limit +{:.0}%)",
                witness.node,
                100.0 * witness.change.unwrap_or(f64::NAN),
                100.0 * config.rss_tolerance
            ),
        ));
    }
    verdicts.push(Check::new(
        "panics",
        panics.count == 0,
        format!("{} in {} log files", panics.count, panics.logs.len()),
    ));
    let redis_expected = usize::from(redis_at(config) < config.duration);
    verdicts.push(Check::new(
        "faults",
        kills.len() as u64 == expected_kills(config) && redis_restarts.len() == redis_expected,
        format!(
            "{} kills (expected {}), {} Redis restart (expected {redis_expected})",
            kills.len(),
            expected_kills(config),
            redis_restarts.len()
        ),
    ));
    let passed = verdicts.iter().all(|check| check.passed);
    Ok(SoakReport {
        scenario: "soak",
        settings: settings(config),
        run_dir: config.run_dir.display().to_string(),
        wall_seconds: seconds(now_ns()),
        kills: kills
            .into_iter()
            .map(|(at, node)| (seconds(at), cluster.node_ids()[node].clone()))
            .collect(),
        redis_restarts: redis_restarts.into_iter().map(seconds).collect(),
        warmup,
        churn: tally,
        deliveries,
        losses,
        end_state,
        rss,
        panics,
        checks: verdicts,
        passed,
    })
}

/// When Redis restarts, from the start of the run.
fn redis_at(config: &SoakConfig) -> Duration {
    config.redis_restart_at.unwrap_or(config.duration / 2)
}

/// Kills fall at `warmup + k × kill_every` before the end.
fn expected_kills(config: &SoakConfig) -> u64 {
    let main = config.duration.saturating_sub(config.warmup);
    if config.kill_every.is_zero() {
        return 0;
    }
    let mut count = main.as_nanos() / config.kill_every.as_nanos();
    if count > 0 && main.as_nanos().is_multiple_of(config.kill_every.as_nanos()) {
        count -= 1;
    }
    count as u64
}

/// The main round's faults, until `until`: kills rotating among all nodes but the witness,
/// and one Redis restart. Returns when each happened.
async fn inject_faults(
    config: &SoakConfig,
    cluster: &mut Cluster,
    ledger: &Mutex<Ledger>,
    start: Ns,
    until: Ns,
) -> Result<(Vec<(Ns, usize)>, Vec<Ns>), String> {
    let mut redis_due = Some(start + nanos(redis_at(config))).filter(|at| *at < until);
    let mut next_kill = start + nanos(config.warmup) + nanos(config.kill_every);
    let (mut kills, mut restarts) = (Vec::new(), Vec::new());
    let settle = nanos(config.fault_settle);
    for victim in (0..NODES - 1).cycle() {
        // The Redis restart, if it falls before this kill.
        if let Some(at) = redis_due.filter(|at| *at <= next_kill) {
            tokio::time::sleep_until(instant_at(at)).await;
            ledger
                .lock()
                .expect("ledger")
                .outage_began(Fault::Redis, now_ns());
            restarts.push(now_ns());
            cluster.kill_redis();
            tokio::time::sleep(DOWN).await;
            cluster.start_redis().await?;
            cluster.wait_ready().await?;
            ledger
                .lock()
                .expect("ledger")
                .outage_ended(Fault::Redis, now_ns() + settle);
            redis_due = None;
        }
        if next_kill >= until || config.kill_every.is_zero() {
            break;
        }
        tokio::time::sleep_until(instant_at(next_kill)).await;
        let fault = Fault::Node(victim);
        ledger.lock().expect("ledger").outage_began(fault, now_ns());
        kills.push((now_ns(), victim));
        cluster.kill_node(victim);
        tokio::time::sleep(DOWN).await;
        cluster.restart_node(victim).await?;
        ledger
            .lock()
            .expect("ledger")
            .outage_ended(fault, now_ns() + settle);
        next_kill += nanos(config.kill_every);
    }
    tokio::time::sleep_until(instant_at(until)).await;
    Ok((kills, restarts))
}

fn settings(config: &SoakConfig) -> serde_json::Value {
    let text = |duration: Duration| humantime::format_duration(duration).to_string();
    json!({
        "duration": text(config.duration),
        "warmup": text(config.warmup),
        "kill_every": text(config.kill_every),
        "redis_restart_at": text(redis_at(config)),
        "clients": config.clients,
        "rooms": config.churn.rooms,
        "stay": text(config.churn.stay),
        "signal_every": text(config.churn.signal_every),
        "drop_ratio": config.churn.drop_ratio,
        "nodes": NODES,
        "heartbeat": text(config.heartbeat),
        "fault_settle": text(config.fault_settle),
        "window": format!(
            "-{:?}..+{:?}",
            Duration::from_nanos(config.window.before_ns),
            Duration::from_nanos(config.window.grace_ns)
        ),
        "seed": config.seed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kills_are_counted_within_the_main_round() {
        let mut config = SoakConfig {
            server_bin: PathBuf::new(),
            run_dir: PathBuf::new(),
            duration: Duration::from_secs(600),
            warmup: Duration::from_secs(60),
            kill_every: Duration::from_secs(60),
            redis_restart_at: None,
            clients: 1,
            churn: ChurnConfig {
                nodes: Vec::new(),
                rooms: 1,
                stay: Duration::from_secs(1),
                signal_every: Duration::from_secs(1),
                drop_ratio: 0.0,
                path: String::new(),
                timeout: Duration::from_secs(1),
            },
            heartbeat: Duration::from_millis(500),
            fault_settle: Duration::from_secs(5),
            window: Window {
                before_ns: 0,
                grace_ns: 0,
            },
            end_settle: Duration::from_secs(1),
            rss_tolerance: 0.1,
            seed: 0,
        };
        // Kills at 120 s, 180 s, …, 540 s: the one at 600 s is the end.
        assert_eq!(expected_kills(&config), 8);
        config.duration = Duration::from_secs(130);
        config.warmup = Duration::from_secs(20);
        config.kill_every = Duration::from_secs(30);
        // 50, 80, 110 s.
        assert_eq!(expected_kills(&config), 3);
    }
}
