//! Typed protocol errors, with the machine-readable codes clients see in `system/error`.

use std::fmt;

/// What went wrong, as a stable machine-readable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// The line is not JSON at all.
    InvalidJson,
    /// JSON, but not an object.
    InvalidMessage,
    /// A required field is absent.
    MissingField,
    /// A field has the wrong JSON type.
    InvalidField,
    /// No such `type`/`name` pair in this dialect.
    UnknownMessage,
    /// Room name empty or too long.
    InvalidRoom,
    /// The client has not joined the room it names.
    NotInRoom,
    /// The client joined this room already.
    AlreadyInRoom,
    /// The signal's target is not in the room.
    UnknownTarget,
    /// `data.id` names someone other than the sender.
    IdMismatch,
    /// Binary frames carry nothing in this dialect.
    BinaryUnsupported,
    /// A known message this server does not serve (the SFU join).
    Unsupported,
    /// The target is on another node and the cluster link is down: try again later.
    Unavailable,
    /// The client's token does not grant this room.
    Forbidden,
    /// The server could not complete the request (a failed internal call).
    Internal,
    /// The connection sent more messages than its rate allows; the message was dropped.
    RateLimited,
    /// A join beyond the rooms one connection may be in.
    TooManyRooms,
    /// A join of a room that has as many members as a room may have.
    RoomFull,
}

impl ErrorCode {
    /// The code as sent on the wire and used as a metrics label.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidJson => "invalid_json",
            Self::InvalidMessage => "invalid_message",
            Self::MissingField => "missing_field",
            Self::InvalidField => "invalid_field",
            Self::UnknownMessage => "unknown_message",
            Self::InvalidRoom => "invalid_room",
            Self::Forbidden => "forbidden",
            Self::NotInRoom => "not_in_room",
            Self::AlreadyInRoom => "already_in_room",
            Self::UnknownTarget => "unknown_target",
            Self::IdMismatch => "id_mismatch",
            Self::BinaryUnsupported => "binary_unsupported",
            Self::Unsupported => "unsupported",
            Self::Unavailable => "unavailable",
            Self::Internal => "internal",
            Self::RateLimited => "rate_limited",
            Self::TooManyRooms => "too_many_rooms",
            Self::RoomFull => "room_full",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error to report to the client: a code, a human message, and the request it answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtocolError {
    pub code: ErrorCode,
    pub message: String,
    /// `"type/name"` of the failed request, when it could be read.
    pub request: Option<String>,
}

impl ProtocolError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            request: None,
        }
    }

    /// The same error, attributed to a request.
    pub fn for_request(mut self, request: impl Into<String>) -> Self {
        self.request = Some(request.into());
        self
    }
}

impl fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for ProtocolError {}
