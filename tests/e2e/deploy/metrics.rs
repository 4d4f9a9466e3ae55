//! The metrics deploy/ relies on exist: every `switchboard_*` name that an alert rule or the
//! Grafana dashboard queries is exported by a real cluster node, every label they group or
//! match on is on its samples (or put there by Prometheus), and the dashboard charts every
//! metric the node exports.
//!
//! Some series only appear with their first event, so the node first lives through each:
//! a relay from a peer on another node and an error; the other node's death (the dead-node
//! count); and a Redis that stops answering while the node still counts it connected (a
//! publish error).

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::time::{Duration, Instant};

use super::promql::{
    Query, alert_queries, dashboard_queries, label_names, metric_names, prometheus_config,
    target_labels,
};
use crate::harness::redis::RedisServer;
use crate::harness::server::live_nodes;
use crate::harness::{Client, Server, eventually, frames, prom};

/// Short, so the dead node is noticed quickly; the heartbeat is also each Redis call's time
/// limit (clamped to 0.5..2 s), which the Redis pause below must outlast.
const HEARTBEAT: &str = "1s";
const LEASE: &str = "3s";
/// How long Redis holds every command: longer than a call's time limit (the heartbeat).
const PAUSE: Duration = Duration::from_millis(2500);
const CHECKED: &str = "d1";
const OTHER: &str = "d2";

fn start_node(redis: &RedisServer, id: &str) -> Server {
    let url = redis.url();
    Server::start_single(&[
        "--redis-url",
        &url,
        "--node-id",
        id,
        "--cluster-heartbeat",
        HEARTBEAT,
        "--cluster-lease",
        LEASE,
    ])
}

/// Waits until `server` is ready (so connected to Redis) and lists exactly `nodes`.
async fn wait_live(server: &Server, nodes: &[&str]) {
    eventually(&format!("{nodes:?} live and ready"), || async {
        let (status, body) = server.readyz().await;
        if status == 200 && live_nodes(&body) == nodes {
            Ok(())
        } else {
            Err(format!("{status} {body}"))
        }
    })
    .await;
}

/// Polls `check` for up to `timeout`; whether it ever held.
async fn holds_within<F, Fut>(timeout: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = Instant::now() + timeout;
    loop {
        if check().await {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn value(server: &Server, name: &str) -> Option<f64> {
    prom::value(&server.metrics().await, name, &[])
}

/// Makes `node` count a publish error. `CLIENT PAUSE` holds every Redis command without
/// closing a connection, and a join in a room the node already hosts publishes at once: its
/// pipeline then outlasts its time limit. Should the heartbeat notice the pause first, the
/// node counts itself disconnected and keeps the join for later without publishing; the
/// attempt is then made again.
async fn provoke_publish_error(node: &Server, redis: &RedisServer, room: &str) {
    const ERRORS: &str = "switchboard_cluster_publish_errors_total";
    for attempt in 1..=3 {
        wait_live(node, &[CHECKED]).await;
        let mut carol = Client::connect_addr(node.addr(), &format!("carol{attempt}")).await;
        let pause = PAUSE.as_millis().to_string();
        redis.cli(&["CLIENT", "PAUSE", &pause, "ALL"]);
        carol.send_json(frames::join(room, "Carol")).await;
        let counted = holds_within(PAUSE + Duration::from_secs(3), || async {
            value(node, ERRORS).await.is_some_and(|v| v >= 1.0)
        })
        .await;
        if counted {
            return;
        }
        eprintln!("attempt {attempt}: the heartbeat noticed the Redis pause first");
    }
    panic!(
        "no {ERRORS} after 3 Redis pauses\n{}\n{}",
        node.metrics().await,
        node.logs()
    );
}

/// The series of one /metrics text: each sample name with the label names it carries, and
/// each `# TYPE`.
struct Exported {
    labels: BTreeMap<String, BTreeSet<String>>,
    types: BTreeMap<String, String>,
}

impl Exported {
    fn parse(text: &str) -> Exported {
        let mut labels: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for sample in prom::samples(text) {
            labels
                .entry(sample.name)
                .or_default()
                .extend(sample.labels.into_keys());
        }
        let types = text
            .lines()
            .filter_map(|line| line.strip_prefix("# TYPE "))
            .filter_map(|rest| rest.split_once(' '))
            .map(|(name, kind)| (name.to_string(), kind.trim().to_string()))
            .collect();
        Exported { labels, types }
    }

    fn is_histogram(&self, family: &str) -> bool {
        self.types
            .get(family)
            .is_some_and(|kind| kind == "histogram")
    }

    /// The metric family a queried name belongs to, if the node exports samples of it: the
    /// name itself, or a histogram's when the name is one of its `_bucket`, `_sum` or
    /// `_count` series.
    fn family(&self, name: &str) -> Option<String> {
        for suffix in ["_bucket", "_sum", "_count"] {
            if let Some(base) = name.strip_suffix(suffix)
                && self.is_histogram(base)
            {
                return self.labels.contains_key(name).then(|| base.to_string());
            }
        }
        if self.is_histogram(name) {
            return self
                .labels
                .contains_key(&format!("{name}_bucket"))
                .then(|| name.to_string());
        }
        self.labels.contains_key(name).then(|| name.to_string())
    }

    /// The label names on the samples of a queried name (a histogram's series included).
    fn label_names(&self, name: &str) -> BTreeSet<String> {
        let Some(family) = self.family(name) else {
            return BTreeSet::new();
        };
        [
            family.clone(),
            format!("{family}_bucket"),
            format!("{family}_sum"),
            format!("{family}_count"),
        ]
        .iter()
        .filter_map(|series| self.labels.get(series))
        .flatten()
        .cloned()
        .collect()
    }

    /// Every `switchboard_*` family with samples.
    fn families(&self) -> BTreeSet<String> {
        self.labels
            .keys()
            .filter_map(|name| self.family(name))
            .filter(|family| family.starts_with("switchboard_"))
            .collect()
    }
}

/// What is wrong with `queries` against `exported`: names the node does not export, a
/// `_bucket` of something that is not a histogram, labels nothing carries.
fn problems(queries: &[Query], exported: &Exported, target: &BTreeSet<String>) -> Vec<String> {
    let mut problems = Vec::new();
    for query in queries {
        let names = metric_names(&query.expr);
        for name in &names {
            if exported.family(name).is_none() {
                problems.push(format!("{}: {name} is not exported", query.source));
            }
        }
        for label in label_names(&query.expr) {
            let carried = names
                .iter()
                .any(|name| exported.label_names(name).contains(&label));
            if !carried && !target.contains(&label) {
                problems.push(format!(
                    "{}: label {label} is on no sample of {names:?} and not a target label {target:?}",
                    query.source
                ));
            }
        }
    }
    problems
}

#[tokio::test]
async fn every_queried_metric_is_exported_by_a_cluster_node() {
    let alerts = alert_queries();
    let dashboard = dashboard_queries();
    assert!(!alerts.is_empty() && !dashboard.is_empty());

    let redis = RedisServer::start();
    let checked = start_node(&redis, CHECKED);
    let mut other = start_node(&redis, OTHER);
    wait_live(&checked, &[CHECKED, OTHER]).await;
    wait_live(&other, &[CHECKED, OTHER]).await;

    // Alice on the checked node, Bob on the other: Bob's offer crosses Redis and is relayed
    // to Alice (latency histogram, cluster traffic both ways); Alice makes an error.
    let mut alice = Client::connect_addr(checked.addr(), "alice@d1").await;
    let mut bob = Client::connect_addr(other.addr(), "bob@d2").await;
    let alice_id = alice.join_id("r", "Alice").await;
    let bob_id = bob.join_id("r", "Bob").await;
    alice.expect("conference", "peerJoin").await;
    let offer = frames::sdp("r", &alice_id, frames::offer("deploy"));
    bob.send_json(offer.clone()).await;
    alice.expect_exact(frames::relayed(&offer, &bob_id)).await;
    alice.send_json(frames::leave("nowhere")).await;
    alice
        .expect_error("not_in_room", Some("conference/leave"))
        .await;

    // The other node dies without a goodbye: the checked node cleans up after it once its
    // lease runs out.
    other.kill9().expect("kill the other node");
    bob.abort();
    eventually("the checked node counts the dead node", || async {
        match value(&checked, "switchboard_cluster_dead_nodes_total").await {
            Some(dead) if dead >= 1.0 => Ok(()),
            other => Err(format!("switchboard_cluster_dead_nodes_total = {other:?}")),
        }
    })
    .await;
    alice.expect("system", "peerDisconnected").await;

    provoke_publish_error(&checked, &redis, "r").await;

    let text = checked.metrics().await;
    let exported = Exported::parse(&text);
    let target = target_labels(&prometheus_config());
    let mut all = alerts.clone();
    all.extend(dashboard.iter().cloned());
    let mut problems = problems(&all, &exported, &target);

    // And the other way round: the dashboard charts every metric the node exports.
    let charted: BTreeSet<String> = dashboard
        .iter()
        .flat_map(|query| metric_names(&query.expr))
        .filter_map(|name| exported.family(&name))
        .collect();
    for family in exported.families().difference(&charted) {
        problems.push(format!("the dashboard charts no {family}"));
    }
    assert!(
        exported.families().len() >= 14,
        "the traffic did not bring out every metric: {:?}",
        exported.families()
    );
    assert!(
        problems.is_empty(),
        "{}\n--- /metrics of {CHECKED} ---\n{text}",
        problems.join("\n")
    );
}
