//! The open-loop schedule and how a sender waits for it. Message `g` of the whole run is
//! due at `start + g / rate`, and pair `i` of `P` sends messages `i, i + P, i + 2P, …`, so
//! the pairs interleave evenly. Waiting with tokio's timer is coarse (1 ms ticks), which
//! shows up as send lag; `spin` sleeps to 2 ms before and then yields until the due time,
//! at the cost of a busy generator core.

use clap::ValueEnum;
use serde::Serialize;

use crate::clock::{instant_at, now_ns};

const NS: u128 = 1_000_000_000;
/// `spin` sleeps with the timer until this long before the due time.
const SPIN_AHEAD_NS: u64 = 2_000_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Pacing {
    /// Timer to just before, then yield until due: precise, keeps the generator busy.
    Spin,
    /// tokio's timer only: idle generator, up to about 1 ms late.
    Timer,
}

impl Pacing {
    pub async fn wait_until(self, due_ns: u64) {
        match self {
            Pacing::Timer => tokio::time::sleep_until(instant_at(due_ns)).await,
            Pacing::Spin => {
                if due_ns > now_ns() + SPIN_AHEAD_NS {
                    tokio::time::sleep_until(instant_at(due_ns - SPIN_AHEAD_NS)).await;
                }
                while now_ns() < due_ns {
                    tokio::task::yield_now().await;
                }
            }
        }
    }
}

/// One pair's share of a run-wide schedule.
#[derive(Clone, Copy, Debug)]
pub struct Schedule {
    start_ns: u64,
    /// Messages per second, all pairs together.
    rate: u64,
    pairs: u64,
    pair: u64,
}

impl Schedule {
    pub fn new(start_ns: u64, rate: u64, pairs: usize, pair: usize) -> Schedule {
        assert!(rate > 0 && pair < pairs);
        Schedule {
            start_ns,
            rate,
            pairs: pairs as u64,
            pair: pair as u64,
        }
    }

    /// When this pair's message `k` is due.
    #[inline]
    pub fn at(&self, k: u64) -> u64 {
        let global = u128::from(self.pair + k * self.pairs);
        self.start_ns + (global * NS / u128::from(self.rate)) as u64
    }

    /// How many of this pair's messages are due before `end_ns`.
    pub fn count_before(&self, end_ns: u64) -> u64 {
        let span = u128::from(end_ns.saturating_sub(self.start_ns));
        // Global messages g with g * NS / rate < span: g < ceil(span * rate / NS).
        let global = (span * u128::from(self.rate)).div_ceil(NS) as u64;
        if global <= self.pair {
            0
        } else {
            (global - self.pair).div_ceil(self.pairs)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_count_before_an_end_matches_the_times() {
        for (rate, pairs, span) in [
            (1000, 3, 1_000_000_000),
            (7, 2, 999_999_999),
            (20_000, 10, 5),
        ] {
            for pair in 0..pairs {
                let schedule = Schedule::new(100, rate, pairs, pair);
                let end = 100 + span;
                let counted = (0..).take_while(|&k| schedule.at(k) < end).count() as u64;
                assert_eq!(schedule.count_before(end), counted, "{rate} {pairs} {pair}");
            }
        }
    }

    #[test]
    fn pairs_interleave() {
        let a = Schedule::new(0, 1000, 2, 0);
        let b = Schedule::new(0, 1000, 2, 1);
        assert_eq!(
            [a.at(0), b.at(0), a.at(1), b.at(1)],
            [0, 1_000_000, 2_000_000, 3_000_000]
        );
    }
}
