//! How a node joins the cluster.

use std::time::Duration;

#[derive(Debug, Clone)]
pub struct ClusterConfig {
    /// `redis://host:port/db`; the bridge always speaks RESP3 (pub/sub pushes on one link).
    pub redis_url: String,
    /// Prefix of every key and channel, so several clusters can share one Redis.
    pub prefix: String,
    /// How often the node renews its lease and looks for dead nodes.
    pub heartbeat: Duration,
    /// How long a node's lease lives without renewal: a node silent for this long is dead.
    pub lease: Duration,
    /// Longest wait for one Redis command before the bridge reports it unreachable.
    pub command_timeout: Duration,
    /// Published with the lease, so other nodes can reach this one over HTTP.
    pub advertise: Option<String>,
}
