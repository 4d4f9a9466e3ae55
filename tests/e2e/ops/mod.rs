//! What operators rely on: /healthz, /readyz with its counts, /metrics with every metric
//! of the contract, and the CLI (flags in --help, env twins).

mod cli;
mod health;
mod metrics;
