//! Engine.IO v3 polling payloads, as engine.io-parser 2.x reads them.
//!
//! Text (`text/plain`): `<length>:<packet>` records, e.g. `6:4hello2:4€10:b4AQIDBA==`. The
//! length counts the packet's JavaScript string length, i.e. UTF-16 code units, not bytes nor
//! characters: `€` counts 1 (3 bytes), `😀` counts 2 (a surrogate pair, 4 bytes). A `0:`
//! record is empty and skipped (`0:` alone is the payload of no packets).
//!
//! Binary (XHR2, `application/octet-stream`), sent by stock clients for payloads that hold
//! binary packets: records `<0 text | 1 binary><length as one byte per decimal digit><0xFF>
//! <data>`, where the length counts bytes; text records are UTF-8 (utf8.js) and binary ones
//! start with their type byte. E.g. `00 04 FF 34 E2 82 AC 01 05 FF 04 01 02 03 04` is
//! `4€` and a binary message `01 02 03 04`.

use super::{DecodeError, Packet, Version, decode_binary, decode_text, encode_text};

/// Longest accepted length prefix, in digits (the reference allows 310; bodies are capped
/// far below 10^20 anyway).
const MAX_LENGTH_DIGITS: usize = 20;

/// The JavaScript `length` of `text`: its number of UTF-16 code units.
pub fn utf16_len(text: &str) -> usize {
    text.chars().map(char::len_utf16).sum()
}

/// Decodes a v3 text payload.
pub fn decode_text_payload_v3(text: &str) -> Result<Vec<Packet<'_>>, DecodeError> {
    if text.is_empty() {
        return Err(DecodeError::EmptyPayload);
    }
    let mut packets = Vec::new();
    let mut at = 0;
    while at < text.len() {
        let rest = &text[at..];
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 || digits > MAX_LENGTH_DIGITS || rest.as_bytes().get(digits) != Some(&b':') {
            return Err(DecodeError::InvalidLength { at });
        }
        let units: u64 = rest[..digits]
            .parse()
            .map_err(|_| DecodeError::InvalidLength { at })?;
        let start = at + digits + 1;
        let len = take_utf16_units(&text[start..], units).map_err(|err| match err {
            Take::Short => DecodeError::Truncated { at, needed: units },
            Take::Split => DecodeError::SplitCharacter { at },
        })?;
        let record = &text[start..start + len];
        if !record.is_empty() {
            packets.push(decode_text(Version::V3, record)?);
        }
        at = start + len;
    }
    Ok(packets)
}

enum Take {
    /// The text ends before that many units.
    Short,
    /// The count ends between the halves of a surrogate pair.
    Split,
}

/// The byte length of the first `units` UTF-16 code units of `text`.
fn take_utf16_units(text: &str, units: u64) -> Result<usize, Take> {
    let mut counted = 0u64;
    for (offset, ch) in text.char_indices() {
        if counted == units {
            return Ok(offset);
        }
        counted += ch.len_utf16() as u64;
        if counted > units {
            return Err(Take::Split);
        }
    }
    if counted == units {
        Ok(text.len())
    } else {
        Err(Take::Short)
    }
}

/// Decodes a v3 binary (XHR2) payload.
pub fn decode_binary_payload_v3(bytes: &[u8]) -> Result<Vec<Packet<'_>>, DecodeError> {
    if bytes.is_empty() {
        return Err(DecodeError::EmptyPayload);
    }
    let mut packets = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let is_text = match bytes[at] {
            0 => true,
            1 => false,
            _ => return Err(DecodeError::InvalidBinaryHeader { at }),
        };
        let digits = bytes[at + 1..].iter().take_while(|&&b| b <= 9).count();
        let end_of_header = at + 1 + digits;
        if digits == 0 || digits > MAX_LENGTH_DIGITS || bytes.get(end_of_header) != Some(&0xFF) {
            return Err(DecodeError::InvalidBinaryHeader { at });
        }
        let len = bytes[at + 1..end_of_header]
            .iter()
            .try_fold(0u64, |len, &digit| {
                len.checked_mul(10)?.checked_add(u64::from(digit))
            })
            .ok_or(DecodeError::InvalidBinaryHeader { at })?;
        let start = end_of_header + 1;
        let end = usize::try_from(len)
            .ok()
            .and_then(|len| start.checked_add(len))
            .filter(|&end| end <= bytes.len())
            .ok_or(DecodeError::Truncated { at, needed: len })?;
        let record = &bytes[start..end];
        packets.push(if is_text {
            match std::str::from_utf8(record) {
                Ok(text) => decode_text(Version::V3, text)?,
                // utf8.js writes lone surrogates as 3-byte sequences, which are not UTF-8;
                // they become U+FFFD, as a browser would turn them into for a text body.
                Err(_) => decode_text(Version::V3, &String::from_utf8_lossy(record))?.into_owned(),
            }
        } else {
            decode_binary(Version::V3, record)?
        });
        at = end;
    }
    Ok(packets)
}

/// Encodes a v3 text payload. No packets encode as `0:`, as the reference does.
pub fn encode_text_payload_v3(packets: &[Packet]) -> String {
    if packets.is_empty() {
        return "0:".to_owned();
    }
    let mut out = String::new();
    for packet in packets {
        let record = encode_text(Version::V3, packet);
        out.push_str(&utf16_len(&record).to_string());
        out.push(':');
        out.push_str(&record);
    }
    out
}
