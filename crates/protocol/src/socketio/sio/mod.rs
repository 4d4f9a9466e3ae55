//! Socket.IO packets: protocol 4 (socket.io-client 1.x/2.x, over Engine.IO 3) and protocol 5
//! (socket.io-client 3.x/4.x, over Engine.IO 4).
//!
//! Each packet is the text of one Engine.IO `message`:
//! `<type>[<attachments>-][<namespace>,][<ack id>][<JSON>]`, e.g. `2["room-join","r1"]`,
//! `21["hello"]` (ack id 1), `0/admin,{"token":"x"}`, `51-["up",{"_placeholder":true,"num":0}]`.
//! [`decode`] reads one into a typed [`Packet`] whose event arguments stay raw JSON (the
//! dialect forwards `signal-send` data byte for byte); `encode_*` write the server's packets.
//!
//! The versions differ in the namespace handshake: v4 clients are connected to `/` by the
//! server without asking (`0`) and may put a query in the namespace of a CONNECT
//! (`0/admin?token=1,`); v5 clients always send CONNECT, optionally with an auth object, and
//! get `0{"sid":...}` back. A refused namespace is `4"Invalid namespace"` (v4, ERROR) or
//! `4{"message":"Invalid namespace"}` (v5, CONNECT_ERROR).
//!
//! Binary packets (5, 6) are followed by their attachments as binary Engine.IO messages;
//! [`Attachments`] counts them off so the session can skip them and answer with an error.

mod attachments;
mod decode;
mod encode;
mod error;
mod packet;

pub use attachments::{AttachmentError, Attachments};
pub use decode::decode;
pub use encode::{
    NO_ARGS, encode_ack, encode_connect, encode_connect_error, encode_connect_refusal,
    encode_disconnect, encode_event,
};
pub use error::{DecodeError, EncodeError};
pub use packet::{Ack, Body, Connect, Event, Packet, PacketType};

/// The main namespace, left out of encoded packets.
pub const DEFAULT_NAMESPACE: &str = "/";

/// The Socket.IO protocol revision, tied to the Engine.IO one under it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Version {
    /// Socket.IO 1.x/2.x, over Engine.IO v3.
    V4,
    /// Socket.IO 3.x and later, over Engine.IO v4.
    V5,
}

impl From<crate::socketio::engineio::Version> for Version {
    fn from(version: crate::socketio::engineio::Version) -> Self {
        match version {
            crate::socketio::engineio::Version::V3 => Self::V4,
            crate::socketio::engineio::Version::V4 => Self::V5,
        }
    }
}

#[cfg(test)]
mod tests;
