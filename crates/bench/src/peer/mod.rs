//! The loops one peer runs during a scenario, each owning its socket: `echo` (closed loop),
//! `sender` and `receiver` (open loop), `holder` (idle). What they share is here: the
//! measured window, a peer's tally, how an incoming frame is classified, the sequence
//! check, and the peerjs keep-alive.

pub mod echo;
pub mod holder;
pub mod receiver;
pub mod sender;

use tokio_tungstenite::tungstenite::{self, Message};

use crate::measure::Errors;
use crate::net::Ws;
use crate::stamp::{self, Stamp};

/// PeerJS servers drop a client after 60 s without a HEARTBEAT; clients send one more often.
pub const HEARTBEAT_NS: u64 = 25_000_000_000;

/// When a run measures, on the process clock.
#[derive(Clone, Copy, Debug)]
pub struct Plan {
    /// Warmup ends and measuring starts.
    pub start_ns: u64,
    /// Measuring ends; closed loops stop.
    pub end_ns: u64,
    /// Silence longer than this is an error.
    pub timeout_ns: u64,
}

impl Plan {
    #[inline]
    pub fn in_window(&self, ns: u64) -> bool {
        (self.start_ns..self.end_ns).contains(&ns)
    }
}

/// What one peer did.
#[derive(Debug, Default)]
pub struct Tally {
    /// Stamped messages received within the window.
    pub messages: u64,
    /// Messages sent (open loop senders).
    pub sent: u64,
    pub errors: Errors,
}

impl Tally {
    pub fn merge(&mut self, other: Tally) {
        self.messages += other.messages;
        self.sent += other.sent;
        self.errors.merge(other.errors);
    }
}

/// A peer's loop is over: its socket (unless it failed) and what it did.
pub struct Finished {
    pub ws: Option<Ws>,
    pub tally: Tally,
}

/// One item from the socket, as a scenario sees it.
pub enum Inbound {
    /// A frame carrying a stamp.
    Stamped(Stamp),
    /// A ping or pong (tungstenite answers pings itself).
    Control,
    /// Any other frame, described.
    Unexpected(String),
    /// The socket is finished, and why.
    Ended(String),
}

pub fn classify(item: Option<Result<Message, tungstenite::Error>>) -> Inbound {
    match item {
        Some(Ok(Message::Text(text))) => match stamp::find(text.as_bytes()) {
            Some(stamp) => Inbound::Stamped(stamp),
            None => Inbound::Unexpected(format!("frame without a stamp: {}", clip(&text))),
        },
        Some(Ok(Message::Ping(_) | Message::Pong(_))) => Inbound::Control,
        Some(Ok(Message::Close(frame))) => {
            Inbound::Ended(format!("closed by the server: {frame:?}"))
        }
        Some(Ok(other)) => Inbound::Unexpected(format!("unexpected frame: {other:?}")),
        Some(Err(err)) => Inbound::Ended(format!("socket error: {err}")),
        None => Inbound::Ended("socket ended".into()),
    }
}

fn clip(text: &str) -> &str {
    match text.char_indices().nth(200) {
        Some((at, _)) => &text[..at],
        None => text,
    }
}

/// The sequence numbers one direction must carry: 0, 1, 2, …
#[derive(Debug, Default)]
pub struct Sequence {
    next: u64,
}

impl Sequence {
    /// Checks `seq` and moves on past it (so one gap counts once).
    pub fn check(&mut self, seq: u64) -> Result<(), String> {
        let expected = self.next;
        self.next = seq + 1;
        if seq == expected {
            Ok(())
        } else {
            Err(format!("sequence {seq} arrived where {expected} was due"))
        }
    }
}

/// A dialect's keep-alive message, due every `HEARTBEAT_NS`.
pub struct Keepalive {
    message: Option<Message>,
    next_ns: u64,
}

impl Keepalive {
    /// `first_ns`: when the first one is due.
    pub fn new(message: Option<Message>, first_ns: u64) -> Keepalive {
        Keepalive {
            message,
            next_ns: first_ns,
        }
    }

    /// The message, when one is due at `now`.
    #[inline]
    pub fn due(&mut self, now: u64) -> Option<Message> {
        if now < self.next_ns {
            return None;
        }
        self.next_ns = now + HEARTBEAT_NS;
        self.message.clone()
    }

    /// When the next one is due (`None` for a dialect without one).
    pub fn next_ns(&self) -> Option<u64> {
        self.message.as_ref().map(|_| self.next_ns)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_gap_in_the_sequence_is_reported_once() {
        let mut sequence = Sequence::default();
        assert!(sequence.check(0).is_ok());
        assert!(sequence.check(2).is_err());
        assert!(sequence.check(3).is_ok());
    }
}
