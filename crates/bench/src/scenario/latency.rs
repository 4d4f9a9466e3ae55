//! `latency`: an open loop. Peer A of each pair sends to B on a run-wide schedule of `rate`
//! messages per second, whatever the replies; latency counts from each message's due time,
//! so queueing in a saturated server shows instead of slowing the load down.

use std::time::Duration;

use serde_json::json;

use super::relay::servers;
use super::{Common, Placement, close_all, collect, nothing_opened, open_pairs};
use crate::clock::{instant_at, nanos, now_ns};
use crate::dialect::run_id;
use crate::measure::{CpuMeter, Latencies};
use crate::pacing::{Pacing, Schedule};
use crate::payload::Size;
use crate::peer::receiver::receive;
use crate::peer::sender::send;
use crate::peer::{HEARTBEAT_NS, Keepalive, Plan};
use crate::report::Report;

const READ_BUFFER: usize = 8 * 1024;
/// The schedule starts this long after the last pair is open, so no pair starts late.
const LEAD_NS: u64 = 50_000_000;

#[derive(Clone, Debug)]
pub struct LatencyConfig {
    pub common: Common,
    pub placement: Placement,
    pub pairs: usize,
    /// Messages per second, all pairs together.
    pub rate: u64,
    pub size: Size,
    pub duration: Duration,
    pub warmup: Duration,
    pub pacing: Pacing,
}

pub async fn run(config: &LatencyConfig) -> Result<Report, String> {
    if config.rate == 0 {
        return Err("--rate must be at least 1".into());
    }
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
    let opened = pairs.len();
    let frame_bytes = pairs[0].0.out.len();
    let schedule_start = now_ns() + LEAD_NS;
    let start_ns = schedule_start + nanos(config.warmup);
    let plan = Plan {
        start_ns,
        end_ns: start_ns + nanos(config.duration),
        timeout_ns: nanos(common.timeout),
    };
    let latencies = Latencies::new(common.threads);
    let lag = Latencies::new(common.threads);
    let mut tasks = Vec::with_capacity(opened * 2);
    for (index, (a, b)) in pairs.into_iter().enumerate() {
        let schedule = Schedule::new(schedule_start, config.rate, opened, index);
        let expected = schedule.count_before(plan.end_ns);
        let first_beat = now_ns() + HEARTBEAT_NS;
        let keepalive = || Keepalive::new(common.protocol.heartbeat(), first_beat);
        let sender = send(
            a,
            schedule,
            plan,
            config.pacing,
            keepalive(),
            lag.local(index),
        );
        let receiver = receive(b, expected, plan, keepalive(), latencies.local(index));
        tasks.push(tokio::spawn(sender));
        tasks.push(tokio::spawn(receiver));
    }
    tokio::time::sleep_until(instant_at(plan.start_ns)).await;
    let meter = CpuMeter::start(&common.server_pids);
    tokio::time::sleep_until(instant_at(plan.end_ns)).await;
    let cpu = meter.stop();
    let (tally, sockets) = collect(tasks).await;
    close_all(sockets).await;
    errors.merge(tally.errors);
    Ok(Report {
        scenario: config.placement.name("latency"),
        dialect: common.protocol.dialect,
        settings: json!({
            "pairs": config.pairs,
            "rate": config.rate,
            "size": config.size,
            "frame_bytes": frame_bytes,
            "pacing": config.pacing,
            "duration_s": config.duration.as_secs_f64(),
            "warmup_s": config.warmup.as_secs_f64(),
            "servers": servers(config.placement),
        }),
        unit: "messages",
        count: tally.messages,
        window_seconds: config.duration.as_secs_f64(),
        rate_per_second: 0.0,
        offered_rate_per_second: Some(config.rate as f64),
        sent: Some(tally.sent),
        latency_us: Some(latencies.percentiles()),
        send_lag_us: Some(lag.percentiles()),
        errors,
        cpu,
        per_server_cpu_second: None,
        generator_cores_busy: 0.0,
        generator_threads: common.threads,
        memory: None,
    }
    .finish())
}
