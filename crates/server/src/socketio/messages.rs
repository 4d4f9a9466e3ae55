//! What the HTTP handlers ask of a session actor: a polling GET, a polling POST, a
//! WebSocket to upgrade to, or the end of the session. WebSocket frames reach the actor as a
//! stream of [`WsItem`]s.

use actix::Addr;
use actix::Message;
use actix_ws::{AggregatedMessage, AggregatedMessageStream, ProtocolError};
use futures_util::StreamExt;
use switchboard_protocol::socketio::engineio::EngineError;
use tokio::sync::oneshot;

use super::session::EngineSession;

/// A polling GET: the answer comes through the receiver, at once or when there is
/// something to send.
#[derive(Message)]
#[rtype(result = "Result<oneshot::Receiver<String>, EngineError>")]
pub struct Poll;

/// A polling POST's body, read whole within the size limit; `binary` for an
/// `application/octet-stream` body (the v3 XHR2 format).
#[derive(Message)]
#[rtype(result = "Result<(), EngineError>")]
pub struct Post {
    pub body: bytes::Bytes,
    pub binary: bool,
}

/// A WebSocket opened with this session's sid: the upgrade of a polling session. The
/// answer is the socket's number for its [`WsItem`]s, or `None` when the session cannot
/// upgrade (the socket is then closed).
#[derive(Message)]
#[rtype(result = "Option<u64>")]
pub struct Attach {
    pub socket: actix_ws::Session,
}

/// Ends the session (e.g. after a POST over the size limit).
#[derive(Message)]
#[rtype(result = "()")]
pub struct Close(pub &'static str);

/// A frame from one of the session's WebSockets, numbered so that frames of a dropped
/// probe are told from the transport's; `None` when that socket's stream ended. A socket's
/// frames are read on the worker thread that accepted it (its stream cannot move to
/// another thread, where the session may live) and forwarded one by one by [`forward`].
#[derive(Message)]
#[rtype(result = "()")]
pub struct WsItem {
    pub socket: u64,
    pub item: Option<Result<AggregatedMessage, ProtocolError>>,
}

/// Reads a WebSocket's frames on this thread and hands them to the session in order, each
/// after the previous one was handled; stops when the session is gone.
pub fn forward(mut stream: AggregatedMessageStream, socket: u64, session: Addr<EngineSession>) {
    actix_rt::spawn(async move {
        while let Some(item) = stream.next().await {
            let item = WsItem {
                socket,
                item: Some(item),
            };
            if session.send(item).await.is_err() {
                return;
            }
        }
        let _ = session.send(WsItem { socket, item: None }).await;
    });
}
