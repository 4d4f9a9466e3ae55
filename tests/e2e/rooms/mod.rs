//! The `rooms` dialect (seeds 001/002) over Socket.IO: raw frames that pin the bytes of every
//! event (`raw`), and the stock `socket.io-client` 2.x and 4.x running the whole seed flow
//! (`stock_client`). Every client of a test talks to the same node, so the tests run in either
//! topology.

pub mod raw;
pub mod stock_client;
