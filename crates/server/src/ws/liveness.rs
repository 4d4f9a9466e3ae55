//! When a client was last heard from, to drop the ones that went silent.

use std::time::{Duration, Instant};

pub struct Liveness {
    last_heard: Instant,
    timeout: Duration,
}

impl Liveness {
    pub fn new(timeout: Duration) -> Self {
        Self {
            last_heard: Instant::now(),
            timeout,
        }
    }

    /// Any frame from the client, a pong included, proves it is alive.
    pub fn heard(&mut self) {
        self.last_heard = Instant::now();
    }

    pub fn is_silent(&self) -> bool {
        self.last_heard.elapsed() > self.timeout
    }
}
