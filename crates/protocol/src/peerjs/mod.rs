//! The `peerjs` dialect (seed 004): the PeerJS server protocol. Clients send
//! `{type, dst, payload}`; the server relays `{type, src, dst, payload}` with `src` set to the
//! sender's id, and speaks OPEN, ERROR, ID-TAKEN and EXPIRE itself.

mod connect;
mod message;
mod render;

pub use connect::{ConnectError, ConnectParams, MAX_ID_BYTES, parse_connect_query};
pub use message::{ClientMessage, MessageError, RelayKind, parse_message};
pub use render::{render_error, render_expire, render_id_taken, render_open, render_relay};

/// The texts of the original server's ERROR messages, which clients may match on.
pub mod errors {
    pub const INVALID_WS_PARAMETERS: &str = "No id, token, or key supplied to websocket server";
    pub const INVALID_KEY: &str = "Invalid key provided";
    pub const CONNECTION_LIMIT_EXCEED: &str = "Server has reached its concurrent user limit";
}

#[cfg(test)]
mod tests;
