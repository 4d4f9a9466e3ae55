//! The HTTP errors of Engine.IO: a `400` (`403` for `Forbidden`) whose JSON body is
//! `{"code":N,"message":"..."}`, with the codes and texts of engine.io's `Server.errors` and
//! `Server.errorMessages`, which clients and tools match on.

use std::borrow::Cow;
use std::fmt;

/// The standard Engine.IO error codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum ErrorCode {
    /// `transport` missing or not one this server serves.
    UnknownTransport = 0,
    /// `sid` names no session (here: none on any node of the cluster).
    UnknownSid = 1,
    /// A handshake (request without `sid`) that is not a GET.
    BadHandshakeMethod = 2,
    /// Anything else wrong with the request.
    BadRequest = 3,
    /// Refused by policy (origin, limits).
    Forbidden = 4,
    /// `EIO` missing or neither 3 nor 4.
    UnsupportedProtocolVersion = 5,
}

impl ErrorCode {
    /// The number in the body.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// The standard message in the body.
    pub fn message(self) -> &'static str {
        match self {
            Self::UnknownTransport => "Transport unknown",
            Self::UnknownSid => "Session ID unknown",
            Self::BadHandshakeMethod => "Bad handshake method",
            Self::BadRequest => "Bad request",
            Self::Forbidden => "Forbidden",
            Self::UnsupportedProtocolVersion => "Unsupported protocol version",
        }
    }

    /// The HTTP status: 403 for `Forbidden`, 400 otherwise.
    pub fn http_status(self) -> u16 {
        match self {
            Self::Forbidden => 403,
            _ => 400,
        }
    }
}

/// A refused Engine.IO request: the code for the client, and a detail for the logs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineError {
    pub code: ErrorCode,
    /// What exactly was wrong; not sent to the client.
    pub detail: Cow<'static, str>,
}

impl EngineError {
    pub fn new(code: ErrorCode, detail: impl Into<Cow<'static, str>>) -> Self {
        Self {
            code,
            detail: detail.into(),
        }
    }

    /// The JSON body, `{"code":1,"message":"Session ID unknown"}`.
    pub fn body(&self) -> String {
        format!(
            r#"{{"code":{},"message":"{}"}}"#,
            self.code.code(),
            self.code.message()
        )
    }

    /// The HTTP status of the response.
    pub fn http_status(&self) -> u16 {
        self.code.http_status()
    }
}

impl fmt::Display for EngineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.code.message(), self.detail)
    }
}

impl std::error::Error for EngineError {}
