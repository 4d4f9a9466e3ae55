//! `/healthz` (the process serves), `/readyz` (send me traffic) and `/metrics`.

use actix_web::{HttpResponse, web};
use serde::Serialize;

use crate::state::AppState;

#[derive(Serialize)]
struct Readiness<'a> {
    status: &'static str,
    node: &'a str,
    version: &'static str,
    connections: usize,
    rooms: usize,
    draining: bool,
    /// `standalone` or `cluster`.
    mode: &'static str,
    /// In cluster mode, whether Redis answers; `null` when standalone.
    redis_connected: Option<bool>,
    /// Nodes with a live lease (just this one when standalone).
    nodes: Vec<String>,
}

pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain").body("ok")
}

/// 200 while the node takes new clients; 503 from the moment it starts draining, while it
/// holds `--max-conns` connections, and in cluster mode while Redis is unreachable (its
/// clients could not reach other nodes).
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let draining = state.is_draining();
    let cluster = state.cluster.as_ref().map(|bridge| bridge.status());
    let redis_connected = cluster.as_ref().map(|status| status.connected);
    let full = state.access.is_full(state.connections.count());
    let ready = !draining && redis_connected != Some(false) && !full;
    let body = Readiness {
        status: if draining {
            "draining"
        } else if full {
            "full"
        } else if ready {
            "ready"
        } else {
            "redis_unreachable"
        },
        node: state.hub.node().as_str(),
        version: env!("CARGO_PKG_VERSION"),
        connections: state.connections.count(),
        rooms: state.hub.room_count(),
        draining,
        mode: if cluster.is_some() {
            "cluster"
        } else {
            "standalone"
        },
        redis_connected,
        nodes: cluster.map_or_else(|| vec![state.hub.node().to_string()], |status| status.nodes),
    };
    if !ready {
        HttpResponse::ServiceUnavailable().json(body)
    } else {
        HttpResponse::Ok().json(body)
    }
}

pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(state.metrics.render())
}
