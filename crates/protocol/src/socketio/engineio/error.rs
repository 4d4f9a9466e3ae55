//! Why an Engine.IO packet or payload could not be decoded. The reference parsers answer all
//! of these with one `{type: "error", data: "parser error"}` packet and the server closes the
//! session; here each has its own variant so logs and tests can say which rule was broken.

/// A malformed packet or payload.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// A packet with no type (an empty frame, or an empty record of a v4 payload).
    #[error("empty packet")]
    EmptyPacket,
    /// The type is not one of `0`..=`6` (shown as the character, or the byte of a v3
    /// binary frame).
    #[error("unknown packet type {0}")]
    UnknownPacketType(String),
    /// A `b...` packet whose data is not base64.
    #[error("invalid base64 in a binary packet")]
    InvalidBase64,
    /// A polling request with an empty body.
    #[error("empty payload")]
    EmptyPayload,
    /// A polling body that is not UTF-8 text.
    #[error("payload is not valid UTF-8")]
    InvalidUtf8,
    /// A v3 text record whose length is missing, not decimal digits, or absurdly long.
    #[error("invalid record length at byte {at}")]
    InvalidLength { at: usize },
    /// A v3 record announces more than the payload holds (`needed` in the record's unit:
    /// UTF-16 code units for text payloads, bytes for binary ones).
    #[error("record at byte {at} announces {needed} but the payload ends first")]
    Truncated { at: usize, needed: u64 },
    /// A v3 text record whose length ends between the two halves of a surrogate pair (an
    /// emoji counts 2 UTF-16 code units).
    #[error("record length at byte {at} ends inside a character")]
    SplitCharacter { at: usize },
    /// A v3 binary payload record that does not start with `0` (text) or `1` (binary), or
    /// whose length digits are not bytes `0`..=`9` ended by `0xFF`.
    #[error("invalid binary payload record header at byte {at}")]
    InvalidBinaryHeader { at: usize },
    /// A v4 polling body sent as `application/octet-stream`: v4 clients base64-encode
    /// binary packets in text bodies, and engine.io refuses such bodies too.
    #[error("binary polling payloads do not exist in Engine.IO v4")]
    BinaryPayloadInV4,
}
