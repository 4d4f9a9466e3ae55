//! Polling for state that settles asynchronously (counts in /readyz and /metrics). The
//! deadline only keeps a broken server from hanging the suite; it asserts no latency.

use std::future::Future;
use std::time::{Duration, Instant};

/// How long `eventually` keeps polling before failing.
pub const SETTLE_TIMEOUT: Duration = Duration::from_secs(10);

/// Polls `check` until it returns `Ok`, failing the test with its last error otherwise.
pub async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<(), String>>,
{
    let deadline = Instant::now() + SETTLE_TIMEOUT;
    loop {
        let outcome = check().await;
        match outcome {
            Ok(()) => return,
            Err(last) if Instant::now() >= deadline => {
                panic!("{what}: never became true within {SETTLE_TIMEOUT:?}; last: {last}")
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}
