//! The server under test, in the topology `SWITCHBOARD_E2E_TOPOLOGY` names: one `switchboard`
//! process (`single`, the default), or a Redis and three nodes n1..n3 started with the same
//! flags (`cluster`). Clients connect to the nodes in turn (`Client::connect` asks
//! `next_node`), so in a cluster the clients of a test sit on different nodes and everything
//! between them crosses Redis. Everything is killed on drop (nodes first, then Redis).

use std::net::SocketAddr;
use std::process::ExitStatus;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::http;
use super::node::{Node, flag_value};
use super::redis::RedisServer;

/// Nodes of the cluster topology.
pub const CLUSTER_NODES: usize = 3;
/// How often each node of the cluster topology renews its lease (`--cluster-heartbeat`).
pub const HEARTBEAT: &str = "500ms";
/// A node of the cluster topology silent this long is dead (`--cluster-lease`).
pub const LEASE: &str = "2s";
/// How long the nodes of a cluster get to see each other before `start` gives up.
const READY_TIMEOUT: Duration = Duration::from_secs(15);

/// Where the tests' server runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Topology {
    /// One process.
    Single,
    /// Three nodes sharing a Redis.
    Cluster,
}

/// The topology of this run, from `SWITCHBOARD_E2E_TOPOLOGY` (`single` when unset).
pub fn topology() -> Topology {
    static TOPOLOGY: OnceLock<Topology> = OnceLock::new();
    *TOPOLOGY.get_or_init(|| match std::env::var("SWITCHBOARD_E2E_TOPOLOGY") {
        Err(std::env::VarError::NotPresent) => Topology::Single,
        Ok(value) if value.is_empty() || value == "single" => Topology::Single,
        Ok(value) if value == "cluster" => Topology::Cluster,
        other => panic!("SWITCHBOARD_E2E_TOPOLOGY must be `single` or `cluster`, not {other:?}"),
    })
}

pub fn is_cluster() -> bool {
    topology() == Topology::Cluster
}

pub struct Server {
    nodes: Vec<Node>,
    /// Only in the cluster topology. Declared after `nodes`: dropped after them.
    redis: Option<RedisServer>,
    /// Round-robin placement of new clients.
    next: AtomicUsize,
}

impl Server {
    /// The server of this run's topology, every process started with `args`.
    pub fn start(args: &[&str]) -> Server {
        Self::start_with_env(args, &[])
    }

    /// Like `start`, with extra environment variables (the flags' env twins).
    pub fn start_with_env(args: &[&str], env: &[(&str, &str)]) -> Server {
        match topology() {
            Topology::Single => Self::single(args, env),
            Topology::Cluster => Self::cluster(args, env),
        }
    }

    /// One process, whatever the topology (for tests that assemble a cluster themselves).
    pub fn start_single(args: &[&str]) -> Server {
        Self::single(args, &[])
    }

    fn single(args: &[&str], env: &[(&str, &str)]) -> Server {
        Server {
            nodes: vec![Node::start(args, env)],
            redis: None,
            next: AtomicUsize::new(0),
        }
    }

    /// Redis plus `CLUSTER_NODES` nodes, each with `args` (its own `--node-id` instead of
    /// any in `args`); returns once every node is ready and sees all of them.
    fn cluster(args: &[&str], env: &[(&str, &str)]) -> Server {
        let redis = RedisServer::start();
        let url = redis.url();
        let shared = without_flag(args, "--node-id");
        let nodes = (0..CLUSTER_NODES)
            .map(|index| {
                let id = cluster_node_id(index);
                let mut node_args = shared.clone();
                node_args.extend(["--redis-url", &url, "--node-id", &id]);
                node_args.extend(["--cluster-heartbeat", HEARTBEAT, "--cluster-lease", LEASE]);
                Node::start(&node_args, env)
            })
            .collect();
        let server = Server {
            nodes,
            redis: Some(redis),
            next: AtomicUsize::new(0),
        };
        server.wait_cluster_ready();
        server
    }

    /// Polls each node's /readyz until it is 200 and lists every node of the cluster.
    fn wait_cluster_ready(&self) {
        let expected: Vec<String> = (0..self.nodes.len()).map(cluster_node_id).collect();
        let deadline = Instant::now() + READY_TIMEOUT;
        for node in &self.nodes {
            loop {
                let last = match http::get_blocking(node.addr(), "/readyz") {
                    Ok(response) => {
                        let body: Value = serde_json::from_str(&response.body).unwrap_or_default();
                        if response.status == 200 && live_nodes(&body) == expected {
                            break;
                        }
                        format!("{} {}", response.status, response.body)
                    }
                    Err(err) => err.to_string(),
                };
                assert!(
                    Instant::now() < deadline,
                    "node {} not ready with nodes {expected:?} within {READY_TIMEOUT:?}; \
                     last /readyz: {last}\n{}",
                    node.id(),
                    self.logs()
                );
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }

    pub fn is_cluster(&self) -> bool {
        self.redis.is_some()
    }

    /// The index of the node the next client goes to (round-robin).
    pub fn next_node(&self) -> usize {
        self.next.fetch_add(1, Ordering::Relaxed) % self.nodes.len()
    }

    /// The address of the node the next client goes to (`next_node`), for raw sockets.
    pub fn next_addr(&self) -> SocketAddr {
        self.nodes[self.next_node()].addr()
    }

    pub fn node(&self, index: usize) -> &Node {
        &self.nodes[index]
    }

    pub fn node_mut(&mut self, index: usize) -> &mut Node {
        &mut self.nodes[index]
    }

    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    pub fn nodes_mut(&mut self) -> &mut [Node] {
        &mut self.nodes
    }

    /// The first node's address (in the single topology, the server's).
    pub fn addr(&self) -> SocketAddr {
        self.nodes[0].addr()
    }

    /// Everything the nodes wrote to stderr so far (each under its id in a cluster).
    pub fn logs(&self) -> String {
        match self.nodes.as_slice() {
            [one] => one.logs(),
            nodes => nodes
                .iter()
                .map(|node| format!("--- {} ---\n{}", node.id(), node.logs()))
                .collect(),
        }
    }

    /// SIGTERM to every node.
    pub fn sigterm(&self) {
        self.nodes.iter().for_each(Node::sigterm);
    }

    /// SIGKILL to every node.
    pub fn kill9(&mut self) -> std::io::Result<()> {
        self.nodes.iter_mut().try_for_each(Node::kill9)
    }

    /// Waits up to `timeout` for every node to exit; `None` if one still runs. The status
    /// is the first unsuccessful one, else the last node's.
    pub async fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        let mut result: Option<ExitStatus> = None;
        for node in &mut self.nodes {
            let left = deadline.saturating_duration_since(Instant::now());
            let status = node.wait_exit(left).await?;
            if result.is_none_or(|kept| kept.success()) {
                result = Some(status);
            }
        }
        result
    }

    /// GET `path` on the first node; panics when it cannot be reached.
    pub async fn http_get(&self, path: &str) -> (u16, String) {
        self.nodes[0].http_get(path).await
    }

    /// GET /readyz on the first node as (status, parsed body).
    pub async fn readyz(&self) -> (u16, Value) {
        self.nodes[0].readyz().await
    }

    /// GET /metrics on the first node, which must answer 200.
    pub async fn metrics(&self) -> String {
        self.nodes[0].metrics().await
    }
}

/// The id of the cluster topology's node at `index` (0 -> "n1").
pub fn cluster_node_id(index: usize) -> String {
    format!("n{}", index + 1)
}

/// `nodes` of a /readyz body, sorted.
pub fn live_nodes(readyz: &Value) -> Vec<String> {
    let mut nodes: Vec<String> = readyz["nodes"]
        .as_array()
        .map(|list| {
            list.iter()
                .filter_map(|node| node.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    nodes.sort();
    nodes
}

/// `args` without `flag` and its value (`--flag value` or `--flag=value`).
fn without_flag<'a>(args: &[&'a str], flag: &str) -> Vec<&'a str> {
    let mut kept = Vec::new();
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        if *arg == flag {
            rest.next();
        } else if !arg.strip_prefix(flag).is_some_and(|r| r.starts_with('=')) {
            kept.push(*arg);
        }
    }
    debug_assert!(flag_value(&kept, flag).is_none());
    kept
}
