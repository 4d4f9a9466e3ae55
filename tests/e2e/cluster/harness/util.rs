//! Small helpers the cluster tests share: a temp directory removed on drop, polling for state
//! that settles asynchronously (Redis keys, /readyz), and collecting a known number of
//! messages from a client when they may take up to a lease to arrive.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::harness::Client;

/// A fresh directory under the system temp dir, removed (with its content) on drop.
pub struct TempDir {
    path: PathBuf,
}

impl TempDir {
    pub fn new(what: &str) -> TempDir {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let unique = NEXT.fetch_add(1, Ordering::SeqCst);
        let path = std::env::temp_dir().join(format!(
            "switchboard-e2e-{what}-{}-{unique}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path)
            .unwrap_or_else(|err| panic!("create {}: {err}", path.display()));
        TempDir { path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// Polls `probe` until it answers `Ok`, failing the test with its last complaint after
/// `timeout`. The timeout only keeps a broken cluster from hanging the suite.
pub async fn wait_until<T>(
    what: &str,
    timeout: Duration,
    mut probe: impl AsyncFnMut() -> Result<T, String>,
) -> T {
    let deadline = Instant::now() + timeout;
    loop {
        match probe().await {
            Ok(value) => return value,
            Err(last) if Instant::now() >= deadline => {
                panic!("{what}: not true within {timeout:?}; last: {last}")
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}

/// Reads from `client` until exactly `count` messages arrived (waiting up to `timeout`) and
/// returns them in arrival order; anything beyond `count` stays for a later `expect_none`.
pub async fn gather(
    client: &mut Client,
    label: &str,
    count: usize,
    timeout: Duration,
) -> Vec<Value> {
    let deadline = Instant::now() + timeout;
    let mut got: Vec<Value> = Vec::new();
    while got.len() < count {
        if Instant::now() >= deadline {
            panic!(
                "{label}: expected {count} message(s) within {timeout:?}, got {}: {got:#?}",
                got.len()
            );
        }
        client.poll_incoming(Duration::from_millis(100)).await;
        let queued = client.take_queued();
        if queued.is_empty() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        got.extend(queued);
    }
    assert_eq!(
        got.len(),
        count,
        "{label}: more messages than expected arrived together: {got:#?}"
    );
    got
}

/// Messages compared regardless of order: each rendered to its JSON text, sorted.
pub fn as_sorted_texts(messages: &[Value]) -> Vec<String> {
    let mut texts: Vec<String> = messages.iter().map(Value::to_string).collect();
    texts.sort();
    texts
}
