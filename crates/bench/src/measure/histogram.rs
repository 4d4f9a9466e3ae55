//! Latency histograms (HdrHistogram, ns, 3 significant digits) shared by many tasks: each
//! task buffers a few values and records them into one of a few locked shards, so the
//! multi-thread runtime does not contend and the memory does not grow with the number of
//! peers.

use std::sync::{Arc, Mutex};

use hdrhistogram::Histogram;
use serde::Serialize;

/// The highest value kept exactly; longer latencies count as this.
const HIGHEST_NS: u64 = 60_000_000_000;
const BUFFERED: usize = 256;

/// A set of shards; clone the `Arc` into each task through `local`.
pub struct Latencies {
    shards: Vec<Mutex<Histogram<u64>>>,
}

impl Latencies {
    /// `shards`: about the number of runtime threads.
    pub fn new(shards: usize) -> Arc<Latencies> {
        let shards = (0..shards.max(1))
            .map(|_| {
                Mutex::new(
                    Histogram::new_with_bounds(1, HIGHEST_NS, 3).expect("valid histogram bounds"),
                )
            })
            .collect();
        Arc::new(Latencies { shards })
    }

    /// A recorder for one task.
    pub fn local(self: &Arc<Self>, task: usize) -> LocalLatencies {
        LocalLatencies {
            shared: self.clone(),
            shard: task % self.shards.len(),
            buffer: Vec::with_capacity(BUFFERED),
        }
    }

    /// Percentiles of everything recorded (local recorders must be dropped or flushed).
    pub fn percentiles(&self) -> Percentiles {
        let mut all = Histogram::<u64>::new_with_bounds(1, HIGHEST_NS, 3).expect("bounds");
        for shard in &self.shards {
            all.add(&*shard.lock().expect("histogram lock"))
                .expect("same bounds");
        }
        Percentiles::of(&all)
    }
}

/// One task's buffered recorder.
pub struct LocalLatencies {
    shared: Arc<Latencies>,
    shard: usize,
    buffer: Vec<u64>,
}

impl LocalLatencies {
    #[inline]
    pub fn record(&mut self, ns: u64) {
        self.buffer.push(ns);
        if self.buffer.len() == BUFFERED {
            self.flush();
        }
    }

    pub fn flush(&mut self) {
        if self.buffer.is_empty() {
            return;
        }
        let mut histogram = self.shared.shards[self.shard]
            .lock()
            .expect("histogram lock");
        for value in self.buffer.drain(..) {
            histogram.saturating_record(value.max(1));
        }
    }
}

impl Drop for LocalLatencies {
    fn drop(&mut self) {
        self.flush();
    }
}

/// A latency summary in microseconds.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct Percentiles {
    pub count: u64,
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub p99_9: f64,
    pub max: f64,
    pub mean: f64,
}

impl Percentiles {
    fn of(histogram: &Histogram<u64>) -> Percentiles {
        if histogram.is_empty() {
            return Percentiles::default();
        }
        let us = |ns: u64| ns as f64 / 1000.0;
        Percentiles {
            count: histogram.len(),
            p50: us(histogram.value_at_quantile(0.50)),
            p90: us(histogram.value_at_quantile(0.90)),
            p99: us(histogram.value_at_quantile(0.99)),
            p99_9: us(histogram.value_at_quantile(0.999)),
            max: us(histogram.max()),
            mean: histogram.mean() / 1000.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_from_several_tasks_add_up() {
        let latencies = Latencies::new(2);
        {
            let mut a = latencies.local(0);
            let mut b = latencies.local(1);
            for n in 1..=1000 {
                a.record(n * 1000);
                b.record(n * 1000);
            }
        }
        let p = latencies.percentiles();
        assert_eq!(p.count, 2000);
        assert!((p.p50 - 500.0).abs() < 1.0, "{p:?}");
        assert!((p.max - 1000.0).abs() < 1.0, "{p:?}");
    }
}
