//! The polling requests of a session: a GET is held until there is something to send (one
//! at a time: a second one is an error that ends the session, as in engine.io), a POST's
//! packets are handled in order. Either on a session that now uses a WebSocket is a bad
//! request.

use actix::prelude::*;
use switchboard_protocol::socketio::engineio::{self, EngineError, ErrorCode, Packet, PacketType};
use tokio::sync::oneshot;

use super::messages::{Poll, Post};
use super::session::{EngineSession, Transport};
use crate::metrics::ERRORS;
use crate::ws::CloseCode;

use super::DIALECT;

fn not_polling() -> EngineError {
    EngineError::new(
        ErrorCode::BadRequest,
        "polling request on a WebSocket session",
    )
}

fn gone() -> EngineError {
    EngineError::new(ErrorCode::UnknownSid, "session closing")
}

fn count_error(code: &'static str) {
    metrics::counter!(ERRORS, "dialect" => DIALECT, "code" => code).increment(1);
}

impl Handler<Poll> for EngineSession {
    type Result = Result<oneshot::Receiver<String>, EngineError>;

    fn handle(&mut self, _: Poll, ctx: &mut Self::Context) -> Self::Result {
        if self.is_closing() {
            return Err(gone());
        }
        let version = self.version;
        let probed = self.probe.as_ref().is_some_and(|probe| probe.probed);
        let Transport::Polling(polling) = &mut self.transport else {
            return Err(not_polling());
        };
        if polling.is_holding() {
            count_error("poll_overlap");
            self.close(CloseCode::Protocol, "overlapping polling GET", ctx);
            return Err(EngineError::new(
                ErrorCode::BadRequest,
                "a polling GET is already pending",
            ));
        }
        let (reply, answer) = oneshot::channel();
        let number = polling.hold(reply);
        if polling.has_queued() {
            let _ = polling.flush(version);
        } else if probed {
            // Upgrading: end this poll at once so the client can switch.
            let _ = polling.answer(version, &[Packet::empty(PacketType::Noop)]);
        } else if !self.version.server_pings() {
            // v4 needs no timer: the server's ping ends the poll.
            let interval = self.state.settings.ping_interval;
            ctx.run_later(interval, move |session, ctx| {
                if let Transport::Polling(polling) = &mut session.transport
                    && polling.expire(session.version, number).is_err()
                {
                    session.close(CloseCode::Normal, "poll request gone", ctx);
                }
            });
        }
        Ok(answer)
    }
}

impl Handler<Post> for EngineSession {
    type Result = Result<(), EngineError>;

    fn handle(&mut self, post: Post, ctx: &mut Self::Context) -> Self::Result {
        if self.is_closing() {
            return Err(gone());
        }
        if !matches!(self.transport, Transport::Polling(_)) {
            return Err(not_polling());
        }
        let packets = match engineio::decode_payload(self.version, &post.body, post.binary) {
            Ok(packets) => packets,
            Err(err) => {
                log::info!("socketio {}: bad POST payload: {err}", self.sid);
                count_error("invalid_payload");
                self.close(CloseCode::Protocol, "parse error", ctx);
                return Err(EngineError::new(ErrorCode::BadRequest, err.to_string()));
            }
        };
        for packet in packets {
            let close = packet.kind == PacketType::Close;
            self.on_packet(packet, ctx);
            if close {
                break;
            }
        }
        Ok(())
    }
}
