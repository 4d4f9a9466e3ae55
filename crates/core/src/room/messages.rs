//! The messages a room actor answers.

use std::time::Instant;

use actix::{Addr, Message, Recipient};

use super::Room;
use crate::{Deliver, JoinMode, LeaveReason, Payload, PeerId, PeerInfo, RoomError, RoomId};

/// A local session joins; the answer lists the members already there (on every node) and
/// the room's owner, if it has one.
#[derive(Message)]
#[rtype(result = "Result<(Vec<PeerInfo>, Option<PeerId>), RoomError>")]
pub(crate) struct Join {
    pub peer: PeerInfo,
    pub inbox: Recipient<Deliver>,
    pub mode: JoinMode,
}

/// A local session leaves.
#[derive(Message)]
#[rtype(result = "Result<(), RoomError>")]
pub(crate) struct Leave {
    pub peer: PeerId,
    pub reason: LeaveReason,
}

/// A local member signals one member (`to`) or all the others.
#[derive(Message)]
#[rtype(result = "Result<(), RoomError>")]
pub(crate) struct Signal {
    pub from: PeerId,
    pub to: Option<PeerId>,
    pub payload: Payload,
    pub received_at: Instant,
}

/// From the registry, once the room reported it has no local member: stop unless someone
/// joined since. The answer says whether it stopped.
#[derive(Message)]
#[rtype(result = "bool")]
pub(crate) struct StopIfIdle;

/// To the registry: this room has no local member any more.
#[derive(Message)]
#[rtype(result = "()")]
pub(crate) struct RoomIdle {
    pub room: RoomId,
    pub addr: Addr<Room>,
}
