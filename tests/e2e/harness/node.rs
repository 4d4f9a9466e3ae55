//! One `switchboard` process: started on a free port, its stderr drained into a buffer by a
//! background thread (so the pipe never blocks and logs can be inspected), killed when
//! dropped. A `Server` is one of these, or three of them sharing a Redis.

use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::http;

/// Path of the binary cargo built for this test target.
pub const BIN: &str = env!("CARGO_BIN_EXE_switchboard");
const START_TIMEOUT: Duration = Duration::from_secs(10);

pub struct Node {
    child: Child,
    addr: SocketAddr,
    /// The `--node-id` this node was given (flag or env twin), if any.
    id: Option<String>,
    log: Arc<Mutex<String>>,
}

impl Node {
    /// Starts the binary with `--listen 127.0.0.1:0` plus `args` and the environment
    /// variables `env` (the flags' env twins), and waits for its `listening on
    /// 127.0.0.1:PORT` line.
    pub fn start(args: &[&str], env: &[(&str, &str)]) -> Node {
        let mut cmd = Command::new(BIN);
        cmd.args(["--listen", "127.0.0.1:0"]).args(args);
        for (key, _) in std::env::vars() {
            if key.starts_with("SWITCHBOARD_") {
                cmd.env_remove(key);
            }
        }
        cmd.env("RUST_LOG", "info");
        for (key, value) in env {
            cmd.env(key, value);
        }
        cmd.stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("spawn switchboard");
        let stderr = child.stderr.take().expect("stderr is piped");
        let log = Arc::new(Mutex::new(String::new()));
        let (found, listening) = mpsc::channel();
        let sink = log.clone();
        std::thread::spawn(move || drain_stderr(stderr, sink, found));
        let id = flag_value(args, "--node-id").or_else(|| {
            env.iter()
                .find(|(key, _)| *key == "SWITCHBOARD_NODE_ID")
                .map(|(_, value)| value.to_string())
        });
        match listening.recv_timeout(START_TIMEOUT) {
            Ok(addr) => Node {
                child,
                addr,
                id,
                log,
            },
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                std::thread::sleep(Duration::from_millis(100));
                panic!(
                    "switchboard {args:?} printed no `listening on 127.0.0.1:PORT` within \
                     {START_TIMEOUT:?}; stderr:\n{}",
                    log.lock().unwrap()
                );
            }
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The process id, for readers of /proc (the load generator's `--server-pid`).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The node id it was started with; panics when it got none (it then made one up).
    pub fn id(&self) -> &str {
        self.id
            .as_deref()
            .expect("this node was started without --node-id")
    }

    /// Everything the server wrote to stderr so far.
    pub fn logs(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    pub fn sigterm(&self) {
        self.signal(libc::SIGTERM);
    }

    pub fn sigint(&self) {
        self.signal(libc::SIGINT);
    }

    fn signal(&self, signal: libc::c_int) {
        let pid = libc::pid_t::try_from(self.child.id()).expect("pid fits pid_t");
        // SAFETY: kill(2) on our own child's pid; it has not been reaped while `self` lives
        // unless wait_exit saw it exit, in which case the call fails harmlessly with ESRCH.
        let rc = unsafe { libc::kill(pid, signal) };
        assert_eq!(rc, 0, "kill({pid}, {signal}) failed");
    }

    /// SIGKILL: the process dies without any chance to drain.
    pub fn kill9(&mut self) -> std::io::Result<()> {
        self.child.kill()
    }

    /// Waits up to `timeout` for the process to exit; `None` if it is still running.
    pub async fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// GET `path`; panics when the server cannot be reached.
    pub async fn http_get(&self, path: &str) -> (u16, String) {
        match http::get(self.addr, path).await {
            Ok(response) => (response.status, response.body),
            Err(err) => panic!("GET {path}: {err}\nserver log:\n{}", self.logs()),
        }
    }

    /// GET /readyz as (status, parsed body).
    pub async fn readyz(&self) -> (u16, Value) {
        let (status, body) = self.http_get("/readyz").await;
        let json = serde_json::from_str(&body)
            .unwrap_or_else(|err| panic!("/readyz body is not JSON ({err}): {body:?}"));
        (status, json)
    }

    /// GET /metrics, which must answer 200.
    pub async fn metrics(&self) -> String {
        let (status, body) = self.http_get("/metrics").await;
        assert_eq!(status, 200, "/metrics status; body: {body}");
        body
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.kill9();
            let _ = self.child.wait();
        }
    }
}

/// The value of `flag` in `args` (`--flag value` or `--flag=value`), if given.
pub fn flag_value(args: &[&str], flag: &str) -> Option<String> {
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        if *arg == flag {
            return rest.next().map(|value| value.to_string());
        }
        if let Some(value) = arg.strip_prefix(flag).and_then(|r| r.strip_prefix('=')) {
            return Some(value.to_string());
        }
    }
    None
}

/// Copies stderr into `sink` line by line; sends the bound address once it is logged.
fn drain_stderr(stderr: impl Read, sink: Arc<Mutex<String>>, found: mpsc::Sender<SocketAddr>) {
    let mut reader = BufReader::new(stderr);
    let mut found = Some(found);
    let mut line = Vec::new();
    loop {
        line.clear();
        match reader.read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        let text = String::from_utf8_lossy(&line);
        sink.lock().unwrap().push_str(&text);
        match (parse_listening(&text), found.take()) {
            (Some(addr), Some(sender)) => {
                let _ = sender.send(addr);
            }
            (_, sender) => found = sender,
        }
    }
}

/// The address in a line containing `listening on 127.0.0.1:PORT`, if any.
fn parse_listening(line: &str) -> Option<SocketAddr> {
    let rest = line.split("listening on ").nth(1)?;
    let token: String = rest
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == ':')
        .collect();
    let addr: SocketAddr = token.trim_end_matches(['.', ':']).parse().ok()?;
    (addr.ip().to_string() == "127.0.0.1" && addr.port() != 0).then_some(addr)
}
