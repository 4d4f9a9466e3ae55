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
}

pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain").body("ok")
}

/// 200 while the node takes new clients, 503 from the moment it starts draining.
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let draining = state.is_draining();
    let body = Readiness {
        status: if draining { "draining" } else { "ready" },
        node: state.hub.node().as_str(),
        version: env!("CARGO_PKG_VERSION"),
        connections: state.connections.count(),
        rooms: state.hub.room_count(),
        draining,
    };
    if draining {
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
