//! The Socket.IO options, named as in engine.io (`pingInterval`, `pingTimeout`,
//! `maxHttpBufferSize`, `cors.origin`).

use std::time::Duration;

use crate::config::Config;
use crate::limits::Limits;

#[derive(Debug, Clone)]
pub struct SocketioSettings {
    /// v3: how often the client pings; v4: how often the server pings. Also the longest a
    /// polling GET is held without anything to send.
    pub ping_interval: Duration,
    /// How long the answer to a ping may take (v3: on top of the interval).
    pub ping_timeout: Duration,
    /// Largest POST body or WebSocket message, in bytes (engine.io's `maxHttpBufferSize`).
    pub max_payload: usize,
    /// Empty: any origin, reflected.
    pub cors_origins: Vec<String>,
    /// Bytes that may wait for one client (`--outgoing-buffer`); 0 means no bound.
    pub outgoing_buffer: usize,
    /// The message rate, rooms per connection and the CONNECT deadline (socket.io's
    /// `connectTimeout`), shared with the other dialects.
    pub limits: Limits,
}

impl From<&Config> for SocketioSettings {
    fn from(config: &Config) -> Self {
        Self {
            ping_interval: config.socketio_ping_interval.max(Duration::from_millis(10)),
            ping_timeout: config.socketio_ping_timeout.max(Duration::from_millis(10)),
            max_payload: config.socketio_max_payload.max(1),
            cors_origins: config
                .socketio_cors_origins
                .iter()
                .filter(|origin| !origin.is_empty())
                .cloned()
                .collect(),
            outgoing_buffer: config.outgoing_buffer,
            limits: Limits::from(config),
        }
    }
}
