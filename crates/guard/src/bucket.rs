//! A token bucket: `rate` events per second on average, up to `burst` at once.
//!
//! Time is a parameter (`now: Instant`) rather than read inside, so tests step through
//! synthetic instants and the caller reads the clock once per request. Credit is kept in
//! integer nano-tokens, so refills are exact: ten tokens a second really gives one after 100 ms.

use std::time::Instant;

/// Credit of one whole token, in nano-tokens.
const TOKEN: u128 = 1_000_000_000;

/// One bucket. A rate of 0 turns the limit off: every take succeeds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenBucket {
    rate_per_sec: u32,
    capacity: u128,
    credit: u128,
    /// When `credit` was last brought up to date; `None` until the first use (a full bucket).
    updated: Option<Instant>,
}

impl TokenBucket {
    /// `rate_per_sec` tokens a second, up to `burst` banked. A burst of 0 is taken as 1, since a
    /// bucket that can hold no token would refuse everything while claiming a rate.
    pub fn new(rate_per_sec: u32, burst: u32) -> Self {
        let capacity = u128::from(burst.max(1)) * TOKEN;
        TokenBucket {
            rate_per_sec,
            capacity,
            credit: capacity,
            updated: None,
        }
    }

    /// Whether this bucket limits anything.
    pub fn is_unlimited(&self) -> bool {
        self.rate_per_sec == 0
    }

    /// Takes one token if there is one at `now`. Instants earlier than one already seen
    /// refill nothing (and never panic).
    pub fn try_take(&mut self, now: Instant) -> bool {
        if self.is_unlimited() {
            return true;
        }
        self.credit = self.credit_at(now);
        self.updated = Some(self.updated.map_or(now, |seen| seen.max(now)));
        if self.credit >= TOKEN {
            self.credit -= TOKEN;
            true
        } else {
            false
        }
    }

    /// Whether the bucket will have refilled to its burst at `now`: it then remembers nothing a
    /// fresh bucket would not, and its owner may drop it.
    pub fn is_full(&self, now: Instant) -> bool {
        self.is_unlimited() || self.credit_at(now) >= self.capacity
    }

    fn credit_at(&self, now: Instant) -> u128 {
        let Some(updated) = self.updated else {
            return self.capacity;
        };
        let elapsed = now.saturating_duration_since(updated).as_nanos();
        let refill = elapsed.saturating_mul(u128::from(self.rate_per_sec));
        self.credit.saturating_add(refill).min(self.capacity)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn a_burst_then_the_rate() {
        let t0 = Instant::now();
        let mut b = TokenBucket::new(10, 3);
        assert!(b.try_take(t0));
        assert!(b.try_take(t0));
        assert!(b.try_take(t0));
        assert!(!b.try_take(t0));
        assert!(!b.try_take(t0 + ms(99)));
        assert!(b.try_take(t0 + ms(100)));
        assert!(!b.try_take(t0 + ms(100)));
    }

    #[test]
    fn refill_stops_at_the_burst() {
        let t0 = Instant::now();
        let mut b = TokenBucket::new(100, 2);
        assert!(b.try_take(t0));
        assert!(b.try_take(t0));
        let later = t0 + Duration::from_secs(3600);
        assert!(b.try_take(later));
        assert!(b.try_take(later));
        assert!(!b.try_take(later));
    }

    #[test]
    fn rate_zero_is_unlimited() {
        let t0 = Instant::now();
        let mut b = TokenBucket::new(0, 1);
        assert!((0..10_000).all(|_| b.try_take(t0)));
        assert!(b.is_full(t0));
    }

    #[test]
    fn burst_zero_is_one() {
        let t0 = Instant::now();
        let mut b = TokenBucket::new(1, 0);
        assert!(b.try_take(t0));
        assert!(!b.try_take(t0));
        assert!(b.try_take(t0 + ms(1000)));
    }

    #[test]
    fn is_full_once_refilled() {
        let t0 = Instant::now();
        let mut b = TokenBucket::new(2, 2);
        assert!(b.is_full(t0));
        assert!(b.try_take(t0));
        assert!(!b.is_full(t0 + ms(499)));
        assert!(b.is_full(t0 + ms(500)));
    }

    #[test]
    fn time_going_backwards_refills_nothing() {
        let t0 = Instant::now() + Duration::from_secs(10);
        let mut b = TokenBucket::new(1, 1);
        assert!(b.try_take(t0));
        assert!(!b.try_take(t0 - Duration::from_secs(5)));
        // The later instant is kept, so going forward again does not double-count.
        assert!(!b.try_take(t0 + ms(999)));
        assert!(b.try_take(t0 + ms(1000)));
    }

    #[test]
    fn huge_gaps_do_not_overflow() {
        let t0 = Instant::now();
        let mut b = TokenBucket::new(u32::MAX, u32::MAX);
        assert!(b.try_take(t0));
        assert!(b.try_take(t0 + Duration::from_secs(1 << 40)));
    }
}
