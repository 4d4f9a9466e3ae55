//! `connect`: a connection storm. `concurrency` workers open `total` connections, each up
//! to the server's greeting (peerjs `OPEN`, conference `connectResponse`), and close it at
//! once (or keep them all open until the end): connections per second, time to open.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::json;

use super::{Common, close_all};
use crate::clock::now_ns;
use crate::dialect::run_id;
use crate::limits::raise_nofile;
use crate::measure::errors::Kind;
use crate::measure::{CpuMeter, Errors, Latencies};
use crate::net::{Dialer, Ws};
use crate::report::Report;

/// Small: these sockets carry one greeting.
const READ_BUFFER: usize = 4 * 1024;

#[derive(Clone, Debug)]
pub struct ConnectConfig {
    pub common: Common,
    pub server: std::net::SocketAddr,
    pub total: usize,
    pub concurrency: usize,
    /// Keep every connection open until all are made, instead of closing each at once.
    pub keep_open: bool,
}

pub async fn run(config: &ConnectConfig) -> Result<Report, String> {
    let common = &config.common;
    raise_nofile(config.concurrency as u64 + config.keep_open as u64 * config.total as u64 + 1024);
    let dialer = common.dialer(READ_BUFFER);
    let run: Arc<str> = run_id().into();
    let next = Arc::new(AtomicUsize::new(0));
    let latencies = Latencies::new(common.threads);
    let meter = CpuMeter::start(&common.server_pids);
    let started = now_ns();
    let workers: Vec<_> = (0..config.concurrency.clamp(1, config.total.max(1)))
        .map(|worker| {
            let job = Worker {
                config: config.clone(),
                dialer: dialer.clone(),
                run: run.clone(),
                next: next.clone(),
            };
            tokio::spawn(job.work(latencies.local(worker)))
        })
        .collect();
    let mut opened = 0u64;
    let mut errors = Errors::default();
    let mut kept = Vec::new();
    for worker in workers {
        match worker.await {
            Ok(done) => {
                opened += done.opened;
                errors.merge(done.errors);
                kept.extend(done.kept);
            }
            Err(err) => errors.add(Kind::Setup, 1, || format!("worker failed: {err}")),
        }
    }
    let elapsed = (now_ns() - started) as f64 / 1e9;
    let cpu = meter.stop();
    close_all(kept).await;
    Ok(Report {
        scenario: "connect".into(),
        dialect: common.protocol.dialect,
        settings: json!({
            "total": config.total,
            "concurrency": config.concurrency,
            "keep_open": config.keep_open,
            "server": config.server.to_string(),
            "source_addrs": common.sources.len(),
        }),
        unit: "connections",
        count: opened,
        window_seconds: elapsed,
        rate_per_second: 0.0,
        offered_rate_per_second: None,
        sent: None,
        latency_us: Some(latencies.percentiles()),
        send_lag_us: None,
        errors,
        cpu,
        per_server_cpu_second: None,
        generator_cores_busy: 0.0,
        generator_threads: common.threads,
        memory: None,
    }
    .finish())
}

struct Worker {
    config: ConnectConfig,
    dialer: Dialer,
    run: Arc<str>,
    next: Arc<AtomicUsize>,
}

struct Done {
    opened: u64,
    errors: Errors,
    kept: Vec<Ws>,
}

impl Worker {
    async fn work(self, mut latencies: crate::measure::LocalLatencies) -> Done {
        let mut done = Done {
            opened: 0,
            errors: Errors::default(),
            kept: Vec::new(),
        };
        let protocol = &self.config.common.protocol;
        loop {
            let n = self.next.fetch_add(1, Ordering::Relaxed);
            if n >= self.config.total {
                return done;
            }
            let started = now_ns();
            match protocol
                .open_one(&self.dialer, self.config.server, &self.run, n)
                .await
            {
                Ok(mut ws) => {
                    latencies.record(now_ns() - started);
                    done.opened += 1;
                    if self.config.keep_open {
                        done.kept.push(ws);
                    } else {
                        let _ = ws.close(None).await;
                    }
                }
                Err(err) => done.errors.add(Kind::Setup, 1, || err),
            }
        }
    }
}
