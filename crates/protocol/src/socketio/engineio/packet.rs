//! One Engine.IO packet: a type digit and optional data, text or binary.
//!
//! Text packets are `<type digit><text>` in both versions (`4hello`, `2probe`, `6`). Binary
//! data (Socket.IO attachments; the `rooms` dialect refuses them, but must read past them) is
//! written differently per version and transport, following engine.io-parser:
//!
//! | | WebSocket frame | in a text (polling) payload |
//! |---|---|---|
//! | v3 | binary frame: type byte (`4`, not `'4'`) + data | `b4` + base64 |
//! | v4 | binary frame: the data alone (always a message) | `b` + base64 |

use std::borrow::Cow;

use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

use super::{DecodeError, Version};

/// The data of a `ping` sent to probe a WebSocket before upgrading to it (`2probe`, answered
/// by `3probe`).
pub const PROBE: &str = "probe";

/// Engine.IO packet types, with their wire digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum PacketType {
    /// Server → client, first packet of a session: the handshake JSON.
    Open = 0,
    /// Either side: the session is over.
    Close = 1,
    /// v3: client → server; v4: server → client. `2probe` probes a WebSocket.
    Ping = 2,
    /// The answer to a ping, with the same data.
    Pong = 3,
    /// Data for the layer above (Socket.IO).
    Message = 4,
    /// Client → server on the new WebSocket: switch the session to it.
    Upgrade = 5,
    /// Server → client: sent to a pending poll to end it during an upgrade.
    Noop = 6,
}

impl PacketType {
    pub const ALL: [Self; 7] = [
        Self::Open,
        Self::Close,
        Self::Ping,
        Self::Pong,
        Self::Message,
        Self::Upgrade,
        Self::Noop,
    ];

    /// The type's number, as in a v3 binary frame's first byte.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// The type with this number.
    pub fn from_code(code: u8) -> Option<Self> {
        Self::ALL.get(usize::from(code)).copied()
    }

    /// The type written as this ASCII digit.
    pub fn from_digit(digit: u8) -> Option<Self> {
        Self::from_code(digit.checked_sub(b'0')?)
    }

    /// The ASCII digit of the type, as written in text packets.
    pub fn digit(self) -> char {
        char::from(b'0' + self.code())
    }

    /// The reference implementation's name of the type.
    pub fn name(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Close => "close",
            Self::Ping => "ping",
            Self::Pong => "pong",
            Self::Message => "message",
            Self::Upgrade => "upgrade",
            Self::Noop => "noop",
        }
    }
}

/// A packet's data: text (empty when the packet has none) or bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Data<'a> {
    Text(Cow<'a, str>),
    Binary(Cow<'a, [u8]>),
}

/// One Engine.IO packet, borrowing its data from the decoded input where it can.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packet<'a> {
    pub kind: PacketType,
    pub data: Data<'a>,
}

impl<'a> Packet<'a> {
    /// A packet with text data.
    pub fn new(kind: PacketType, text: impl Into<Cow<'a, str>>) -> Self {
        Self {
            kind,
            data: Data::Text(text.into()),
        }
    }

    /// A packet without data (`1`, `2`, `3`, `5`, `6`).
    pub fn empty(kind: PacketType) -> Packet<'static> {
        Packet::new(kind, "")
    }

    /// A text message, e.g. an encoded Socket.IO packet.
    pub fn message(text: impl Into<Cow<'a, str>>) -> Self {
        Self::new(PacketType::Message, text)
    }

    /// A binary message.
    pub fn binary(bytes: impl Into<Cow<'a, [u8]>>) -> Self {
        Self {
            kind: PacketType::Message,
            data: Data::Binary(bytes.into()),
        }
    }

    /// The text data, `None` for binary data.
    pub fn text(&self) -> Option<&str> {
        match &self.data {
            Data::Text(text) => Some(text),
            Data::Binary(_) => None,
        }
    }

    /// Whether the data is binary.
    pub fn is_binary(&self) -> bool {
        matches!(self.data, Data::Binary(_))
    }

    /// Whether this is the `probe` ping (or pong) of a WebSocket upgrade.
    pub fn is_probe(&self) -> bool {
        self.text() == Some(PROBE)
    }

    /// The same packet, owning its data.
    pub fn into_owned(self) -> Packet<'static> {
        Packet {
            kind: self.kind,
            data: match self.data {
                Data::Text(text) => Data::Text(Cow::Owned(text.into_owned())),
                Data::Binary(bytes) => Data::Binary(Cow::Owned(bytes.into_owned())),
            },
        }
    }
}

/// A WebSocket frame to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    Text(String),
    Binary(Vec<u8>),
}

/// Base64 as Node's `Buffer` writes it (standard alphabet, padded), read whether padded or
/// not, as `Buffer.from(text, "base64")` does.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// Decodes a packet written as text: a WebSocket text frame, or one record of a polling
/// payload. `b...` records are binary messages in base64 (v3: `b<type digit><base64>`).
pub fn decode_text(version: Version, text: &str) -> Result<Packet<'_>, DecodeError> {
    let Some(&first) = text.as_bytes().first() else {
        return Err(DecodeError::EmptyPacket);
    };
    if first == b'b' {
        let (kind, encoded) = match version {
            Version::V4 => (PacketType::Message, &text[1..]),
            Version::V3 => {
                let digit = *text.as_bytes().get(1).ok_or(DecodeError::EmptyPacket)?;
                let kind = PacketType::from_digit(digit).ok_or_else(|| unknown_type(&text[1..]))?;
                (kind, &text[2..])
            }
        };
        let bytes = BASE64
            .decode(encoded)
            .map_err(|_| DecodeError::InvalidBase64)?;
        return Ok(Packet {
            kind,
            data: Data::Binary(Cow::Owned(bytes)),
        });
    }
    let kind = PacketType::from_digit(first).ok_or_else(|| unknown_type(text))?;
    Ok(Packet::new(kind, &text[1..]))
}

/// Decodes a WebSocket binary frame: v4, a binary message as it is; v3, a type byte
/// followed by the data.
pub fn decode_binary(version: Version, bytes: &[u8]) -> Result<Packet<'_>, DecodeError> {
    match version {
        Version::V4 => Ok(Packet::binary(bytes)),
        Version::V3 => {
            let (&code, data) = bytes.split_first().ok_or(DecodeError::EmptyPacket)?;
            let kind = PacketType::from_code(code)
                .ok_or_else(|| DecodeError::UnknownPacketType(format!("byte {code}")))?;
            Ok(Packet {
                kind,
                data: Data::Binary(Cow::Borrowed(data)),
            })
        }
    }
}

/// Encodes a packet as text, as polling payloads carry it (binary data in base64).
pub fn encode_text(version: Version, packet: &Packet) -> String {
    match &packet.data {
        Data::Text(text) => {
            let mut out = String::with_capacity(1 + text.len());
            out.push(packet.kind.digit());
            out.push_str(text);
            out
        }
        Data::Binary(bytes) => {
            let mut out = String::with_capacity(2 + bytes.len().div_ceil(3) * 4);
            out.push('b');
            if version == Version::V3 {
                out.push(packet.kind.digit());
            }
            BASE64.encode_string(bytes, &mut out);
            out
        }
    }
}

/// Encodes a packet as one WebSocket frame: text as text, binary data as a binary frame
/// (v3 with its type byte first).
pub fn encode_frame(version: Version, packet: &Packet) -> Frame {
    match &packet.data {
        Data::Text(_) => Frame::Text(encode_text(version, packet)),
        Data::Binary(bytes) => Frame::Binary(match version {
            Version::V4 => bytes.to_vec(),
            Version::V3 => {
                let mut frame = Vec::with_capacity(1 + bytes.len());
                frame.push(packet.kind.code());
                frame.extend_from_slice(bytes);
                frame
            }
        }),
    }
}

/// The error for a packet whose type character is not a digit from 0 to 6.
fn unknown_type(text: &str) -> DecodeError {
    DecodeError::UnknownPacketType(match text.chars().next() {
        Some(first) => format!("{first:?}"),
        None => "(none)".to_owned(),
    })
}
