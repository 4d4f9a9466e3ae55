//! deploy/prometheus: the scrape config loads the alert rules, its pod discovery keys on the
//! annotations the Deployment sets, and every rule is complete. Whether the metrics the
//! rules query exist is `metrics.rs`'s business, against a live node.

use std::collections::BTreeSet;

use serde_json::Value;

use super::files::{
    array_at, deploy_path, file_name, find, k8s_objects, load_yaml, str_at, yaml_files,
};
use super::promql::{alert_queries, metric_names, prometheus_config};

#[test]
fn every_prometheus_file_parses() {
    for path in yaml_files("prometheus") {
        let docs = load_yaml(&path);
        assert_eq!(
            docs.len(),
            1,
            "{}: expected one YAML document",
            file_name(&path)
        );
        assert!(docs[0].is_object(), "{}: not a mapping", file_name(&path));
    }
}

#[test]
fn the_config_loads_the_alert_rules() {
    let config = prometheus_config();
    let files: Vec<&str> = array_at(&config, "/rule_files")
        .iter()
        .map(|f| f.as_str().expect("rule file is a string"))
        .collect();
    assert!(
        files.contains(&"alerts.yml"),
        "rule_files {files:?} does not load alerts.yml"
    );
    for file in files {
        // Prometheus reads them relative to the config file's directory.
        let path = deploy_path("prometheus").join(file);
        assert!(
            path.is_file(),
            "rule_files names {file}, which does not exist"
        );
    }
}

#[test]
fn pod_discovery_keys_on_the_deployments_annotations() {
    let config = prometheus_config();
    let objects = k8s_objects();
    let annotations =
        &find(&objects, "Deployment", "switchboard")["spec"]["template"]["metadata"]["annotations"];
    let annotations = annotations
        .as_object()
        .expect("the pod template has annotations");
    // Prometheus turns an annotation key into a label name by replacing every character
    // that is not a letter, digit or underscore.
    let as_label = |key: &str| -> String {
        key.chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect()
    };
    let available: BTreeSet<String> = annotations.keys().map(|k| as_label(k)).collect();

    let jobs = array_at(&config, "/scrape_configs");
    let kubernetes: Vec<&Value> = jobs
        .iter()
        .filter(|job| job.get("kubernetes_sd_configs").is_some())
        .collect();
    assert_eq!(kubernetes.len(), 1, "one job discovers pods");
    let job = kubernetes[0];
    assert!(
        array_at(job, "/kubernetes_sd_configs")
            .iter()
            .all(|sd| sd["role"] == "pod"),
        "pod discovery (role: pod) reads pod annotations"
    );
    let used: BTreeSet<String> = array_at(job, "/relabel_configs")
        .iter()
        .flat_map(|rule| array_at(rule, "/source_labels"))
        .filter_map(Value::as_str)
        .filter_map(|label| label.strip_prefix("__meta_kubernetes_pod_annotation_"))
        .map(str::to_string)
        .collect();
    for wanted in [
        "prometheus_io_scrape",
        "prometheus_io_port",
        "prometheus_io_path",
    ] {
        assert!(
            used.contains(wanted),
            "prometheus.yml does not use the annotation label {wanted}"
        );
    }
    let unknown: Vec<&String> = used.difference(&available).collect();
    assert!(
        unknown.is_empty(),
        "prometheus.yml relabels on annotations the pods do not have: {unknown:?} \
         (the pods have {available:?})"
    );
    let keep = array_at(job, "/relabel_configs")
        .iter()
        .find(|rule| {
            rule["action"] == "keep"
                && array_at(rule, "/source_labels")
                    .iter()
                    .any(|l| l == "__meta_kubernetes_pod_annotation_prometheus_io_scrape")
        })
        .expect("a keep rule on prometheus.io/scrape");
    assert_eq!(
        keep["regex"].as_str(),
        annotations["prometheus.io/scrape"].as_str(),
        "the keep rule must match the pods' prometheus.io/scrape value"
    );

    // The compose example scrapes the three nodes.
    let statics: Vec<&str> = jobs
        .iter()
        .flat_map(|job| array_at(job, "/static_configs"))
        .flat_map(|group| array_at(group, "/targets"))
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(statics, ["node1:8080", "node2:8080", "node3:8080"]);
}

#[test]
fn every_alert_rule_is_complete() {
    let path = deploy_path("prometheus/alerts.yml");
    let doc = load_yaml(&path).remove(0);
    let groups = array_at(&doc, "/groups");
    assert!(!groups.is_empty(), "alerts.yml has no group");
    let mut names = BTreeSet::new();
    let mut used = BTreeSet::new();
    for group in groups {
        let group_name = str_at(group, "/name", "rule group");
        let rules = array_at(group, "/rules");
        assert!(!rules.is_empty(), "group {group_name} has no rule");
        for rule in rules {
            let name = str_at(rule, "/alert", "rule (only alerting rules here)");
            assert!(names.insert(name.to_string()), "alert {name} defined twice");
            let expr = str_at(rule, "/expr", name);
            used.extend(metric_names(expr));
            let severity = str_at(rule, "/labels/severity", name);
            assert!(
                ["critical", "warning", "info"].contains(&severity),
                "{name}: severity {severity}"
            );
            str_at(rule, "/annotations/summary", name);
            if let Some(wait) = rule.get("for") {
                let wait = wait.as_str().expect("`for` is a duration string");
                humantime::parse_duration(wait)
                    .unwrap_or_else(|err| panic!("{name}: for {wait:?}: {err}"));
            }
        }
    }
    assert_eq!(alert_queries().len(), names.len(), "one expr per rule");
    // What the rules must watch (metrics.rs checks that each exists).
    for metric in [
        "switchboard_redis_connected",
        "switchboard_errors_total",
        "switchboard_relay_latency_seconds_bucket",
        "switchboard_slow_consumer_disconnects_total",
    ] {
        assert!(used.contains(metric), "no alert rule uses {metric}");
    }
    let text = super::files::read(&path);
    assert!(
        text.contains("up{") && text.contains("== 0"),
        "no rule for a node that is down (up == 0)"
    );
    assert!(
        text.contains("histogram_quantile(0.99"),
        "no rule on the relay latency's p99"
    );
}
