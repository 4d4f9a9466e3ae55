//! Just enough PromQL reading for the checks: the `switchboard_*` metric names an expression
//! queries and the label names it groups or matches on, and the expressions of the alert
//! rules and of the Grafana dashboard.

use std::collections::BTreeSet;

use serde_json::Value;

use super::files::{deploy_path, load_one, load_yaml, read};

/// One PromQL expression and where it was found (file and JSON pointer).
#[derive(Debug, Clone)]
pub struct Query {
    pub source: String,
    pub expr: String,
}

/// The expressions of deploy/prometheus/alerts.yml: each rule's `expr`.
pub fn alert_queries() -> Vec<Query> {
    let path = deploy_path("prometheus/alerts.yml");
    let mut queries = Vec::new();
    for doc in load_yaml(&path) {
        collect(&doc, "", "alerts.yml", &mut queries);
    }
    queries
}

/// The expressions of deploy/grafana/switchboard.json: every target's `expr`, and the
/// PromQL of its templating variables (`definition`, `query`).
pub fn dashboard_queries() -> Vec<Query> {
    let mut queries = Vec::new();
    collect(&dashboard(), "", "switchboard.json", &mut queries);
    queries
}

/// The dashboard, parsed (the test fails here when it is not JSON).
pub fn dashboard() -> Value {
    let path = deploy_path("grafana/switchboard.json");
    serde_json::from_str(&read(&path))
        .unwrap_or_else(|err| panic!("{} is not valid JSON: {err}", path.display()))
}

/// deploy/prometheus/prometheus.yml, parsed.
pub fn prometheus_config() -> Value {
    load_one(&deploy_path("prometheus/prometheus.yml"))
}

/// Every string under a key `expr`, `definition` or `query` (a query variable's `query` may
/// also be an object whose `query` is the string; the recursion finds it).
fn collect(value: &Value, pointer: &str, file: &str, out: &mut Vec<Query>) {
    match value {
        Value::Object(map) => {
            for (key, item) in map {
                let here = format!("{pointer}/{key}");
                match item {
                    Value::String(text) if ["expr", "definition", "query"].contains(&&**key) => {
                        out.push(Query {
                            source: format!("{file}{here}"),
                            expr: text.clone(),
                        });
                    }
                    _ => collect(item, &here, file, out),
                }
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                collect(item, &format!("{pointer}/{index}"), file, out);
            }
        }
        _ => {}
    }
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == ':'
}

/// The `switchboard_[a-z_]+` names in `expr`, as written (histogram series keep their
/// `_bucket`, `_sum` or `_count`).
pub fn metric_names(expr: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for (start, _) in expr.match_indices("switchboard_") {
        if expr[..start].chars().next_back().is_some_and(is_name_char) {
            continue;
        }
        let name: String = expr[start..]
            .chars()
            .take_while(|c| c.is_ascii_lowercase() || *c == '_')
            .collect();
        names.insert(name);
    }
    names
}

/// The label names `expr` groups by (`by`, `without`, `on`, `ignoring`, `group_left`,
/// `group_right`) or matches on (`{name="..."}`).
pub fn label_names(expr: &str) -> BTreeSet<String> {
    let mut labels = BTreeSet::new();
    let chars: Vec<char> = expr.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '"' || c == '\'' || c == '`' {
            i = skip_string(&chars, i);
            continue;
        }
        if c == '{' {
            let (matchers, end) = until_close(&chars, i + 1, '}');
            labels.extend(matcher_names(&matchers));
            i = end + 1;
            continue;
        }
        if is_name_char(c) {
            let start = i;
            while i < chars.len() && is_name_char(chars[i]) {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            let grouping = [
                "by",
                "without",
                "on",
                "ignoring",
                "group_left",
                "group_right",
            ];
            if grouping.contains(&word.as_str()) {
                let mut j = i;
                while j < chars.len() && chars[j].is_whitespace() {
                    j += 1;
                }
                if j < chars.len() && chars[j] == '(' {
                    let (list, end) = until_close(&chars, j + 1, ')');
                    labels.extend(
                        list.split(',')
                            .map(str::trim)
                            .filter(|name| !name.is_empty())
                            .map(str::to_string),
                    );
                    i = end + 1;
                }
            }
            continue;
        }
        i += 1;
    }
    labels
}

/// The index just past the string literal starting at `start`.
fn skip_string(chars: &[char], start: usize) -> usize {
    let quote = chars[start];
    let mut i = start + 1;
    while i < chars.len() && chars[i] != quote {
        if chars[i] == '\\' && quote != '`' {
            i += 1;
        }
        i += 1;
    }
    i + 1
}

/// The text from `start` up to the matching `close` (strings skipped), and its index.
fn until_close(chars: &[char], start: usize, close: char) -> (String, usize) {
    let mut i = start;
    let mut text = String::new();
    while i < chars.len() && chars[i] != close {
        if matches!(chars[i], '"' | '\'' | '`') {
            let end = skip_string(chars, i).min(chars.len());
            text.extend(&chars[i..end]);
            i = end;
        } else {
            text.push(chars[i]);
            i += 1;
        }
    }
    (text, i)
}

/// The label names of a matcher list: `job=~"a", code!="b"` gives job and code.
fn matcher_names(matchers: &str) -> Vec<String> {
    let chars: Vec<char> = matchers.chars().collect();
    let mut names = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if matches!(chars[i], '"' | '\'' | '`') {
            i = skip_string(&chars, i);
            continue;
        }
        if is_name_char(chars[i]) {
            let start = i;
            while i < chars.len() && is_name_char(chars[i]) {
                i += 1;
            }
            let name: String = chars[start..i].iter().collect();
            let rest: String = chars[i..].iter().collect();
            if ["=", "!=", "=~", "!~"]
                .iter()
                .any(|op| rest.trim_start().starts_with(op))
            {
                names.push(name);
            }
            continue;
        }
        i += 1;
    }
    names
}

/// The labels Prometheus itself puts on every scraped series of prometheus.yml: `job`,
/// `instance`, the relabelling's target labels, and the static targets' labels.
pub fn target_labels(config: &Value) -> BTreeSet<String> {
    let mut labels: BTreeSet<String> = ["job", "instance"].map(String::from).into();
    for job in config["scrape_configs"].as_array().into_iter().flatten() {
        for rule in job["relabel_configs"].as_array().into_iter().flatten() {
            if let Some(label) = rule["target_label"].as_str()
                && !label.starts_with("__")
            {
                labels.insert(label.to_string());
            }
        }
        for group in job["static_configs"].as_array().into_iter().flatten() {
            if let Some(map) = group["labels"].as_object() {
                labels.extend(map.keys().cloned());
            }
        }
    }
    labels
}

#[test]
fn reads_names_and_labels_out_of_promql() {
    let expr = r#"histogram_quantile(0.99, sum by (job, le) (rate(switchboard_relay_latency_seconds_bucket{instance=~"$i", code!="a,b}"}[5m]))) / on(job) group_left (dialect) xswitchboard_no + switchboard_rooms"#;
    assert_eq!(
        metric_names(expr),
        BTreeSet::from([
            "switchboard_relay_latency_seconds_bucket".to_string(),
            "switchboard_rooms".to_string()
        ])
    );
    assert_eq!(
        label_names(expr),
        ["code", "dialect", "instance", "job", "le"]
            .map(String::from)
            .into()
    );
    assert!(label_names(r#"up{job=~"switchboard.*"} == 0"#).contains("job"));
    assert!(label_names("sum(rate(x[5m])) by (code)").contains("code"));
}
