//! The `conference` dialect (seed 000): JSON `{type, name, data, signal?}` over a plain WebSocket.
//!
//! [`parse_frame`] splits one text frame into messages (the original clients packed several per
//! frame, separated by `\n`) and turns each into a [`Request`]; [`render`] and
//! [`render_relayed_signal`] produce the server's frames.

mod command;
mod error;
mod fields;
mod render;

pub use command::{Command, Request, SignalCommand, SignalKind, parse_frame, parse_message};
pub use error::{ErrorCode, ProtocolError};
pub use render::{PeerEntry, ServerMessage, relayed_signal_kind, render, render_relayed_signal};

/// Longest room name accepted, in bytes.
pub const MAX_ROOM_NAME_BYTES: usize = 256;
/// Longest display name accepted, in bytes.
pub const MAX_DISPLAY_NAME_BYTES: usize = 256;

#[cfg(test)]
mod tests;
