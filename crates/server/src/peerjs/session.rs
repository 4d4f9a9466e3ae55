//! One actor per PeerJS WebSocket. It claims the client's id in the directory (OPEN, or
//! ID-TAKEN), relays OFFER/ANSWER/CANDIDATE/LEAVE/EXPIRE with `src` set by the server, and
//! drops a client that sent no HEARTBEAT for `alive_timeout`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use actix::prelude::*;
use actix_web::{HttpRequest, HttpResponse, web};
use actix_ws::{AggregatedMessage, ProtocolError as WsError};
use switchboard_core::bridge::{BridgeError, BridgeFuture, PeerAddress, Queued};
use switchboard_core::{ClaimError, Deliver, Event, Hub, PeerId, Sent};
use switchboard_protocol::peerjs::{self as wire, ClientMessage, RelayKind};

use super::{DIALECT, PeerjsSettings};
use crate::limits::{self, MessageRate, Verdict};
use crate::metrics::{CONNECTIONS, CONNECTIONS_OPENED, ERRORS, MESSAGES_IN, RELAY_LATENCY};
use crate::state::AppState;
use crate::ws::{CloseCode, Connections, Incoming, Liveness, Outbox, Shutdown, SocketSession};

/// `GET <path>peerjs?key&id&token`: the checks that need no state answer on the socket and
/// close it, as peerjs-server does (its clients read the reason from the ERROR message).
pub async fn upgrade(
    req: HttpRequest,
    body: web::Payload,
    state: web::Data<AppState>,
) -> actix_web::Result<HttpResponse> {
    let query = wire::parse_connect_query(req.query_string());
    // With JWT keys set, the `key` stock clients already send is the token, in place of the
    // fixed key.
    let tokens = state.access.tokens_required();
    let token = match &query {
        Ok(params) if tokens => Some(params.key.as_str()),
        _ => None,
    };
    let ((response, socket, stream), admission) =
        match crate::ws::accept(&req, body, &state, token)? {
            Ok(accepted) => accepted,
            Err(refused) => return Ok(refused),
        };
    let refusal = match query {
        Err(error) => Err(error.message()),
        Ok(params) if !tokens && params.key != state.peerjs.key => Err(wire::errors::INVALID_KEY),
        Ok(params) => Ok(params),
    };
    let params = match refusal {
        Ok(params) => params,
        Err(message) => {
            metrics::counter!(ERRORS, "dialect" => DIALECT, "code" => "connect_refused")
                .increment(1);
            actix_rt::spawn(async move {
                let mut socket = socket;
                let _ = socket.text(wire::render_error(message)).await;
                let _ = socket.close(None).await;
                drop(stream);
            });
            return Ok(response);
        }
    };
    PeerjsSession::create(|ctx| {
        ctx.add_stream(stream);
        PeerjsSession {
            _admission: admission,
            address: PeerAddress::new(DIALECT, PeerId::new(params.id)),
            token: Arc::from(params.token),
            hub: state.hub.clone(),
            settings: state.peerjs.clone(),
            outbox: Some(Outbox::start(socket, state.sockets.outgoing_buffer)),
            heartbeat: Liveness::new(state.peerjs.alive_timeout),
            ping_interval: state.sockets.ping_interval,
            inbox: ctx.address().recipient(),
            claimed: false,
            rate: state.sockets.limits.message_rate(),
            connections: state.connections.clone(),
            connection_key: None,
        }
    });
    Ok(response)
}

pub struct PeerjsSession {
    /// Its place among its address's connections.
    _admission: crate::access::Admission,
    address: PeerAddress,
    token: Arc<str>,
    hub: Hub,
    settings: Arc<PeerjsSettings>,
    outbox: Option<Outbox>,
    /// Only HEARTBEAT proves a PeerJS client alive, as in peerjs-server.
    heartbeat: Liveness,
    ping_interval: Duration,
    inbox: Recipient<Deliver>,
    claimed: bool,
    /// Every message counts, HEARTBEAT included: the stock client sends one every 5 s.
    rate: MessageRate,
    connections: Arc<Connections>,
    connection_key: Option<u64>,
}

impl PeerjsSession {
    fn id(&self) -> &PeerId {
        &self.address.id
    }

    fn send(
        &mut self,
        kind: &'static str,
        text: impl Into<bytestring::ByteString>,
        ctx: &mut Context<Self>,
    ) {
        self.send_frame(kind, text, ctx);
    }

    fn send_error(&mut self, code: &'static str, message: &str, ctx: &mut Context<Self>) {
        log::info!("peerjs {}: {message}", self.id());
        metrics::counter!(ERRORS, "dialect" => DIALECT, "code" => code).increment(1);
        self.send("ERROR", wire::render_error(message), ctx);
    }

    fn on_claim(
        &mut self,
        result: Result<switchboard_core::Claimed, ClaimError>,
        ctx: &mut Context<Self>,
    ) {
        match result {
            Ok(claimed) => {
                self.claimed = true;
                // A takeover (same id, same token) gets no second OPEN, as with peerjs-server.
                if claimed.taken_over {
                    log::info!(
                        "peerjs {} reconnected, replacing its previous socket",
                        self.id()
                    );
                } else {
                    log::info!("peerjs {} connected", self.id());
                    self.send("OPEN", wire::render_open(), ctx);
                }
                for queued in claimed.queued {
                    self.send("relayed", queued.payload, ctx);
                }
            }
            Err(ClaimError::Taken) => {
                log::info!("peerjs {}: id taken", self.id());
                metrics::counter!(ERRORS, "dialect" => DIALECT, "code" => "id_taken").increment(1);
                self.send("ID-TAKEN", wire::render_id_taken(), ctx);
                self.close_socket(CloseCode::Normal, "", ctx);
            }
            Err(ClaimError::Unavailable(err)) => {
                self.send_error("unavailable", &format!("Server unavailable: {err}"), ctx);
                self.close_socket(CloseCode::Again, "cluster unavailable", ctx);
            }
        }
    }

    /// Counts one message against the rate; false when it is to be dropped (answered with
    /// an ERROR at most once a second), and the socket closed after a long flood.
    fn within_rate(&mut self, ctx: &mut Context<Self>) -> bool {
        match self.rate.check_counted(DIALECT) {
            Verdict::Pass => true,
            Verdict::Drop { answer } => {
                if answer {
                    log::debug!("peerjs {}: rate limited", self.id());
                    let message = "rate_limited: too many messages; this one was dropped";
                    self.send("ERROR", wire::render_error(message), ctx);
                }
                false
            }
            Verdict::Close => {
                log::info!("peerjs {}: flooding, closing", self.id());
                self.close_socket(CloseCode::Policy, limits::FLOOD_CLOSE_REASON, ctx);
                false
            }
        }
    }

    fn on_text(&mut self, text: &str, ctx: &mut Context<Self>) {
        match wire::parse_message(text) {
            Ok(ClientMessage::Heartbeat) => {
                metrics::counter!(MESSAGES_IN, "dialect" => DIALECT, "kind" => "HEARTBEAT")
                    .increment(1);
                self.heartbeat.heard();
            }
            Ok(ClientMessage::Relay { kind, dst, payload }) => {
                metrics::counter!(MESSAGES_IN, "dialect" => DIALECT, "kind" => kind.as_str())
                    .increment(1);
                self.relay(kind, dst, payload.as_deref(), ctx);
            }
            Ok(ClientMessage::LeaveServer) => {
                metrics::counter!(MESSAGES_IN, "dialect" => DIALECT, "kind" => "LEAVE")
                    .increment(1);
                self.close_socket(CloseCode::Normal, "", ctx);
            }
            Ok(ClientMessage::Unknown { kind }) => {
                metrics::counter!(MESSAGES_IN, "dialect" => DIALECT, "kind" => "unknown")
                    .increment(1);
                log::debug!(
                    "peerjs {}: message of unknown type {kind:?} dropped",
                    self.id()
                );
            }
            Err(error) => self.send_error("invalid_message", &error.0, ctx),
        }
    }

    fn relay(
        &mut self,
        kind: RelayKind,
        dst: String,
        payload: Option<&serde_json::value::RawValue>,
        ctx: &mut Context<Self>,
    ) {
        let frame = wire::render_relay(kind.as_str(), self.id().as_str(), &dst, payload);
        let to = PeerAddress::new(DIALECT, PeerId::new(dst));
        let message = Queued {
            from: self.id().clone(),
            payload: frame.into(),
        };
        if kind.is_queued() {
            // Nothing comes back when the message is delivered or queued, so a peer on another
            // node costs this thread no wake-up. A failure (a node out of reach) comes back as
            // EXPIRE, the PeerJS way to fail this connection attempt and keep the Peer alive.
            let (inbox, from, peer) = (self.inbox.clone(), self.id().clone(), to.id.clone());
            let on_failure = Box::new(move |err: BridgeError| {
                log::info!("peerjs {from}: {} to {peer} not sent: {err}", kind.as_str());
                inbox.do_send(Deliver(Event::Expired { peer }));
            });
            let expire_timeout = self.settings.expire_timeout;
            let directory = self.hub.directory();
            directory.send_quietly(&to, message, Instant::now(), expire_timeout, on_failure);
            return;
        }
        let sending =
            self.hub
                .directory()
                .send(&to, message.from, message.payload, Instant::now(), None);
        ctx.spawn(sending.into_actor(self).map(move |result, session, _| {
            if let Err(err) = result {
                log::info!(
                    "peerjs {}: {} to {} not sent: {err}",
                    session.id(),
                    kind.as_str(),
                    to.id
                );
            } else if let Ok(Sent::Dropped) = result {
                log::debug!(
                    "peerjs {}: {} to absent {} dropped",
                    session.id(),
                    kind.as_str(),
                    to.id
                );
            }
        }));
    }
}

impl Actor for PeerjsSession {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        metrics::gauge!(CONNECTIONS, "dialect" => DIALECT).increment(1.0);
        metrics::counter!(CONNECTIONS_OPENED, "dialect" => DIALECT).increment(1);
        self.connection_key = Some(self.connections.add(ctx.address().recipient()));
        // The limit is checked before the claim, which would take the id's queued messages
        // and could close a holder elsewhere. A same-token reconnect here is exempt, as in
        // peerjs-server; one held here with another token gets ID-TAKEN first.
        let directory = self.hub.directory();
        let held_here = directory.held_here(&self.address, &self.token);
        if held_here.is_none() && directory.local_count(DIALECT) >= self.settings.concurrent_limit {
            self.send_error(
                "concurrent_limit",
                wire::errors::CONNECTION_LIMIT_EXCEED,
                ctx,
            );
            return self.close_socket(CloseCode::Normal, "", ctx);
        }
        let claiming = self.hub.directory().claim(
            self.address.clone(),
            self.token.clone(),
            self.inbox.clone(),
        );
        ctx.wait(
            claiming
                .into_actor(self)
                .map(|result, session, ctx| session.on_claim(result, ctx)),
        );
        let check_every = (self.settings.alive_timeout / 4)
            .clamp(Duration::from_millis(100), Duration::from_secs(5));
        ctx.run_interval(check_every, |session, ctx| {
            if session.heartbeat.is_silent() {
                log::info!(
                    "peerjs {}: no HEARTBEAT for {:?}, dropping",
                    session.id(),
                    session.settings.alive_timeout
                );
                session.close_socket(CloseCode::Away, "heartbeat timeout", ctx);
            }
        });
        // Transport pings keep idle connections open through proxies; they do not count as
        // a HEARTBEAT.
        ctx.run_interval(self.ping_interval, |session, _| session.ping());
    }

    fn stopped(&mut self, _: &mut Self::Context) {
        // Still claimed when the connection was lost rather than closed: nobody waits.
        if self.claimed {
            drop(self.hub.directory().release(&self.address, &self.inbox));
        }
        if let Some(key) = self.connection_key.take() {
            self.connections.remove(key);
        }
        if let Some(outbox) = self.outbox.take() {
            outbox.close(CloseCode::Normal, "");
        }
        metrics::gauge!(CONNECTIONS, "dialect" => DIALECT).decrement(1.0);
        log::info!("peerjs {} disconnected", self.id());
    }
}

impl SocketSession for PeerjsSession {
    const DIALECT: &'static str = DIALECT;

    fn outbox_slot(&mut self) -> &mut Option<Outbox> {
        &mut self.outbox
    }

    fn label(&self) -> String {
        format!("peerjs {}", self.id())
    }

    /// The id is released before the close, so a client that reconnects (on any node) with a
    /// new token once it sees its socket close is not told ID-TAKEN.
    fn settle_before_close(&mut self) -> Option<BridgeFuture<()>> {
        std::mem::take(&mut self.claimed)
            .then(|| self.hub.directory().release(&self.address, &self.inbox))
    }
}

impl StreamHandler<Result<AggregatedMessage, WsError>> for PeerjsSession {
    fn handle(&mut self, item: Result<AggregatedMessage, WsError>, ctx: &mut Self::Context) {
        match self.on_transport(Incoming::from(item), ctx) {
            Some(_) if !self.within_rate(ctx) => {}
            Some(Incoming::Text(text)) => self.on_text(&text, ctx),
            Some(_) => self.send_error(
                "binary_unsupported",
                "Binary frames are not supported; send JSON text",
                ctx,
            ),
            None => {}
        }
    }

    fn finished(&mut self, ctx: &mut Self::Context) {
        ctx.stop();
    }
}

impl Handler<Deliver> for PeerjsSession {
    type Result = ();

    fn handle(&mut self, Deliver(event): Deliver, ctx: &mut Self::Context) {
        match event {
            Event::Direct {
                payload,
                received_at,
                ..
            } => {
                self.send("relayed", payload, ctx);
                metrics::histogram!(RELAY_LATENCY).record(received_at.elapsed().as_secs_f64());
            }
            Event::Expired { peer } => {
                let expire = wire::render_expire(peer.as_str(), self.id().as_str());
                self.send("EXPIRE", expire, ctx);
            }
            Event::Replaced => {
                log::info!(
                    "peerjs {}: replaced by a new connection with the same token",
                    self.id()
                );
                // Releasing stays right: the directory only frees an id this session still
                // holds, and Redis only one this node still holds with this token.
                self.close_socket(CloseCode::Normal, "replaced by a new connection", ctx);
            }
            Event::PeerJoined { .. }
            | Event::PeerLeft { .. }
            | Event::Signal { .. }
            | Event::RoomClosed { .. } => {}
        }
    }
}

impl Handler<Shutdown> for PeerjsSession {
    type Result = ();

    fn handle(&mut self, _: Shutdown, ctx: &mut Self::Context) {
        self.close_socket(CloseCode::Away, "server draining", ctx);
    }
}
