//! Wire format 2, for the two envelopes that carry a client's frame across nodes: a room
//! signal, and a message to a peer id.
//!
//! Format 1 (`wire.rs`) puts the frame in a JSON string inside a JSON object: the sending
//! node escapes every quote of it, the receiving node parses it back, and each copy is made
//! twice. A profile of a two-node relay put about a seventh of a node's CPU in that JSON
//! alone. Format 2 is the mark `#2`, a one-line JSON header, `\n`, then the frame's bytes as
//! they are: still readable with `redis-cli`, and the frame is neither escaped nor parsed
//! (the receiver keeps a slice of the message Redis pushed, without copying it).
//!
//! Every node reads both formats. A node writes format 2 only while every live node's lease
//! says it reads it (see `lease.rs`), so nodes of two releases keep talking during a rolling
//! upgrade. Events without a frame (joins, leaves, expiries) stay in format 1.

use std::borrow::Cow;

use bytes::Bytes;
use bytestring::ByteString;
use serde::{Deserialize, Serialize};

/// The newest wire format this node reads, announced in its lease.
pub(crate) const VERSION: u64 = 2;

/// How a format-2 envelope begins; a format-1 envelope begins with `{`.
const MARK: &[u8] = b"#2";

/// The header of a signal on a room's or a node's channel.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct SignalHeader<'a> {
    /// The node the signal comes from: a node ignores what it sent itself.
    #[serde(borrow)]
    pub origin: Cow<'a, str>,
    #[serde(borrow)]
    pub space: Cow<'a, str>,
    #[serde(borrow)]
    pub room: Cow<'a, str>,
    #[serde(borrow)]
    pub from: Cow<'a, str>,
    /// The receiver; none for a signal to the whole room.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<Cow<'a, str>>,
}

/// The header of a message on a peer's channel (or waiting in its queue).
#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct DirectHeader<'a> {
    #[serde(borrow)]
    pub space: Cow<'a, str>,
    #[serde(borrow)]
    pub to: Cow<'a, str>,
    #[serde(borrow)]
    pub from: Cow<'a, str>,
    /// How long the message may wait if it arrives before its peer is ready here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keep_ms: Option<u64>,
}

/// Why a format-2 envelope could not be read.
#[derive(Debug, thiserror::Error)]
pub(crate) enum DecodeError {
    #[error("not a format-2 envelope")]
    NotCompact,
    #[error("no end to the header")]
    NoHeaderEnd,
    #[error("bad header: {0}")]
    Header(#[from] serde_json::Error),
    #[error("the frame is not UTF-8")]
    FrameNotUtf8,
}

/// Whether `bytes` is a format-2 envelope (else it is format 1, JSON).
pub(crate) fn is_compact(bytes: &[u8]) -> bool {
    bytes.starts_with(MARK)
}

/// `#2`, the header as one line of JSON, `\n`, the frame.
pub(crate) fn encode(header: &impl Serialize, frame: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(MARK.len() + 128 + frame.len());
    out.extend_from_slice(MARK);
    // JSON escapes a newline inside a string, so the first `\n` ends the header.
    serde_json::to_writer(&mut out, header).expect("headers serialize");
    out.push(b'\n');
    out.extend_from_slice(frame.as_bytes());
    out
}

/// Reads a format-2 envelope: its header, and its frame as a slice of `bytes` (no copy).
pub(crate) fn decode<'a, H: Deserialize<'a>>(
    bytes: &'a Bytes,
) -> Result<(H, ByteString), DecodeError> {
    let rest = bytes.strip_prefix(MARK).ok_or(DecodeError::NotCompact)?;
    let end = rest
        .iter()
        .position(|&byte| byte == b'\n')
        .ok_or(DecodeError::NoHeaderEnd)?;
    let header = serde_json::from_slice(&rest[..end])?;
    let start = MARK.len() + end + 1;
    let frame =
        ByteString::try_from(bytes.slice(start..)).map_err(|_| DecodeError::FrameNotUtf8)?;
    Ok((header, frame))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signal<'a>(to: Option<&'a str>) -> SignalHeader<'a> {
        SignalHeader {
            origin: "n1".into(),
            space: "conference".into(),
            room: "a \"room\"\nwith a newline".into(),
            from: "p1".into(),
            to: to.map(Cow::from),
        }
    }

    #[test]
    fn a_signal_round_trips_with_its_frame_untouched() {
        let frame = r#"{"type":"conference","name":"sdp","data":{"sdp":"v=0\r\no=- 1 2 IN IP4 1.2.3.4\r\n","q":"\""}}"#;
        for to in [Some("p2"), None] {
            let bytes = Bytes::from(encode(&signal(to), frame));
            assert!(is_compact(&bytes));
            let (header, decoded): (SignalHeader, _) = decode(&bytes).unwrap();
            assert_eq!(header, signal(to));
            assert_eq!(&*decoded, frame);
        }
    }

    #[test]
    fn the_frame_follows_a_readable_header_unescaped() {
        let header = DirectHeader {
            space: "peerjs".into(),
            to: "b".into(),
            from: "a".into(),
            keep_ms: Some(5000),
        };
        let frame = r#"{"type":"CANDIDATE","src":"a","dst":"b","payload":{"c":"x"}}"#;
        let bytes = encode(&header, frame);
        let expected = format!(
            "#2{{\"space\":\"peerjs\",\"to\":\"b\",\"from\":\"a\",\"keep_ms\":5000}}\n{frame}"
        );
        assert_eq!(String::from_utf8(bytes.clone()).unwrap(), expected);
        let bytes = Bytes::from(bytes);
        let (decoded, decoded_frame): (DirectHeader, _) = decode(&bytes).unwrap();
        assert_eq!(decoded, header);
        assert_eq!(&*decoded_frame, frame);
    }

    #[test]
    fn an_empty_frame_is_a_frame() {
        let bytes = Bytes::from(encode(&signal(None), ""));
        let (_, frame): (SignalHeader, _) = decode(&bytes).unwrap();
        assert_eq!(&*frame, "");
    }

    #[test]
    fn format_one_is_told_apart() {
        let json = br#"{"origin":"n1","space":"s","room":"r","t":"signal","from":"a","to":null,"payload":"{}"}"#;
        assert!(!is_compact(json));
        let bytes = Bytes::from_static(json);
        assert!(matches!(
            decode::<SignalHeader>(&bytes),
            Err(DecodeError::NotCompact)
        ));
    }

    #[test]
    fn broken_envelopes_are_errors() {
        let read =
            |input: &[u8]| decode::<DirectHeader>(&Bytes::copy_from_slice(input)).map(|_| ());
        assert!(matches!(
            read(b"#2{\"space\":\"s\""),
            Err(DecodeError::NoHeaderEnd)
        ));
        assert!(matches!(
            read(b"#2{\"space\":1}\n{}"),
            Err(DecodeError::Header(_))
        ));
        assert!(matches!(
            read(b"#2not json\n{}"),
            Err(DecodeError::Header(_))
        ));
        let not_utf8 = b"#2{\"space\":\"s\",\"to\":\"b\",\"from\":\"a\"}\n\xff\xfe";
        assert!(matches!(read(not_utf8), Err(DecodeError::FrameNotUtf8)));
    }
}
