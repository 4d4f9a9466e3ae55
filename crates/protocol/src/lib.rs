//! The wire formats Switchboard speaks, one module per dialect.
//!
//! Everything here is pure: text in, typed commands or typed errors out, and typed server
//! messages back to text. No I/O, no actors, no clocks, so every parser can be unit-tested
//! against the seed documents and fuzzed without a running server.

pub mod conference;
pub mod peerjs;
pub mod rooms;
pub mod socketio;
