//! Per-client-address connection limits: how many at once, and how fast new ones may come.
//!
//! One shared table, keyed by the address [`client_ip`](crate::TrustedProxies::client_ip)
//! found, counts live connections and holds a [`TokenBucket`] of new ones per address. A
//! connection holds an [`AddressPermit`] and its count goes back when the permit drops, on
//! whatever thread that happens. An address is forgotten once it has no connection and its
//! bucket has refilled (it would then behave like a fresh one), so the table stays the size of
//! the recently active addresses, not of every address ever seen.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use thiserror::Error;

use crate::TokenBucket;

/// The limits and the table they are counted in. Clones share the table.
#[derive(Debug, Clone)]
pub struct AddressLimits {
    shared: Arc<Shared>,
}

/// Why a connection was refused, with a stable code for the server's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum Refusal {
    #[error("too many connections from this address")]
    TooManyConnections,
    #[error("too many new connections from this address; slow down")]
    TooManyNewConnections,
}

impl Refusal {
    /// The stable machine code.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::TooManyConnections => "too_many_connections",
            Refusal::TooManyNewConnections => "rate_limited",
        }
    }
}

/// One admitted connection; dropping it gives its place back.
#[derive(Debug)]
#[must_use = "the connection's place is given back when the permit drops"]
pub struct AddressPermit {
    /// `None` when no limit is on: nothing was counted.
    held: Option<(Arc<Shared>, IpAddr)>,
}

#[derive(Debug)]
struct Shared {
    max_concurrent: u32,
    new_per_sec: u32,
    burst: u32,
    /// How often forgotten addresses are swept out: the time an empty bucket takes to refill.
    sweep_every: Duration,
    table: Mutex<Table>,
}

#[derive(Debug, Default)]
struct Table {
    entries: HashMap<IpAddr, Entry>,
    last_sweep: Option<Instant>,
}

#[derive(Debug)]
struct Entry {
    live: u32,
    new_connections: TokenBucket,
}

impl AddressLimits {
    /// At most `max_concurrent` connections at once per address, and new ones at
    /// `new_per_sec` a second with bursts of `burst`. 0 turns a limit off.
    pub fn new(max_concurrent: u32, new_per_sec: u32, burst: u32) -> Self {
        let refill_secs = match new_per_sec {
            0 => 1,
            rate => u64::from(burst.max(1).div_ceil(rate)),
        };
        AddressLimits {
            shared: Arc::new(Shared {
                max_concurrent,
                new_per_sec,
                burst,
                sweep_every: Duration::from_secs(refill_secs.max(1)),
                table: Mutex::new(Table::default()),
            }),
        }
    }

    /// Admits a new connection from `ip` at `now`, or says which limit it hits. A refused
    /// connection counts nothing.
    pub fn admit(&self, ip: IpAddr, now: Instant) -> Result<AddressPermit, Refusal> {
        let shared = &self.shared;
        if shared.max_concurrent == 0 && shared.new_per_sec == 0 {
            return Ok(AddressPermit { held: None });
        }
        let ip = ip.to_canonical();
        let mut table = shared.lock();
        table.sweep_if_due(now, shared.sweep_every);
        let entry = table.entries.entry(ip).or_insert_with(|| Entry {
            live: 0,
            new_connections: TokenBucket::new(shared.new_per_sec, shared.burst),
        });
        if shared.max_concurrent != 0 && entry.live >= shared.max_concurrent {
            return Err(Refusal::TooManyConnections);
        }
        if !entry.new_connections.try_take(now) {
            return Err(Refusal::TooManyNewConnections);
        }
        entry.live = entry.live.saturating_add(1);
        Ok(AddressPermit {
            held: Some((Arc::clone(shared), ip)),
        })
    }

    /// How many addresses the table remembers now, for metrics and tests.
    pub fn tracked_addresses(&self) -> usize {
        self.shared.lock().entries.len()
    }
}

impl Shared {
    /// A panic elsewhere while holding the lock cannot leave a count half-written (each update
    /// is one statement), so a poisoned table is still good to use.
    fn lock(&self) -> MutexGuard<'_, Table> {
        self.table
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Table {
    /// Drops the addresses a fresh entry would replace exactly, at most once per refill time,
    /// so the cost is one pass over the table per period, not per connection.
    fn sweep_if_due(&mut self, now: Instant, every: Duration) {
        let due = self
            .last_sweep
            .is_none_or(|last| now.saturating_duration_since(last) >= every);
        if due {
            self.entries
                .retain(|_, e| e.live > 0 || !e.new_connections.is_full(now));
            self.last_sweep = Some(now);
        }
    }
}

impl Drop for AddressPermit {
    fn drop(&mut self) {
        let Some((shared, ip)) = self.held.take() else {
            return;
        };
        let mut table = shared.lock();
        if let Some(entry) = table.entries.get_mut(&ip) {
            entry.live = entry.live.saturating_sub(1);
            // Without a rate limit the bucket is always full: forget at once. With one, the
            // bucket needs time to refill, and the next sweep sees to it.
            if entry.live == 0 && entry.new_connections.is_unlimited() {
                table.entries.remove(&ip);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(n: u32) -> IpAddr {
        IpAddr::from(n.to_be_bytes())
    }

    #[test]
    fn concurrent_connections_are_capped_and_given_back() {
        let limits = AddressLimits::new(2, 0, 0);
        let t = Instant::now();
        let a = limits.admit(ip(1), t).unwrap();
        let _b = limits.admit(ip(1), t).unwrap();
        let refused = limits.admit(ip(1), t).unwrap_err();
        assert_eq!(refused, Refusal::TooManyConnections);
        assert_eq!(refused.code(), "too_many_connections");
        assert!(limits.admit(ip(2), t).is_ok());
        drop(a);
        assert!(limits.admit(ip(1), t).is_ok());
    }

    #[test]
    fn new_connections_are_rate_limited() {
        let limits = AddressLimits::new(0, 1, 2);
        let t = Instant::now();
        let _a = limits.admit(ip(1), t).unwrap();
        let _b = limits.admit(ip(1), t).unwrap();
        let refused = limits.admit(ip(1), t).unwrap_err();
        assert_eq!(refused, Refusal::TooManyNewConnections);
        assert_eq!(refused.code(), "rate_limited");
        assert!(limits.admit(ip(2), t).is_ok());
        assert!(limits.admit(ip(1), t + Duration::from_secs(1)).is_ok());
    }

    #[test]
    fn a_refusal_for_too_many_does_not_spend_a_token() {
        let limits = AddressLimits::new(1, 1, 1);
        let t = Instant::now();
        let a = limits.admit(ip(1), t).unwrap();
        let later = t + Duration::from_secs(1);
        assert_eq!(
            limits.admit(ip(1), later).unwrap_err(),
            Refusal::TooManyConnections
        );
        drop(a);
        assert!(limits.admit(ip(1), later).is_ok());
    }

    #[test]
    fn zero_limits_admit_everything_and_track_nothing() {
        let limits = AddressLimits::new(0, 0, 0);
        let t = Instant::now();
        let permits: Vec<_> = (0..1000).map(|_| limits.admit(ip(1), t).unwrap()).collect();
        assert_eq!(limits.tracked_addresses(), 0);
        drop(permits);
    }

    #[test]
    fn idle_addresses_are_forgotten_under_churn() {
        let limits = AddressLimits::new(4, 10, 5);
        let t0 = Instant::now();
        for n in 0..10_000 {
            drop(limits.admit(ip(n), t0).unwrap());
        }
        assert_eq!(limits.tracked_addresses(), 10_000);
        // One second later every bucket has refilled (5 tokens at 10/s): the next admit sweeps.
        let t1 = t0 + Duration::from_secs(1);
        drop(limits.admit(ip(u32::MAX), t1).unwrap());
        assert_eq!(limits.tracked_addresses(), 1);
    }

    #[test]
    fn addresses_with_live_connections_or_empty_buckets_are_kept() {
        let limits = AddressLimits::new(0, 1, 1);
        let t0 = Instant::now();
        let live = limits.admit(ip(1), t0).unwrap();
        drop(
            limits
                .admit(ip(2), t0 + Duration::from_millis(500))
                .unwrap(),
        );
        // A sweep is due (1 s since the first); ip(1) is live and ip(2)'s bucket holds only
        // 0.7 of a token, so both stay.
        let t1 = t0 + Duration::from_millis(1200);
        drop(limits.admit(ip(3), t1).unwrap());
        assert_eq!(limits.tracked_addresses(), 3);
        // Forgetting ip(2) would have handed it a fresh burst.
        assert_eq!(
            limits.admit(ip(2), t1).unwrap_err(),
            Refusal::TooManyNewConnections
        );
        drop(live);
    }

    #[test]
    fn permits_are_send_and_limits_are_shareable() {
        fn assert_send<T: Send>() {}
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send::<AddressPermit>();
        assert_send_sync::<AddressLimits>();
    }

    #[test]
    fn without_a_rate_a_dropped_permit_forgets_at_once() {
        let limits = AddressLimits::new(3, 0, 0);
        let permit = limits.admit(ip(1), Instant::now()).unwrap();
        assert_eq!(limits.tracked_addresses(), 1);
        drop(permit);
        assert_eq!(limits.tracked_addresses(), 0);
    }

    #[test]
    fn mapped_ipv4_counts_as_ipv4() {
        let limits = AddressLimits::new(1, 0, 0);
        let t = Instant::now();
        let _a = limits.admit("1.2.3.4".parse().unwrap(), t).unwrap();
        assert!(limits.admit("::ffff:1.2.3.4".parse().unwrap(), t).is_err());
    }

    #[test]
    fn permits_drop_on_other_threads() {
        let limits = AddressLimits::new(100, 0, 0);
        let t = Instant::now();
        let permits: Vec<_> = (0..100).map(|_| limits.admit(ip(7), t).unwrap()).collect();
        assert!(limits.admit(ip(7), t).is_err());
        let handles: Vec<_> = permits
            .into_iter()
            .map(|p| std::thread::spawn(move || drop(p)))
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        assert_eq!(limits.tracked_addresses(), 0);
        assert!(limits.admit(ip(7), t).is_ok());
    }
}
