//! `--allowed-origins`, checked on every request that carries an `Origin` (browsers send it
//! on every WebSocket upgrade and cross-site request): a page of another site cannot open a
//! socket with its visitors' cookies or reach the HTTP APIs. Requests without `Origin` are
//! not from a browser page and pass.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::web;

use super::{Access, Refusal};

/// App-wide middleware: 403 before any route sees the request.
pub async fn check_origin(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let refused = match (
        req.app_data::<web::Data<Access>>(),
        req.headers().get(header::ORIGIN),
    ) {
        (Some(access), Some(origin)) => !origin
            .to_str()
            .is_ok_and(|origin| access.origin_allowed(origin)),
        _ => false,
    };
    if !refused {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("?")
        .to_owned();
    let refusal = Refusal::new(
        StatusCode::FORBIDDEN,
        "forbidden_origin",
        format!("origin {origin} is not allowed"),
    );
    Ok(req.into_response(refusal.response()))
}
