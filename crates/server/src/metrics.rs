//! Metric names, their descriptions, and the Prometheus recorder.
//!
//! Names are constants so the dashboard, the alerts and the tests can be checked against one
//! list.

use metrics::{Unit, counter, describe_counter, describe_gauge, describe_histogram, gauge};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

pub const CONNECTIONS: &str = "switchboard_connections";
pub const CONNECTIONS_OPENED: &str = "switchboard_connections_opened_total";
pub const ROOMS: &str = "switchboard_rooms";
pub const MESSAGES_IN: &str = "switchboard_messages_in_total";
pub const MESSAGES_OUT: &str = "switchboard_messages_out_total";
pub const ERRORS: &str = "switchboard_errors_total";
pub const RELAY_LATENCY: &str = "switchboard_relay_latency_seconds";
pub const SLOW_CONSUMERS: &str = "switchboard_slow_consumer_disconnects_total";
pub const SOCKETIO_HANDOVERS: &str = "switchboard_socketio_handovers_total";
pub const CONNECTIONS_REFUSED: &str = "switchboard_connections_refused_total";

/// Dialects, as the `dialect` label names them.
pub const DIALECTS: &[&str] = &["conference", "peerjs", "socketio"];

/// Installs the global recorder and describes every metric, so each is exported from the
/// start (at zero) rather than from its first event.
pub fn install() -> Result<PrometheusHandle, Box<dyn std::error::Error + Send + Sync>> {
    let handle = PrometheusBuilder::new()
        .set_buckets_for_metric(
            Matcher::Full(RELAY_LATENCY.to_owned()),
            &[
                0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1,
                0.25, 0.5, 1.0,
            ],
        )?
        .install_recorder()?;
    describe_gauge!(CONNECTIONS, "Open client connections.");
    describe_counter!(CONNECTIONS_OPENED, "Client connections accepted.");
    describe_gauge!(ROOMS, "Rooms with members on this node.");
    describe_counter!(MESSAGES_IN, "Messages received from clients, by kind.");
    describe_counter!(MESSAGES_OUT, "Messages sent to clients, by kind.");
    describe_counter!(ERRORS, "Errors reported to clients, by code.");
    describe_histogram!(
        RELAY_LATENCY,
        Unit::Seconds,
        "From a signal's arrival on this node to its hand-off to the receiver's socket."
    );
    describe_counter!(
        SLOW_CONSUMERS,
        "Clients disconnected because they read too slowly."
    );
    describe_counter!(
        SOCKETIO_HANDOVERS,
        "Socket.IO requests for a session on another node, handed over to it or not, by outcome."
    );
    counter!(SOCKETIO_HANDOVERS, "transport" => "polling", "outcome" => "handed_over").absolute(0);
    describe_counter!(
        CONNECTIONS_REFUSED,
        "New connections refused before any protocol work (origin, token, address or node limits), by code."
    );
    counter!(CONNECTIONS_REFUSED, "code" => "forbidden_origin").absolute(0);
    gauge!(ROOMS).set(0.0);
    for &dialect in DIALECTS {
        gauge!(CONNECTIONS, "dialect" => dialect).set(0.0);
        counter!(CONNECTIONS_OPENED, "dialect" => dialect).absolute(0);
        counter!(SLOW_CONSUMERS, "dialect" => dialect).absolute(0);
    }
    Ok(handle)
}
