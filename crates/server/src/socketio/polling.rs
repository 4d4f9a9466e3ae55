//! The long-polling transport's state: packets waiting for the next GET, and the GET being
//! held, if any. One GET at a time (a second is an error that closes the session, as in
//! engine.io); a held GET is answered as soon as there is something to send, or with a
//! `noop` after `pingInterval` so that no proxy times it out.

use switchboard_protocol::socketio::engineio::{self, Packet, PacketType, Version};
use tokio::sync::oneshot;

/// A held GET: its number, to tell a stale timer from the current one, and where its
/// answer goes (the HTTP handler awaits the other end).
struct Held {
    number: u64,
    reply: oneshot::Sender<String>,
}

/// The GET could not be answered: its request is gone (the client went away).
#[derive(Debug)]
pub struct RequestGone;

#[derive(Default)]
pub struct Polling {
    queue: Vec<Packet<'static>>,
    queued_bytes: usize,
    held: Option<Held>,
    polls: u64,
}

impl Polling {
    /// Queues a packet for the next GET; returns the bytes now queued.
    pub fn push(&mut self, packet: Packet<'static>) -> usize {
        self.queued_bytes += packet.text().map_or(0, str::len) + 1;
        self.queue.push(packet);
        self.queued_bytes
    }

    pub fn has_queued(&self) -> bool {
        !self.queue.is_empty()
    }

    pub fn is_holding(&self) -> bool {
        self.held.is_some()
    }

    /// Holds a GET; returns its number (for [`Self::expire`]).
    pub fn hold(&mut self, reply: oneshot::Sender<String>) -> u64 {
        self.polls += 1;
        self.held = Some(Held {
            number: self.polls,
            reply,
        });
        self.polls
    }

    /// The queued packets, to send over another transport.
    pub fn drain(&mut self) -> Vec<Packet<'static>> {
        self.queued_bytes = 0;
        std::mem::take(&mut self.queue)
    }

    /// Answers the held GET with what is queued, if both exist.
    pub fn flush(&mut self, version: Version) -> Result<(), RequestGone> {
        if self.queue.is_empty() {
            return Ok(());
        }
        let Some(held) = self.held.take() else {
            return Ok(());
        };
        let body = engineio::encode_payload(version, &self.drain());
        held.reply.send(body).map_err(|_| RequestGone)
    }

    /// Answers the held GET with these packets instead of the queue (a `noop` during an
    /// upgrade, a `close`).
    pub fn answer(&mut self, version: Version, packets: &[Packet]) -> Result<(), RequestGone> {
        match self.held.take() {
            Some(held) => held
                .reply
                .send(engineio::encode_payload(version, packets))
                .map_err(|_| RequestGone),
            None => Ok(()),
        }
    }

    /// After `pingInterval`: the GET numbered `number`, if still held, gets a `noop`.
    pub fn expire(&mut self, version: Version, number: u64) -> Result<(), RequestGone> {
        if self.held.as_ref().is_some_and(|held| held.number == number) {
            return self.answer(version, &[Packet::empty(PacketType::Noop)]);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(text: &str) -> Packet<'static> {
        Packet::message(text.to_owned())
    }

    #[test]
    fn a_held_get_gets_what_is_queued_in_the_version_s_payload() {
        let mut polling = Polling::default();
        let (reply, mut answer) = oneshot::channel();
        polling.hold(reply);
        // Nothing queued: nothing sent.
        polling.flush(Version::V4).unwrap();
        assert!(answer.try_recv().is_err());
        polling.push(message("2[\"a\"]"));
        polling.push(Packet::empty(PacketType::Ping));
        polling.flush(Version::V4).unwrap();
        assert_eq!(answer.try_recv().unwrap(), "42[\"a\"]\u{1e}2");
        assert!(!polling.is_holding() && !polling.has_queued());

        let (reply, mut answer) = oneshot::channel();
        polling.hold(reply);
        polling.push(message("€"));
        polling.flush(Version::V3).unwrap();
        assert_eq!(answer.try_recv().unwrap(), "2:4€");
    }

    #[test]
    fn packets_wait_for_the_next_get() {
        let mut polling = Polling::default();
        assert_eq!(polling.push(message("0")), 2, "type digit and data");
        polling.flush(Version::V4).unwrap();
        assert!(polling.has_queued());
        assert_eq!(polling.drain().len(), 1);
        assert!(!polling.has_queued());
    }

    #[test]
    fn only_the_current_get_expires_with_a_noop() {
        let mut polling = Polling::default();
        let (reply, _first) = oneshot::channel();
        let stale = polling.hold(reply);
        polling.answer(Version::V4, &[]).unwrap();
        let (reply, mut answer) = oneshot::channel();
        let current = polling.hold(reply);
        polling.expire(Version::V4, stale).unwrap();
        assert!(
            polling.is_holding(),
            "a stale timer leaves the new GET alone"
        );
        polling.expire(Version::V4, current).unwrap();
        assert_eq!(answer.try_recv().unwrap(), "6");
    }

    #[test]
    fn a_gone_request_is_reported() {
        let mut polling = Polling::default();
        let (reply, answer) = oneshot::channel();
        polling.hold(reply);
        drop(answer);
        polling.push(message("x"));
        assert!(polling.flush(Version::V4).is_err());
    }
}
