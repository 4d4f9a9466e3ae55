//! Engine.IO and Socket.IO, served by this node: the transport under the `rooms` dialect, for
//! the stock `socket.io-client` 2.x (Engine.IO 3 / Socket.IO 4) and 3.x/4.x (Engine.IO 4 /
//! Socket.IO 5). No maintained Socket.IO server exists for actix, so this is ours; the wire
//! formats are the pure codecs of `switchboard_protocol::socketio`, and this module only
//! moves their bytes.
//!
//! - [`http`]: the routes under `/socket.io/`, which check each request (query, method,
//!   size) and hand it to its session; refusals are Engine.IO's JSON errors.
//! - [`session`]: one actor per Engine.IO session, holding its transport (long-polling, a
//!   WebSocket, or polling upgrading to a WebSocket), its heartbeat and its Socket.IO socket.
//! - [`socket`]: the Socket.IO layer on top (namespace handshake, events, acks, binary
//!   attachments), which gives each event to a [`Dialect`](dialect::Dialect).
//! - [`registry`]: the node's sessions by `sid`, so that the requests of a polling session
//!   (one HTTP request per round trip) find their actor.
//! - [`sid`] and [`handover`]: a sid names its node, and a request for a session on another
//!   node is handed over to it, so a cluster needs no sticky sessions.

pub(crate) mod dialect;
mod handover;
mod heartbeat;
mod http;
mod messages;
mod polling;
mod registry;
mod requests;
mod session;
mod settings;
mod sid;
mod socket;
mod websocket;

use std::sync::Arc;

use actix_web::web;

pub use settings::SocketioSettings;
pub use sid::names_its_node;

/// The dialect's name in metrics labels.
pub const DIALECT: &str = "socketio";

/// The path clients use by default (`path` option of socket.io-client).
pub const PATH: &str = "/socket.io";

/// What the Socket.IO routes share: the settings and the node's sessions.
pub struct SocketioState {
    pub settings: SocketioSettings,
    /// The node's rooms, for the `rooms` dialect.
    pub hub: switchboard_core::Hub,
    pub sessions: registry::Sessions,
    /// Who may connect; verifies the tokens of CONNECT packets.
    pub access: Arc<crate::access::Access>,
}

impl SocketioState {
    pub fn new(
        settings: SocketioSettings,
        hub: switchboard_core::Hub,
        access: Arc<crate::access::Access>,
    ) -> Arc<Self> {
        Arc::new(Self {
            settings,
            hub,
            access,
            sessions: registry::Sessions::default(),
        })
    }
}

/// Adds the routes under `/socket.io/`: register before any catch-all scope.
pub fn configure(state: &Arc<SocketioState>, config: &mut web::ServiceConfig) {
    // App-wide, so the origin check (outside the scope) finds it too.
    config.app_data(web::Data::from(state.clone()));
    config.service(
        web::scope(PATH)
            .wrap(http::cors(&state.settings))
            // Outermost: a listed-out origin gets Engine.IO's 403 before CORS sees it.
            .wrap(actix_web::middleware::from_fn(http::check_origin))
            .route("", web::to(http::endpoint))
            .route("/", web::to(http::endpoint)),
    );
}
