//! The soak's own cluster, so that it can inject faults: a `redis-server` and N `switchboard`
//! nodes on fixed loopback ports, each process's output in a file of the run directory.
//! A node or Redis can be killed with SIGKILL and started again on the same port (a node
//! under the same id, Redis empty: no persistence). Dropping the cluster kills every
//! process it started.

use std::fs::File;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::http;

/// How long a process may take to answer once started.
const START_TIMEOUT: Duration = Duration::from_secs(20);
const POLL: Duration = Duration::from_millis(100);
const HTTP_TIMEOUT: Duration = Duration::from_secs(2);

/// Flags that lift every per-address and per-node limit: all clients come from 127.0.0.1.
const UNLIMITED: &[&str] = &[
    "--max-msgs-per-sec",
    "0",
    "--max-conns-per-ip",
    "0",
    "--max-new-conns-per-sec",
    "0",
    "--max-room-members",
    "0",
    "--max-conns",
    "0",
];

struct NodeProc {
    id: String,
    addr: SocketAddr,
    child: Option<Child>,
    /// One log file per start.
    logs: Vec<PathBuf>,
}

pub struct Cluster {
    dir: PathBuf,
    server_bin: PathBuf,
    heartbeat: String,
    redis_port: u16,
    redis: Option<Child>,
    redis_starts: u32,
    nodes: Vec<NodeProc>,
}

impl Cluster {
    /// Starts Redis and `count` nodes `n1`, `n2`, … and waits until every node sees all.
    pub async fn start(
        server_bin: &Path,
        dir: &Path,
        count: usize,
        heartbeat: Duration,
    ) -> Result<Cluster, String> {
        std::fs::create_dir_all(dir).map_err(|err| format!("{}: {err}", dir.display()))?;
        let mut cluster = Cluster {
            dir: dir.to_path_buf(),
            server_bin: server_bin.to_path_buf(),
            heartbeat: format!("{}ms", heartbeat.as_millis()),
            redis_port: free_port()?,
            redis: None,
            redis_starts: 0,
            nodes: Vec::new(),
        };
        for n in 1..=count {
            cluster.nodes.push(NodeProc {
                id: format!("n{n}"),
                addr: SocketAddr::from((Ipv4Addr::LOCALHOST, free_port()?)),
                child: None,
                logs: Vec::new(),
            });
        }
        cluster.start_redis().await?;
        for index in 0..count {
            cluster.spawn_node(index)?;
        }
        cluster.wait_ready().await?;
        Ok(cluster)
    }

    pub fn addrs(&self) -> Vec<SocketAddr> {
        self.nodes.iter().map(|node| node.addr).collect()
    }

    pub fn node_ids(&self) -> Vec<String> {
        self.nodes.iter().map(|node| node.id.clone()).collect()
    }

    pub fn pid(&self, index: usize) -> Option<u32> {
        self.nodes[index].child.as_ref().map(Child::id)
    }

    pub fn redis_port(&self) -> u16 {
        self.redis_port
    }

    /// Every log file of every node, as (node id, path).
    pub fn logs(&self) -> Vec<(String, PathBuf)> {
        self.nodes
            .iter()
            .flat_map(|node| node.logs.iter().map(|log| (node.id.clone(), log.clone())))
            .collect()
    }

    /// kill -9 node `index`.
    pub fn kill_node(&mut self, index: usize) {
        kill(&mut self.nodes[index].child);
    }

    /// Starts node `index` again (same id, same port) and waits until the cluster is whole.
    pub async fn restart_node(&mut self, index: usize) -> Result<(), String> {
        self.spawn_node(index)?;
        self.wait_ready().await
    }

    /// kill -9 Redis.
    pub fn kill_redis(&mut self) {
        kill(&mut self.redis);
    }

    /// Starts Redis (empty: no RDB, no AOF) on its port and waits for PONG.
    pub async fn start_redis(&mut self) -> Result<(), String> {
        self.redis_starts += 1;
        let log = self.log_file(&format!("redis.{}.log", self.redis_starts))?;
        let port = self.redis_port.to_string();
        let dir = self.dir.display().to_string();
        let child = Command::new("redis-server")
            .args(["--port", &port, "--bind", "127.0.0.1", "--save", ""])
            .args([
                "--appendonly",
                "no",
                "--protected-mode",
                "yes",
                "--dir",
                &dir,
            ])
            .stdin(Stdio::null())
            .stdout(log.0)
            .stderr(log.1)
            .spawn()
            .map_err(|err| format!("redis-server: {err} (is Redis installed?)"))?;
        self.redis = Some(child);
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, self.redis_port));
        for _ in 0..START_TIMEOUT.as_millis() / POLL.as_millis() {
            if redis_pongs(addr).await {
                return Ok(());
            }
            tokio::time::sleep(POLL).await;
        }
        Err(format!("redis-server on {addr} did not answer PING"))
    }

    /// Waits until every node answers `/readyz` 200 listing every node; fails at once when
    /// a node exited.
    pub async fn wait_ready(&mut self) -> Result<(), String> {
        let want = self.node_ids();
        let mut last = String::new();
        for _ in 0..START_TIMEOUT.as_millis() / POLL.as_millis() {
            self.exited()?;
            let mut all = true;
            for node in &self.nodes {
                match http::get(node.addr, "/readyz", HTTP_TIMEOUT).await {
                    Ok((200, body)) if lists_all(&body, &want) => {}
                    Ok((status, body)) => {
                        all = false;
                        last = format!("{}: {status} {body}", node.id);
                    }
                    Err(err) => {
                        all = false;
                        last = format!("{}: {err}", node.id);
                    }
                }
            }
            if all {
                return Ok(());
            }
            tokio::time::sleep(POLL).await;
        }
        Err(format!(
            "the cluster is not whole after {START_TIMEOUT:?}: {last}"
        ))
    }

    /// An error naming the first node that exited, with the end of its log.
    fn exited(&mut self) -> Result<(), String> {
        for node in &mut self.nodes {
            let Some(child) = node.child.as_mut() else {
                continue;
            };
            if let Ok(Some(status)) = child.try_wait() {
                let log = node.logs.last().cloned().unwrap_or_default();
                let text = std::fs::read_to_string(&log).unwrap_or_default();
                let tail: Vec<&str> = text.lines().rev().take(5).collect();
                return Err(format!(
                    "node {} exited ({status}); {}: {}",
                    node.id,
                    log.display(),
                    tail.into_iter().rev().collect::<Vec<_>>().join(" | ")
                ));
            }
        }
        Ok(())
    }

    /// Every key of the cluster in Redis (`KEYS switchboard:*`; the soak's Redis is small).
    pub fn redis_keys(&self) -> Result<Vec<String>, String> {
        let output = Command::new("redis-cli")
            .args(["-p", &self.redis_port.to_string(), "--raw"])
            .args(["KEYS", "switchboard:*"])
            .stdin(Stdio::null())
            .output()
            .map_err(|err| format!("redis-cli: {err}"))?;
        if !output.status.success() {
            return Err(format!(
                "redis-cli KEYS: {}",
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        Ok(String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter(|line| !line.is_empty())
            .map(str::to_string)
            .collect())
    }

    fn spawn_node(&mut self, index: usize) -> Result<(), String> {
        let starts = self.nodes[index].logs.len() + 1;
        let id = self.nodes[index].id.clone();
        let (path, (stdout, stderr)) = {
            let name = format!("{id}.{starts}.log");
            (self.dir.join(&name), self.log_file(&name)?)
        };
        let addr = self.nodes[index].addr.to_string();
        let redis = format!("redis://127.0.0.1:{}", self.redis_port);
        let mut command = Command::new(&self.server_bin);
        command
            .args(["--listen", &addr, "--node-id", &id, "--redis-url", &redis])
            .args(["--cluster-heartbeat", &self.heartbeat])
            .args(UNLIMITED);
        for (key, _) in std::env::vars() {
            if key.starts_with("SWITCHBOARD_") {
                command.env_remove(key);
            }
        }
        let child = command
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(stderr)
            .spawn()
            .map_err(|err| format!("{}: {err}", self.server_bin.display()))?;
        let node = &mut self.nodes[index];
        node.child = Some(child);
        node.logs.push(path);
        Ok(())
    }

    /// The file `name` in the run directory, as stdout and stderr of a child.
    fn log_file(&self, name: &str) -> Result<(File, File), String> {
        let path = self.dir.join(name);
        let file = File::create(&path).map_err(|err| format!("{}: {err}", path.display()))?;
        let twin = file
            .try_clone()
            .map_err(|err| format!("{}: {err}", path.display()))?;
        Ok((file, twin))
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for node in &mut self.nodes {
            kill(&mut node.child);
        }
        kill(&mut self.redis);
    }
}

fn kill(child: &mut Option<Child>) {
    if let Some(mut child) = child.take() {
        let _ = child.kill();
        let _ = child.wait();
    }
}

/// A loopback port nothing listens on right now.
fn free_port() -> Result<u16, String> {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .map_err(|err| format!("no free port: {err}"))
}

/// Whether a `/readyz` body lists every node of `want` as live.
fn lists_all(body: &str, want: &[String]) -> bool {
    let json: Value = serde_json::from_str(body).unwrap_or_default();
    let live = json["nodes"].as_array().map_or(&[][..], Vec::as_slice);
    want.iter()
        .all(|id| live.iter().any(|node| node == id.as_str()))
}

async fn redis_pongs(addr: SocketAddr) -> bool {
    let exchange = async {
        let mut stream = tokio::net::TcpStream::connect(addr).await.ok()?;
        stream.write_all(b"PING\r\n").await.ok()?;
        let mut reply = [0u8; 7];
        stream.read_exact(&mut reply).await.ok()?;
        Some(&reply == b"+PONG\r\n")
    };
    matches!(
        tokio::time::timeout(Duration::from_millis(500), exchange).await,
        Ok(Some(true))
    )
}

#[cfg(test)]
mod tests {
    use super::lists_all;

    #[test]
    fn readyz_must_list_every_node() {
        let want = ["n1", "n2", "n3"].map(String::from);
        let body = r#"{"status":"ready","nodes":["n3","n1","n2"],"redis_connected":true}"#;
        assert!(lists_all(body, &want));
        assert!(!lists_all(r#"{"nodes":["n1","n3"]}"#, &want));
        assert!(!lists_all("not json", &want));
    }
}
