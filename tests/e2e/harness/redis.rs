//! A throwaway `redis-server` on a free loopback port, without persistence, killed on drop:
//! the Redis of the cluster topology and of the cluster tests. Those kill it (-9) and start
//! it again, empty, on the same port to play a Redis outage, and read the cluster's keys
//! with `redis-cli`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::free_port;

const START_TIMEOUT: Duration = Duration::from_secs(10);

pub struct RedisServer {
    port: u16,
    child: Option<Child>,
}

impl RedisServer {
    /// Starts `redis-server` on a free port and waits until it answers PING.
    pub fn start() -> RedisServer {
        let mut redis = RedisServer {
            port: free_port(),
            child: None,
        };
        redis.spawn();
        redis
    }

    /// `redis://127.0.0.1:PORT`, for `--redis-url`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// kill -9: the process is gone at once, with everything it held.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// kill -9, then a new, empty Redis on the same port.
    pub fn restart(&mut self) {
        self.kill();
        self.spawn();
    }

    /// Runs `redis-cli -p PORT args...` and returns its stdout lines (raw format: one line
    /// per reply element). Fails the test when redis-cli fails.
    pub fn cli(&self, args: &[&str]) -> Vec<String> {
        let output = Command::new(tool("redis-cli"))
            .arg("-p")
            .arg(self.port.to_string())
            .args(args)
            .stdin(Stdio::null())
            .output()
            .expect("run redis-cli");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success() && !is_error(&stdout),
            "redis-cli {args:?} failed ({}): {stdout}{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
        // An empty reply (no elements) prints one empty line; no key here holds "".
        stdout
            .lines()
            .filter(|line| !line.is_empty())
            .map(str::to_string)
            .collect()
    }

    /// `cli` for a command answering one integer.
    pub fn cli_int(&self, args: &[&str]) -> i64 {
        let lines = self.cli(args);
        match lines.as_slice() {
            [one] => one
                .trim()
                .parse()
                .unwrap_or_else(|_| panic!("redis-cli {args:?}: not an integer: {one:?}")),
            _ => panic!("redis-cli {args:?}: expected one integer line, got {lines:?}"),
        }
    }

    /// Listens to the channels matching `pattern` (`redis-cli PSUBSCRIBE`) until dropped.
    pub fn psubscribe(&self, pattern: &str) -> Subscription {
        let mut child = Command::new(tool("redis-cli"))
            .arg("-p")
            .arg(self.port.to_string())
            .args(["--raw", "PSUBSCRIBE", pattern])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn redis-cli");
        let stdout = child.stdout.take().expect("piped stdout");
        let lines = Arc::new(Mutex::new(Vec::new()));
        let collected = lines.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                collected.lock().unwrap().push(line);
            }
        });
        let subscription = Subscription { child, lines };
        // Its first reply confirms the subscription: nothing published after it is missed.
        let deadline = Instant::now() + START_TIMEOUT;
        while subscription.lines.lock().unwrap().len() < 3 {
            assert!(
                Instant::now() < deadline,
                "PSUBSCRIBE {pattern}: no confirmation"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        subscription.take();
        subscription
    }

    fn spawn(&mut self) {
        let port = self.port.to_string();
        let child = Command::new(tool("redis-server"))
            .args(["--port", &port, "--bind", "127.0.0.1", "--save", ""])
            .args(["--appendonly", "no", "--protected-mode", "yes"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn redis-server");
        self.child = Some(child);
        let addr = SocketAddr::from(([127, 0, 0, 1], self.port));
        let deadline = Instant::now() + START_TIMEOUT;
        while !answers_ping(addr) {
            if let Some(Ok(Some(status))) = self.child.as_mut().map(Child::try_wait) {
                panic!("redis-server on port {port} exited at start: {status}");
            }
            assert!(
                Instant::now() < deadline,
                "redis-server on port {port} did not answer PING within {START_TIMEOUT:?}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
    }
}

/// What a `redis-cli PSUBSCRIBE` printed: per message `pmessage`, the pattern, the channel,
/// then the message (one line per line of it).
pub struct Subscription {
    child: Child,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Subscription {
    /// The lines printed since the last call.
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.lines.lock().unwrap())
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// redis-cli (not on a terminal) prints an error reply as its text and still exits 0.
fn is_error(stdout: &str) -> bool {
    ["ERR", "WRONGTYPE", "(error)", "Could not connect"]
        .iter()
        .any(|prefix| stdout.starts_with(prefix))
}

fn answers_ping(addr: SocketAddr) -> bool {
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_millis(200)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
    if stream.write_all(b"PING\r\n").is_err() {
        return false;
    }
    let mut reply = [0u8; 7];
    stream.read_exact(&mut reply).is_ok() && &reply == b"+PONG\r\n"
}

/// The path of a Redis program; panics with the fix when it is not installed.
fn tool(name: &str) -> PathBuf {
    let found = Command::new("which")
        .arg(name)
        .output()
        .ok()
        .filter(|output| output.status.success())
        .map(|output| String::from_utf8_lossy(&output.stdout).trim().to_string())
        .filter(|path| !path.is_empty());
    match found {
        Some(path) => PathBuf::from(path),
        None => panic!(
            "`{name}` is not installed (clusters under test need it): run scripts/install-test-deps"
        ),
    }
}
