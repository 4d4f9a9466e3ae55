//! docs/operations.md stays true: its configuration table lists exactly the flags, env twins
//! and defaults that the binary's `--help` prints, and its metrics table lists every metric
//! the code can export (the server's constants, the names the crates pass to the `metrics`
//! macros, and what a node of a real cluster serves on /metrics), with the type and labels
//! that node shows.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::harness::node::BIN;
use crate::harness::redis::RedisServer;
use crate::harness::server::{HEARTBEAT, LEASE};
use crate::harness::{Client, Server, eventually, frames, prom};

/// The repository root (the server crate is `crates/server`).
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(relative: &str) -> String {
    let path = root().join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("read {}: {err}", path.display()))
}

fn operations_doc() -> String {
    read("docs/operations.md")
}

/// The lines of the `## <title>` section of a Markdown text, up to the next `## ` heading.
fn section<'a>(doc: &'a str, title: &str) -> Vec<&'a str> {
    let heading = format!("## {title}");
    let mut lines = doc.lines().skip_while(|line| line.trim() != heading);
    assert!(
        lines.next().is_some(),
        "docs/operations.md has no `{heading}` section"
    );
    lines.take_while(|line| !line.starts_with("## ")).collect()
}

/// The cells of a Markdown table row (`| a | b |`), trimmed; `None` for any other line.
fn cells(line: &str) -> Option<Vec<&str>> {
    let inner = line.trim().strip_prefix('|')?.strip_suffix('|')?;
    Some(inner.split('|').map(str::trim).collect())
}

/// The text of a cell without its backticks (`` `--listen <LISTEN>` `` -> `--listen <LISTEN>`).
fn plain(cell: &str) -> String {
    cell.replace('`', "").trim().to_string()
}

/// The backticked words of a cell (`` `dialect`, `kind` `` -> dialect, kind).
fn backticked(cell: &str) -> BTreeSet<String> {
    cell.split('`')
        .skip(1)
        .step_by(2)
        .map(|word| word.trim().to_string())
        .filter(|word| !word.is_empty())
        .collect()
}

// --- configuration ---------------------------------------------------------------------

/// One configuration flag: its env twin and its default (`none` when it has none).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Setting {
    env: String,
    default: String,
}

/// What `switchboard --help` says: flag -> setting, for every flag with an env twin, and
/// the flags without one (`--help`, `--version`).
fn help_settings() -> (BTreeMap<String, Setting>, BTreeSet<String>) {
    let mut command = Command::new(BIN);
    command.arg("--help");
    // clap prints an env twin's value when it is set; the help must show the defaults.
    for (key, _) in std::env::vars() {
        if key.starts_with("SWITCHBOARD_") {
            command.env_remove(key);
        }
    }
    let output = command.output().expect("run switchboard --help");
    assert!(output.status.success(), "--help failed: {output:?}");
    let help = String::from_utf8_lossy(&output.stdout).into_owned();
    let settings = parse_help(&help);
    assert!(
        settings.0.len() >= 10,
        "--help parsed to too few flags ({:?}); has its layout changed?\n{help}",
        settings.0.keys()
    );
    settings
}

/// Splits clap's help into one block per option (its `--flag` line and the description
/// lines under it) and reads each block's `[env: NAME=…]` and `[default: …]`.
fn parse_help(help: &str) -> (BTreeMap<String, Setting>, BTreeSet<String>) {
    let mut blocks: Vec<(String, String)> = Vec::new();
    for line in help.lines() {
        let trimmed = line.trim_start();
        let flag = trimmed
            .split([',', ' ', '='])
            .map(str::trim)
            .find(|word| word.starts_with("--"));
        let is_option_line = trimmed.starts_with("--")
            || (trimmed.starts_with('-') && trimmed.get(2..4) == Some(", "));
        match flag {
            Some(flag) if is_option_line => blocks.push((flag.to_string(), String::new())),
            _ => {
                if let Some((_, text)) = blocks.last_mut() {
                    text.push(' ');
                    text.push_str(line.trim());
                }
            }
        }
    }
    let mut settings = BTreeMap::new();
    let mut without_env = BTreeSet::new();
    for (flag, text) in blocks {
        let env = bracketed(&text, "[env: ").map(|env| env.split('=').next().unwrap().to_string());
        match env {
            Some(env) => {
                let default = bracketed(&text, "[default: ").unwrap_or_else(|| "none".into());
                settings.insert(flag, Setting { env, default });
            }
            None => {
                without_env.insert(flag);
            }
        }
    }
    (settings, without_env)
}

/// The text between `open` and the next `]`, if `open` occurs.
fn bracketed(text: &str, open: &str) -> Option<String> {
    let start = text.find(open)? + open.len();
    let end = text[start..].find(']')? + start;
    Some(text[start..end].trim().to_string())
}

/// The rows of the doc's configuration table: flag -> setting. Panics on a row listed twice.
fn documented_settings(doc: &str) -> BTreeMap<String, Setting> {
    let mut settings = BTreeMap::new();
    for line in section(doc, "Configuration") {
        let Some(row) = cells(line) else { continue };
        let flag = plain(row[0]);
        // A flag row, not the header or the `|---|` line under it.
        if !flag.starts_with("--") || flag.starts_with("---") {
            continue;
        }
        assert_eq!(row.len(), 4, "configuration row without 4 cells: {line}");
        let flag = flag.split_whitespace().next().unwrap().to_string();
        let setting = Setting {
            env: plain(row[1]),
            default: plain(row[2]),
        };
        let previous = settings.insert(flag.clone(), setting);
        assert!(previous.is_none(), "{flag} is listed twice: {line}");
    }
    settings
}

/// What differs between the flags `--help` prints and the doc's table, one line each.
fn config_differences(
    help: &BTreeMap<String, Setting>,
    doc: &BTreeMap<String, Setting>,
) -> Vec<String> {
    let mut problems = Vec::new();
    for (flag, want) in help {
        match doc.get(flag) {
            None => problems.push(format!("missing: {flag} ({want:?})")),
            Some(got) if got != want => {
                problems.push(format!("{flag}: --help says {want:?}, the doc {got:?}"))
            }
            Some(_) => {}
        }
    }
    for flag in doc.keys().filter(|flag| !help.contains_key(*flag)) {
        problems.push(format!("extra: {flag} is not in --help"));
    }
    problems
}

#[test]
fn configuration_table_matches_help() {
    let (help, without_env) = help_settings();
    let expected: BTreeSet<String> = ["--help", "--version"].map(String::from).into();
    assert_eq!(
        without_env, expected,
        "only --help and --version may lack an env twin"
    );
    let doc = documented_settings(&operations_doc());
    let problems = config_differences(&help, &doc);
    assert!(
        problems.is_empty(),
        "docs/operations.md `## Configuration` disagrees with `switchboard --help`:\n{}",
        problems.join("\n")
    );
}

/// The comparison itself can fail: a row dropped, a default changed, a flag invented (on a
/// copy of what `--help` says, so this holds whatever the doc says).
#[test]
fn configuration_check_catches_a_missing_wrong_or_extra_row() {
    let (help, _) = help_settings();
    let doc = help.clone();
    assert!(config_differences(&help, &doc).is_empty());

    let mut missing = doc.clone();
    missing.remove("--outgoing-buffer");
    assert_eq!(
        config_differences(&help, &missing),
        [format!(
            "missing: --outgoing-buffer ({:?})",
            help["--outgoing-buffer"]
        )]
    );
    let mut wrong = doc.clone();
    wrong.get_mut("--drain-timeout").unwrap().default = "30s".into();
    assert_eq!(config_differences(&help, &wrong).len(), 1);
    let mut extra = doc;
    extra.insert(
        "--made-up".into(),
        Setting {
            env: "SWITCHBOARD_MADE_UP".into(),
            default: "none".into(),
        },
    );
    assert_eq!(
        config_differences(&help, &extra),
        ["extra: --made-up is not in --help"]
    );
}

// --- metrics ---------------------------------------------------------------------------

/// One row of the doc's metrics table.
#[derive(Debug, Clone, PartialEq)]
struct MetricDoc {
    kind: String,
    labels: BTreeSet<String>,
}

/// The rows of the doc's metrics table (`| `name` | type | `label`, … | meaning |`).
fn documented_metrics(doc: &str) -> BTreeMap<String, MetricDoc> {
    let mut metrics = BTreeMap::new();
    for line in section(doc, "Metrics") {
        let Some(row) = cells(line) else { continue };
        let name = plain(row[0]);
        if !name.starts_with("switchboard_") {
            continue;
        }
        assert_eq!(row.len(), 4, "metrics row without 4 cells: {line}");
        let metric = MetricDoc {
            kind: plain(row[1]),
            labels: backticked(row[2]),
        };
        assert!(
            metrics.insert(name.clone(), metric).is_none(),
            "{name} is listed twice"
        );
    }
    metrics
}

/// Every `*.rs` file under `dir`.
fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    let entries =
        std::fs::read_dir(dir).unwrap_or_else(|err| panic!("read {}: {err}", dir.display()));
    for entry in entries {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            found.push(path);
        }
    }
}

/// The crates the `switchboard` binary is built from: `server` and the workspace crates it
/// depends on (`switchboard-core.workspace = true` -> `core`), each in `crates/<name>`.
fn node_crates() -> Vec<String> {
    let mut crates = vec!["server".to_string()];
    for line in read("crates/server/Cargo.toml").lines() {
        if let Some(rest) = line.trim().strip_prefix("switchboard-") {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                .collect();
            assert!(
                root().join("crates").join(&name).join("src").is_dir(),
                "crates/server/Cargo.toml names switchboard-{name}, which is not crates/{name}"
            );
            crates.push(name);
        }
    }
    assert!(
        crates.iter().any(|name| name == "cluster"),
        "the server does not depend on switchboard-cluster? {crates:?}"
    );
    crates
}

/// Metric names in the source: the server's `pub const X: &str = "switchboard_…"` in
/// crates/server/src/metrics.rs, and every string literal handed to `counter!`, `gauge!` or
/// `histogram!` in the binary's crates (the cluster's and the core's metrics), with the
/// macro's type.
fn source_metrics() -> BTreeMap<String, Option<String>> {
    let mut names = BTreeMap::new();
    for line in read("crates/server/src/metrics.rs").lines() {
        if let Some(rest) = line.trim().strip_prefix("pub const ")
            && rest.contains(": &str = \"switchboard_")
        {
            let name = rest.split('"').nth(1).unwrap().to_string();
            names.insert(name, None);
        }
    }
    assert!(
        names.len() >= 8,
        "found only {names:?} in crates/server/src/metrics.rs"
    );
    let mut files = Vec::new();
    for krate in node_crates() {
        rust_files(&root().join("crates").join(krate).join("src"), &mut files);
    }
    for file in files {
        let text = std::fs::read_to_string(&file).expect("read source");
        for kind in ["counter", "gauge", "histogram"] {
            let call = format!("{kind}!(");
            for (at, _) in text.match_indices(&call) {
                let rest = text[at + call.len()..].trim_start();
                if let Some(literal) = rest.strip_prefix('"') {
                    let name = literal.split('"').next().unwrap();
                    if name.starts_with("switchboard_") {
                        names.insert(name.to_string(), Some(kind.to_string()));
                    }
                }
            }
        }
    }
    names
}

/// A metric family as a node serves it: its `# TYPE` and the label names of its samples
/// (without a histogram's `le`).
#[derive(Debug, Default)]
struct Served {
    kind: String,
    labels: BTreeSet<String>,
}

fn served_families(text: &str) -> BTreeMap<String, Served> {
    let mut families: BTreeMap<String, Served> = BTreeMap::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let mut words = rest.split_whitespace();
            if let (Some(name), Some(kind)) = (words.next(), words.next()) {
                families.entry(name.to_string()).or_default().kind = kind.to_string();
            }
        }
    }
    for sample in prom::samples(text) {
        let family = ["_bucket", "_sum", "_count", ""]
            .iter()
            .filter_map(|suffix| sample.name.strip_suffix(suffix))
            .find(|name| families.contains_key(*name))
            .unwrap_or_else(|| panic!("sample {} has no # TYPE:\n{text}", sample.name))
            .to_string();
        let labels = sample.labels.into_keys().filter(|label| label != "le");
        families.get_mut(&family).unwrap().labels.extend(labels);
    }
    families
}

/// /metrics of a node of a two-node cluster (with the cluster topology's heartbeat and lease)
/// that has relayed a signal to the other node, answered an error, and seen the other node
/// die, so that the cluster's series exist too.
async fn cluster_node_metrics() -> String {
    let redis = RedisServer::start();
    let url = redis.url();
    let node = |id: &str| {
        Server::start_single(&[
            "--redis-url",
            &url,
            "--node-id",
            id,
            "--cluster-heartbeat",
            HEARTBEAT,
            "--cluster-lease",
            LEASE,
        ])
    };
    let (n1, mut n2) = (node("ops-n1"), node("ops-n2"));
    eventually("ops-n1 sees both nodes", || async {
        let (status, body) = n1.readyz().await;
        match body["nodes"].as_array().map(Vec::len) {
            Some(2) if status == 200 => Ok(()),
            _ => Err(format!("{status} {body}")),
        }
    })
    .await;
    let mut a = Client::connect_labelled(&n1, "a@ops-n1").await;
    let mut b = Client::connect_labelled(&n2, "b@ops-n2").await;
    a.join_id("ops", "A").await;
    let b_id = b.join_id("ops", "B").await;
    a.expect_next("conference", "peerJoin").await;
    let offer = frames::sdp("ops", &b_id, frames::offer("ops"));
    a.send_json(offer).await;
    b.expect("signal", "sdp").await;
    a.send_json(frames::leave("nowhere")).await;
    a.expect_error("not_in_room", Some("conference/leave"))
        .await;

    n2.kill9().expect("kill -9 ops-n2");
    eventually("ops-n1 counts the dead node", || async {
        let text = n1.metrics().await;
        match prom::value(&text, "switchboard_cluster_dead_nodes_total", &[]) {
            Some(count) if count >= 1.0 => Ok(()),
            other => Err(format!("switchboard_cluster_dead_nodes_total = {other:?}")),
        }
    })
    .await;
    n1.metrics().await
}

#[tokio::test]
async fn metrics_table_lists_every_metric() {
    let doc = documented_metrics(&operations_doc());
    let source = source_metrics();
    let text = cluster_node_metrics().await;
    let served = served_families(&text);

    let mut problems = Vec::new();
    let known: BTreeSet<&String> = source.keys().chain(served.keys()).collect();
    for name in &known {
        if !doc.contains_key(*name) {
            problems.push(format!("missing: {name}"));
        }
    }
    for name in doc.keys().filter(|name| !known.contains(name)) {
        problems.push(format!(
            "extra: {name} is neither in the source nor on /metrics"
        ));
    }
    for (name, family) in &served {
        let Some(row) = doc.get(name) else { continue };
        if row.kind != family.kind {
            problems.push(format!(
                "{name}: /metrics says {}, the doc {}",
                family.kind, row.kind
            ));
        }
        if row.labels != family.labels {
            problems.push(format!(
                "{name}: labels on /metrics {:?}, in the doc {:?}",
                family.labels, row.labels
            ));
        }
    }
    for (name, kind) in &source {
        if let (Some(kind), Some(row)) = (kind, doc.get(name))
            && &row.kind != kind
        {
            problems.push(format!(
                "{name}: the source uses {kind}!, the doc {}",
                row.kind
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "docs/operations.md `## Metrics` is out of date:\n{}\n\n/metrics of a cluster node:\n{text}",
        problems.join("\n")
    );
}
