//! What operators rely on: /healthz, /readyz with its counts, /metrics with every metric
//! of the contract, the CLI (flags in --help, env twins), the demo page, and
//! docs/operations.md agreeing with both.

mod cli;
mod demo;
mod health;
mod metrics;
mod operations_doc;
