//! Errors a run met, by kind, with the first few described: a benchmark that silently
//! drops failures reports numbers of a different experiment.

use serde::Serialize;

const SAMPLES: usize = 8;

#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct Errors {
    pub total: u64,
    /// A connection or pair could not be set up (connect, upgrade, greeting, join).
    pub setup: u64,
    /// A frame that was not what the scenario expects (no stamp, out of order, an error).
    pub unexpected: u64,
    /// The server closed a socket, or it failed, while the scenario ran.
    pub closed: u64,
    /// Nothing arrived for the timeout.
    pub timeout: u64,
    /// Messages sent that never arrived (open loop).
    pub lost: u64,
    /// The first few, described.
    pub samples: Vec<String>,
}

#[derive(Clone, Copy, Debug)]
pub enum Kind {
    Setup,
    Unexpected,
    Closed,
    Timeout,
    Lost,
}

impl Errors {
    /// Counts `n` errors of `kind`, keeping `what` if there is room.
    pub fn add(&mut self, kind: Kind, n: u64, what: impl FnOnce() -> String) {
        if n == 0 {
            return;
        }
        self.total += n;
        *match kind {
            Kind::Setup => &mut self.setup,
            Kind::Unexpected => &mut self.unexpected,
            Kind::Closed => &mut self.closed,
            Kind::Timeout => &mut self.timeout,
            Kind::Lost => &mut self.lost,
        } += n;
        if self.samples.len() < SAMPLES {
            self.samples.push(what());
        }
    }

    pub fn merge(&mut self, other: Errors) {
        self.total += other.total;
        self.setup += other.setup;
        self.unexpected += other.unexpected;
        self.closed += other.closed;
        self.timeout += other.timeout;
        self.lost += other.lost;
        let room = SAMPLES.saturating_sub(self.samples.len());
        self.samples.extend(other.samples.into_iter().take(room));
    }
}
