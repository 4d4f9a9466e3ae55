//! deploy/grafana/switchboard.json imports as it is: valid JSON, unique panel ids, panels
//! within the grid and not on top of each other, every query on the templated Prometheus
//! data source, and every `$variable` a query uses defined. Whether the metrics it charts
//! exist is `metrics.rs`'s business, against a live node.

use std::collections::BTreeSet;

use serde_json::Value;

use super::promql::{dashboard, dashboard_queries};

/// Grafana's own variables, usable in any query.
const BUILT_IN: [&str; 4] = ["__rate_interval", "__interval", "__range", "__interval_ms"];

/// Every panel, those inside collapsed rows included.
fn all_panels(dashboard: &Value) -> Vec<&Value> {
    let mut panels = Vec::new();
    for panel in dashboard["panels"].as_array().expect("panels") {
        panels.push(panel);
        panels.extend(panel["panels"].as_array().into_iter().flatten());
    }
    panels
}

/// The names of the dashboard's templating variables.
fn variables(dashboard: &Value) -> BTreeSet<String> {
    dashboard["templating"]["list"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v["name"].as_str().map(str::to_string))
        .collect()
}

/// The `$name` and `${name}` references in a query.
fn references(expr: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for (at, _) in expr.match_indices('$') {
        let rest = expr[at + 1..].strip_prefix('{').unwrap_or(&expr[at + 1..]);
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() {
            names.insert(name);
        }
    }
    names
}

#[test]
fn the_dashboard_is_importable() {
    let dashboard = dashboard();
    for field in ["title", "uid"] {
        assert!(
            dashboard[field].as_str().is_some_and(|s| !s.is_empty()),
            "dashboard {field}"
        );
    }
    assert!(dashboard["schemaVersion"].is_u64(), "schemaVersion");
    assert!(
        dashboard["id"].is_null(),
        "an exported dashboard carries no id"
    );

    let panels = all_panels(&dashboard);
    assert!(!panels.is_empty(), "no panel");
    let mut ids = BTreeSet::new();
    for panel in &panels {
        let id = panel["id"]
            .as_u64()
            .unwrap_or_else(|| panic!("panel without a numeric id: {}", panel["title"]));
        assert!(ids.insert(id), "panel id {id} used twice");
    }

    // Inside the 24-column grid, and no two panels on the same cells (Grafana would move
    // them around on load).
    let cells: Vec<(String, [u64; 4])> = panels
        .iter()
        .map(|panel| {
            let pos = &panel["gridPos"];
            let get = |key: &str| {
                pos[key]
                    .as_u64()
                    .unwrap_or_else(|| panic!("{}: gridPos.{key}", panel["title"]))
            };
            let cell = [get("x"), get("y"), get("w"), get("h")];
            assert!(
                cell[0] + cell[2] <= 24 && cell[2] > 0 && cell[3] > 0,
                "{}: outside the grid {pos}",
                panel["title"]
            );
            (panel["title"].to_string(), cell)
        })
        .collect();
    for (i, (a, [ax, ay, aw, ah])) in cells.iter().enumerate() {
        for (b, [bx, by, bw, bh]) in &cells[i + 1..] {
            let apart = ax + aw <= *bx || bx + bw <= *ax || ay + ah <= *by || by + bh <= *ay;
            assert!(apart, "panels {a} and {b} overlap");
        }
    }

    // Every panel with queries has at least one, each with an expression and its own refId.
    for panel in panels.iter().filter(|p| p["type"] != "row") {
        let targets = panel["targets"].as_array().map_or(&[][..], Vec::as_slice);
        assert!(!targets.is_empty(), "{}: no query", panel["title"]);
        let mut refs = BTreeSet::new();
        for target in targets {
            assert!(
                target["expr"].as_str().is_some_and(|e| !e.is_empty()),
                "{}: a query without expr",
                panel["title"]
            );
            let id = target["refId"].as_str().expect("refId");
            assert!(refs.insert(id), "{}: refId {id} twice", panel["title"]);
        }
    }
}

#[test]
fn every_query_uses_the_templated_data_source() {
    let dashboard = dashboard();
    let list = dashboard["templating"]["list"]
        .as_array()
        .expect("templating.list");
    let source = list
        .iter()
        .find(|v| v["type"] == "datasource")
        .expect("a data source variable, so the dashboard imports on any Grafana");
    assert_eq!(source["query"], "prometheus");
    let name = source["name"].as_str().expect("variable name");
    let wanted = [format!("${{{name}}}"), format!("${name}")];

    let mut checked = 0;
    let mut stack = vec![&dashboard];
    while let Some(value) = stack.pop() {
        match value {
            Value::Object(map) => {
                if let Some(reference) = map.get("datasource")
                    && reference["uid"] != "-- Grafana --"
                {
                    let uid = reference["uid"].as_str().unwrap_or_default();
                    assert!(
                        reference["type"] == "prometheus" && wanted.iter().any(|w| w == uid),
                        "a data source other than the {name} variable: {reference}"
                    );
                    checked += 1;
                }
                stack.extend(map.values());
            }
            Value::Array(items) => stack.extend(items),
            _ => {}
        }
    }
    assert!(checked > 0, "no data source reference found");
}

#[test]
fn every_variable_a_query_uses_is_defined() {
    let dashboard = dashboard();
    let defined = variables(&dashboard);
    let queries = dashboard_queries();
    assert!(queries.len() > 10, "too few queries found: {queries:?}");
    for query in queries {
        for name in references(&query.expr) {
            assert!(
                defined.contains(&name) || BUILT_IN.contains(&name.as_str()),
                "{}: ${name} is not a variable of the dashboard ({defined:?})",
                query.source
            );
        }
    }
}
