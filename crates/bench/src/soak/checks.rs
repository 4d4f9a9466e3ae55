//! The soak's end-of-run checks on the cluster itself, after every client left: no room or
//! connection left in any node's `/metrics` and no room or member key left in Redis (polled
//! for a bounded settle time), each node's resident memory, and panics in the node logs.
//! Each check is a named verdict with its figures; the soak fails when one fails.

use std::path::PathBuf;
use std::time::Duration;

use serde::Serialize;

use super::cluster::Cluster;
use super::http;
use crate::measure::procfs::rss_kib;

const POLL: Duration = Duration::from_millis(250);
const HTTP_TIMEOUT: Duration = Duration::from_secs(2);
/// Keys that stay while their node lives, whatever its rooms hold.
const NODE_KEYS: &[&str] = &["nodes", "lease:", "asserted:", "cleanup:"];

/// One verdict.
#[derive(Clone, Debug, Serialize)]
pub struct Check {
    pub name: &'static str,
    pub passed: bool,
    pub detail: String,
}

impl Check {
    pub fn new(name: &'static str, passed: bool, detail: String) -> Check {
        Check {
            name,
            passed,
            detail,
        }
    }
}

/// What a node's `/metrics` still counted after everyone left.
#[derive(Clone, Debug, Serialize)]
pub struct NodeLeft {
    pub node: String,
    /// `switchboard_rooms`.
    pub rooms: Option<f64>,
    /// `switchboard_connections`, all dialects.
    pub connections: Option<f64>,
}

/// The cluster's state once everyone left.
#[derive(Clone, Debug, Serialize)]
pub struct EndState {
    pub nodes: Vec<NodeLeft>,
    /// Keys of rooms, members or peers still in Redis.
    pub keys_left: Vec<String>,
    /// Keys in Redis, node keys included.
    pub keys_total: usize,
    /// How long it took to reach zero (or the settle limit).
    pub settle_seconds: f64,
    /// A node or Redis that could not be read.
    pub unreadable: Option<String>,
}

impl EndState {
    pub fn is_empty(&self) -> bool {
        self.unreadable.is_none()
            && self.keys_left.is_empty()
            && self
                .nodes
                .iter()
                .all(|node| node.rooms == Some(0.0) && node.connections == Some(0.0))
    }
}

/// Polls the nodes and Redis until no room, connection or member is left, or `limit`.
pub async fn end_state(cluster: &Cluster, limit: Duration) -> EndState {
    let began = tokio::time::Instant::now();
    loop {
        let state = read_end_state(cluster, began.elapsed()).await;
        if state.is_empty() || began.elapsed() >= limit {
            return state;
        }
        tokio::time::sleep(POLL).await;
    }
}

async fn read_end_state(cluster: &Cluster, elapsed: Duration) -> EndState {
    let mut unreadable = None;
    let mut nodes = Vec::new();
    for (id, addr) in cluster.node_ids().into_iter().zip(cluster.addrs()) {
        let text = match http::get(addr, "/metrics", HTTP_TIMEOUT).await {
            Ok((200, text)) => text,
            Ok((status, _)) => {
                unreadable = Some(format!("{id} /metrics: {status}"));
                String::new()
            }
            Err(err) => {
                unreadable = Some(format!("{id}: {err}"));
                String::new()
            }
        };
        nodes.push(NodeLeft {
            node: id,
            rooms: http::metric_sum(&text, "switchboard_rooms"),
            connections: http::metric_sum(&text, "switchboard_connections"),
        });
    }
    let keys = cluster.redis_keys().unwrap_or_else(|err| {
        unreadable = Some(err);
        Vec::new()
    });
    EndState {
        nodes,
        keys_left: room_keys(&keys, "switchboard:"),
        keys_total: keys.len(),
        settle_seconds: elapsed.as_secs_f64(),
        unreadable,
    }
}

/// The keys among `keys` that belong to rooms, members or peers rather than to live nodes.
fn room_keys(keys: &[String], prefix: &str) -> Vec<String> {
    let mut left: Vec<String> = keys
        .iter()
        .filter(|key| {
            let rest = key.strip_prefix(prefix).unwrap_or(key);
            !NODE_KEYS.iter().any(|node_key| rest.starts_with(node_key))
        })
        .cloned()
        .collect();
    left.sort();
    left
}

/// One node's resident memory at two moments.
#[derive(Clone, Debug, Serialize)]
pub struct Rss {
    pub node: String,
    /// Checked (never killed) or only reported.
    pub witness: bool,
    /// Times the node was killed and restarted: its end figure is then its last start's,
    /// its baseline its first start's.
    pub restarts: usize,
    pub baseline_kib: Option<u64>,
    pub end_kib: Option<u64>,
    /// end / baseline - 1.
    pub change: Option<f64>,
}

/// VmRSS of each node that runs, by index.
pub fn rss_now(cluster: &Cluster, nodes: usize) -> Vec<Option<u64>> {
    (0..nodes)
        .map(|index| cluster.pid(index).and_then(|pid| rss_kib(pid).ok()))
        .collect()
}

/// `end / baseline - 1`.
pub fn change(baseline: Option<u64>, end: Option<u64>) -> Option<f64> {
    match (baseline, end) {
        (Some(baseline), Some(end)) if baseline > 0 => Some(end as f64 / baseline as f64 - 1.0),
        _ => None,
    }
}

/// Lines that report a panic, per log file.
#[derive(Clone, Debug, Serialize)]
pub struct Panics {
    pub count: usize,
    pub samples: Vec<String>,
    pub logs: Vec<PathBuf>,
}

pub fn panics(logs: &[(String, PathBuf)]) -> Panics {
    let mut found = Panics {
        count: 0,
        samples: Vec::new(),
        logs: logs.iter().map(|(_, path)| path.clone()).collect(),
    };
    for (node, path) in logs {
        let text = match std::fs::read(path) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(err) => {
                found.count += 1;
                found
                    .samples
                    .push(format!("{}: unreadable: {err}", path.display()));
                continue;
            }
        };
        for line in panic_lines(&text) {
            found.count += 1;
            if found.samples.len() < 10 {
                found.samples.push(format!("{node}: {line}"));
            }
        }
    }
    found
}

fn panic_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines().filter(|line| line.contains("panicked"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_keys_are_not_left_over_rooms() {
        let keys: Vec<String> = [
            "switchboard:nodes",
            "switchboard:lease:n1",
            "switchboard:asserted:n2",
            "switchboard:cleanup:n1",
            "switchboard:room:conference:soak-1",
            "switchboard:members:n3",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(
            room_keys(&keys, "switchboard:"),
            [
                "switchboard:members:n3",
                "switchboard:room:conference:soak-1"
            ]
        );
    }

    #[test]
    fn panics_are_found_by_line_and_memory_change_is_relative() {
        let log = "INFO ok\nthread 'actix-rt' panicked at src/x.rs:1:2:\nboom\n";
        assert_eq!(panic_lines(log).count(), 1);
        assert_eq!(change(Some(1000), Some(1100)), Some(0.10000000000000009));
        assert_eq!(change(None, Some(1)), None);
    }

    #[test]
    fn the_end_state_is_empty_only_when_everything_reads_zero() {
        let node = |rooms, connections| NodeLeft {
            node: "n1".into(),
            rooms,
            connections,
        };
        let state = |nodes, keys_left: Vec<String>| EndState {
            nodes,
            keys_left,
            keys_total: 2,
            settle_seconds: 0.0,
            unreadable: None,
        };
        assert!(state(vec![node(Some(0.0), Some(0.0))], vec![]).is_empty());
        assert!(!state(vec![node(Some(1.0), Some(0.0))], vec![]).is_empty());
        assert!(!state(vec![node(None, Some(0.0))], vec![]).is_empty());
        assert!(!state(vec![node(Some(0.0), Some(0.0))], vec!["k".into()]).is_empty());
    }
}
