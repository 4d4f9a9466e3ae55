//! One actor per `conference` connection. It owns the socket (through an [`Outbox`]), the
//! client's server-made id and the rooms it joined; it turns frames into core calls and core
//! events into frames.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use actix::prelude::*;
use actix_ws::{AggregatedMessage, ProtocolError as WsError, Session};
use switchboard_core::{Deliver, Event, Hub, LeaveReason, PeerId, RoomHandle};
use switchboard_protocol::conference::{self as wire, ErrorCode, ProtocolError, ServerMessage};

use super::DIALECT;
use crate::access::Admission;
use crate::config::SocketSettings;
use crate::limits::{self, MessageRate, Verdict};
use crate::metrics::{CONNECTIONS, CONNECTIONS_OPENED, ERRORS, MESSAGES_IN, RELAY_LATENCY};
use crate::state::AppState;
use crate::ws::{CloseCode, Connections, Incoming, Liveness, Outbox, Shutdown, SocketSession};

pub struct ConferenceSession {
    /// Its place among its address's connections, and the rooms its token grants.
    pub(super) admission: Admission,
    pub(super) id: PeerId,
    pub(super) hub: Hub,
    /// Joined rooms, by the name the client uses.
    pub(super) rooms: HashMap<Arc<str>, RoomHandle>,
    /// Messages of the current frame not handled yet: a frame's messages run in order, and
    /// a join must finish before the next message is read.
    pub(super) backlog: VecDeque<Result<wire::Request, ProtocolError>>,
    pub(super) busy: bool,
    /// Whether the client sent its `room/connect` or `conference/join`, which ends the
    /// handshake deadline.
    pub(super) handshaken: bool,
    rate: MessageRate,
    outbox: Option<Outbox>,
    liveness: Liveness,
    settings: SocketSettings,
    connections: Arc<Connections>,
    connection_key: Option<u64>,
}

impl ConferenceSession {
    pub fn new(state: &AppState, socket: Session, admission: Admission) -> Self {
        Self {
            admission,
            id: PeerId::new(uuid::Uuid::new_v4().to_string()),
            hub: state.hub.clone(),
            rooms: HashMap::new(),
            backlog: VecDeque::new(),
            busy: false,
            handshaken: false,
            rate: state.sockets.limits.message_rate(),
            outbox: Some(Outbox::start(socket, state.sockets.outgoing_buffer)),
            liveness: Liveness::new(state.sockets.ping_timeout),
            settings: state.sockets.clone(),
            connections: state.connections.clone(),
            connection_key: None,
        }
    }

    pub(super) fn limits(&self) -> crate::limits::Limits {
        self.settings.limits
    }

    pub(super) fn send(
        &mut self,
        kind: &'static str,
        text: impl Into<bytestring::ByteString>,
        ctx: &mut Context<Self>,
    ) {
        self.send_frame(kind, text, ctx);
    }

    pub(super) fn render(
        &mut self,
        kind: &'static str,
        message: &ServerMessage,
        ctx: &mut Context<Self>,
    ) {
        self.send(kind, wire::render(message), ctx);
    }

    pub(super) fn send_error(&mut self, error: ProtocolError, ctx: &mut Context<Self>) {
        log::debug!("conference {}: {error}", self.id);
        metrics::counter!(ERRORS, "dialect" => DIALECT, "code" => error.code.as_str()).increment(1);
        self.render("system/error", &ServerMessage::Error(&error), ctx);
    }

    /// Handles the backlog in order until it is empty or a message waits for the core.
    pub(super) fn drain_backlog(&mut self, ctx: &mut Context<Self>) {
        while !self.busy {
            let Some(next) = self.backlog.pop_front() else {
                return;
            };
            match next {
                Ok(request) => self.handle_request(request, ctx),
                Err(error) => self.send_error(error, ctx),
            }
        }
    }

    fn on_text(&mut self, text: &str, ctx: &mut Context<Self>) {
        // Each message of a frame counts, or one frame could carry any number of them.
        for message in wire::parse_frame(text) {
            let request = match &message {
                Ok(request) => Some(request.request.as_str()),
                Err(error) => error.request.as_deref(),
            };
            if !self.within_rate(request, ctx) {
                break;
            }
            self.backlog.push_back(message);
        }
        self.drain_backlog(ctx);
    }

    /// Counts one message against the rate; false when it is to be dropped (answered with
    /// `rate_limited` at most once a second), and the socket closed after a long flood.
    fn within_rate(&mut self, request: Option<&str>, ctx: &mut Context<Self>) -> bool {
        match self.rate.check_counted(DIALECT) {
            Verdict::Pass => true,
            Verdict::Drop { answer } => {
                if answer {
                    let mut error = ProtocolError::new(
                        ErrorCode::RateLimited,
                        "too many messages: this one was dropped; slow down",
                    );
                    error.request = request.map(str::to_owned);
                    log::debug!("conference {}: {error}", self.id);
                    self.render("system/error", &ServerMessage::Error(&error), ctx);
                }
                false
            }
            Verdict::Close => {
                log::info!("conference {}: flooding, closing", self.id);
                self.backlog.clear();
                self.close_socket(CloseCode::Policy, limits::FLOOD_CLOSE_REASON, ctx);
                false
            }
        }
    }

    fn on_event(&mut self, event: Event, ctx: &mut Context<Self>) {
        match event {
            Event::PeerJoined { room, peer } => {
                if self.rooms.contains_key(&room.name) {
                    let message = ServerMessage::PeerJoin {
                        id: peer.id.as_str(),
                        room: &room.name,
                        name: &peer.name,
                    };
                    self.render("conference/peerJoin", &message, ctx);
                }
            }
            Event::PeerLeft { room, peer, reason } => {
                if self.rooms.contains_key(&room.name) {
                    let (kind, message) = match reason {
                        LeaveReason::Left => (
                            "conference/peerLeave",
                            ServerMessage::PeerLeave {
                                id: peer.as_str(),
                                room: &room.name,
                            },
                        ),
                        LeaveReason::Disconnected => (
                            "system/peerDisconnected",
                            ServerMessage::PeerDisconnected {
                                id: peer.as_str(),
                                room: &room.name,
                            },
                        ),
                    };
                    self.render(kind, &message, ctx);
                }
            }
            Event::Signal {
                room,
                payload,
                received_at,
                ..
            } => {
                if self.rooms.contains_key(&room.name) {
                    let kind = match wire::relayed_signal_kind(&payload) {
                        Some(wire::SignalKind::Sdp) => "signal/sdp",
                        Some(wire::SignalKind::Trickle) => "signal/trickle",
                        None => "signal/relayed",
                    };
                    self.send(kind, payload, ctx);
                    metrics::histogram!(RELAY_LATENCY).record(received_at.elapsed().as_secs_f64());
                }
            }
            // Peers addressed by id belong to other dialects; this session claims no id.
            Event::Direct { .. }
            | Event::Expired { .. }
            | Event::Replaced
            | Event::RoomClosed { .. } => {}
        }
    }

    /// Leaves every room as disconnected, so the others get `peerDisconnected`.
    fn leave_all(&mut self) {
        for (_, room) in self.rooms.drain() {
            room.leave_now(self.id.clone(), LeaveReason::Disconnected);
        }
    }
}

impl Actor for ConferenceSession {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        log::info!("conference {} connected", self.id);
        metrics::gauge!(CONNECTIONS, "dialect" => DIALECT).increment(1.0);
        metrics::counter!(CONNECTIONS_OPENED, "dialect" => DIALECT).increment(1);
        self.connection_key = Some(self.connections.add(ctx.address().recipient()));
        if let Some(deadline) = self.settings.limits.handshake_timeout {
            ctx.run_later(deadline, |session, ctx| {
                if !session.handshaken {
                    log::info!("conference {}: no room/connect in time", session.id);
                    metrics::counter!(ERRORS, "dialect" => DIALECT, "code" => limits::HANDSHAKE_TIMEOUT)
                        .increment(1);
                    session.close_socket(CloseCode::Policy, "handshake timeout", ctx);
                }
            });
        }
        ctx.run_interval(self.settings.ping_interval, |session, ctx| {
            if session.liveness.is_silent() {
                log::info!("conference {}: ping timeout", session.id);
                session.close_socket(CloseCode::Away, "ping timeout", ctx);
            } else {
                session.ping();
            }
        });
    }

    fn stopped(&mut self, _: &mut Self::Context) {
        self.leave_all();
        if let Some(key) = self.connection_key.take() {
            self.connections.remove(key);
        }
        if let Some(outbox) = self.outbox.take() {
            outbox.close(CloseCode::Normal, "");
        }
        metrics::gauge!(CONNECTIONS, "dialect" => DIALECT).decrement(1.0);
        log::info!("conference {} disconnected", self.id);
    }
}

impl SocketSession for ConferenceSession {
    const DIALECT: &'static str = DIALECT;

    fn outbox_slot(&mut self) -> &mut Option<Outbox> {
        &mut self.outbox
    }

    fn label(&self) -> String {
        format!("conference {}", self.id)
    }
}

impl StreamHandler<Result<AggregatedMessage, WsError>> for ConferenceSession {
    fn handle(&mut self, item: Result<AggregatedMessage, WsError>, ctx: &mut Self::Context) {
        self.liveness.heard();
        match self.on_transport(Incoming::from(item), ctx) {
            Some(Incoming::Text(text)) => self.on_text(&text, ctx),
            Some(_) if !self.within_rate(None, ctx) => {}
            Some(_) => {
                metrics::counter!(MESSAGES_IN, "dialect" => DIALECT, "kind" => "binary")
                    .increment(1);
                let error = ProtocolError::new(
                    ErrorCode::BinaryUnsupported,
                    "binary frames are not part of this protocol; send JSON text",
                );
                self.send_error(error, ctx);
            }
            None => {}
        }
    }

    fn finished(&mut self, ctx: &mut Self::Context) {
        ctx.stop();
    }
}

impl Handler<Deliver> for ConferenceSession {
    type Result = ();

    fn handle(&mut self, Deliver(event): Deliver, ctx: &mut Self::Context) {
        self.on_event(event, ctx);
    }
}

impl Handler<Shutdown> for ConferenceSession {
    type Result = ();

    fn handle(&mut self, _: Shutdown, ctx: &mut Self::Context) {
        self.leave_all();
        self.close_socket(CloseCode::Away, "server draining", ctx);
    }
}
