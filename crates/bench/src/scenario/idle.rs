//! `idle`: opens `connections` connections and holds them for `hold` with the dialect's
//! keep-alive, reading each server's resident memory before, once all are open and settled,
//! and at the end: the memory a server spends per idle connection.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use tokio::sync::{Semaphore, mpsc, watch};

use super::{Common, close_all, collect};
use crate::clock::now_ns;
use crate::dialect::run_id;
use crate::limits::raise_nofile;
use crate::measure::errors::Kind;
use crate::measure::procfs::rss_kib;
use crate::measure::{CpuMeter, Errors, Latencies};
use crate::peer::holder::hold;
use crate::peer::{Finished, HEARTBEAT_NS, Keepalive, Tally};
use crate::report::{Memory, Report, ServerMemory};

/// Small: idle sockets carry a greeting and pings.
const READ_BUFFER: usize = 2 * 1024;

#[derive(Clone, Debug)]
pub struct IdleConfig {
    pub common: Common,
    pub server: SocketAddr,
    pub connections: usize,
    /// Connections being opened at once.
    pub concurrency: usize,
    /// How long to hold them once all are open.
    pub hold: Duration,
    /// How long to wait after the last one opened before reading memory.
    pub settle: Duration,
}

pub async fn run(config: &IdleConfig) -> Result<Report, String> {
    let common = &config.common;
    let limit = raise_nofile(config.connections as u64 + 1024);
    if limit < config.connections as u64 + 16 {
        eprintln!(
            "switchboard-bench: open-files limit {limit} is below {} connections",
            config.connections
        );
    }
    let before = read_rss(&common.server_pids)?;
    let dialer = common.dialer(READ_BUFFER);
    let run: Arc<str> = run_id().into();
    let gate = Arc::new(Semaphore::new(config.concurrency.max(1)));
    let (stop_tx, stop) = watch::channel(false);
    let (opened_tx, mut opened_rx) = mpsc::unbounded_channel::<Result<(), String>>();
    let latencies = Latencies::new(common.threads);
    let started = now_ns();
    let tasks: Vec<_> = (0..config.connections)
        .map(|n| {
            let (dialer, run, gate) = (dialer.clone(), run.clone(), gate.clone());
            let (protocol, server) = (common.protocol.clone(), config.server);
            let (opened_tx, stop) = (opened_tx.clone(), stop.clone());
            let mut latencies = latencies.local(n);
            // Heartbeats spread over the interval, not all at once.
            let first_beat = started + HEARTBEAT_NS * n as u64 / config.connections as u64;
            tokio::spawn(async move {
                let permit = gate.acquire().await.expect("the gate is never closed");
                let began = now_ns();
                let opened = protocol.open_one(&dialer, server, &run, n).await;
                drop(permit);
                let ws = match opened {
                    Ok(ws) => ws,
                    Err(err) => {
                        let _ = opened_tx.send(Err(err));
                        return Finished {
                            ws: None,
                            tally: Tally::default(),
                        };
                    }
                };
                latencies.record(now_ns() - began);
                drop(latencies);
                let _ = opened_tx.send(Ok(()));
                hold(ws, Keepalive::new(protocol.heartbeat(), first_beat), stop).await
            })
        })
        .collect();
    drop(opened_tx);
    let mut errors = Errors::default();
    let mut opened = 0u64;
    // Each task reports once, then keeps its sender while it holds: count the reports.
    for _ in 0..config.connections {
        match opened_rx.recv().await {
            Some(Ok(())) => opened += 1,
            Some(Err(err)) => errors.add(Kind::Setup, 1, || err),
            None => break,
        }
    }
    let open_seconds = (now_ns() - started) as f64 / 1e9;
    if opened == 0 {
        let _ = stop_tx.send(true);
        return Err(super::nothing_opened(&errors));
    }
    tokio::time::sleep(config.settle).await;
    let held = read_rss(&common.server_pids)?;
    let generator_rss_kib = rss_kib(std::process::id()).unwrap_or(0);
    let meter = CpuMeter::start(&common.server_pids);
    tokio::time::sleep(config.hold.saturating_sub(config.settle)).await;
    let cpu = meter.stop();
    let end = read_rss(&common.server_pids)?;
    let _ = stop_tx.send(true);
    let (tally, sockets) = collect(tasks).await;
    close_all(sockets).await;
    errors.merge(tally.errors);
    let servers = common
        .server_pids
        .iter()
        .enumerate()
        .map(|(i, &pid)| ServerMemory {
            pid,
            before_kib: before[i],
            after_kib: held[i],
            end_kib: end[i],
            per_connection_kib: (held[i] as f64 - before[i] as f64) / opened as f64,
        })
        .collect();
    let mut report = Report {
        scenario: "idle".into(),
        dialect: common.protocol.dialect,
        settings: json!({
            "connections": config.connections,
            "concurrency": config.concurrency,
            "hold_s": config.hold.as_secs_f64(),
            "settle_s": config.settle.as_secs_f64(),
            "server": config.server.to_string(),
            "source_addrs": common.sources.len(),
            "heartbeat_s": HEARTBEAT_NS as f64 / 1e9,
        }),
        unit: "connections",
        count: opened,
        window_seconds: open_seconds,
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
        memory: Some(Memory {
            servers,
            generator_rss_kib,
        }),
    }
    .finish();
    // Connections per server CPU-second of the hold means nothing.
    report.per_server_cpu_second = None;
    Ok(report)
}

fn read_rss(pids: &[u32]) -> Result<Vec<u64>, String> {
    pids.iter().map(|&pid| rss_kib(pid)).collect()
}
