//! The scenarios, each a bounded run that returns a `Report`: `relay` (closed loop),
//! `latency` (open loop), `connect` (connection storm), `idle` (held connections); and
//! `soak` (churn against a cluster under faults, see `crate::soak`), with its own report.
//! `cluster` is `relay` or `latency` with the two peers of each pair on different
//! servers. What they share is here: the settings every scenario takes, opening pairs,
//! collecting the peers' results and closing sockets.

pub mod connect;
pub mod idle;
pub mod latency;
pub mod relay;
pub mod soak;

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use futures_util::future::join_all;
use futures_util::{StreamExt, stream};
use tokio::task::JoinHandle;

use crate::dialect::{Link, Protocol};
use crate::measure::Errors;
use crate::measure::errors::Kind;
use crate::net::{Dialer, Ws};
use crate::payload::Size;
use crate::peer::{Finished, Tally};

/// Pairs or connections set up at once.
const SETUP_CONCURRENCY: usize = 64;
/// How long closing the sockets at the end may take, all together.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(5);

/// What every scenario takes.
#[derive(Clone, Debug)]
pub struct Common {
    pub protocol: Protocol,
    /// Local addresses to bind outgoing sockets to, in turn (empty: the OS picks).
    pub sources: Vec<IpAddr>,
    /// For a connect, an upgrade or a greeting, and for silence while running.
    pub timeout: Duration,
    /// Servers whose CPU time (and, for idle, memory) to read.
    pub server_pids: Vec<u32>,
    /// Runtime threads (for sharding histograms, and the report).
    pub threads: usize,
}

impl Common {
    /// Defaults for `dialect` and nothing else: no source binding, a 5 s timeout.
    pub fn new(protocol: Protocol) -> Common {
        Common {
            protocol,
            sources: Vec::new(),
            timeout: Duration::from_secs(5),
            server_pids: Vec::new(),
            threads: 1,
        }
    }

    fn dialer(&self, read_buffer: usize) -> Dialer {
        Dialer::new(self.sources.clone(), self.timeout, read_buffer)
    }
}

/// Where the two peers of each pair connect: the same server, or two nodes of a cluster.
#[derive(Clone, Copy, Debug)]
pub struct Placement {
    pub a: SocketAddr,
    pub b: SocketAddr,
}

impl Placement {
    pub fn single(server: SocketAddr) -> Placement {
        Placement {
            a: server,
            b: server,
        }
    }

    /// The report's name for `scenario` run with this placement.
    fn name(&self, scenario: &str) -> String {
        if self.a == self.b {
            scenario.to_string()
        } else {
            format!("cluster {scenario}")
        }
    }
}

/// Opens `pairs` pairs, a few at a time; a pair that fails counts as a setup error.
async fn open_pairs(
    common: &Common,
    dialer: &Dialer,
    placement: Placement,
    run: &str,
    pairs: usize,
    size: Size,
) -> (Vec<(Link, Link)>, Errors) {
    let results: Vec<_> = stream::iter(0..pairs)
        .map(|index| {
            common
                .protocol
                .open_pair(dialer, (placement.a, placement.b), run, index, size)
        })
        .buffered(SETUP_CONCURRENCY)
        .collect()
        .await;
    let mut errors = Errors::default();
    let mut links = Vec::new();
    for result in results {
        match result {
            Ok(pair) => links.push(pair),
            Err(err) => errors.add(Kind::Setup, 1, || err),
        }
    }
    (links, errors)
}

/// Waits for every peer task; adds up their tallies and keeps their open sockets.
async fn collect(tasks: Vec<JoinHandle<Finished>>) -> (Tally, Vec<Ws>) {
    let mut tally = Tally::default();
    let mut sockets = Vec::new();
    for task in tasks {
        match task.await {
            Ok(finished) => {
                tally.merge(finished.tally);
                sockets.extend(finished.ws);
            }
            Err(err) => tally
                .errors
                .add(Kind::Closed, 1, || format!("peer task failed: {err}")),
        }
    }
    (tally, sockets)
}

/// Sends a close frame on every socket (without waiting for the server's answer).
async fn close_all(mut sockets: Vec<Ws>) {
    let closing = join_all(sockets.iter_mut().map(|ws| ws.close(None)));
    let _ = tokio::time::timeout(CLOSE_TIMEOUT, closing).await;
}

/// Fails a run in which nothing could be set up.
fn nothing_opened(errors: &Errors) -> String {
    format!(
        "nothing could be set up ({} errors); first: {}",
        errors.total,
        errors.samples.first().map_or("", String::as_str)
    )
}
