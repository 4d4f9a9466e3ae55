//! What every session actor does with its socket, whatever the dialect: send through the
//! bounded outbox (dropping a slow consumer), close, answer pings, and react to the transport
//! events (close, oversize, lost connection). A dialect's session implements the two required
//! methods and handles only text and binary frames itself.

use actix::{Actor, ActorContext, Context};
use actix_web::{HttpRequest, HttpResponse, web};
use bytestring::ByteString;
use switchboard_core::bridge::BridgeFuture;

use super::{CloseCode, Incoming, Outbox};
use crate::access::Admission;
use crate::metrics::{ERRORS, MESSAGES_OUT, SLOW_CONSUMERS};
use crate::state::AppState;

pub trait SocketSession: Actor<Context = Context<Self>> {
    /// The dialect, as metrics label it.
    const DIALECT: &'static str;

    /// The socket's outbox; `None` once the socket is closing.
    fn outbox_slot(&mut self) -> &mut Option<Outbox>;

    /// Who this is in logs.
    fn label(&self) -> String;

    /// Sends a frame; a client too slow to take it is disconnected (1008).
    fn send_frame(
        &mut self,
        kind: &'static str,
        text: impl Into<ByteString>,
        ctx: &mut Context<Self>,
    ) {
        let Some(outbox) = self.outbox_slot() else {
            return;
        };
        if outbox.text(text).is_ok() {
            metrics::counter!(MESSAGES_OUT, "dialect" => Self::DIALECT, "kind" => kind)
                .increment(1);
            return;
        }
        log::warn!("{}: slow consumer, disconnecting", self.label());
        metrics::counter!(SLOW_CONSUMERS, "dialect" => Self::DIALECT).increment(1);
        if let Some(outbox) = self.outbox_slot().take() {
            outbox.close_now(CloseCode::Policy, "slow consumer: outgoing buffer full");
        }
        ctx.stop();
    }

    /// What must reach the cluster before the client sees its socket close (e.g. the release
    /// of its id), so that a client which reconnects on seeing the close finds it done.
    /// Called once, when the session closes its socket; the session must not repeat the
    /// work when it stops.
    fn settle_before_close(&mut self) -> Option<BridgeFuture<()>> {
        None
    }

    /// Closes the socket after what is queued (and after what must settle first), and stops
    /// the session.
    fn close_socket(&mut self, code: CloseCode, description: &str, ctx: &mut Context<Self>) {
        if let Some(outbox) = self.outbox_slot().take() {
            match self.settle_before_close() {
                Some(settling) => {
                    let description = description.to_owned();
                    // The bridge bounds the wait; the socket closes whatever the outcome.
                    actix::spawn(async move {
                        let _ = settling.await;
                        outbox.close(code, &description);
                    });
                }
                None => outbox.close(code, description),
            }
        }
        ctx.stop();
    }

    fn ping(&mut self) {
        if let Some(outbox) = self.outbox_slot() {
            outbox.ping();
        }
    }

    /// Handles the transport's events; gives back text and binary frames for the dialect.
    fn on_transport(&mut self, incoming: Incoming, ctx: &mut Context<Self>) -> Option<Incoming> {
        match incoming {
            Incoming::Ping(payload) => {
                if let Some(outbox) = self.outbox_slot() {
                    outbox.pong(payload);
                }
            }
            Incoming::Pong => {}
            Incoming::Closed => self.close_socket(CloseCode::Normal, "", ctx),
            Incoming::TooLarge => {
                log::info!("{}: frame over the size limit", self.label());
                metrics::counter!(ERRORS, "dialect" => Self::DIALECT, "code" => "frame_too_large")
                    .increment(1);
                self.close_socket(CloseCode::Size, "frame too large", ctx);
            }
            Incoming::Lost(error) => {
                log::info!("{}: connection lost: {error}", self.label());
                ctx.stop();
            }
            Incoming::Invalid(error) => {
                log::info!("{}: protocol error: {error}", self.label());
                self.close_socket(CloseCode::Protocol, "protocol error", ctx);
            }
            frame @ (Incoming::Text(_) | Incoming::Binary) => return Some(frame),
        }
        None
    }
}

/// A WebSocket accepted for a session: the handshake response, the socket, and its incoming
/// frames with the size limit applied and continuations reassembled.
pub type Accepted = (
    HttpResponse,
    actix_ws::Session,
    actix_ws::AggregatedMessageStream,
);

/// Accepts a WebSocket upgrade that presented `token` and passes the node's admission
/// (`crate::access`), or refuses it (503 while the node drains).
pub fn accept(
    req: &HttpRequest,
    body: web::Payload,
    state: &AppState,
    token: Option<&str>,
) -> actix_web::Result<Result<(Accepted, Admission), HttpResponse>> {
    let admission = match state.admit(req, token) {
        Ok(admission) => admission,
        Err(refusal) => return Ok(Err(refusal.response())),
    };
    let (response, socket, stream) = actix_ws::handle(req, body)?;
    let limit = state.sockets.max_frame_size;
    let stream = stream
        .max_frame_size(limit)
        .aggregate_continuations()
        .max_continuation_size(limit);
    Ok(Ok(((response, socket, stream), admission)))
}
