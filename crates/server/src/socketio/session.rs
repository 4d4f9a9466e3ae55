//! One actor per Engine.IO session. It owns the transport (polling, a WebSocket, or polling
//! while a WebSocket is probed), the heartbeat and the Socket.IO socket; packets from any
//! transport go through [`EngineSession::on_packet`], packets to the client through
//! [`EngineSession::send`], which writes to the WebSocket or queues for the next GET.

use std::sync::Arc;

use actix::prelude::*;
use switchboard_protocol::socketio::engineio::{
    self, DEFAULT_UPGRADES, Data, Frame, Handshake, Packet, PacketType, Version,
};

use super::dialect::Emitter;
use super::heartbeat::Heartbeat;
use super::polling::Polling;
use super::socket::{After, SioSocket};
use super::{DIALECT, SocketioState};
use crate::access::Admission;
use crate::limits::{self, MessageRate, Verdict};
use crate::metrics::{CONNECTIONS, CONNECTIONS_OPENED, ERRORS, MESSAGES_OUT, SLOW_CONSUMERS};
use crate::ws::{CloseCode, Connections, Outbox, Shutdown};

/// How long the Engine.IO session outlives a Socket.IO DISCONNECT from the client, waiting
/// for the client to close it.
const DISCONNECT_GRACE: std::time::Duration = std::time::Duration::from_secs(1);

pub(super) enum Transport {
    Polling(Polling),
    Websocket {
        outbox: Outbox,
        socket: u64,
    },
    /// The session is over.
    Closed,
}

/// A WebSocket being probed for the upgrade of a polling session.
pub(super) struct Probe {
    pub outbox: Outbox,
    pub socket: u64,
    /// `2probe` came and `3probe` went: waiting for `5`.
    pub probed: bool,
}

pub struct EngineSession {
    /// Its place among its address's connections.
    _admission: Admission,
    pub(super) sid: String,
    pub(super) version: Version,
    pub(super) state: Arc<SocketioState>,
    pub(super) transport: Transport,
    pub(super) probe: Option<Probe>,
    heartbeat: Heartbeat,
    /// Socket.IO packets count against it; Engine.IO heartbeats and the upgrade do not.
    rate: MessageRate,
    sio: SioSocket,
    /// Why the session ended, and the close code for its WebSocket.
    closing: Option<(CloseCode, &'static str)>,
    sockets: u64,
    connections: Arc<Connections>,
    connection_key: Option<u64>,
}

impl EngineSession {
    /// A session admitted with `admission`; with `token_pending`, its CONNECT must carry a
    /// valid `auth.token`.
    pub fn new(
        sid: String,
        version: Version,
        state: Arc<SocketioState>,
        connections: Arc<Connections>,
        admission: Admission,
        token_pending: bool,
    ) -> Self {
        let settings = &state.settings;
        let dialect = crate::rooms::RoomsDialect::new(
            state.hub.clone(),
            admission.grant.rooms.clone(),
            settings.limits,
        );
        let verifier = token_pending.then(|| state.access.clone());
        Self {
            heartbeat: Heartbeat::new(version, settings.ping_interval, settings.ping_timeout),
            rate: settings.limits.message_rate(),
            sio: SioSocket::new(version.into(), &sid, Box::new(dialect), verifier),
            _admission: admission,
            sid,
            version,
            transport: Transport::Polling(Polling::default()),
            probe: None,
            closing: None,
            sockets: 0,
            connections,
            connection_key: None,
            state,
        }
    }

    /// A number for a new WebSocket of this session, to tell its frames from others'.
    pub(super) fn number_socket(&mut self) -> u64 {
        self.sockets += 1;
        self.sockets
    }

    /// Makes the session a WebSocket session (from the start, or after an upgrade).
    pub(super) fn use_websocket(&mut self, outbox: Outbox, socket: u64, ctx: &mut Context<Self>) {
        let queued =
            match std::mem::replace(&mut self.transport, Transport::Websocket { outbox, socket }) {
                Transport::Polling(mut polling) => {
                    // The held GET ends with a noop; what it would have carried goes here.
                    let _ = polling.answer(self.version, &[Packet::empty(PacketType::Noop)]);
                    polling.drain()
                }
                _ => Vec::new(),
            };
        for packet in queued {
            self.send(packet, ctx);
        }
    }

    fn label(&self) -> String {
        format!("socketio {}", self.sid)
    }

    /// Sends an Engine.IO packet on the current transport.
    pub(super) fn send(&mut self, packet: Packet<'static>, ctx: &mut Context<Self>) {
        let limit = self.state.settings.outgoing_buffer;
        let slow = match &mut self.transport {
            Transport::Websocket { outbox, .. } => {
                match engineio::encode_frame(self.version, &packet) {
                    Frame::Text(text) => outbox.text(text).is_err(),
                    Frame::Binary(_) => {
                        log::error!("{}: binary frames are never sent", self.label());
                        false
                    }
                }
            }
            Transport::Polling(polling) => {
                let queued = polling.push(packet);
                if polling.flush(self.version).is_err() {
                    return self.close(CloseCode::Normal, "poll request gone", ctx);
                }
                limit > 0 && queued > limit
            }
            Transport::Closed => false,
        };
        if slow {
            log::warn!("{}: slow consumer, disconnecting", self.label());
            metrics::counter!(SLOW_CONSUMERS, "dialect" => DIALECT).increment(1);
            if let Transport::Websocket { outbox, .. } =
                std::mem::replace(&mut self.transport, Transport::Closed)
            {
                outbox.close_now(CloseCode::Policy, "slow consumer: outgoing buffer full");
            }
            self.close(CloseCode::Policy, "slow consumer", ctx);
        }
    }

    /// Sends Socket.IO texts as Engine.IO messages.
    fn send_messages(
        &mut self,
        texts: impl IntoIterator<Item = (&'static str, String)>,
        ctx: &mut Context<Self>,
    ) {
        for (kind, text) in texts {
            metrics::counter!(MESSAGES_OUT, "dialect" => DIALECT, "kind" => kind).increment(1);
            self.send(Packet::message(text), ctx);
        }
    }

    fn emitter(ctx: &mut Context<Self>) -> Emitter {
        Emitter::with_inbox(ctx.address().recipient())
    }

    /// Sends what the dialect emitted, and holds the session's messages while it waits.
    fn flush(&mut self, mut out: Emitter, ctx: &mut Context<Self>) {
        self.send_messages(out.take(), ctx);
        for wait in out.take_waits() {
            ctx.wait(wait.into_actor(self).map(|answer, session, ctx| {
                let mut out = Self::emitter(ctx);
                session.sio.resume(answer, &mut out);
                session.flush(out, ctx);
            }));
        }
    }

    /// A packet from the client, on whichever transport.
    pub(super) fn on_packet(&mut self, packet: Packet<'_>, ctx: &mut Context<Self>) {
        if self.closing.is_some() {
            return;
        }
        self.heartbeat.heard();
        match packet.kind {
            PacketType::Ping if self.version.server_pings() => {
                log::info!("{}: ping from an Engine.IO 4 client", self.label());
                self.close(CloseCode::Protocol, "invalid heartbeat direction", ctx);
            }
            PacketType::Ping => {
                let data = packet.text().unwrap_or_default().to_owned();
                self.send(Packet::new(PacketType::Pong, data), ctx);
            }
            PacketType::Pong => self.heartbeat.ponged(),
            PacketType::Message if !self.within_rate(ctx) => {}
            PacketType::Message => {
                let mut first = Vec::new();
                let mut out = Self::emitter(ctx);
                let after = match &packet.data {
                    Data::Text(text) => self.sio.on_text(text, &mut first, &mut out),
                    Data::Binary(_) => self.sio.on_binary(&mut out),
                };
                self.send_messages(first, ctx);
                self.flush(out, ctx);
                if after == After::Disconnected {
                    // The client closes the engine right after (a `1` POST when polling, or
                    // its WebSocket); closing first would answer that POST with a 400.
                    ctx.run_later(DISCONNECT_GRACE, |session, ctx| {
                        session.close(CloseCode::Normal, "client namespace disconnect", ctx);
                    });
                }
            }
            PacketType::Close => self.close(CloseCode::Normal, "client close", ctx),
            PacketType::Open | PacketType::Upgrade | PacketType::Noop => {
                log::debug!("{}: {} packet ignored", self.label(), packet.kind.name());
            }
        }
    }

    /// Counts one Socket.IO packet against the rate; false when it is to be dropped
    /// (answered with the `error` event at most once a second), and the session closed
    /// after a long flood.
    fn within_rate(&mut self, ctx: &mut Context<Self>) -> bool {
        match self.rate.check_counted(DIALECT) {
            Verdict::Pass => true,
            Verdict::Drop { answer } => {
                if answer && self.sio.is_connected() {
                    log::debug!("{}: rate limited", self.label());
                    let mut out = Self::emitter(ctx);
                    out.error("rate_limited: too many messages; this one was dropped");
                    self.flush(out, ctx);
                }
                false
            }
            Verdict::Close => {
                log::info!("{}: flooding, closing", self.label());
                self.close(CloseCode::Policy, limits::FLOOD_CLOSE_REASON, ctx);
                false
            }
        }
    }

    /// Ends the session: the actor stops, and `stopped` closes the transport.
    pub(super) fn close(&mut self, code: CloseCode, reason: &'static str, ctx: &mut Context<Self>) {
        if self.closing.is_none() {
            log::debug!("{}: closing ({reason})", self.label());
            self.closing = Some((code, reason));
            // From now on its requests find no session.
            self.state.sessions.remove(&self.sid);
        }
        ctx.stop();
    }

    pub(super) fn is_closing(&self) -> bool {
        self.closing.is_some()
    }

    fn heartbeat(&mut self, ctx: &mut Context<Self>) {
        if self.heartbeat.is_dead() {
            self.close(CloseCode::Away, "ping timeout", ctx);
        }
    }
}

impl Actor for EngineSession {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        metrics::gauge!(CONNECTIONS, "dialect" => DIALECT).increment(1.0);
        metrics::counter!(CONNECTIONS_OPENED, "dialect" => DIALECT).increment(1);
        self.connection_key = Some(self.connections.add(ctx.address().recipient()));
        let settings = &self.state.settings;
        let upgrades: &[&str] = match self.transport {
            Transport::Polling(_) => DEFAULT_UPGRADES,
            _ => &[],
        };
        let open = Handshake {
            sid: &self.sid,
            upgrades,
            ping_interval_ms: settings.ping_interval.as_millis() as u64,
            ping_timeout_ms: settings.ping_timeout.as_millis() as u64,
            max_payload: settings.max_payload as u64,
        }
        .open_packet(self.version);
        let ping_interval = settings.ping_interval;
        let connect_timeout = settings.limits.handshake_timeout;
        self.send(open, ctx);
        let mut out = Self::emitter(ctx);
        if let Some(connect) = self.sio.open(&mut out) {
            self.send_messages([("connect", connect)], ctx);
        }
        self.flush(out, ctx);
        if self.version.server_pings() {
            ctx.run_interval(ping_interval, |session, ctx| {
                session.heartbeat.pinged();
                session.send(Packet::empty(PacketType::Ping), ctx);
            });
        }
        ctx.run_interval(self.heartbeat.check_every(), Self::heartbeat);
        if let (false, Some(connect_timeout)) = (self.sio.is_connected(), connect_timeout) {
            // socket.io's `connectTimeout`, here `--handshake-timeout`: a client that never
            // joins a namespace holds a session for nothing.
            ctx.run_later(connect_timeout, |session, ctx| {
                if !session.sio.is_connected() && !session.sio.was_connected() {
                    metrics::counter!(ERRORS, "dialect" => DIALECT, "code" => limits::HANDSHAKE_TIMEOUT)
                        .increment(1);
                    session.close(CloseCode::Policy, "no CONNECT in time", ctx);
                }
            });
        }
        log::info!("{} opened (EIO={})", self.label(), self.version.as_str());
    }

    fn stopped(&mut self, _: &mut Self::Context) {
        let (code, reason) = self.closing.unwrap_or((CloseCode::Normal, "stopped"));
        self.sio.close(reason);
        match std::mem::replace(&mut self.transport, Transport::Closed) {
            Transport::Polling(mut polling) => {
                let _ = polling.answer(self.version, &[Packet::empty(PacketType::Close)]);
            }
            Transport::Websocket { outbox, .. } => outbox.close(code, reason),
            Transport::Closed => {}
        }
        if let Some(probe) = self.probe.take() {
            probe.outbox.close(code, reason);
        }
        self.state.sessions.remove(&self.sid);
        if let Some(key) = self.connection_key.take() {
            self.connections.remove(key);
        }
        metrics::gauge!(CONNECTIONS, "dialect" => DIALECT).decrement(1.0);
        log::info!("{} closed ({reason})", self.label());
    }
}

impl Handler<switchboard_core::Deliver> for EngineSession {
    type Result = ();

    fn handle(
        &mut self,
        switchboard_core::Deliver(event): switchboard_core::Deliver,
        ctx: &mut Self::Context,
    ) {
        if self.closing.is_some() {
            return;
        }
        let mut out = Self::emitter(ctx);
        self.sio.deliver(event, &mut out);
        self.flush(out, ctx);
    }
}

impl Handler<Shutdown> for EngineSession {
    type Result = ();

    fn handle(&mut self, _: Shutdown, ctx: &mut Self::Context) {
        self.close(CloseCode::Away, "server draining", ctx);
    }
}

impl Handler<super::messages::Close> for EngineSession {
    type Result = ();

    fn handle(&mut self, close: super::messages::Close, ctx: &mut Self::Context) {
        self.close(CloseCode::Policy, close.0, ctx);
    }
}
