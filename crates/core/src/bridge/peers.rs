//! The vocabulary of peers addressed by id rather than by room (the PeerJS model): an address,
//! what travels to it between nodes, and the outcome of claiming it.

use std::fmt;
use std::sync::Arc;

use crate::{Payload, PeerId};

/// A peer id within a space (one per dialect, as for rooms).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PeerAddress {
    pub space: Arc<str>,
    pub id: PeerId,
}

impl PeerAddress {
    pub fn new(space: impl Into<Arc<str>>, id: PeerId) -> Self {
        Self {
            space: space.into(),
            id,
        }
    }
}

impl fmt::Display for PeerAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.space, self.id)
    }
}

impl fmt::Debug for PeerAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", format_args!("{self}"))
    }
}

/// What one node hands another for one of its peers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PeerMessage {
    Direct {
        from: PeerId,
        payload: Payload,
    },
    Expired {
        peer: PeerId,
    },
    /// The id was claimed again with the same token elsewhere: close this holder.
    Replaced,
}

/// A message waiting for a peer that is not connected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Queued {
    pub from: PeerId,
    pub payload: Payload,
}

/// The answer to a claim.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClaimOutcome {
    /// Nobody held the id; this node does now.
    Claimed,
    /// Held with the same token (a reconnect): this node holds it now, and the previous
    /// holder was told to close.
    TakenOver,
    /// Held with another token.
    Taken,
}

/// Delivers messages to this node's peers; the `Directory` is one.
pub trait PeerSink: Send + Sync {
    /// Answers whether the peer is connected here.
    fn deliver(&self, peer: &PeerAddress, message: PeerMessage) -> bool;
}
