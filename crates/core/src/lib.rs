//! Switchboard's dialect-neutral core: rooms as actors, a registry that finds them, and the
//! [`Bridge`](bridge::Bridge) seam through which rooms on different nodes act as one.
//!
//! A dialect's session calls the [`Hub`] (join) and the [`RoomHandle`] it gets back (leave,
//! signal); the room answers and pushes [`Event`]s to its members' inboxes. Nothing here
//! knows a wire format, a socket, or Redis.

pub mod bridge;
mod directory;
mod error;
mod event;
mod hub;
mod ids;
mod registry;
mod room;

pub use directory::{ClaimError, Claimed, Directory, Sent};
pub use error::RoomError;
pub use event::{Deliver, Event, LeaveReason, Payload, PeerInfo};
pub use hub::{Hub, JoinMode, Joined, RoomHandle, RoomLimits};
pub use ids::{NodeId, PeerId, RoomId};

#[cfg(test)]
mod tests;
