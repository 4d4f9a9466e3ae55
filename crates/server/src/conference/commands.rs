//! What a `conference` session does with each client request: the dialect's thin adapter
//! between parsed commands and the core.

use std::sync::Arc;
use std::time::Instant;

use actix::prelude::*;
use switchboard_core::{LeaveReason, PeerId, PeerInfo, RoomError, RoomId};
use switchboard_protocol::conference::{
    self as wire, Command, ErrorCode, PeerEntry, ProtocolError, ServerMessage, SignalCommand,
};

use super::DIALECT;
use super::session::ConferenceSession;
use crate::metrics::MESSAGES_IN;

/// The request's `type/name`, as a metrics label.
fn kind(command: &Command) -> &'static str {
    match command {
        Command::Connect { .. } => "room/connect",
        Command::Join { .. } => "conference/join",
        Command::Leave { .. } => "conference/leave",
        Command::Signal(signal) => match signal.kind {
            wire::SignalKind::Sdp => "signal/sdp",
            wire::SignalKind::Trickle => "signal/trickle",
        },
    }
}

fn room_error(error: RoomError, room: &str, to: Option<&str>) -> ProtocolError {
    match error {
        RoomError::NotInRoom => ProtocolError::new(
            ErrorCode::NotInRoom,
            format!("you are not in room {room:?}"),
        ),
        RoomError::AlreadyInRoom => ProtocolError::new(
            ErrorCode::AlreadyInRoom,
            format!("you are already in room {room:?}"),
        ),
        RoomError::UnknownTarget => ProtocolError::new(
            ErrorCode::UnknownTarget,
            format!("peer {:?} is not in room {room:?}", to.unwrap_or_default()),
        ),
        RoomError::RoomFull => {
            ProtocolError::new(ErrorCode::RoomFull, format!("room {room:?} is full"))
        }
        RoomError::ClusterUnreachable => ProtocolError::new(
            ErrorCode::Unavailable,
            "the peer is on another node and the cluster is unreachable now; try again",
        ),
        // Conference joins are open: these never happen.
        RoomError::Unavailable | RoomError::RoomExists | RoomError::NoSuchRoom => {
            ProtocolError::new(ErrorCode::Internal, "the room is unavailable; try again")
        }
    }
}

impl ConferenceSession {
    pub(super) fn handle_request(&mut self, request: wire::Request, ctx: &mut Context<Self>) {
        let wire::Request {
            request,
            claimed_id,
            command,
        } = request;
        metrics::counter!(MESSAGES_IN, "dialect" => DIALECT, "kind" => kind(&command)).increment(1);
        if matches!(command, Command::Connect { .. } | Command::Join { .. }) {
            self.handshaken = true;
        }
        if let Some(claimed) = claimed_id.filter(|claimed| claimed.as_str() != self.id.as_str()) {
            let error = ProtocolError::new(
                ErrorCode::IdMismatch,
                format!(
                    "data.id {claimed:?} is not your id; the server names you {}",
                    self.id
                ),
            );
            return self.send_error(error.for_request(request), ctx);
        }
        if let Command::Connect { room } | Command::Join { room, .. } = &command
            && !self.admission.may_join(room)
        {
            let error = ProtocolError::new(
                ErrorCode::Forbidden,
                format!("your token does not grant room {room:?}"),
            );
            return self.send_error(error.for_request(request), ctx);
        }
        match command {
            Command::Connect { room } => {
                let (id, node) = (self.id.clone(), self.hub.node().clone());
                let message = ServerMessage::ConnectResponse {
                    room: &room,
                    id: id.as_str(),
                    node: node.as_str(),
                };
                self.render("room/connectResponse", &message, ctx);
            }
            Command::Join { room, name } => self.join(request, room.into(), name, ctx),
            Command::Leave { room } => self.leave(request, room, ctx),
            Command::Signal(signal) => self.signal(request, signal, ctx),
        }
    }

    fn join(&mut self, request: String, room: Arc<str>, name: String, ctx: &mut Context<Self>) {
        if self.rooms.contains_key(&room) {
            return self.send_error(
                room_error(RoomError::AlreadyInRoom, &room, None).for_request(request),
                ctx,
            );
        }
        let limits = self.limits();
        if limits.too_many_rooms(self.rooms.len()) {
            let error = ProtocolError::new(
                ErrorCode::TooManyRooms,
                format!(
                    "you are in {} rooms, the most one connection may join; leave one first",
                    self.rooms.len()
                ),
            );
            return self.send_error(error.for_request(request), ctx);
        }
        let peer = PeerInfo {
            id: self.id.clone(),
            name: name.into(),
            node: self.hub.node().clone(),
        };
        let joining = self.hub.join(
            RoomId::new(DIALECT, room.clone()),
            peer,
            ctx.address().recipient(),
        );
        self.busy = true;
        ctx.wait(joining.into_actor(self).map(move |result, session, ctx| {
            session.busy = false;
            match result {
                Ok(joined) => {
                    session.rooms.insert(room.clone(), joined.room);
                    let peers: Vec<PeerEntry> = joined
                        .peers
                        .iter()
                        .map(|peer| PeerEntry {
                            id: peer.id.as_str(),
                            name: &peer.name,
                        })
                        .collect();
                    let id = session.id.clone();
                    let message = ServerMessage::JoinResponse {
                        id: id.as_str(),
                        room: &room,
                        peers: &peers,
                    };
                    session.render("conference/joinResponse", &message, ctx);
                }
                Err(error) => {
                    session.send_error(room_error(error, &room, None).for_request(request), ctx)
                }
            }
            session.drain_backlog(ctx);
        }));
    }

    fn leave(&mut self, request: String, room: String, ctx: &mut Context<Self>) {
        let Some(handle) = self.rooms.get(room.as_str()) else {
            return self.send_error(
                room_error(RoomError::NotInRoom, &room, None).for_request(request),
                ctx,
            );
        };
        let leaving = handle.leave(self.id.clone(), LeaveReason::Left);
        self.busy = true;
        ctx.wait(leaving.into_actor(self).map(move |result, session, ctx| {
            session.busy = false;
            session.rooms.remove(room.as_str());
            match result {
                Ok(()) => {
                    let id = session.id.clone();
                    let message = ServerMessage::LeaveResponse {
                        id: id.as_str(),
                        room: &room,
                    };
                    session.render("conference/leaveResponse", &message, ctx);
                }
                Err(error) => {
                    session.send_error(room_error(error, &room, None).for_request(request), ctx)
                }
            }
            session.drain_backlog(ctx);
        }));
    }

    /// Signals are not awaited: the room keeps their order, and an error comes back later.
    fn signal(&mut self, request: String, signal: SignalCommand, ctx: &mut Context<Self>) {
        let received_at = Instant::now();
        let Some(handle) = self.rooms.get(signal.room.as_str()) else {
            return self.send_error(
                room_error(RoomError::NotInRoom, &signal.room, None).for_request(request),
                ctx,
            );
        };
        let payload = wire::render_relayed_signal(&signal, self.id.as_str());
        let to = signal.to.as_deref().map(PeerId::new);
        let sending = handle.signal(self.id.clone(), to, payload.into(), received_at);
        let SignalCommand { room, to, .. } = signal;
        ctx.spawn(sending.into_actor(self).map(move |result, session, ctx| {
            if let Err(error) = result {
                session.send_error(
                    room_error(error, &room, to.as_deref()).for_request(request),
                    ctx,
                );
            }
        }));
    }
}
