//! The `peerjs` dialect (seed 004): a drop-in PeerJS server. Its HTTP API, the checks on
//! connect, relaying, queues and EXPIRE, HEARTBEAT liveness and bad input, each against the
//! real binary with a PeerJS-flavoured client (`client`), in the run's topology; `cluster`
//! assembles a two-node cluster of its own.

pub(crate) mod client;
mod cluster;
mod connect;
mod heartbeat;
mod http;
mod input;
mod queue;
mod relay;
mod stock_client;
