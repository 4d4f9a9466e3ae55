//! What every WebSocket session shares, whatever its dialect: the bounded [`Outbox`] that
//! writes to the socket, the [`Liveness`] clock behind pings, and the registry of open
//! connections that a drain closes.

mod connections;
mod incoming;
mod liveness;
mod outbox;
mod socket;

pub use connections::{Connections, Shutdown};
pub use incoming::Incoming;
pub use liveness::Liveness;
pub use outbox::{CloseCode, Outbox};
pub use socket::{SocketSession, accept};
