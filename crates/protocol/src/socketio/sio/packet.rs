//! Typed Socket.IO packets, as decoded from clients.
//!
//! JSON payloads are kept as [`RawValue`]s: event arguments reach their receiver exactly as
//! the sender wrote them, and the dialect reads only the arguments it needs.

use serde_json::value::RawValue;

/// Socket.IO packet types, with their wire digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum PacketType {
    Connect = 0,
    Disconnect = 1,
    Event = 2,
    Ack = 3,
    /// `ERROR` in protocol 4: the refusal of a namespace.
    ConnectError = 4,
    BinaryEvent = 5,
    BinaryAck = 6,
}

impl PacketType {
    pub const ALL: [Self; 7] = [
        Self::Connect,
        Self::Disconnect,
        Self::Event,
        Self::Ack,
        Self::ConnectError,
        Self::BinaryEvent,
        Self::BinaryAck,
    ];

    /// The type written as this ASCII digit.
    pub fn from_digit(digit: u8) -> Option<Self> {
        Self::ALL
            .get(usize::from(digit.checked_sub(b'0')?))
            .copied()
    }

    /// The ASCII digit of the type.
    pub fn digit(self) -> char {
        char::from(b'0' + self as u8)
    }

    /// The protocol's name of the type.
    pub fn name(self) -> &'static str {
        match self {
            Self::Connect => "CONNECT",
            Self::Disconnect => "DISCONNECT",
            Self::Event => "EVENT",
            Self::Ack => "ACK",
            Self::ConnectError => "CONNECT_ERROR",
            Self::BinaryEvent => "BINARY_EVENT",
            Self::BinaryAck => "BINARY_ACK",
        }
    }

    /// Whether binary attachments follow the packet.
    pub fn is_binary(self) -> bool {
        matches!(self, Self::BinaryEvent | Self::BinaryAck)
    }
}

impl std::fmt::Display for PacketType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// One Socket.IO packet: the namespace it is for, and what it says.
#[derive(Debug, Clone)]
pub struct Packet {
    /// `/` unless the packet names another; without its query (see [`Connect::query`]).
    pub namespace: String,
    pub body: Body,
}

impl Packet {
    pub fn packet_type(&self) -> PacketType {
        match self.body {
            Body::Connect(_) => PacketType::Connect,
            Body::Disconnect => PacketType::Disconnect,
            Body::Event(_) => PacketType::Event,
            Body::Ack(_) => PacketType::Ack,
            Body::ConnectError(_) => PacketType::ConnectError,
            Body::BinaryEvent { .. } => PacketType::BinaryEvent,
            Body::BinaryAck { .. } => PacketType::BinaryAck,
        }
    }

    /// How many binary attachments follow this packet (0 for the text types).
    pub fn attachments(&self) -> usize {
        match self.body {
            Body::BinaryEvent { attachments, .. } | Body::BinaryAck { attachments, .. } => {
                attachments
            }
            _ => 0,
        }
    }
}

#[derive(Debug, Clone)]
pub enum Body {
    Connect(Connect),
    Disconnect,
    Event(Event),
    Ack(Ack),
    /// The data of a CONNECT_ERROR (v5: an object) or ERROR (v4: usually a string); only
    /// servers send these.
    ConnectError(Box<RawValue>),
    /// An event with binary arguments; `event.args` holds `{"_placeholder":true,"num":N}`
    /// where each attachment goes.
    BinaryEvent {
        attachments: usize,
        event: Event,
    },
    /// An acknowledgement with binary arguments, placeholders as in `BinaryEvent`.
    BinaryAck {
        attachments: usize,
        ack: Ack,
    },
}

/// A request to join a namespace.
#[derive(Debug, Clone)]
pub struct Connect {
    /// v5: the client's `auth` object, when it has one.
    pub auth: Option<Box<RawValue>>,
    /// v4: the query after `?` in the namespace (`0/admin?token=1,`), undecoded.
    pub query: Option<String>,
}

/// An event: a name and positional arguments.
#[derive(Debug, Clone)]
pub struct Event {
    pub name: String,
    /// The arguments after the name, each as the client wrote it.
    pub args: Vec<Box<RawValue>>,
    /// Present when the client waits for an ACK with this id.
    pub ack_id: Option<u64>,
}

/// The answer to an event sent with an ack id.
#[derive(Debug, Clone)]
pub struct Ack {
    pub id: u64,
    pub args: Vec<Box<RawValue>>,
}
