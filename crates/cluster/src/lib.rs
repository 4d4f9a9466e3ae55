//! The Redis bridge: many Switchboard nodes behind a load balancer act as one server.
//!
//! [`RedisBridge`] implements the core's `Bridge` over Redis pub/sub (a channel per node for
//! targeted signals, a channel per room that a node subscribes to only while it hosts members
//! of the room) and keeps who is where in Redis hashes, with a lease per node so the survivors
//! clean up after a node that died. This crate is the only part of Switchboard that knows
//! Redis; see `docs/cluster.md` for the keys, the channels and the fault handling.

mod addresses;
mod bridge;
mod compact;
mod config;
mod inbound;
mod keys;
mod lease;
mod owners;
mod peers;
mod scripts;
mod wire;
mod writer;

pub use bridge::{ClusterStatus, RedisBridge};
pub use config::ClusterConfig;
