//! Engine.IO heartbeats, which differ per version:
//! - v3: the client pings every `pingInterval` and the server pongs; a client not heard from
//!   for `pingInterval + pingTimeout` is dead (engine.io 3 counts any packet as a sign of
//!   life).
//! - v4: the server pings every `pingInterval`; a client that has not ponged within
//!   `pingTimeout` is dead.
//!
//! This is the clock only: the session sends the pings and checks [`Heartbeat::is_dead`].

use std::time::{Duration, Instant};

use switchboard_protocol::socketio::engineio::Version;

pub struct Heartbeat {
    version: Version,
    interval: Duration,
    timeout: Duration,
    /// The client is dead if nothing (v3) or no pong (v4) comes by then; `None` while no
    /// answer is awaited (v4 between a pong and the next ping).
    deadline: Option<Instant>,
}

impl Heartbeat {
    pub fn new(version: Version, interval: Duration, timeout: Duration) -> Self {
        let mut heartbeat = Self {
            version,
            interval,
            timeout,
            deadline: None,
        };
        if !version.server_pings() {
            heartbeat.heard();
        }
        heartbeat
    }

    /// v3: any packet from the client.
    pub fn heard(&mut self) {
        if !self.version.server_pings() {
            self.deadline = Some(Instant::now() + self.interval + self.timeout);
        }
    }

    /// v4: the server sent a ping; the pong is due within the timeout.
    pub fn pinged(&mut self) {
        if self.deadline.is_none() {
            self.deadline = Some(Instant::now() + self.timeout);
        }
    }

    /// v4: the client's pong.
    pub fn ponged(&mut self) {
        self.deadline = None;
    }

    pub fn is_dead(&self) -> bool {
        self.deadline
            .is_some_and(|deadline| Instant::now() > deadline)
    }

    /// How often to check [`Self::is_dead`]: often enough to close within a tenth of the
    /// timeout, at most every second.
    pub fn check_every(&self) -> Duration {
        (self.timeout / 10).clamp(Duration::from_millis(10), Duration::from_secs(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    // Oversleeping (a loaded machine) can only make the "dead" checks truer; the "alive"
    // checks keep 150 ms of margin.

    #[test]
    fn v3_waits_interval_plus_timeout_from_the_last_packet() {
        let mut heartbeat = Heartbeat::new(Version::V3, 200 * MS, 200 * MS);
        std::thread::sleep(250 * MS);
        assert!(!heartbeat.is_dead());
        heartbeat.heard();
        std::thread::sleep(250 * MS);
        assert!(!heartbeat.is_dead(), "the packet pushed the deadline");
        std::thread::sleep(200 * MS);
        assert!(heartbeat.is_dead());
    }

    #[test]
    fn v4_waits_for_the_pong_of_each_ping() {
        let mut heartbeat = Heartbeat::new(Version::V4, 50 * MS, 200 * MS);
        std::thread::sleep(60 * MS);
        assert!(!heartbeat.is_dead(), "no ping sent, no answer due");
        heartbeat.heard();
        heartbeat.pinged();
        std::thread::sleep(50 * MS);
        heartbeat.pinged();
        std::thread::sleep(175 * MS);
        assert!(
            heartbeat.is_dead(),
            "a second ping does not extend the first's deadline"
        );
        heartbeat.ponged();
        assert!(!heartbeat.is_dead());
    }
}
