//! The `peerjs` dialect: a drop-in PeerJS server. Its HTTP API (`http.rs`) and WebSocket
//! (`session.rs`) sit under `--peerjs-path`; ids live in the core's `Directory`, so peers on
//! different nodes reach each other and queues are cluster-wide.

mod http;
mod session;

use std::time::Duration;

use actix_web::web;

use crate::config::Config;

/// The dialect's name in metrics labels and the directory's space.
pub const DIALECT: &str = "peerjs";

/// The PeerJS options, named as in peerjs-server.
#[derive(Debug, Clone)]
pub struct PeerjsSettings {
    /// Always ends with `/`.
    pub path: String,
    pub key: String,
    pub expire_timeout: Duration,
    pub alive_timeout: Duration,
    pub concurrent_limit: usize,
    pub allow_discovery: bool,
    pub cleanup_interval: Duration,
    /// Empty: any origin, reflected.
    pub cors_origins: Vec<String>,
}

impl From<&Config> for PeerjsSettings {
    fn from(config: &Config) -> Self {
        let mut path = config.peerjs_path.clone();
        if !path.starts_with('/') {
            path.insert(0, '/');
        }
        if !path.ends_with('/') {
            path.push('/');
        }
        Self {
            path,
            key: config.peerjs_key.clone(),
            expire_timeout: Duration::from_millis(config.peerjs_expire_timeout),
            alive_timeout: Duration::from_millis(config.peerjs_alive_timeout),
            concurrent_limit: config.peerjs_concurrent_limit,
            allow_discovery: config.peerjs_allow_discovery,
            cleanup_interval: Duration::from_millis(config.peerjs_cleanup_out_msgs.max(10)),
            cors_origins: config
                .peerjs_cors_origins
                .iter()
                .filter(|origin| !origin.is_empty())
                .cloned()
                .collect(),
        }
    }
}

/// Adds the PeerJS routes under the configured path.
pub fn configure(settings: &PeerjsSettings, config: &mut web::ServiceConfig) {
    let path = &settings.path;
    config.route(&format!("{path}peerjs"), web::get().to(session::upgrade));
    config.service(
        web::scope(path.trim_end_matches('/'))
            .wrap(http::cors(settings))
            .route("", web::get().to(http::info))
            .route("/", web::get().to(http::info))
            .route("/{key}/id", web::get().to(http::new_id))
            .route("/{key}/peers", web::get().to(http::peers)),
    );
}

/// Sends EXPIRE for queued messages that waited too long, every `cleanup_interval`.
pub async fn expire_queues(hub: switchboard_core::Hub, interval: Duration) {
    let mut tick = tokio::time::interval(interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(err) = hub.directory().expire_queues().await {
            log::debug!("peerjs: expiring queues: {err}");
        }
    }
}
