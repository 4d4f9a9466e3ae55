//! switchboard-bench: a lean load generator for WebRTC signaling servers that speak the
//! `peerjs` or `conference` dialect (Switchboard, and peerjs-server for comparison). Each
//! scenario is a bounded run that returns a [`Report`]; the binary parses flags, runs one
//! and prints it, and tests call the scenarios directly.
//!
//! Hot paths avoid work per message: frames are pre-rendered templates with a stamp slot,
//! receivers find the stamp with a substring scan instead of parsing JSON, and replies to a
//! burst go out in one flush.

pub mod clock;
pub mod dialect;
pub mod limits;
pub mod measure;
pub mod net;
pub mod pacing;
pub mod payload;
pub mod peer;
pub mod report;
pub mod scenario;
pub mod soak;
pub mod stamp;
pub mod template;

pub use dialect::{Dialect, Protocol};
pub use pacing::Pacing;
pub use payload::Size;
pub use report::Report;
pub use scenario::connect::ConnectConfig;
pub use scenario::idle::IdleConfig;
pub use scenario::latency::LatencyConfig;
pub use scenario::relay::RelayConfig;
pub use scenario::soak::SoakConfig;
pub use scenario::{Common, Placement};
