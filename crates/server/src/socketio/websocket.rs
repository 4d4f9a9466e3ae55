//! The WebSocket transport: a session opened on a WebSocket, or a polling session upgrading
//! to one. The upgrade follows engine.io: the new socket is a probe until the client sends
//! `2probe` (answered `3probe`; the held GET gets a `noop` so the client can pause polling)
//! and then `5`, which makes it the session's transport; anything else, or no `5` within
//! [`UPGRADE_TIMEOUT`], drops the probe and the session goes on polling.

use std::time::Duration;

use actix::prelude::*;
use actix_ws::{AggregatedMessage, ProtocolError};
use switchboard_protocol::socketio::engineio::{self, PROBE, Packet, PacketType};

use super::DIALECT;
use super::messages::{Attach, WsItem};
use super::session::{EngineSession, Probe, Transport};
use crate::metrics::ERRORS;
use crate::ws::{CloseCode, Outbox};

/// engine.io's `upgradeTimeout`.
pub const UPGRADE_TIMEOUT: Duration = Duration::from_secs(10);

impl Handler<Attach> for EngineSession {
    type Result = Option<u64>;

    fn handle(&mut self, attach: Attach, ctx: &mut Self::Context) -> Option<u64> {
        let outbox = Outbox::start(attach.socket, self.state.settings.outgoing_buffer);
        if self.is_closing()
            || !matches!(self.transport, Transport::Polling(_))
            || self.probe.is_some()
        {
            log::info!("socketio {}: second upgrade refused", self.sid);
            outbox.close(CloseCode::Policy, "no upgrade possible");
            return None;
        }
        let socket = self.number_socket();
        self.probe = Some(Probe {
            outbox,
            socket,
            probed: false,
        });
        ctx.run_later(UPGRADE_TIMEOUT, move |session, _| {
            if session
                .probe
                .as_ref()
                .is_some_and(|probe| probe.socket == socket)
            {
                log::info!("socketio {}: upgrade timed out", session.sid);
                session.drop_probe("upgrade timeout");
            }
        });
        Some(socket)
    }
}

impl EngineSession {
    fn drop_probe(&mut self, reason: &str) {
        if let Some(probe) = self.probe.take() {
            probe.outbox.close(CloseCode::Normal, reason);
        }
    }

    fn on_probe_packet(&mut self, packet: Packet<'_>, ctx: &mut Context<Self>) {
        let probed = self.probe.as_ref().is_some_and(|probe| probe.probed);
        match packet.kind {
            PacketType::Ping if packet.is_probe() && !probed => {
                if let Some(probe) = &mut self.probe {
                    let pong = Packet::new(PacketType::Pong, PROBE);
                    if let engineio::Frame::Text(text) = engineio::encode_frame(self.version, &pong)
                    {
                        let _ = probe.outbox.text(text);
                    }
                    probe.probed = true;
                }
                if let Transport::Polling(polling) = &mut self.transport {
                    let _ = polling.answer(self.version, &[Packet::empty(PacketType::Noop)]);
                }
            }
            PacketType::Upgrade if probed => {
                let probe = self.probe.take().expect("probed");
                log::info!("socketio {}: upgraded to websocket", self.sid);
                self.use_websocket(probe.outbox, probe.socket, ctx);
            }
            _ => {
                log::info!(
                    "socketio {}: {} packet during the upgrade, dropping the probe",
                    self.sid,
                    packet.kind.name()
                );
                self.drop_probe("bad upgrade");
            }
        }
    }

    fn on_frame(
        &mut self,
        probe: bool,
        item: Option<Result<AggregatedMessage, ProtocolError>>,
        ctx: &mut Context<Self>,
    ) {
        let decoded = match &item {
            Some(Ok(AggregatedMessage::Text(text))) => engineio::decode_text(self.version, text),
            Some(Ok(AggregatedMessage::Binary(bytes))) => {
                engineio::decode_binary(self.version, bytes)
            }
            Some(Ok(AggregatedMessage::Ping(payload))) => {
                if let Some(outbox) = self.outbox(probe) {
                    outbox.pong(payload.clone());
                }
                return;
            }
            Some(Ok(AggregatedMessage::Pong(_))) => return,
            ended => {
                let (code, reason) = match ended {
                    Some(Err(ProtocolError::Overflow)) => {
                        metrics::counter!(ERRORS, "dialect" => DIALECT, "code" => "frame_too_large")
                            .increment(1);
                        (CloseCode::Size, "message too large")
                    }
                    Some(Err(ProtocolError::Io(_))) | None => {
                        (CloseCode::Normal, "transport error")
                    }
                    Some(Err(_)) => (CloseCode::Protocol, "websocket protocol error"),
                    _ => (CloseCode::Normal, "transport close"),
                };
                if probe {
                    self.drop_probe(reason);
                } else {
                    self.close(code, reason, ctx);
                }
                return;
            }
        };
        match decoded {
            Ok(packet) if probe => self.on_probe_packet(packet, ctx),
            Ok(packet) => self.on_packet(packet, ctx),
            Err(err) => {
                log::info!("socketio {}: bad frame: {err}", self.sid);
                metrics::counter!(ERRORS, "dialect" => DIALECT, "code" => "invalid_payload")
                    .increment(1);
                if probe {
                    self.drop_probe("parse error");
                } else {
                    self.close(CloseCode::Protocol, "parse error", ctx);
                }
            }
        }
    }

    fn outbox(&mut self, probe: bool) -> Option<&mut Outbox> {
        if probe {
            return self.probe.as_mut().map(|probe| &mut probe.outbox);
        }
        match &mut self.transport {
            Transport::Websocket { outbox, .. } => Some(outbox),
            _ => None,
        }
    }
}

impl Handler<WsItem> for EngineSession {
    type Result = ();

    fn handle(&mut self, WsItem { socket, item }: WsItem, ctx: &mut Self::Context) {
        let probe = self
            .probe
            .as_ref()
            .is_some_and(|probe| probe.socket == socket);
        let current =
            matches!(self.transport, Transport::Websocket { socket: s, .. } if s == socket);
        if probe || current {
            self.on_frame(probe, item, ctx);
        }
    }
}
