//! What a scenario found, in one structure: printed as a short human table, or with
//! `--json` as exactly one JSON object for scripts.

use std::fmt;

use serde::Serialize;
use serde_json::Value;

use crate::dialect::Dialect;
use crate::measure::{CpuUsage, Errors, Percentiles};

#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// `relay`, `latency`, `connect`, `idle`, `cluster relay`, `cluster latency`.
    pub scenario: String,
    pub dialect: Dialect,
    /// The scenario's parameters, as given.
    pub settings: Value,
    /// What `count` counts: `messages` or `connections`.
    pub unit: &'static str,
    /// Messages relayed (or connections opened) within the measured window.
    pub count: u64,
    /// Length of the measured window.
    pub window_seconds: f64,
    /// `count` per second of the window.
    pub rate_per_second: f64,
    /// Open loop: the rate asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offered_rate_per_second: Option<f64>,
    /// Open loop: messages sent in the whole run (warmup included).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sent: Option<u64>,
    /// One-way relay latency, or the time to open a connection.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latency_us: Option<Percentiles>,
    /// Open loop: how late the generator sent against its schedule (part of `latency_us`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub send_lag_us: Option<Percentiles>,
    pub errors: Errors,
    /// CPU time during the window.
    pub cpu: CpuUsage,
    /// `count` per server CPU-second (all `--server-pid`s together).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub per_server_cpu_second: Option<f64>,
    /// Generator CPU-seconds per wall second (1.0 = one core busy).
    pub generator_cores_busy: f64,
    pub generator_threads: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory: Option<Memory>,
}

/// Server memory around holding connections (idle).
#[derive(Clone, Debug, Serialize)]
pub struct Memory {
    pub servers: Vec<ServerMemory>,
    /// The generator's own resident memory with every connection open.
    pub generator_rss_kib: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct ServerMemory {
    pub pid: u32,
    /// VmRSS before the first connection.
    pub before_kib: u64,
    /// VmRSS once every connection was open and the settle time passed.
    pub after_kib: u64,
    /// VmRSS at the end of the hold.
    pub end_kib: u64,
    /// (after - before) / connections open.
    pub per_connection_kib: f64,
}

impl Report {
    /// Fills the derived figures (rate, per CPU-second, generator load).
    pub fn finish(mut self) -> Report {
        if self.window_seconds > 0.0 {
            self.rate_per_second = self.count as f64 / self.window_seconds;
        }
        self.per_server_cpu_second = self
            .cpu
            .server_seconds()
            .filter(|seconds| *seconds > 0.0)
            .map(|seconds| self.count as f64 / seconds);
        if self.cpu.wall_seconds > 0.0 {
            self.generator_cores_busy = self.cpu.generator_seconds / self.cpu.wall_seconds;
        }
        self
    }

    /// The report as one line of JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a report always serializes")
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let settings = match &self.settings {
            Value::Object(map) => map
                .iter()
                .map(|(key, value)| format!("{key}={}", plain(value)))
                .collect::<Vec<_>>()
                .join("  "),
            other => other.to_string(),
        };
        writeln!(f, "{} ({:?})  {settings}", self.scenario, self.dialect)?;
        let offered = self
            .offered_rate_per_second
            .map(|rate| format!(", offered {}/s", thousands(rate)))
            .unwrap_or_default();
        row(
            f,
            self.unit,
            format!(
                "{} in {:.2} s = {}/s{offered}",
                thousands(self.count as f64),
                self.window_seconds,
                thousands(self.rate_per_second)
            ),
        )?;
        if let Some(sent) = self.sent {
            row(f, "sent", thousands(sent as f64))?;
        }
        if let Some(latency) = &self.latency_us {
            row(f, "latency (µs)", percentiles(latency))?;
        }
        if let Some(lag) = &self.send_lag_us {
            row(f, "send lag (µs)", percentiles(lag))?;
        }
        row(f, "errors", errors(&self.errors))?;
        for sample in &self.errors.samples {
            row(f, "", format!("- {sample}"))?;
        }
        for server in &self.cpu.servers {
            let line = match (server.seconds, &server.error) {
                (Some(seconds), _) => format!(
                    "pid {}: {seconds:.2} CPU-s over {:.2} s ({:.0}% of a core)",
                    server.pid,
                    self.cpu.wall_seconds,
                    100.0 * seconds / self.cpu.wall_seconds.max(1e-9)
                ),
                (None, error) => format!("pid {}: unreadable: {error:?}", server.pid),
            };
            row(f, "server CPU", line)?;
        }
        if let Some(per) = self.per_server_cpu_second {
            row(
                f,
                "per server CPU-s",
                format!("{} {}", thousands(per), self.unit),
            )?;
        }
        row(
            f,
            "generator CPU",
            format!(
                "{:.2} CPU-s ({:.0}% of a core, {} thread{})",
                self.cpu.generator_seconds,
                100.0 * self.generator_cores_busy,
                self.generator_threads,
                if self.generator_threads == 1 { "" } else { "s" }
            ),
        )?;
        if let Some(memory) = &self.memory {
            for server in &memory.servers {
                row(
                    f,
                    "server RSS",
                    format!(
                        "pid {}: {} KiB before, {} KiB held, {} KiB at end: {:.1} KiB per connection",
                        server.pid,
                        thousands(server.before_kib as f64),
                        thousands(server.after_kib as f64),
                        thousands(server.end_kib as f64),
                        server.per_connection_kib
                    ),
                )?;
            }
            row(
                f,
                "generator RSS",
                format!("{} KiB", thousands(memory.generator_rss_kib as f64)),
            )?;
        }
        Ok(())
    }
}

fn row(f: &mut fmt::Formatter<'_>, label: &str, value: impl fmt::Display) -> fmt::Result {
    writeln!(f, "  {label:<18} {value}")
}

fn plain(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

fn percentiles(p: &Percentiles) -> String {
    format!(
        "p50 {}  p90 {}  p99 {}  p99.9 {}  max {}  (mean {}, n={})",
        micros(p.p50),
        micros(p.p90),
        micros(p.p99),
        micros(p.p99_9),
        micros(p.max),
        micros(p.mean),
        thousands(p.count as f64)
    )
}

fn micros(us: f64) -> String {
    if us < 100.0 {
        format!("{us:.1}")
    } else {
        thousands(us)
    }
}

fn errors(e: &Errors) -> String {
    if e.total == 0 {
        return "0".into();
    }
    let kinds = [
        ("setup", e.setup),
        ("unexpected", e.unexpected),
        ("closed", e.closed),
        ("timeout", e.timeout),
        ("lost", e.lost),
    ];
    let parts: Vec<String> = kinds
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(kind, n)| format!("{kind} {n}"))
        .collect();
    format!("{} ({})", e.total, parts.join(", "))
}

/// A number rounded to an integer, with thousands separators.
fn thousands(value: f64) -> String {
    let digits = format!("{:.0}", value.abs());
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    if value < 0.0 { format!("-{out}") } else { out }
}

#[cfg(test)]
mod tests {
    use super::thousands;

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(thousands(1234567.4), "1,234,567");
        assert_eq!(thousands(999.0), "999");
        assert_eq!(thousands(0.0), "0");
    }
}
