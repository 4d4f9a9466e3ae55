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
    /// Who may connect.
    pub access: Arc<crate::access::Access>,
    draining: AtomicBool,
}

impl AppState {
    pub fn new(
        hub: Hub,
        sockets: SocketSettings,
        metrics: metrics_exporter_prometheus::PrometheusHandle,
        cluster: Option<Arc<RedisBridge>>,
        peerjs: crate::peerjs::PeerjsSettings,
        access: Arc<crate::access::Access>,
    ) -> Self {
        Self {
            hub,
            connections: Arc::new(Connections::default()),
            sockets,
            metrics,
            cluster,
            peerjs: Arc::new(peerjs),
            access,
            draining: AtomicBool::new(false),
        }
    }

    pub fn is_draining(&self) -> bool {
        self.draining.load(Ordering::SeqCst)
    }

    /// Admits a new connection that presented `token`, or says why not (draining included).
    pub fn admit(
        &self,
        req: &actix_web::HttpRequest,
        token: Option<&str>,
    ) -> Result<crate::access::Admission, crate::access::Refusal> {
        self.refuse_if_draining()?;
        self.access.admit(req, self.connections.count(), token)
    }

    /// 503 while the node drains.
    pub fn refuse_if_draining(&self) -> Result<(), crate::access::Refusal> {
        if self.is_draining() {
            return Err(crate::access::Refusal::new(
                actix_web::http::StatusCode::SERVICE_UNAVAILABLE,
                "draining",
                "this node is shutting down",
            ));
        }
        Ok(())
    }

    pub fn start_draining(&self) {
        self.draining.store(true, Ordering::SeqCst);
    }
}
