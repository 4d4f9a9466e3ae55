//! The routes under `/socket.io/`: every request is checked in engine.io's order (query,
//! then method, then session) and refused with Engine.IO's JSON error, then served: a
//! handshake opens a session (polling or WebSocket), a GET polls, a POST sends, a WebSocket
//! with a sid upgrades its polling session.

use std::sync::Arc;

use actix::Actor;
use actix_cors::Cors;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::StreamExt;
use switchboard_protocol::socketio::engineio::{
    self, EngineError, ErrorCode, Packet, PacketType, RequestQuery, Transport, Version,
};

use super::handover::{self, NodeGone};
use super::messages::{Attach, Close, Poll, Post, forward};
use super::registry::Entry;
use super::session::EngineSession;
use super::sid;
use super::{DIALECT, SocketioSettings, SocketioState};
use crate::access::Admission;
use crate::metrics::ERRORS;
use crate::state::AppState;
use crate::ws::Outbox;

/// CORS as Socket.IO 2's default (the request's origin reflected), or only the origins of
/// `--socketio-cors-origins`. With credentials allowed: socket.io-client 2.x sends its
/// polling requests `withCredentials` by default, which browsers refuse otherwise (the
/// origin is never `*`, so this is allowed).
pub fn cors(settings: &SocketioSettings) -> Cors {
    let cors = Cors::default()
        .allowed_methods(["GET", "POST"])
        .allow_any_header()
        .supports_credentials()
        .max_age(3600);
    if settings.cors_origins.is_empty() {
        return cors.allow_any_origin();
    }
    settings
        .cors_origins
        .iter()
        .fold(cors, |cors, origin| cors.allowed_origin(origin))
}

/// With `--socketio-cors-origins`, a request from another origin (preflights included) is
/// refused with Engine.IO's `403 {"code":4,"message":"Forbidden"}`: browsers enforce CORS
/// on polling, but not on WebSockets, so the server must. Requests without `Origin` (not
/// from a browser) pass.
pub async fn check_origin(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let allowed = match (
        req.app_data::<web::Data<SocketioState>>(),
        req.headers().get(header::ORIGIN),
    ) {
        (Some(state), Some(origin)) => {
            let list = &state.settings.cors_origins;
            list.is_empty()
                || origin
                    .to_str()
                    .is_ok_and(|origin| list.iter().any(|o| o == origin))
        }
        _ => true,
    };
    if allowed {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    let error = EngineError::new(ErrorCode::Forbidden, "origin not allowed");
    Ok(req.into_response(refuse(&error)))
}

/// An Engine.IO error response: its status and `{"code":N,"message":"..."}`.
fn refuse(error: &EngineError) -> HttpResponse {
    log::debug!("socketio: request refused: {error}");
    let code = match error.code {
        ErrorCode::UnknownTransport => "unknown_transport",
        // Many of these behind a load balancer: requests reach nodes without their session.
        ErrorCode::UnknownSid => "unknown_sid",
        ErrorCode::BadHandshakeMethod => "bad_handshake_method",
        ErrorCode::BadRequest => "bad_request",
        ErrorCode::Forbidden => "forbidden",
        ErrorCode::UnsupportedProtocolVersion => "unsupported_protocol_version",
    };
    metrics::counter!(ERRORS, "dialect" => DIALECT, "code" => code).increment(1);
    HttpResponse::build(
        StatusCode::from_u16(error.http_status()).unwrap_or(StatusCode::BAD_REQUEST),
    )
    .content_type("application/json")
    .body(error.body())
}

fn is_websocket_upgrade(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::UPGRADE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.eq_ignore_ascii_case("websocket"))
}

pub async fn endpoint(
    req: HttpRequest,
    body: web::Payload,
    app: web::Data<AppState>,
    sio: web::Data<SocketioState>,
) -> actix_web::Result<HttpResponse> {
    let query = match engineio::parse_query(req.query_string()) {
        Ok(query) => query,
        Err(error) => return Ok(refuse(&error)),
    };
    if let Err(error) = query.check_method(req.method().as_str(), is_websocket_upgrade(&req)) {
        return Ok(refuse(&error));
    }
    let sio = sio.into_inner();
    let Some(sid) = query.sid.clone() else {
        let opened = match admit(&req, &query, &app) {
            Ok(opened) => opened,
            Err(refusal) => return Ok(refusal.response()),
        };
        return match query.transport {
            Transport::Polling => Ok(open_polling(&query, &app, &sio, opened).await),
            Transport::Websocket => open_websocket(&req, body, &query, &app, &sio, opened),
        };
    };
    let Some(entry) = sio.sessions.get(&sid) else {
        return elsewhere(&req, body, &query, &sid, &sio).await;
    };
    let session = entry.session.clone();
    match query.transport {
        Transport::Websocket => {
            let (response, socket, stream) = accept(&req, body, &sio.settings)?;
            match session.send(Attach { socket }).await {
                Ok(Some(number)) => forward(stream, number, session),
                // Refused (the session closed the socket) or the session is gone.
                _ => drop(stream),
            }
            Ok(response)
        }
        Transport::Polling if req.method() == actix_web::http::Method::POST => {
            Ok(post(&req, body, &entry, &sio.settings).await)
        }
        Transport::Polling => Ok(poll(&session, query.version).await),
    }
}

/// A request for a session this node does not hold: handed over to the node that does.
async fn elsewhere(
    req: &HttpRequest,
    body: web::Payload,
    query: &RequestQuery,
    sid: &str,
    sio: &SocketioState,
) -> actix_web::Result<HttpResponse> {
    let unknown = |why: String| refuse(&EngineError::new(ErrorCode::UnknownSid, why));
    let Some(node) = handover::holder(req, sid, sio) else {
        return Ok(unknown(format!("no session {sid}")));
    };
    let handed = match query.transport {
        Transport::Websocket => handover::websocket(req, body, &node, sio).await,
        Transport::Polling => handover::polling(req, body, &node, sio).await.map(Ok),
    };
    match handed {
        Ok(response) => response,
        Err(NodeGone(why)) => {
            log::info!("socketio: session {sid} not handed over: {why}");
            Ok(unknown(format!("session {sid} ended with its node")))
        }
    }
}

/// Accepts a WebSocket with the payload limit as its message limit.
pub(super) fn accept(
    req: &HttpRequest,
    body: web::Payload,
    settings: &SocketioSettings,
) -> actix_web::Result<(
    HttpResponse,
    actix_ws::Session,
    actix_ws::AggregatedMessageStream,
)> {
    let (response, socket, stream) = actix_ws::handle(req, body)?;
    let limit = settings.max_payload;
    let stream = stream
        .max_frame_size(limit)
        .aggregate_continuations()
        .max_continuation_size(limit);
    Ok((response, socket, stream))
}

/// A handshake admitted by the node.
struct Opened {
    admission: Admission,
    /// The token is to come in the CONNECT packet.
    token_pending: bool,
}

/// The node's admission of a handshake (`crate::access`). The token is the `token` query
/// parameter (socket.io-client 2.x: `query: {token}`); without it, an Engine.IO 4 client
/// (socket.io-client 3.x/4.x) may still send it as `auth.token` in its CONNECT, which the
/// session then verifies. Engine.IO 3 clients have no CONNECT to carry it.
fn admit(
    req: &HttpRequest,
    query: &RequestQuery,
    app: &AppState,
) -> Result<Opened, crate::access::Refusal> {
    let token = crate::access::query_token(req.query_string());
    if token.is_none() && query.version == Version::V4 && app.access.tokens_required() {
        app.refuse_if_draining()?;
        return Ok(Opened {
            admission: app.access.admit_pending(req, app.connections.count())?,
            token_pending: true,
        });
    }
    Ok(Opened {
        admission: app.admit(req, token.as_deref())?,
        token_pending: false,
    })
}

/// A polling handshake: a new session, whose first poll is this request.
async fn open_polling(
    query: &RequestQuery,
    app: &AppState,
    sio: &Arc<SocketioState>,
    opened: Opened,
) -> HttpResponse {
    let sid = sid::new_sid(app.hub.node());
    let session = EngineSession::new(
        sid.clone(),
        query.version,
        sio.clone(),
        app.connections.clone(),
        opened.admission,
        opened.token_pending,
    )
    .start();
    sio.sessions.insert(sid, session.clone());
    poll(&session, query.version).await
}

/// A WebSocket handshake: a new session on this socket.
fn open_websocket(
    req: &HttpRequest,
    body: web::Payload,
    query: &RequestQuery,
    app: &AppState,
    sio: &Arc<SocketioState>,
    opened: Opened,
) -> actix_web::Result<HttpResponse> {
    let (response, socket, stream) = accept(req, body, &sio.settings)?;
    let sid = sid::new_sid(app.hub.node());
    let outbox = Outbox::start(socket, sio.settings.outgoing_buffer);
    let mut session = EngineSession::new(
        sid.clone(),
        query.version,
        sio.clone(),
        app.connections.clone(),
        opened.admission,
        opened.token_pending,
    );
    let number = session.number_socket();
    session.transport = super::session::Transport::Websocket {
        outbox,
        socket: number,
    };
    let session = session.start();
    sio.sessions.insert(sid, session.clone());
    forward(stream, number, session);
    Ok(response)
}

fn payload_response(body: String) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=UTF-8"),
        ))
        .body(body)
}

fn unknown_sid() -> HttpResponse {
    refuse(&EngineError::new(ErrorCode::UnknownSid, "session ended"))
}

/// A polling GET: answered when the session has something to send.
async fn poll(session: &actix::Addr<EngineSession>, version: Version) -> HttpResponse {
    match session.send(Poll).await {
        Ok(Ok(answer)) => match answer.await {
            Ok(body) => payload_response(body),
            // The session ended without answering: tell the client it is closed.
            Err(_) => payload_response(engineio::encode_payload(
                version,
                &[Packet::empty(PacketType::Close)],
            )),
        },
        Ok(Err(error)) => refuse(&error),
        Err(_) => unknown_sid(),
    }
}

/// A polling POST: the body, read within `--socketio-max-payload`, goes to the session.
async fn post(
    req: &HttpRequest,
    mut body: web::Payload,
    entry: &Entry,
    settings: &SocketioSettings,
) -> HttpResponse {
    let session = &entry.session;
    let Some(_posting) = entry.start_post() else {
        log::info!("socketio: overlapping POST, closing the session");
        metrics::counter!(ERRORS, "dialect" => DIALECT, "code" => "post_overlap").increment(1);
        session.do_send(Close("overlapping POST"));
        return refuse(&EngineError::new(
            ErrorCode::BadRequest,
            "a POST of this session is already in flight",
        ));
    };
    let limit = settings.max_payload;
    let too_large = || {
        log::info!("socketio: POST body over {limit} bytes, closing the session");
        metrics::counter!(ERRORS, "dialect" => DIALECT, "code" => "payload_too_large").increment(1);
        session.do_send(Close("payload too large"));
        HttpResponse::PayloadTooLarge()
            .content_type("application/json")
            .body(EngineError::new(ErrorCode::BadRequest, "payload too large").body())
    };
    let announced = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<usize>().ok());
    if announced.is_some_and(|length| length > limit) {
        return too_large();
    }
    let mut bytes = web::BytesMut::new();
    while let Some(chunk) = body.next().await {
        let Ok(chunk) = chunk else {
            return refuse(&EngineError::new(ErrorCode::BadRequest, "body not read"));
        };
        if bytes.len() + chunk.len() > limit {
            return too_large();
        }
        bytes.extend_from_slice(&chunk);
    }
    let binary = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/octet-stream"));
    match session
        .send(Post {
            body: bytes.freeze(),
            binary,
        })
        .await
    {
        Ok(Ok(())) => HttpResponse::Ok()
            .insert_header((
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=UTF-8"),
            ))
            .body("ok"),
        Ok(Err(error)) => refuse(&error),
        Err(_) => unknown_sid(),
    }
}
