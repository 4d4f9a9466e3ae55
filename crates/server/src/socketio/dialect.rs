//! Where Socket.IO events go: a [`Dialect`] gets each event of a connected socket and
//! answers through an [`Emitter`]: at once, or later. For later, it hands the emitter a
//! future ([`Emitter::wait`]); the session holds its other messages until the future is done
//! and gives its answer back to [`Dialect::resume`], so answers and deliveries keep their
//! order. Events from the core (a room's [`Deliver`]) reach [`Dialect::deliver`]. The `rooms`
//! dialect (`crate::rooms`) is the one in use; an event a dialect does not know gets the
//! `error` event.

use std::any::Any;
use std::future::Future;

use actix::Recipient;
use futures_util::future::LocalBoxFuture;
use serde::Serialize;
use switchboard_core::Deliver;
use switchboard_protocol::socketio::sio::{self, Event};

/// What a future handed to [`Emitter::wait`] gives back to [`Dialect::resume`].
pub type Answer = Box<dyn Any>;

/// The Socket.IO event that reports a refused message to the client.
pub const ERROR_EVENT: &str = "error";

/// The server side of one Socket.IO socket.
pub trait Dialect: Unpin + 'static {
    /// What the token the client sent in its CONNECT grants (before [`connected`]).
    ///
    /// [`connected`]: Dialect::connected
    fn authorize(&mut self, _grant: switchboard_guard::Grant) {}

    /// The client joined the default namespace under `socket_id`.
    fn connected(&mut self, _socket_id: &str, _out: &mut Emitter) {}

    /// An event from the client.
    fn event(&mut self, event: Event, out: &mut Emitter);

    /// An event from the core, for this socket.
    fn deliver(&mut self, _event: switchboard_core::Event, _out: &mut Emitter) {}

    /// The answer of a future handed to [`Emitter::wait`].
    fn resume(&mut self, _answer: Answer, _out: &mut Emitter) {}

    /// The socket is gone (client DISCONNECT, transport closed, timeout, drain).
    fn disconnected(&mut self, _reason: &str) {}
}

/// Collects the packets a dialect sends, as Socket.IO texts for the default namespace.
#[derive(Default)]
pub struct Emitter {
    packets: Vec<(&'static str, String)>,
    waits: Vec<LocalBoxFuture<'static, Answer>>,
    inbox: Option<Recipient<Deliver>>,
}

impl Emitter {
    /// An emitter whose dialect can be reached by the core at `inbox`.
    pub fn with_inbox(inbox: Recipient<Deliver>) -> Self {
        Self {
            inbox: Some(inbox),
            ..Self::default()
        }
    }

    /// Where the core delivers events for this socket (`None` only in unit tests).
    pub fn inbox(&self) -> Option<&Recipient<Deliver>> {
        self.inbox.as_ref()
    }

    /// Holds the session's other messages until `future` is done, then hands its answer to
    /// [`Dialect::resume`].
    pub fn wait(&mut self, future: impl Future<Output = Answer> + 'static) {
        self.waits.push(Box::pin(future));
    }

    /// The futures handed to [`Emitter::wait`].
    pub fn take_waits(&mut self) -> Vec<LocalBoxFuture<'static, Answer>> {
        std::mem::take(&mut self.waits)
    }

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
