//! No sticky sessions: a request for a session that another node holds is handed over to
//! that node. Behind a round-robin load balancer every request of a polling session may
//! land anywhere; the sid names the node that holds it ([`super::sid`]), the node's lease
//! names its internal address (`--advertise-url`), and this node proxies the request there:
//! a polling GET or POST as one plain HTTP hop, a WebSocket upgrade as a socket piped to a
//! socket on that node. Clients that open with a WebSocket never come here.
//!
//! A handed-over request carries `x-switchboard-handover`, and is never handed over again:
//! a session that its node no longer holds is unknown, not bounced between nodes.

use std::cell::RefCell;
use std::collections::HashMap;
use std::time::{Duration, Instant};

use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use actix_ws::{AggregatedMessage, AggregatedMessageStream, CloseReason};
use awc::ws::{Frame, Message};
use futures_util::{SinkExt, StreamExt};
use switchboard_core::NodeId;

use super::SocketioState;
use crate::metrics::SOCKETIO_HANDOVERS;

/// Marks a request one node handed to another; its value is the node that handed it over.
pub const HANDOVER_HEADER: &str = "x-switchboard-handover";

/// On a handed-over answer: the node that holds the session.
pub const SESSION_NODE_HEADER: &str = "x-switchboard-session-node";

/// How long an address read from the cluster is used before it is read again (a node
/// restarted elsewhere under the same id is found within this).
const ADDRESS_TTL: Duration = Duration::from_secs(2);

/// A node that does not accept the connection within this is taken for gone: the client
/// is told its session is unknown and reconnects, rather than waiting.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);

thread_local! {
    /// One client per worker thread (awc's client is bound to its thread), so connections
    /// to the other nodes are kept alive and reused.
    static CLIENT: awc::Client = awc::Client::builder()
        .connector(awc::Connector::new().timeout(CONNECT_TIMEOUT).limit(0))
        .disable_timeout()
        .disable_redirects()
        .no_default_headers()
        .finish();

    static ADDRESSES: RefCell<HashMap<NodeId, (String, Instant)>> = RefCell::default();
}

/// The node that held the session is gone, or cannot be reached: the client is told its
/// sid is unknown, and reconnects.
pub struct NodeGone(pub String);

/// The node other than this one that holds `sid`'s session, if the request may go there.
pub fn holder(req: &HttpRequest, sid: &str, sio: &SocketioState) -> Option<NodeId> {
    if req.headers().contains_key(HANDOVER_HEADER) {
        return None;
    }
    super::sid::node_of(sid).filter(|node| node != sio.hub.node())
}

/// Hands a polling GET or POST to `node` and relays its answer.
pub async fn polling(
    req: &HttpRequest,
    body: web::Payload,
    node: &NodeId,
    sio: &SocketioState,
) -> Result<HttpResponse, NodeGone> {
    let base = address(node, sio).await?;
    let url = format!("{base}{}", req.uri());
    let hold = sio.settings.ping_interval + sio.settings.ping_timeout + Duration::from_secs(5);
    let mut forward = CLIENT
        .with(Clone::clone)
        .request(req.method().clone(), url)
        .timeout(hold)
        .insert_header((HANDOVER_HEADER, sio.hub.node().as_str()));
    // The body goes on as it arrives (chunked), so no Content-Length: the holding node
    // applies its payload limit as it reads.
    if let Some(value) = req.headers().get(header::CONTENT_TYPE) {
        forward = forward.insert_header((header::CONTENT_TYPE, value.clone()));
    }
    let sent = if req.method() == actix_web::http::Method::POST {
        forward.send_stream(body).await
    } else {
        forward.send().await
    };
    let answer = sent.map_err(|err| gone(node, "polling", err))?;
    count("polling", "handed_over");
    let mut response = HttpResponse::build(answer.status());
    if let Some(value) = answer.headers().get(header::CONTENT_TYPE) {
        response.insert_header((header::CONTENT_TYPE, value.clone()));
    }
    response.insert_header(session_node(node));
    // Its length as the holding node gave it, not chunked: the same bytes as a direct answer.
    if let Some(length) = answer
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok()?.parse().ok())
    {
        response.no_chunking(length);
    }
    Ok(response.streaming(answer))
}

/// Opens the upgrade on `node` and, once it accepted, accepts the client's WebSocket here
/// and pipes the two together for as long as both stay open.
pub async fn websocket(
    req: &HttpRequest,
    body: web::Payload,
    node: &NodeId,
    sio: &SocketioState,
) -> Result<actix_web::Result<HttpResponse>, NodeGone> {
    let base = address(node, sio).await?;
    let url = format!("{}{}", base.replacen("http", "ws", 1), req.uri());
    let (_, upstream) = CLIENT
        .with(Clone::clone)
        .ws(url)
        .max_frame_size(sio.settings.max_payload)
        .header(HANDOVER_HEADER, sio.hub.node().as_str())
        .connect()
        .await
        .map_err(|err| gone(node, "websocket", err))?;
    count("websocket", "handed_over");
    Ok(
        super::http::accept(req, body, &sio.settings).map(|(mut response, client, stream)| {
            let (name, value) = session_node(node);
            response.headers_mut().insert(name, value);
            actix_rt::spawn(pipe(client, stream, upstream));
            response
        }),
    )
}

/// Copies frames both ways until either side closes; the close goes to the other side.
async fn pipe(
    mut client: actix_ws::Session,
    mut from_client: AggregatedMessageStream,
    upstream: actix_codec::Framed<awc::BoxedSocket, awc::ws::Codec>,
) {
    let (mut to_node, mut from_node) = upstream.split();
    loop {
        tokio::select! {
            item = from_client.next() => {
                let message = match item {
                    Some(Ok(AggregatedMessage::Text(text))) => Message::Text(text),
                    Some(Ok(AggregatedMessage::Binary(bytes))) => Message::Binary(bytes),
                    Some(Ok(AggregatedMessage::Ping(bytes))) => Message::Ping(bytes),
                    Some(Ok(AggregatedMessage::Pong(bytes))) => Message::Pong(bytes),
                    Some(Ok(AggregatedMessage::Close(reason))) => {
                        let _ = to_node.send(Message::Close(reason)).await;
                        return;
                    }
                    Some(Err(_)) | None => {
                        let _ = to_node.send(Message::Close(None)).await;
                        return;
                    }
                };
                if to_node.send(message).await.is_err() {
                    let _ = client.close(None).await;
                    return;
                }
            }
            frame = from_node.next() => {
                let sent = match frame {
                    Some(Ok(Frame::Text(bytes))) => match std::str::from_utf8(&bytes) {
                        Ok(text) => client.text(text.to_owned()).await,
                        Err(_) => break,
                    },
                    Some(Ok(Frame::Binary(bytes))) => client.binary(bytes).await,
                    Some(Ok(Frame::Ping(bytes))) => client.ping(&bytes).await,
                    Some(Ok(Frame::Pong(bytes))) => client.pong(&bytes).await,
                    Some(Ok(Frame::Close(reason))) => {
                        let _ = client.close(reason).await;
                        return;
                    }
                    // The node never fragments its frames; anything else ends the pipe.
                    Some(Ok(Frame::Continuation(_))) | Some(Err(_)) | None => break,
                };
                if sent.is_err() {
                    let _ = to_node.send(Message::Close(None)).await;
                    return;
                }
            }
        }
    }
    let _ = to_node.send(Message::Close(None)).await;
    let _ = client
        .close(Some(CloseReason::from(awc::ws::CloseCode::Away)))
        .await;
}

/// `node`'s advertised address, from this thread's cache or from the cluster.
async fn address(node: &NodeId, sio: &SocketioState) -> Result<String, NodeGone> {
    let cached = ADDRESSES.with_borrow(|addresses| {
        addresses
            .get(node)
            .filter(|(_, read)| read.elapsed() < ADDRESS_TTL)
            .map(|(address, _)| address.clone())
    });
    if let Some(address) = cached {
        return Ok(address);
    }
    match sio.hub.node_address(node).await {
        Ok(Some(address)) => {
            ADDRESSES.with_borrow_mut(|addresses| {
                addresses.retain(|_, (_, read)| read.elapsed() < ADDRESS_TTL);
                addresses.insert(node.clone(), (address.clone(), Instant::now()));
            });
            Ok(address)
        }
        Ok(None) => {
            count("any", "node_gone");
            Err(NodeGone(format!("node {node} is gone")))
        }
        Err(err) => {
            count("any", "cluster_unreachable");
            Err(NodeGone(format!("node {node} unknown: {err}")))
        }
    }
}

fn gone(node: &NodeId, transport: &'static str, err: impl std::fmt::Display) -> NodeGone {
    count(transport, "node_unreachable");
    // The node may have restarted elsewhere: read its address again next time.
    ADDRESSES.with_borrow_mut(|addresses| addresses.remove(node));
    NodeGone(format!("node {node} unreachable: {err}"))
}

fn session_node(node: &NodeId) -> (HeaderName, HeaderValue) {
    let value = HeaderValue::from_str(node.as_str())
        .unwrap_or_else(|_| HeaderValue::from_static("unprintable"));
    (HeaderName::from_static(SESSION_NODE_HEADER), value)
}

fn count(transport: &'static str, outcome: &'static str) {
    metrics::counter!(SOCKETIO_HANDOVERS, "transport" => transport, "outcome" => outcome)
        .increment(1);
}
