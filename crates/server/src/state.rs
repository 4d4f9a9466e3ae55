//! What the HTTP handlers share: the core, the open connections, and whether we drain.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use switchboard_cluster::RedisBridge;
use switchboard_core::Hub;

use crate::config::SocketSettings;
use crate::ws::Connections;

pub struct AppState {
    pub hub: Hub,
    pub connections: Arc<Connections>,
    pub sockets: SocketSettings,
    pub metrics: metrics_exporter_prometheus::PrometheusHandle,
    /// The Redis bridge, in cluster mode.
    pub cluster: Option<Arc<RedisBridge>>,
    pub peerjs: Arc<crate::peerjs::PeerjsSettings>,
    draining: AtomicBool,
}

impl AppState {
    pub fn new(
        hub: Hub,
        sockets: SocketSettings,
        metrics: metrics_exporter_prometheus::PrometheusHandle,
        cluster: Option<Arc<RedisBridge>>,
        peerjs: crate::peerjs::PeerjsSettings,
    ) -> Self {
        Self {
            hub,
            connections: Arc::new(Connections::default()),
            sockets,
            metrics,
            cluster,
            peerjs: Arc::new(peerjs),
            draining: AtomicBool::new(false),
        }
    }

    pub fn is_draining(&self) -> bool {
        self.draining.load(Ordering::SeqCst)
    }

    pub fn start_draining(&self) {
        self.draining.store(true, Ordering::SeqCst);
    }
}
