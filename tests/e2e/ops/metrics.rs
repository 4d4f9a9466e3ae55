//! /metrics: after some traffic every metric name of the contract is there, with the
//! contract's labels and types, and the gauges follow the rooms and connections. Values are
//! each node's own: in the cluster topology the checks add up the samples of every node
//! (a room counts once per node that has members of it).

use serde_json::json;

use crate::harness::{Client, Server, eventually, frames, prom};

const CONF: (&str, &str) = ("dialect", "conference");
const IN: &str = "switchboard_messages_in_total";
const OUT: &str = "switchboard_messages_out_total";
const ERRORS: &str = "switchboard_errors_total";
const SLOW: &str = "switchboard_slow_consumer_disconnects_total";
const LATENCY_COUNT: &str = "switchboard_relay_latency_seconds_count";
const LATENCY_BUCKET: &str = "switchboard_relay_latency_seconds_bucket";

/// Runs a little of everything: connect, join, sdp, trickle, an error, a leave.
async fn some_traffic(server: &Server) -> (Client, Client) {
    let mut a = Client::connect_labelled(server, "alice").await;
    let mut b = Client::connect_labelled(server, "bob").await;
    a.connect_id("r").await;
    let a_id = a.join_id("r", "Alice").await;
    let b_id = b.join_id("r", "Bob").await;
    a.expect_next("conference", "peerJoin").await;
    let offer = frames::sdp("r", &b_id, frames::offer("m"));
    a.send_json(offer.clone()).await;
    b.expect_exact(frames::relayed(&offer, &a_id)).await;
    let ice = frames::trickle("r", None, frames::candidate("m"));
    b.send_json(ice.clone()).await;
    a.expect_exact(frames::relayed(&ice, &b_id)).await;
    a.send_json(frames::leave("nowhere")).await;
    a.expect_error("not_in_room", Some("conference/leave"))
        .await;
    b.join("second", "Bob").await;
    b.leave("second").await;
    (a, b)
}

/// Every node's /metrics, in node order.
async fn scrape(server: &Server) -> Vec<String> {
    let mut texts = Vec::new();
    for node in server.nodes() {
        texts.push(node.metrics().await);
    }
    texts
}

/// The sum of the sample over the nodes exposing it; `None` when none does.
fn total(texts: &[String], name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    texts
        .iter()
        .filter_map(|text| prom::value(text, name, labels))
        .reduce(|sum, value| sum + value)
}

fn at_least(texts: &[String], name: &str, labels: &[(&str, &str)], min: f64) -> Result<(), String> {
    match total(texts, name, labels) {
        Some(value) if value >= min => Ok(()),
        other => Err(format!("{name}{labels:?} = {other:?}, wanted >= {min}")),
    }
}

fn equals(texts: &[String], name: &str, labels: &[(&str, &str)], want: f64) -> Result<(), String> {
    match total(texts, name, labels) {
        Some(value) if value == want => Ok(()),
        other => Err(format!("{name}{labels:?} = {other:?}, wanted {want}")),
    }
}

#[tokio::test]
async fn every_contract_metric_is_exposed() {
    let server = Server::start(&[]);
    let (a, b) = some_traffic(&server).await;
    // Room "r" on each node that has a member of it.
    let rooms = if a.node() == b.node() { 1.0 } else { 2.0 };
    eventually("contract metrics", || async {
        let texts = scrape(&server).await;
        let kind = |k| [CONF, ("kind", k)];
        let checks = [
            equals(&texts, "switchboard_connections", &[CONF], 2.0),
            at_least(&texts, "switchboard_connections_opened_total", &[CONF], 2.0),
            equals(&texts, "switchboard_rooms", &[], rooms),
            at_least(&texts, IN, &kind("room/connect"), 1.0),
            at_least(&texts, IN, &kind("conference/join"), 3.0),
            at_least(&texts, IN, &kind("conference/leave"), 1.0),
            at_least(&texts, IN, &kind("signal/sdp"), 1.0),
            at_least(&texts, IN, &kind("signal/trickle"), 1.0),
            at_least(&texts, OUT, &kind("conference/joinResponse"), 3.0),
            at_least(&texts, ERRORS, &[CONF, ("code", "not_in_room")], 1.0),
            at_least(&texts, LATENCY_COUNT, &[], 1.0),
            at_least(&texts, "switchboard_relay_latency_seconds_sum", &[], 0.0),
            at_least(&texts, LATENCY_BUCKET, &[("le", "+Inf")], 1.0),
            equals(&texts, SLOW, &[CONF], 0.0),
        ];
        let failed: Vec<String> = checks.into_iter().filter_map(Result::err).collect();
        if failed.is_empty() {
            Ok(())
        } else {
            Err(format!("{failed:#?}\n{}", texts.join("\n")))
        }
    })
    .await;

    // Alice's node saw every kind of traffic (her error included).
    let text = server.node(a.node()).metrics().await;
    let kinds_out = prom::samples(&text)
        .into_iter()
        .filter(|s| s.name == "switchboard_messages_out_total")
        .all(|s| s.labels.contains_key("dialect") && s.labels.contains_key("kind"));
    assert!(
        kinds_out,
        "messages_out samples without dialect/kind labels:\n{text}"
    );
    for (name, kind) in [
        ("switchboard_connections", "gauge"),
        ("switchboard_rooms", "gauge"),
        ("switchboard_connections_opened_total", "counter"),
        ("switchboard_messages_in_total", "counter"),
        ("switchboard_messages_out_total", "counter"),
        ("switchboard_errors_total", "counter"),
        ("switchboard_slow_consumer_disconnects_total", "counter"),
        ("switchboard_relay_latency_seconds", "histogram"),
    ] {
        assert_eq!(
            prom::declared_type(&text, name).as_deref(),
            Some(kind),
            "# TYPE of {name}:\n{text}"
        );
    }
}

#[tokio::test]
async fn gauges_return_to_zero_when_everyone_left() {
    let server = Server::start(&[]);
    let (mut a, mut b) = some_traffic(&server).await;
    a.leave("r").await;
    b.leave("r").await;
    eventually("switchboard_rooms back to 0", || async {
        equals(&scrape(&server).await, "switchboard_rooms", &[], 0.0)
    })
    .await;
    a.close().await;
    b.abort();
    eventually("switchboard_connections back to 0", || async {
        let texts = scrape(&server).await;
        equals(&texts, "switchboard_connections", &[CONF], 0.0)?;
        at_least(&texts, "switchboard_connections_opened_total", &[CONF], 2.0)
    })
    .await;
    for node in server.nodes() {
        let (status, body) = node.readyz().await;
        assert_eq!(status, 200);
        assert_eq!(body["rooms"], json!(0));
    }
}

/// `kind` is a message's "type/name" (contract: "room/connect", "conference/join",
/// "signal/sdp" ...): a relayed sdp or trickle goes out as "signal/sdp" / "signal/trickle".
#[tokio::test]
async fn messages_out_kind_is_the_type_and_name() {
    let server = Server::start(&[]);
    let (_a, _b) = some_traffic(&server).await;
    eventually("relays counted by type/name", || async {
        let texts = scrape(&server).await;
        let kind = |k| [CONF, ("kind", k)];
        at_least(&texts, OUT, &kind("signal/sdp"), 1.0)
            .and(at_least(&texts, OUT, &kind("signal/trickle"), 1.0))
            .and(at_least(&texts, OUT, &kind("system/error"), 1.0))
            .and(at_least(&texts, OUT, &kind("room/connectResponse"), 1.0))
            .map_err(|e| format!("{e}\n{}", texts.join("\n")))
    })
    .await;
}
