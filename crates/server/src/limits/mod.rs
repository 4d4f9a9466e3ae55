//! Limits inside a connection and a room (issue 10), the same for every dialect: how fast a
//! connection may send ([`MessageRate`]), how many rooms it may be in, and how long it may
//! take to finish its handshake. The room size bound lives in the core's rooms
//! (`switchboard_core::RoomLimits`), since only a room knows its members on every node.
//!
//! Each dialect renders a refusal in its own error shape; the codes below are shared, as
//! the wire codes (conference), message prefixes (rooms) and `switchboard_errors_total`
//! labels.

mod rate;

use std::time::Duration;

pub use rate::{MessageRate, Verdict};

use crate::config::Config;

/// A message dropped because the connection sent too fast.
pub const RATE_LIMITED: &str = "rate_limited";
/// A connection closed (1008) after exceeding the rate for the whole flood window.
pub const RATE_LIMIT_CLOSE: &str = "rate_limit_close";
/// A join beyond `--max-rooms-per-conn`.
pub const TOO_MANY_ROOMS: &str = "too_many_rooms";
/// A join of a room at `--max-room-members`.
pub const ROOM_FULL: &str = "room_full";
/// A connection closed for not finishing its handshake within `--handshake-timeout`.
pub const HANDSHAKE_TIMEOUT: &str = "handshake_timeout";

/// The close reason of a connection that kept flooding.
pub const FLOOD_CLOSE_REASON: &str = "rate limit exceeded";

#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// 0: no limit.
    pub max_msgs_per_sec: u32,
    pub msgs_burst: u32,
    /// How long a connection may keep exceeding the rate before it is closed; 0: never.
    pub flood_window: Duration,
    /// 0: no limit.
    pub max_rooms_per_conn: usize,
    /// `None`: no deadline.
    pub handshake_timeout: Option<Duration>,
}

impl From<&Config> for Limits {
    fn from(config: &Config) -> Self {
        Self {
            max_msgs_per_sec: config.max_msgs_per_sec,
            msgs_burst: config.msgs_burst,
            flood_window: config.flood_window,
            max_rooms_per_conn: config.max_rooms_per_conn,
            handshake_timeout: Some(config.handshake_timeout).filter(|t| !t.is_zero()),
        }
    }
}

impl Limits {
    /// A fresh rate guard for one connection.
    pub fn message_rate(&self) -> MessageRate {
        MessageRate::new(self.max_msgs_per_sec, self.msgs_burst, self.flood_window)
    }

    /// Whether a connection in `joined` rooms may join no other.
    pub fn too_many_rooms(&self, joined: usize) -> bool {
        self.max_rooms_per_conn > 0 && joined >= self.max_rooms_per_conn
    }
}
