//! The `rooms` dialect (seeds 001/002): Socket.IO events with positional arguments.
//!
//! [`parse`] turns a client event (its name and raw JSON arguments) into a [`Command`] or a
//! message for the `error` event; the functions under [`render`] name the server's events and
//! their argument lists. The transport (Socket.IO framing) is `crate::socketio`.

use serde_json::value::RawValue;

#[cfg(test)]
mod tests;

/// Longest room name accepted, in bytes.
pub const MAX_ROOM_NAME: usize = 256;

/// A client's request.
#[derive(Debug, Clone)]
pub enum Command {
    /// `room-create(room)`
    Create { room: String },
    /// `room-join(room)`
    Join { room: String },
    /// `room-leave(room)`
    Leave { room: String },
    /// `signal-send(room, targetId, data)`: `data` is relayed as the client wrote it.
    Signal {
        room: String,
        target: String,
        data: Box<RawValue>,
    },
}

impl Command {
    pub fn room(&self) -> &str {
        match self {
            Self::Create { room }
            | Self::Join { room }
            | Self::Leave { room }
            | Self::Signal { room, .. } => room,
        }
    }
}

/// Why an event was refused: the text of the `error` event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("unknown event: {0}")]
    UnknownEvent(String),
    #[error("{event}: expected {expected} argument(s), got {got}")]
    ArgumentCount {
        event: &'static str,
        expected: usize,
        got: usize,
    },
    #[error("{event}: argument {position} ({name}) must be a string")]
    NotAString {
        event: &'static str,
        position: usize,
        name: &'static str,
    },
    #[error("{event}: argument {position} ({name}) must not be empty or longer than {max} bytes")]
    BadLength {
        event: &'static str,
        position: usize,
        name: &'static str,
        max: usize,
    },
}

/// Parses the client event `name` with its arguments.
pub fn parse(name: &str, args: &[Box<RawValue>]) -> Result<Command, ParseError> {
    let (event, expected): (&'static str, usize) = match name {
        "room-create" => ("room-create", 1),
        "room-join" => ("room-join", 1),
        "room-leave" => ("room-leave", 1),
        "signal-send" => ("signal-send", 3),
        other => return Err(ParseError::UnknownEvent(other.to_owned())),
    };
    if args.len() != expected {
        return Err(ParseError::ArgumentCount {
            event,
            expected,
            got: args.len(),
        });
    }
    let room = string(event, args, 0, "room", MAX_ROOM_NAME)?;
    Ok(match event {
        "room-create" => Command::Create { room },
        "room-join" => Command::Join { room },
        "room-leave" => Command::Leave { room },
        _ => Command::Signal {
            room,
            target: string(event, args, 1, "targetId", MAX_ROOM_NAME)?,
            data: args[2].clone(),
        },
    })
}

fn string(
    event: &'static str,
    args: &[Box<RawValue>],
    index: usize,
    name: &'static str,
    max: usize,
) -> Result<String, ParseError> {
    let position = index + 1;
    let value: String =
        serde_json::from_str(args[index].get()).map_err(|_| ParseError::NotAString {
            event,
            position,
            name,
        })?;
    if value.is_empty() || value.len() > max {
        return Err(ParseError::BadLength {
            event,
            position,
            name,
            max,
        });
    }
    Ok(value)
}

/// The server's events: names and argument lists, ready for `socketio::sio::encode_event`.
pub mod render {
    use serde_json::value::RawValue;
    use serde_json::{Value, json};

    pub const ROOM_CREATED: &str = "room-created";
    pub const ROOM_EXISTS: &str = "room-exists";
    pub const ROOM_JOINED: &str = "room-joined";
    pub const ROOM_NOT_EXISTS: &str = "room-not-exists";
    pub const CLIENT_JOINED: &str = "client-joined";
    pub const ROOM_LEFT: &str = "room-left";
    pub const CLIENT_LEFT: &str = "client-left";
    pub const NOT_IN_ROOM: &str = "not-in-room";
    pub const SIGNAL_RECEIVE: &str = "signal-receive";
    pub const TARGET_NOT_FOUND: &str = "target-not-found";
    pub const ERROR: &str = "error";

    /// `room-created(room)`, `room-exists(room)`, `room-not-exists(room)`,
    /// `not-in-room(room)`: the events whose only argument is the room.
    pub fn room_only(room: &str) -> Vec<Value> {
        vec![json!(room)]
    }

    /// `room-joined(room, ownerId, clients)`: `clients` is everyone present before, owner
    /// included, the joiner excluded.
    pub fn room_joined(room: &str, owner: &str, clients: &[&str]) -> Vec<Value> {
        vec![json!(room), json!(owner), json!(clients)]
    }

    /// `client-joined(room, id)` and `client-left(room, id)`.
    pub fn client(room: &str, id: &str) -> Vec<Value> {
        vec![json!(room), json!(id)]
    }

    /// `room-left(room, kicked)`.
    pub fn room_left(room: &str, kicked: bool) -> Vec<Value> {
        vec![json!(room), json!(kicked)]
    }

    /// `target-not-found(room, targetId)`.
    pub fn target_not_found(room: &str, target: &str) -> Vec<Value> {
        vec![json!(room), json!(target)]
    }

    /// `signal-receive(room, senderId, data)` with `data` exactly as the sender wrote it.
    /// `None` when `data` is not JSON (it always is: it came through [`super::parse`]).
    pub fn signal_receive(room: &str, sender: &str, data: &str) -> Option<Vec<Box<RawValue>>> {
        Some(vec![
            serde_json::value::to_raw_value(room).ok()?,
            serde_json::value::to_raw_value(sender).ok()?,
            RawValue::from_string(data.to_owned()).ok()?,
        ])
    }
}
