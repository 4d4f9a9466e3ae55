//! Cluster end-to-end tests: several `switchboard` nodes sharing one Redis (and, for one
//! test, nginx in front) must act as one server for clients, and survive a node that dies,
//! a node that drains and a Redis that restarts. Each test starts its own Redis and nodes on
//! free loopback ports (see `harness`); redis-server and nginx come from
//! scripts/install-test-deps.

pub(crate) mod harness;

mod compose;
mod crash;
mod drain;
mod handover;
mod membership;
mod redis_outage;
mod rooms;
mod routing;
mod soak;
mod through_nginx;
mod tls;
mod wire_format;
