//! Parsing client messages into typed [`Request`]s.
//!
//! The envelope is read with borrowed [`RawValue`]s, so a relayed `signal` object is never
//! rebuilt: it leaves the server byte for byte as it arrived.

use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;

use super::fields::{self, Data};
use super::{ErrorCode, MAX_DISPLAY_NAME_BYTES, ProtocolError};

/// One parsed client message.
#[derive(Debug)]
pub struct Request {
    /// `"type/name"`, for error reports and metrics.
    pub request: String,
    /// `data.id` as the client sent it. The server never uses it as an identity; the session
    /// compares it with its own id and refuses a mismatch.
    pub claimed_id: Option<String>,
    pub command: Command,
}

/// What the client asks for.
#[derive(Debug)]
pub enum Command {
    /// `room/connect`: the handshake that tells the client its id.
    Connect { room: String },
    /// `conference/join`.
    Join { room: String, name: String },
    /// `conference/leave`.
    Leave { room: String },
    /// `signal/sdp` or `signal/trickle`.
    Signal(SignalCommand),
}

/// Which signal a [`SignalCommand`] carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignalKind {
    Sdp,
    Trickle,
}

impl SignalKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sdp => "sdp",
            Self::Trickle => "trickle",
        }
    }
}

/// A signal to relay: to `to` when given, else to the rest of the room.
#[derive(Debug)]
pub struct SignalCommand {
    pub kind: SignalKind,
    pub room: String,
    pub to: Option<String>,
    /// The client's whole `data` object, relayed with `id` replaced by the sender's.
    pub data: Data,
    /// The `signal` object, untouched.
    pub signal: Box<RawValue>,
}

#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(rename = "type", borrow, default)]
    kind: Option<&'a RawValue>,
    #[serde(borrow, default)]
    name: Option<&'a RawValue>,
    #[serde(borrow, default)]
    method: Option<&'a RawValue>,
    #[serde(borrow, default)]
    data: Option<&'a RawValue>,
    #[serde(borrow, default)]
    signal: Option<&'a RawValue>,
}

/// Splits one text frame into messages and parses each, in order. Messages follow each other
/// separated by white space (the original clients put one per line; a message may itself span
/// lines). After a message that is not JSON, reading resumes at the next line, so one bad
/// message does not hide the ones after it.
pub fn parse_frame(frame: &str) -> impl Iterator<Item = Result<Request, ProtocolError>> + '_ {
    let mut rest = frame;
    std::iter::from_fn(move || {
        rest = rest.trim_start();
        if rest.is_empty() {
            return None;
        }
        let mut values = serde_json::Deserializer::from_str(rest).into_iter::<&RawValue>();
        match values.next() {
            Some(Ok(raw)) => {
                let offset = values.byte_offset();
                let message = parse_message(raw.get());
                rest = &rest[offset..];
                Some(message)
            }
            _ => {
                let line_end = rest.find('\n').map_or(rest.len(), |at| at + 1);
                let line = &rest[..line_end];
                rest = &rest[line_end..];
                Some(parse_message(line.trim()))
            }
        }
    })
}

/// Parses one JSON message.
pub fn parse_message(text: &str) -> Result<Request, ProtocolError> {
    // serde would also read the envelope from a JSON array, by position: refuse those here.
    if !text.trim_start().starts_with('{') {
        return Err(match serde_json::from_str::<serde::de::IgnoredAny>(text) {
            Ok(_) => {
                ProtocolError::new(ErrorCode::InvalidMessage, "a message must be a JSON object")
            }
            Err(err) => {
                ProtocolError::new(ErrorCode::InvalidJson, format!("not valid JSON: {err}"))
            }
        });
    }
    let envelope: Envelope = serde_json::from_str(text).map_err(|err| {
        if serde_json::from_str::<serde::de::IgnoredAny>(text).is_err() {
            ProtocolError::new(ErrorCode::InvalidJson, format!("not valid JSON: {err}"))
        } else {
            ProtocolError::new(
                ErrorCode::InvalidMessage,
                format!("a message must be a JSON object with type, name and data: {err}"),
            )
        }
    })?;

    let kind = envelope_str(envelope.kind, "type")?;
    if kind == "signal" && envelope.name.is_none() && envelope.method.is_some() {
        let method = envelope_str(envelope.method, "method").unwrap_or_default();
        return Err(ProtocolError::new(
            ErrorCode::Unsupported,
            "the SFU join (signal with method) needs a media server; this endpoint relays \
             peer-to-peer signals only",
        )
        .for_request(format!("signal/{method}")));
    }
    let name = envelope_str(envelope.name, "name")?;
    let request = format!("{kind}/{name}");
    parse_body(&kind, &name, &envelope)
        .map(|(command, claimed_id)| Request {
            request: request.clone(),
            claimed_id,
            command,
        })
        .map_err(|err| err.for_request(request))
}

fn parse_body(
    kind: &str,
    name: &str,
    envelope: &Envelope,
) -> Result<(Command, Option<String>), ProtocolError> {
    let signal_kind = match (kind, name) {
        ("room", "connect") | ("conference", "join") | ("conference", "leave") => None,
        ("signal", "sdp") => Some(SignalKind::Sdp),
        ("signal", "trickle") => Some(SignalKind::Trickle),
        _ => {
            return Err(ProtocolError::new(
                ErrorCode::UnknownMessage,
                format!("unknown message type {kind:?} with name {name:?}"),
            ));
        }
    };
    let data = data_object(envelope.data)?;
    let claimed_id = fields::optional_str(&data, "id")?.map(str::to_owned);
    let room = fields::room(&data)?;
    let command = match (name, signal_kind) {
        ("connect", _) => Command::Connect { room },
        ("join", _) => {
            let name = fields::required_str(&data, "name")?;
            if name.len() > MAX_DISPLAY_NAME_BYTES {
                return Err(ProtocolError::new(
                    ErrorCode::InvalidField,
                    format!("data.name is longer than {MAX_DISPLAY_NAME_BYTES} bytes"),
                ));
            }
            Command::Join {
                room,
                name: name.to_owned(),
            }
        }
        ("leave", _) => Command::Leave { room },
        (_, Some(kind)) => Command::Signal(signal(kind, room, data, envelope.signal)?),
        _ => unreachable!("every accepted type/name pair is matched above"),
    };
    Ok((command, claimed_id))
}

fn signal(
    kind: SignalKind,
    room: String,
    data: Data,
    signal: Option<&RawValue>,
) -> Result<SignalCommand, ProtocolError> {
    let to = fields::optional_str(&data, "to")?.map(str::to_owned);
    if kind == SignalKind::Sdp && to.is_none() {
        return Err(ProtocolError::new(
            ErrorCode::MissingField,
            "data.to is required for sdp",
        ));
    }
    let signal =
        signal.ok_or_else(|| ProtocolError::new(ErrorCode::MissingField, "signal is required"))?;
    if !signal.get().starts_with('{') {
        return Err(ProtocolError::new(
            ErrorCode::InvalidField,
            "signal must be an object",
        ));
    }
    Ok(SignalCommand {
        kind,
        room,
        to,
        data,
        signal: signal.to_owned(),
    })
}

fn envelope_str(raw: Option<&RawValue>, field: &str) -> Result<String, ProtocolError> {
    let raw = raw.ok_or_else(|| {
        ProtocolError::new(ErrorCode::MissingField, format!("{field} is required"))
    })?;
    serde_json::from_str::<String>(raw.get()).map_err(|_| {
        ProtocolError::new(ErrorCode::InvalidField, format!("{field} must be a string"))
    })
}

fn data_object(raw: Option<&RawValue>) -> Result<Data, ProtocolError> {
    let raw = raw.ok_or_else(|| ProtocolError::new(ErrorCode::MissingField, "data is required"))?;
    match serde_json::from_str::<Value>(raw.get()) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(ProtocolError::new(
            ErrorCode::InvalidField,
            "data must be an object",
        )),
    }
}
