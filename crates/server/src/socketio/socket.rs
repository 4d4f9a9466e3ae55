//! The Socket.IO layer of a session: the default namespace's handshake, events handed to
//! the [`Dialect`], and what cannot be served (other namespaces, binary events, malformed
//! packets) answered without closing the socket.
//!
//! Protocol 4 (Engine.IO 3) clients are connected to `/` by the server on its own, right
//! after the Engine.IO `open`; protocol 5 (Engine.IO 4) clients send CONNECT and get
//! `0{"sid":...}`. Binary events are refused with the `error` event and their attachments
//! (the binary messages that follow) skipped.

use std::sync::Arc;

use switchboard_protocol::socketio::sio::{self, Attachments, Body, Version};

use super::dialect::{Dialect, Emitter};
use crate::access::Access;
use crate::metrics::{ERRORS, MESSAGES_IN};

use super::DIALECT;

/// What the session must do after a message.
#[derive(Debug, PartialEq, Eq)]
pub enum After {
    Continue,
    /// The client left the namespace: end the session.
    Disconnected,
}

pub struct SioSocket {
    version: Version,
    /// The socket id: the engine sid in protocol 4, a separate random id in 5.
    id: String,
    connected: bool,
    /// Whether the client ever joined `/`.
    joined: bool,
    attachments: Attachments,
    dialect: Box<dyn Dialect>,
    /// Set while the CONNECT must still carry a valid `auth.token`.
    verifier: Option<Arc<Access>>,
}

impl SioSocket {
    pub fn new(
        version: Version,
        engine_sid: &str,
        dialect: Box<dyn Dialect>,
        verifier: Option<Arc<Access>>,
    ) -> Self {
        let id = match version {
            Version::V4 => engine_sid.to_owned(),
            Version::V5 => uuid::Uuid::new_v4().simple().to_string(),
        };
        Self {
            version,
            id,
            connected: false,
            joined: false,
            attachments: Attachments::default(),
            dialect,
            verifier,
        }
    }

    pub fn is_connected(&self) -> bool {
        self.connected
    }

    pub fn was_connected(&self) -> bool {
        self.joined
    }

    /// Protocol 4: the server connects the client to `/` on its own, after `open`.
    pub fn open(&mut self, out: &mut Emitter) -> Option<String> {
        (self.version == Version::V4).then(|| self.connect(out))
    }

    fn connect(&mut self, out: &mut Emitter) -> String {
        let reply = sio::encode_connect(self.version, sio::DEFAULT_NAMESPACE, &self.id);
        if !self.connected {
            self.connected = true;
            self.joined = true;
            self.dialect.connected(&self.id, out);
        }
        reply
    }

    /// A text message from the client; the packets to send go to `out`, after the CONNECT
    /// (or CONNECT_ERROR) reply in `first`.
    pub fn on_text(
        &mut self,
        text: &str,
        first: &mut Vec<(&'static str, String)>,
        out: &mut Emitter,
    ) -> After {
        if let Err(err) = self.attachments.check_text() {
            self.attachments = Attachments::default();
            return self.refuse("invalid_packet", &err.to_string(), out);
        }
        let packet = match sio::decode(self.version, text) {
            Ok(packet) => packet,
            Err(err) => {
                return self.refuse("invalid_packet", &format!("invalid packet: {err}"), out);
            }
        };
        count_in(packet.packet_type().name());
        if packet.namespace != sio::DEFAULT_NAMESPACE {
            if matches!(packet.body, Body::Connect(_)) {
                metrics::counter!(ERRORS, "dialect" => DIALECT, "code" => "invalid_namespace")
                    .increment(1);
                first.push((
                    "connect_error",
                    sio::encode_connect_error(self.version, &packet.namespace, "Invalid namespace"),
                ));
            } else {
                log::debug!("socketio {}: packet for unknown namespace dropped", self.id);
            }
            return After::Continue;
        }
        match packet.body {
            Body::Connect(connect) => {
                if let Some(access) = &self.verifier {
                    let token = connect
                        .auth
                        .as_ref()
                        .and_then(|auth| auth_token(auth.get()));
                    match access.verify(token.as_deref()) {
                        Ok(grant) => {
                            self.verifier = None;
                            self.dialect.authorize(grant);
                        }
                        Err(refusal) => {
                            log::info!(
                                "socketio {}: CONNECT refused: {}",
                                self.id,
                                refusal.message
                            );
                            metrics::counter!(ERRORS, "dialect" => DIALECT, "code" => refusal.code)
                                .increment(1);
                            first.push((
                                "connect_error",
                                sio::encode_connect_refusal(
                                    self.version,
                                    &packet.namespace,
                                    &refusal.message,
                                    refusal.code,
                                ),
                            ));
                            return After::Continue;
                        }
                    }
                }
                let reply = self.connect(out);
                first.push(("connect", reply));
            }
            Body::Disconnect => {
                if self.connected {
                    self.connected = false;
                    self.dialect.disconnected("client namespace disconnect");
                }
                return After::Disconnected;
            }
            Body::Event(event) if self.connected => self.dialect.event(event, out),
            Body::BinaryEvent { attachments, event } => {
                self.attachments.expect(attachments);
                if self.connected {
                    let message = "binary events are not supported";
                    self.refuse("binary_unsupported", message, out);
                    if let Some(id) = event.ack_id {
                        out.ack(id, &[serde_json::json!({ "error": message })]);
                    }
                }
            }
            Body::BinaryAck { attachments, .. } => self.attachments.expect(attachments),
            Body::Event(_) => {
                log::debug!("socketio {}: event before CONNECT dropped", self.id)
            }
            // The server asks for no acks; a client's CONNECT_ERROR means nothing.
            Body::Ack(_) | Body::ConnectError(_) => {}
        }
        After::Continue
    }

    /// A binary message: an attachment of a refused binary packet, or out of place.
    pub fn on_binary(&mut self, out: &mut Emitter) -> After {
        count_in("binary");
        match self.attachments.on_binary() {
            Ok(_) => After::Continue,
            Err(err) => self.refuse("binary_unsupported", &err.to_string(), out),
        }
    }

    /// An event from the core.
    pub fn deliver(&mut self, event: switchboard_core::Event, out: &mut Emitter) {
        if self.connected {
            self.dialect.deliver(event, out);
        }
    }

    /// The answer to something the dialect waited for.
    pub fn resume(&mut self, answer: super::dialect::Answer, out: &mut Emitter) {
        self.dialect.resume(answer, out);
    }

    /// The session is ending.
    pub fn close(&mut self, reason: &str) {
        if self.connected {
            self.connected = false;
            self.dialect.disconnected(reason);
        }
    }

    fn refuse(&mut self, code: &'static str, message: &str, out: &mut Emitter) -> After {
        log::info!("socketio {}: {message}", self.id);
        metrics::counter!(ERRORS, "dialect" => DIALECT, "code" => code).increment(1);
        if self.connected {
            out.error(message);
        }
        After::Continue
    }
}

/// `auth.token` of a CONNECT (socket.io-client's `auth: { token }` option).
fn auth_token(auth: &str) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Auth {
        token: Option<String>,
    }
    serde_json::from_str::<Auth>(auth).ok()?.token
}

fn count_in(kind: &'static str) {
    metrics::counter!(MESSAGES_IN, "dialect" => DIALECT, "kind" => kind).increment(1);
}
