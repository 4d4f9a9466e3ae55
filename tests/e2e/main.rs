//! End-to-end tests: every test starts the real `switchboard` binary on free ports and talks
//! to it over WebSocket and HTTP, exactly as a client would. The contract they check is
//! notes/contract.md (conference dialect, CLI, HTTP, metrics).
//!
//! `SWITCHBOARD_E2E_TOPOLOGY` picks what `harness::Server` starts: `single` (the default) one
//! process, `cluster` a Redis and three nodes, with each new client on the next node, so the
//! same tests check that a cluster acts as one server (scripts/test runs both). The few tests
//! of something only one process has say so with `harness::single_node_only!`. The `cluster`
//! module assembles its own clusters and runs in the default topology.

mod harness;

mod access;
mod bench;
mod cluster;
mod deploy;
mod errors;
mod exchange;
mod lifecycle;
mod limits;
mod messages;
mod ops;
mod peerjs;
mod rooms;
mod socketio;
