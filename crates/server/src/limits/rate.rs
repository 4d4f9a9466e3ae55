//! The message rate of one connection: a [`TokenBucket`] that drops the excess, plus the two
//! rules around it that keep a flooding client cheap. Its error answers are themselves
//! limited to one a second (else the answers would be the flood), and a client that keeps
//! exceeding for the whole flood window is to be closed.
//!
//! Time is passed in, as in the bucket, so the rules are tested with synthetic instants.

use std::time::{Duration, Instant};

use switchboard_guard::TokenBucket;

/// At most one error answer this often.
const ANSWER_EVERY: Duration = Duration::from_secs(1);

/// Refusals further apart than this end a flood: the client calmed down in between.
const QUIET: Duration = Duration::from_secs(1);

/// What to do with a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Within the rate: handle it.
    Pass,
    /// Over the rate: drop it, and answer with the dialect's error if `answer`.
    Drop { answer: bool },
    /// Over the rate for the whole flood window: close the connection (1008).
    Close,
}

#[derive(Debug, Clone)]
pub struct MessageRate {
    bucket: TokenBucket,
    /// 0: never close.
    window: Duration,
    /// The first refusal of the current run of refusals.
    flooding_since: Option<Instant>,
    last_refused: Option<Instant>,
    last_answered: Option<Instant>,
}

impl MessageRate {
    /// `rate` messages a second (0: unlimited), `burst` at once, closing after `window` of
    /// continuous excess (0: never).
    pub fn new(rate: u32, burst: u32, window: Duration) -> Self {
        Self {
            bucket: TokenBucket::new(rate, burst),
            window,
            flooding_since: None,
            last_refused: None,
            last_answered: None,
        }
    }

    /// [`MessageRate::check`] now, with a drop or a close counted in
    /// `switchboard_errors_total` for `dialect`: what every session calls per message.
    pub fn check_counted(&mut self, dialect: &'static str) -> Verdict {
        let verdict = self.check(Instant::now());
        let code = match verdict {
            Verdict::Pass => return verdict,
            Verdict::Drop { .. } => super::RATE_LIMITED,
            Verdict::Close => super::RATE_LIMIT_CLOSE,
        };
        metrics::counter!(crate::metrics::ERRORS, "dialect" => dialect, "code" => code)
            .increment(1);
        verdict
    }

    /// Counts one message received at `now`.
    pub fn check(&mut self, now: Instant) -> Verdict {
        if self.bucket.try_take(now) {
            return Verdict::Pass;
        }
        let continued = self
            .last_refused
            .is_some_and(|last| now.saturating_duration_since(last) <= QUIET);
        let since = match self.flooding_since {
            Some(since) if continued => since,
            _ => now,
        };
        self.flooding_since = Some(since);
        self.last_refused = Some(now);
        if !self.window.is_zero() && now.saturating_duration_since(since) >= self.window {
            return Verdict::Close;
        }
        let answer = self
            .last_answered
            .is_none_or(|last| now.saturating_duration_since(last) >= ANSWER_EVERY);
        if answer {
            self.last_answered = Some(now);
        }
        Verdict::Drop { answer }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    /// Sends `count` messages evenly over `over`, from `start`; the verdicts.
    fn send(rate: &mut MessageRate, start: Instant, count: u64, over: Duration) -> Vec<Verdict> {
        (0..count)
            .map(|i| rate.check(start + over * i as u32 / count as u32))
            .collect()
    }

    #[test]
    fn the_burst_passes_then_the_excess_is_dropped_with_one_answer_a_second() {
        let t0 = Instant::now();
        let mut rate = MessageRate::new(10, 5, Duration::from_secs(10));
        let verdicts = send(&mut rate, t0, 5, ms(0));
        assert!(verdicts.iter().all(|v| *v == Verdict::Pass));
        assert_eq!(rate.check(t0), Verdict::Drop { answer: true });
        assert_eq!(rate.check(t0 + ms(50)), Verdict::Drop { answer: false });
        assert_eq!(rate.check(t0 + ms(100)), Verdict::Pass, "refilled");
        assert_eq!(rate.check(t0 + ms(150)), Verdict::Drop { answer: false });
        // A second after the first answer, the next refusal is answered again.
        let later = t0 + ms(1000);
        let first =
            std::iter::repeat_with(|| rate.check(later)).find(|verdict| *verdict != Verdict::Pass);
        assert_eq!(first, Some(Verdict::Drop { answer: true }));
        assert_eq!(rate.check(later), Verdict::Drop { answer: false });
        assert_eq!(rate.check(later + ms(10)), Verdict::Drop { answer: false });
    }

    #[test]
    fn a_flood_for_the_whole_window_closes() {
        let t0 = Instant::now();
        let mut rate = MessageRate::new(10, 10, Duration::from_secs(10));
        // 100 a second, ten times the rate, for a bit under 10 s: dropped, never closed.
        let verdicts = send(&mut rate, t0, 990, Duration::from_millis(9900));
        assert!(!verdicts.contains(&Verdict::Close));
        assert!(verdicts.iter().filter(|v| **v == Verdict::Pass).count() < 120);
        let answers = verdicts
            .iter()
            .filter(|v| **v == Verdict::Drop { answer: true })
            .count();
        assert!((9..=11).contains(&answers), "{answers} answers");
        // Past 10 s of flooding: close.
        let late = t0 + ms(10_500);
        let close = (0..20)
            .map(|i| rate.check(late + ms(i)))
            .collect::<Vec<_>>();
        assert!(close.contains(&Verdict::Close), "{close:?}");
    }

    #[test]
    fn a_quiet_second_starts_the_window_again() {
        let t0 = Instant::now();
        let mut rate = MessageRate::new(1, 1, Duration::from_secs(3));
        assert_eq!(rate.check(t0), Verdict::Pass);
        assert!(matches!(rate.check(t0 + ms(10)), Verdict::Drop { .. }));
        assert!(matches!(rate.check(t0 + ms(900)), Verdict::Drop { .. }));
        // Quiet for 1.5 s (one message passes), then refusals again: a new run.
        assert_eq!(rate.check(t0 + ms(2400)), Verdict::Pass);
        let mut t = t0 + ms(2410);
        while t < t0 + ms(5300) {
            assert_ne!(rate.check(t), Verdict::Close, "at {:?}", t - t0);
            t += ms(400);
        }
        let mut closed = false;
        while t < t0 + ms(6500) {
            closed |= rate.check(t) == Verdict::Close;
            t += ms(100);
        }
        assert!(closed);
    }

    #[test]
    fn zero_rate_passes_everything_and_zero_window_never_closes() {
        let t0 = Instant::now();
        let mut unlimited = MessageRate::new(0, 0, Duration::from_secs(1));
        let verdicts = send(&mut unlimited, t0, 100_000, Duration::from_secs(20));
        assert!(verdicts.iter().all(|v| *v == Verdict::Pass));

        let mut patient = MessageRate::new(1, 1, Duration::ZERO);
        let verdicts = send(&mut patient, t0, 10_000, Duration::from_secs(100));
        assert!(!verdicts.contains(&Verdict::Close));
    }
}
