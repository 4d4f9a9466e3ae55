//! Why a room refused a request.

use thiserror::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum RoomError {
    #[error("not a member of this room")]
    NotInRoom,
    #[error("already a member of this room")]
    AlreadyInRoom,
    /// A [`JoinMode::Create`](crate::JoinMode) found members in the room.
    #[error("the room exists already")]
    RoomExists,
    /// A [`JoinMode::Existing`](crate::JoinMode) found the room empty.
    #[error("no such room")]
    NoSuchRoom,
    /// The room has as many members as a room may have (on every node this room knows
    /// of); see [`RoomLimits`](crate::RoomLimits).
    #[error("the room is full")]
    RoomFull,
    #[error("the target is not a member of this room")]
    UnknownTarget,
    /// The room's actor is gone (the node is shutting down).
    #[error("the room is unavailable")]
    Unavailable,
    /// The member is on another node and the cluster cannot be reached now.
    #[error("the cluster is unreachable")]
    ClusterUnreachable,
}
