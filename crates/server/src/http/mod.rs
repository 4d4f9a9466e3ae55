//! Plain HTTP endpoints: health, readiness and metrics.

mod health;

pub use health::{healthz, metrics, readyz};
