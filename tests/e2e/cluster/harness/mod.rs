//! What the cluster tests run besides the nodes' binary: the cluster of nodes itself (with
//! the Redis of `crate::harness::redis`, shared with the cluster topology), nginx in front of
//! it, and peers that know where they landed. Every process is killed when its handle drops,
//! also when a test fails.

pub mod nginx;
pub mod nodes;
pub mod peer;
pub mod util;

pub use nginx::Nginx;
pub use nodes::Cluster;
pub use peer::{Peer, placement, quiet};
