//! What a run measures besides counting: latency histograms, error tallies, and the CPU
//! time and memory of the servers and of the generator itself, read from /proc and
//! getrusage around the measured window.

pub mod errors;
pub mod histogram;
pub mod meter;
pub mod procfs;

pub use errors::Errors;
pub use histogram::{Latencies, LocalLatencies, Percentiles};
pub use meter::{CpuMeter, CpuUsage};
