//! End-to-end tests: every test starts the real `switchboard` binary on a free port and talks
//! to it over WebSocket and HTTP, exactly as a client would. The contract they check is
//! notes/contract.md (conference dialect, CLI, HTTP, metrics).

mod harness;

mod cluster;
mod errors;
mod exchange;
mod lifecycle;
mod messages;
mod ops;
