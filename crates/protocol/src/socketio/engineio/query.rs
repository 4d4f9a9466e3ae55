//! The query of every Engine.IO request: `EIO` (3 or 4), `transport` (`polling` or
//! `websocket`), `sid` once the session exists, `b64=1` from a v3 client that cannot read
//! binary polling bodies, and `t`, a cache buster (ignored, like any other parameter).
//!
//! Checked in engine.io's order: the transport first (code 0), then the version (code 5),
//! then the sid (code 1). `j` asks for JSONP polling, which only clients without XHR use;
//! it is refused as an unknown transport. A repeated `EIO`, `transport` or `sid` is a bad
//! request (Node's querystring would make it an array, which engine.io then rejects or
//! misreads).

use std::collections::HashMap;

use super::{EngineError, ErrorCode, Version};

/// Longest accepted `sid`, in bytes. Longer ones cannot be ours: `Session ID unknown`.
pub const MAX_SID_BYTES: usize = 128;

/// The transports this server serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Transport {
    /// HTTP long-polling: GET to receive, POST to send.
    Polling,
    /// One WebSocket, from the start or upgraded to from polling.
    Websocket,
}

impl Transport {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Polling => "polling",
            Self::Websocket => "websocket",
        }
    }
}

/// A request's Engine.IO parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestQuery {
    pub version: Version,
    pub transport: Transport,
    /// The session, absent on the handshake request (an empty `sid` counts as absent).
    pub sid: Option<String>,
    /// `b64=1`: write binary data in base64 even in v3 polling bodies (the server only
    /// ever writes text bodies, so this is informational).
    pub base64: bool,
}

impl RequestQuery {
    /// Whether this request opens a new session.
    pub fn is_handshake(&self) -> bool {
        self.sid.is_none()
    }

    /// The checks engine.io makes on the method before touching a session, in its order: a
    /// handshake is a GET (code 2), a WebSocket request is a WebSocket upgrade (code 3),
    /// polling requests are GET or POST and never upgrades (code 3).
    pub fn check_method(&self, method: &str, websocket_upgrade: bool) -> Result<(), EngineError> {
        if self.is_handshake() && method != "GET" {
            return Err(EngineError::new(
                ErrorCode::BadHandshakeMethod,
                format!("handshake with method {method}"),
            ));
        }
        match self.transport {
            Transport::Websocket if !websocket_upgrade => Err(EngineError::new(
                ErrorCode::BadRequest,
                "transport=websocket without a WebSocket upgrade",
            )),
            Transport::Polling if websocket_upgrade => Err(EngineError::new(
                ErrorCode::BadRequest,
                "WebSocket upgrade with transport=polling",
            )),
            Transport::Polling if method != "GET" && method != "POST" => Err(EngineError::new(
                ErrorCode::BadRequest,
                format!("polling with method {method}"),
            )),
            _ => Ok(()),
        }
    }
}

/// Reads the query string (without `?`).
pub fn parse_query(query: &str) -> Result<RequestQuery, EngineError> {
    let mut values: HashMap<String, Vec<String>> = HashMap::new();
    for pair in query.split('&').filter(|pair| !pair.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        values.entry(decode(name)).or_default().push(decode(value));
    }
    let single = |name: &str| -> Result<Option<&str>, EngineError> {
        match values.get(name).map(Vec::as_slice) {
            None => Ok(None),
            Some([value]) => Ok(Some(value.as_str())),
            Some(_) => Err(EngineError::new(
                ErrorCode::BadRequest,
                format!("{name} given more than once"),
            )),
        }
    };

    let transport = match single("transport")? {
        Some("polling") if values.contains_key("j") => {
            return Err(EngineError::new(
                ErrorCode::UnknownTransport,
                "JSONP polling is not supported",
            ));
        }
        Some("polling") => Transport::Polling,
        Some("websocket") => Transport::Websocket,
        Some(other) => {
            return Err(EngineError::new(
                ErrorCode::UnknownTransport,
                format!("unknown transport {other:?}"),
            ));
        }
        None => {
            return Err(EngineError::new(
                ErrorCode::UnknownTransport,
                "transport is missing",
            ));
        }
    };
    let version = match single("EIO")? {
        Some("3") => Version::V3,
        Some("4") => Version::V4,
        Some(other) => {
            return Err(EngineError::new(
                ErrorCode::UnsupportedProtocolVersion,
                format!("unsupported EIO={other:?}"),
            ));
        }
        None => {
            return Err(EngineError::new(
                ErrorCode::UnsupportedProtocolVersion,
                "EIO is missing",
            ));
        }
    };
    let sid = match single("sid")? {
        None | Some("") => None,
        Some(sid) if sid.len() > MAX_SID_BYTES || !sid.bytes().all(|b| b.is_ascii_graphic()) => {
            return Err(EngineError::new(
                ErrorCode::UnknownSid,
                "malformed sid (too long or not printable ASCII)",
            ));
        }
        Some(sid) => Some(sid.to_owned()),
    };
    Ok(RequestQuery {
        version,
        transport,
        sid,
        // Truthy in JavaScript: a non-empty value, or several (an array).
        base64: values
            .get("b64")
            .is_some_and(|given| given.len() > 1 || given.iter().any(|value| !value.is_empty())),
    })
}

/// `application/x-www-form-urlencoded` decoding: `+` is a space, `%XX` a byte; invalid
/// escapes stay as written, invalid UTF-8 becomes U+FFFD.
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        match bytes[at] {
            b'+' => out.push(b' '),
            b'%' => match (hex(bytes.get(at + 1)), hex(bytes.get(at + 2))) {
                (Some(high), Some(low)) => {
                    out.push(high << 4 | low);
                    at += 2;
                }
                _ => out.push(b'%'),
            },
            byte => out.push(byte),
        }
        at += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(byte: Option<&u8>) -> Option<u8> {
    (char::from(*byte?)).to_digit(16).map(|digit| digit as u8)
}
