//! Typed access to the fields of a message's `data` object, each failure a precise error.

use serde_json::{Map, Value};

use super::{ErrorCode, MAX_ROOM_NAME_BYTES, ProtocolError};

pub(super) type Data = Map<String, Value>;

/// A required string field.
pub(super) fn required_str<'a>(data: &'a Data, field: &str) -> Result<&'a str, ProtocolError> {
    optional_str(data, field)?.ok_or_else(|| {
        ProtocolError::new(ErrorCode::MissingField, format!("data.{field} is required"))
    })
}

/// A string field that may be absent (or null).
pub(super) fn optional_str<'a>(
    data: &'a Data,
    field: &str,
) -> Result<Option<&'a str>, ProtocolError> {
    match data.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(ProtocolError::new(
            ErrorCode::InvalidField,
            format!("data.{field} must be a string"),
        )),
    }
}

/// The `room` field: a non-empty string of at most [`MAX_ROOM_NAME_BYTES`] bytes.
pub(super) fn room(data: &Data) -> Result<String, ProtocolError> {
    let room = required_str(data, "room")?;
    if room.is_empty() {
        return Err(ProtocolError::new(
            ErrorCode::InvalidRoom,
            "data.room must not be empty",
        ));
    }
    if room.len() > MAX_ROOM_NAME_BYTES {
        return Err(ProtocolError::new(
            ErrorCode::InvalidRoom,
            format!("data.room is longer than {MAX_ROOM_NAME_BYTES} bytes"),
        ));
    }
    Ok(room.to_owned())
}
