//! Where Socket.IO events go: a [`Dialect`] gets each event of a connected socket and
//! answers through an [`Emitter`]. The `rooms` dialect will be one; until then
//! [`UnknownEvents`] answers every event with the `error` event, which is also what a
//! dialect does with an event it does not know.

use serde::Serialize;
use switchboard_protocol::socketio::sio::{self, Event};

/// The Socket.IO event that reports a refused message to the client.
pub const ERROR_EVENT: &str = "error";

/// The server side of one Socket.IO socket.
pub trait Dialect: Unpin + 'static {
    /// The client joined the default namespace under `socket_id`.
    fn connected(&mut self, _socket_id: &str, _out: &mut Emitter) {}

    /// An event from the client.
    fn event(&mut self, event: Event, out: &mut Emitter);

    /// The socket is gone (client DISCONNECT, transport closed, timeout, drain).
    fn disconnected(&mut self, _reason: &str) {}
}

/// Collects the packets a dialect sends, as Socket.IO texts for the default namespace.
#[derive(Default)]
pub struct Emitter {
    packets: Vec<(&'static str, String)>,
}

impl Emitter {
    /// Sends the event `name` with `args` (a tuple or slice: a JSON array).
    pub fn emit<A: Serialize + ?Sized>(&mut self, name: &'static str, args: &A) {
        match sio::encode_event(sio::DEFAULT_NAMESPACE, None, name, args) {
            Ok(text) => self.packets.push((name, text)),
            Err(err) => log::error!("socketio: event {name} not encodable: {err}"),
        }
    }

    /// Answers the client's event sent with ack id `id`.
    pub fn ack<A: Serialize + ?Sized>(&mut self, id: u64, args: &A) {
        match sio::encode_ack(sio::DEFAULT_NAMESPACE, id, args) {
            Ok(text) => self.packets.push(("ack", text)),
            Err(err) => log::error!("socketio: ack not encodable: {err}"),
        }
    }

    /// The `error` event with one message: `["error","<message>"]`.
    pub fn error(&mut self, message: &str) {
        self.emit(ERROR_EVENT, &[message]);
    }

    /// The packets collected, each with its kind for the metrics.
    pub fn take(&mut self) -> Vec<(&'static str, String)> {
        std::mem::take(&mut self.packets)
    }
}

/// The dialect before there is one: every event is unknown. The client gets
/// `["error","unknown event: <name>"]`, and an event sent with an ack id is acknowledged
/// with `[{"error":"unknown event: <name>"}]`, so a client waiting on its callback is not
/// left hanging.
pub struct UnknownEvents;

impl Dialect for UnknownEvents {
    fn event(&mut self, event: Event, out: &mut Emitter) {
        let message = format!("unknown event: {}", event.name);
        out.error(&message);
        if let Some(id) = event.ack_id {
            out.ack(id, &[serde_json::json!({ "error": message })]);
        }
    }
}
