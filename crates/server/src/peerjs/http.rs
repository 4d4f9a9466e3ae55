//! The PeerJS HTTP API: server info, fresh ids, and (when allowed) the list of peers.

use actix_cors::Cors;
use actix_web::{HttpResponse, web};

use super::{DIALECT, PeerjsSettings};
use crate::state::AppState;

/// peerjs-server's info object, word for word: clients and tools probe it.
const INFO: &str = r#"{"name":"PeerJS Server","description":"A server side element to broker connections between PeerJS clients.","website":"https://peerjs.com/"}"#;

/// CORS as peerjs-server's default (`origin: true`: the request's origin is reflected), or
/// only the origins of `--peerjs-cors-origins`.
pub fn cors(settings: &PeerjsSettings) -> Cors {
    let cors = Cors::default()
        .allowed_methods(["GET"])
        .allow_any_header()
        .max_age(3600);
    if settings.cors_origins.is_empty() {
        return cors.allow_any_origin();
    }
    settings
        .cors_origins
        .iter()
        .fold(cors, |cors, origin| cors.allowed_origin(origin))
}

pub async fn info() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(INFO)
}

fn wrong_key() -> HttpResponse {
    HttpResponse::Unauthorized()
        .content_type("text/plain")
        .body("Invalid key provided")
}

/// The refusal of a `key` that does not open the API: not the fixed key or, with JWT keys
/// set, not a valid token (answered 401 with its `{"code","message"}`).
fn refuse_key(key: &str, state: &AppState) -> Option<HttpResponse> {
    if state.access.tokens_required() {
        return state.access.verify(Some(key)).err().map(|r| r.response());
    }
    (key != state.peerjs.key).then(wrong_key)
}

/// A fresh id, as peerjs-server makes them (a v4 UUID).
pub async fn new_id(key: web::Path<String>, state: web::Data<AppState>) -> HttpResponse {
    if let Some(refused) = refuse_key(&key, &state) {
        return refused;
    }
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(uuid::Uuid::new_v4().to_string())
}

/// The ids connected anywhere in the cluster, when discovery is on; 401 otherwise.
pub async fn peers(key: web::Path<String>, state: web::Data<AppState>) -> HttpResponse {
    if let Some(refused) = refuse_key(&key, &state) {
        return refused;
    }
    if !state.peerjs.allow_discovery {
        return HttpResponse::Unauthorized().finish();
    }
    match state.hub.directory().list(DIALECT).await {
        Ok(mut ids) => {
            ids.sort();
            HttpResponse::Ok().json(ids.iter().map(|id| id.as_str()).collect::<Vec<_>>())
        }
        Err(err) => HttpResponse::ServiceUnavailable().body(err.to_string()),
    }
}
