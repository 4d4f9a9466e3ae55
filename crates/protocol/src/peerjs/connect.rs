//! The WebSocket URL's query: `key`, `id`, `token` (and `version`, informational).

use std::collections::HashMap;

use super::errors;

/// Longest peer id accepted, in bytes.
pub const MAX_ID_BYTES: usize = 256;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectParams {
    pub key: String,
    pub id: String,
    pub token: String,
    pub version: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectError {
    /// `key`, `id` or `token` missing or empty.
    MissingParameters,
    /// The id is longer than [`MAX_ID_BYTES`] or holds control characters.
    InvalidId,
}

impl ConnectError {
    /// The ERROR message sent to the client.
    pub fn message(&self) -> &'static str {
        match self {
            Self::MissingParameters => errors::INVALID_WS_PARAMETERS,
            Self::InvalidId => "Invalid id: at most 256 bytes, no control characters",
        }
    }
}

/// Reads the query string (without `?`), percent-decoding names and values.
pub fn parse_connect_query(query: &str) -> Result<ConnectParams, ConnectError> {
    let mut values: HashMap<String, String> = HashMap::new();
    for pair in query.split('&').filter(|pair| !pair.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        // The last value of a repeated parameter wins, as peerjs-server reads the query
        // (Object.fromEntries over URLSearchParams).
        values.insert(decode(name), decode(value));
    }
    let mut take = |name: &str| values.remove(name).filter(|value| !value.is_empty());
    let (Some(key), Some(id), Some(token)) = (take("key"), take("id"), take("token")) else {
        return Err(ConnectError::MissingParameters);
    };
    if id.len() > MAX_ID_BYTES || id.chars().any(char::is_control) {
        return Err(ConnectError::InvalidId);
    }
    Ok(ConnectParams {
        key,
        id,
        token,
        version: take("version"),
    })
}

/// `application/x-www-form-urlencoded` decoding: `+` is a space, `%XX` a byte; invalid
/// escapes stay as they are and invalid UTF-8 becomes U+FFFD.
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        match bytes[at] {
            b'+' => out.push(b' '),
            b'%' if at + 2 < bytes.len() => match (hex(bytes[at + 1]), hex(bytes[at + 2])) {
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

fn hex(byte: u8) -> Option<u8> {
    (byte as char).to_digit(16).map(|digit| digit as u8)
}
