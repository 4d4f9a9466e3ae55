//! `relay`: pairs of peers ping-pong as fast as the server relays (closed loop, `window`
//! messages in flight per pair): messages per second, one-way latency, server CPU per
//! message.

use std::time::Duration;

use serde_json::json;

use super::{Common, Placement, close_all, collect, nothing_opened, open_pairs};
use crate::clock::{instant_at, nanos, now_ns};
use crate::dialect::run_id;
use crate::measure::{CpuMeter, Latencies};
use crate::payload::Size;
use crate::peer::echo::echo;
use crate::peer::{HEARTBEAT_NS, Keepalive, Plan};
use crate::report::Report;

/// Read buffer per socket: tungstenite zero-fills its free part before each read, so a
/// big one costs a memset per read; this holds a few offers or a burst of candidates.
const READ_BUFFER: usize = 8 * 1024;

#[derive(Clone, Debug)]
pub struct RelayConfig {
    pub common: Common,
    pub placement: Placement,
    pub pairs: usize,
    pub size: Size,
    /// Messages in flight per pair.
    pub window: usize,
    pub duration: Duration,
    pub warmup: Duration,
}

pub async fn run(config: &RelayConfig) -> Result<Report, String> {
    let common = &config.common;
    let dialer = common.dialer(READ_BUFFER);
    let run = run_id();
    let (pairs, mut errors) = open_pairs(
        common,
        &dialer,
        config.placement,
        &run,
        config.pairs,
        config.size,
    )
    .await;
    if pairs.is_empty() {
        return Err(nothing_opened(&errors));
    }
    let frame_bytes = pairs[0].0.out.len();
    let start_ns = now_ns() + nanos(config.warmup);
    let plan = Plan {
        start_ns,
        end_ns: start_ns + nanos(config.duration),
        timeout_ns: nanos(common.timeout),
    };
    let latencies = Latencies::new(common.threads);
    let mut tasks = Vec::with_capacity(pairs.len() * 2);
    for (index, (a, b)) in pairs.into_iter().enumerate() {
        let first_beat = now_ns() + HEARTBEAT_NS;
        let keepalive = || Keepalive::new(common.protocol.heartbeat(), first_beat);
        let window = config.window;
        tasks.push(tokio::spawn(echo(
            a,
            plan,
            window,
            keepalive(),
            latencies.local(2 * index),
        )));
        tasks.push(tokio::spawn(echo(
            b,
            plan,
            0,
            keepalive(),
            latencies.local(2 * index + 1),
        )));
    }
    tokio::time::sleep_until(instant_at(plan.start_ns)).await;
    let meter = CpuMeter::start(&common.server_pids);
    tokio::time::sleep_until(instant_at(plan.end_ns)).await;
    let cpu = meter.stop();
    let (tally, sockets) = collect(tasks).await;
    close_all(sockets).await;
    errors.merge(tally.errors);
    Ok(Report {
        scenario: config.placement.name("relay"),
        dialect: common.protocol.dialect,
        settings: json!({
            "pairs": config.pairs,
            "size": config.size,
            "frame_bytes": frame_bytes,
            "window": config.window,
            "duration_s": config.duration.as_secs_f64(),
            "warmup_s": config.warmup.as_secs_f64(),
            "servers": servers(config.placement),
        }),
        unit: "messages",
        count: tally.messages,
        window_seconds: config.duration.as_secs_f64(),
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

/// The servers of a placement, for the report's settings.
pub(crate) fn servers(placement: Placement) -> String {
    if placement.a == placement.b {
        placement.a.to_string()
    } else {
        format!("{} -> {}", placement.a, placement.b)
    }
}
