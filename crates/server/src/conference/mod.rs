//! The `conference` dialect's endpoint: `GET /conference` (`?token=<JWT>` when tokens are
//! required) upgrades to a WebSocket served by a [`ConferenceSession`] actor. The wire format lives in `switchboard_protocol::conference`.

mod commands;
mod session;

use actix::{Actor, AsyncContext};
use actix_web::{HttpRequest, HttpResponse, web};

use crate::state::AppState;
use session::ConferenceSession;

/// The dialect's name in metrics labels and the core's room space.
pub const DIALECT: &str = "conference";

pub async fn upgrade(
    req: HttpRequest,
    body: web::Payload,
    state: web::Data<AppState>,
) -> actix_web::Result<HttpResponse> {
    let token = crate::access::query_token(req.query_string());
    let ((response, socket, stream), admission) =
        match crate::ws::accept(&req, body, &state, token.as_deref())? {
            Ok(accepted) => accepted,
            Err(refused) => return Ok(refused),
        };
    ConferenceSession::create(|ctx| {
        ctx.add_stream(stream);
        ConferenceSession::new(&state, socket, admission)
    });
    Ok(response)
}
