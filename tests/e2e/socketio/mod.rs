//! Engine.IO and Socket.IO under `/socket.io/` (issue 9's transport), against the real
//! binary: raw-protocol tests that pin the bytes (handshakes of both versions, polling,
//! heartbeats, WebSockets and the upgrade, refusals and bad input, limits and CORS), and the stock
//! `socket.io-client` 2.x and 4.x driven from Node (`stock_client`). Each session talks to
//! one node, so the tests run in either topology.

pub mod client;
mod errors;
mod handshake;
mod heartbeat;
mod lifecycle;
mod limits;
mod polling;
pub(crate) mod stock_client;
mod upgrade;
