//! Decoding one Socket.IO packet, following socket.io-parser 3.x (protocol 4) and 4.x
//! (protocol 5): `<type>[<attachments>-][<namespace>,][<ack id>][<JSON>]`.
//!
//! Stricter than the reference where it is lax by accident of JavaScript: counts and ids are
//! ASCII digits only (the reference's `Number(c) == c` also takes spaces), an ack id must fit
//! in 64 bits, and an event name must be a string (the reference also takes numbers, which
//! no dialect here uses). Like the reference, v5 CONNECT payloads must be objects, EVENT
//! payloads non-empty arrays, ACK payloads arrays, and DISCONNECT has none; unlike it, an
//! EVENT or ACK without a payload, an ACK without an id and an id on a packet type that has
//! none are errors instead of being passed on. Event names the reference reserves
//! (`connect`, `disconnect`, ...) decode: the dialect refuses them as unknown events.

use serde_json::value::RawValue;

use super::{Ack, Body, Connect, DecodeError, Event, Packet, PacketType, Version};

/// Decodes the text of an Engine.IO `message` as a Socket.IO packet.
pub fn decode(version: Version, text: &str) -> Result<Packet, DecodeError> {
    let first = *text.as_bytes().first().ok_or(DecodeError::Empty)?;
    let kind = PacketType::from_digit(first).ok_or_else(|| {
        DecodeError::UnknownType(format!("{:?}", text.chars().next().unwrap_or_default()))
    })?;
    let mut rest = &text[1..];

    let mut attachments = 0;
    if kind.is_binary() {
        let (count, after) = rest
            .split_once('-')
            .ok_or(DecodeError::InvalidAttachments)?;
        if count.is_empty() || !count.bytes().all(|b| b.is_ascii_digit()) {
            return Err(DecodeError::InvalidAttachments);
        }
        attachments = count.parse().map_err(|_| DecodeError::InvalidAttachments)?;
        rest = after;
    }

    let mut namespace = "/";
    if rest.starts_with('/') {
        (namespace, rest) = rest.split_once(',').unwrap_or((rest, ""));
    }

    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let ack_id = match digits {
        0 => None,
        _ => Some(
            rest[..digits]
                .parse::<u64>()
                .map_err(|_| DecodeError::InvalidAckId)?,
        ),
    };
    rest = &rest[digits..];
    let payload = (!rest.is_empty()).then_some(rest);

    if ack_id.is_some()
        && matches!(
            kind,
            PacketType::Connect | PacketType::Disconnect | PacketType::ConnectError
        )
    {
        return Err(DecodeError::UnexpectedAckId(kind));
    }

    let body = match kind {
        PacketType::Connect => {
            let query;
            (namespace, query) = match (version, namespace.split_once('?')) {
                (Version::V4, Some((path, query))) => (path, Some(query.to_owned())),
                _ => (namespace, None),
            };
            let auth = payload
                .map(|payload| raw_of_shape(kind, payload, b"{", "an object"))
                .transpose()?;
            Body::Connect(Connect { auth, query })
        }
        PacketType::Disconnect => match payload {
            None => Body::Disconnect,
            Some(_) => return Err(DecodeError::UnexpectedPayload(kind)),
        },
        PacketType::ConnectError => {
            let payload = payload.ok_or(DecodeError::MissingPayload(kind))?;
            Body::ConnectError(raw_of_shape(
                kind,
                payload,
                b"{\"",
                "a string or an object",
            )?)
        }
        PacketType::Event | PacketType::BinaryEvent => {
            let args = array(kind, payload)?;
            let (name, args) = args.split_first().ok_or(DecodeError::MissingEventName)?;
            let name = serde_json::from_str::<String>(name.get())
                .map_err(|_| DecodeError::EventNameNotString)?;
            let event = Event {
                name,
                args: args.iter().map(|&arg| arg.to_owned()).collect(),
                ack_id,
            };
            match kind {
                PacketType::Event => Body::Event(event),
                _ => Body::BinaryEvent { attachments, event },
            }
        }
        PacketType::Ack | PacketType::BinaryAck => {
            let id = ack_id.ok_or(DecodeError::MissingAckId(kind))?;
            let args = array(kind, payload)?;
            let ack = Ack {
                id,
                args: args.into_iter().map(ToOwned::to_owned).collect(),
            };
            match kind {
                PacketType::Ack => Body::Ack(ack),
                _ => Body::BinaryAck { attachments, ack },
            }
        }
    };
    Ok(Packet {
        namespace: namespace.to_owned(),
        body,
    })
}

/// The payload as a JSON array, each element as written.
fn array(kind: PacketType, payload: Option<&str>) -> Result<Vec<&RawValue>, DecodeError> {
    let payload = payload.ok_or(DecodeError::MissingPayload(kind))?;
    if !payload.trim_start().starts_with('[') {
        raw_of_shape(kind, payload, b"", "an array")?;
    }
    serde_json::from_str(payload).map_err(|err| invalid_json(kind, &err))
}

/// The payload as raw JSON, if it is valid JSON starting with one of `openers`.
fn raw_of_shape(
    kind: PacketType,
    payload: &str,
    openers: &[u8],
    expected: &'static str,
) -> Result<Box<RawValue>, DecodeError> {
    let raw: Box<RawValue> =
        serde_json::from_str(payload).map_err(|err| invalid_json(kind, &err))?;
    match raw.get().as_bytes().first() {
        Some(opener) if openers.contains(opener) => Ok(raw),
        _ => Err(DecodeError::InvalidPayload {
            packet: kind,
            expected,
        }),
    }
}

fn invalid_json(kind: PacketType, err: &serde_json::Error) -> DecodeError {
    DecodeError::InvalidJson {
        packet: kind,
        reason: err.to_string(),
    }
}
