//! The stamp each measured message carries inside its payload: the send time on the process
//! clock and a per-direction sequence number, in fixed-width decimal so a pre-rendered frame
//! can be patched in place. Receivers find it with a substring scan of the frame's tail
//! instead of parsing the JSON.

use std::sync::LazyLock;

use memchr::memmem::FinderRev;

/// The JSON field that holds the stamp; the scan looks for this exact text.
pub const MARKER: &str = "\"bench\":\"";
const TIME_DIGITS: usize = 16;
const SEQ_DIGITS: usize = 10;
/// Length of the stamp text: `TTTTTTTTTTTTTTTT-SSSSSSSSSS`.
pub const WIDTH: usize = TIME_DIGITS + 1 + SEQ_DIGITS;
/// What a template holds until a real stamp is written over it.
pub const PLACEHOLDER: &str = "0000000000000000-0000000000";
/// The tail searched first: the stamp is the last field a template writes, and servers
/// put the payload last or near it.
const TAIL: usize = 160;

/// A decoded stamp.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stamp {
    /// Send time (or intended send time) in ns on `clock`.
    pub time_ns: u64,
    pub seq: u64,
}

/// Writes the stamp text for `time_ns` and `seq` (both reduced to their widths).
pub fn encode(time_ns: u64, seq: u64) -> [u8; WIDTH] {
    let mut out = [b'0'; WIDTH];
    write_digits(&mut out[..TIME_DIGITS], time_ns);
    out[TIME_DIGITS] = b'-';
    write_digits(&mut out[TIME_DIGITS + 1..], seq);
    out
}

fn write_digits(out: &mut [u8], mut value: u64) {
    for slot in out.iter_mut().rev() {
        *slot = b'0' + (value % 10) as u8;
        value /= 10;
    }
}

/// Finds and decodes the stamp in a received frame; `None` when there is none.
pub fn find(frame: &[u8]) -> Option<Stamp> {
    static FINDER: LazyLock<FinderRev<'static>> =
        LazyLock::new(|| FinderRev::new(MARKER.as_bytes()));
    let tail_start = frame.len().saturating_sub(TAIL);
    let at = match FINDER.rfind(&frame[tail_start..]) {
        Some(at) => tail_start + at,
        None => FINDER.rfind(frame)?,
    };
    decode(frame.get(at + MARKER.len()..at + MARKER.len() + WIDTH)?)
}

fn decode(text: &[u8]) -> Option<Stamp> {
    if text[TIME_DIGITS] != b'-' {
        return None;
    }
    Some(Stamp {
        time_ns: read_digits(&text[..TIME_DIGITS])?,
        seq: read_digits(&text[TIME_DIGITS + 1..])?,
    })
}

fn read_digits(text: &[u8]) -> Option<u64> {
    text.iter().try_fold(0u64, |value, byte| {
        byte.is_ascii_digit()
            .then(|| value * 10 + u64::from(byte - b'0'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stamp_survives_a_frame_round_trip() {
        let stamp = encode(1_234_567_890_123, 42);
        let text = std::str::from_utf8(&stamp).unwrap();
        let frame = format!(r#"{{"type":"X","payload":{{"a":1,{MARKER}{text}"}},"src":"b"}}"#);
        let found = find(frame.as_bytes()).unwrap();
        assert_eq!(
            found,
            Stamp {
                time_ns: 1_234_567_890_123,
                seq: 42
            }
        );
    }

    #[test]
    fn a_stamp_far_from_the_end_is_still_found() {
        let text = std::str::from_utf8(&encode(7, 8)).unwrap().to_string();
        let frame = format!(r#"{{{MARKER}{text}","pad":"{}"}}"#, "x".repeat(1000));
        assert_eq!(find(frame.as_bytes()), Some(Stamp { time_ns: 7, seq: 8 }));
    }

    #[test]
    fn frames_without_a_stamp_or_with_a_broken_one_are_refused() {
        assert_eq!(find(br#"{"type":"OPEN"}"#), None);
        assert_eq!(find(br#"{"bench":"12"}"#), None);
        assert_eq!(find(br#"{"bench":"000000000000000x-0000000000"}"#), None);
        assert_eq!(PLACEHOLDER.len(), WIDTH);
    }
}
