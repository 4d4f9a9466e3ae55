//! What a soak found: the settings, what the clients and the faults did, and each check's
//! verdict with its figures. Printed as a table, or with `--json` as one JSON object; the
//! binary's exit status says whether every check passed.

use std::fmt;

use serde::Serialize;
use serde_json::Value;

use super::checks::{Check, EndState, Panics, Rss};
use super::churn::ChurnTally;
use super::ledger::{Deliveries, Losses};

#[derive(Clone, Debug, Serialize)]
pub struct SoakReport {
    pub scenario: &'static str,
    pub settings: Value,
    pub run_dir: String,
    pub wall_seconds: f64,
    /// Node kills (kill -9 and restart), as `(seconds into the run, node)`.
    pub kills: Vec<(f64, String)>,
    /// Redis restarts (kill -9, restarted empty), seconds into the run.
    pub redis_restarts: Vec<f64>,
    pub warmup: ChurnTally,
    pub churn: ChurnTally,
    pub deliveries: Deliveries,
    pub losses: Losses,
    pub end_state: EndState,
    pub rss: Vec<Rss>,
    pub panics: Panics,
    pub checks: Vec<Check>,
    pub passed: bool,
}

impl SoakReport {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a report always serializes")
    }
}

impl fmt::Display for SoakReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let settings = match &self.settings {
            Value::Object(map) => map
                .iter()
                .map(|(key, value)| match value {
                    Value::String(text) => format!("{key}={text}"),
                    other => format!("{key}={other}"),
                })
                .collect::<Vec<_>>()
                .join("  "),
            other => other.to_string(),
        };
        writeln!(f, "soak  {settings}")?;
        row(f, "run dir", &self.run_dir)?;
        row(f, "wall time", format!("{:.0} s", self.wall_seconds))?;
        let (w, c) = (&self.warmup, &self.churn);
        for (label, tally) in [("warm-up clients", w), ("churn clients", c)] {
            row(
                f,
                label,
                format!(
                    "{} connects ({} refused), {} joins, {} leaves, {} drops, {} closes, {} broken",
                    tally.connects,
                    tally.connect_failures,
                    tally.joins,
                    tally.leaves,
                    tally.drops,
                    tally.closes,
                    tally.broken
                ),
            )?;
        }
        let errors: Vec<String> = c
            .server_errors
            .iter()
            .map(|(code, n)| format!("{code} {n}"))
            .collect();
        row(
            f,
            "server errors",
            format!("{} (unexpected frames {})", errors.join(", "), c.unexpected),
        )?;
        let kills: Vec<String> = self
            .kills
            .iter()
            .map(|(at, node)| format!("{node}@{at:.0}s"))
            .collect();
        row(f, "kills", format!("{}: {}", kills.len(), kills.join(" ")))?;
        let restarts: Vec<String> = self
            .redis_restarts
            .iter()
            .map(|at| format!("@{at:.0}s"))
            .collect();
        row(
            f,
            "redis restarts",
            format!("{} {} (empty)", restarts.len(), restarts.join(" ")),
        )?;
        let l = &self.losses;
        row(
            f,
            "signals",
            format!(
                "{} sent, {} delivered; {} eligible, {} of them delivered, {} lost",
                l.sent, l.delivered, l.eligible, l.eligible_delivered, l.lost
            ),
        )?;
        let d = &self.deliveries;
        row(
            f,
            "receipts",
            format!(
                "{} received, {} misdelivered, {} duplicated",
                d.received, d.misdelivered, d.duplicated
            ),
        )?;
        let e = &self.end_state;
        let nodes: Vec<String> = e
            .nodes
            .iter()
            .map(|node| {
                format!(
                    "{}: {} rooms {} conns",
                    node.node,
                    show(node.rooms),
                    show(node.connections)
                )
            })
            .collect();
        row(
            f,
            "left at the end",
            format!(
                "{}; Redis: {} room/member keys of {} (after {:.1} s)",
                nodes.join(", "),
                e.keys_left.len(),
                e.keys_total,
                e.settle_seconds
            ),
        )?;
        for rss in &self.rss {
            row(
                f,
                "server RSS",
                format!(
                    "{}{}: {} KiB after warm-up, {} KiB at the end ({})",
                    rss.node,
                    match (rss.witness, rss.restarts) {
                        (true, _) => " (witness)".to_string(),
                        (false, 0) => String::new(),
                        (false, n) => format!(" (restarted {n}×, not checked)"),
                    },
                    rss.baseline_kib.map_or("-".into(), |kib| kib.to_string()),
                    rss.end_kib.map_or("-".into(), |kib| kib.to_string()),
                    rss.change
                        .map_or("-".into(), |change| format!("{:+.1}%", 100.0 * change))
                ),
            )?;
        }
        row(f, "panics", self.panics.count)?;
        for check in &self.checks {
            let verdict = if check.passed { "ok" } else { "FAILED" };
            row(f, check.name, format!("{verdict}  {}", check.detail))?;
        }
        let samples = l
            .samples
            .iter()
            .chain(&d.samples)
            .chain(&self.panics.samples)
            .chain(&e.keys_left);
        for sample in samples.take(20) {
            row(f, "", format!("- {sample}"))?;
        }
        row(f, "verdict", if self.passed { "PASS" } else { "FAIL" })
    }
}

fn row(f: &mut fmt::Formatter<'_>, label: &str, value: impl fmt::Display) -> fmt::Result {
    writeln!(f, "  {label:<18} {value}")
}

fn show(value: Option<f64>) -> String {
    value.map_or("?".into(), |value| format!("{value:.0}"))
}
