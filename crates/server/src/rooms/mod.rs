//! The `rooms` dialect (seeds 001/002) on the Socket.IO transport: rooms with an owner,
//! `room-create` / `room-join` / `room-leave`, `signal-send` → `signal-receive`. Parsing and
//! the event shapes are pure (`switchboard_protocol::rooms`); this module calls the hub and
//! renders what rooms tell it. See docs/protocol/rooms.md.
//!
//! The client's id is its Socket.IO socket id. A request that needs the hub is answered
//! when the hub has answered; the events that follow it wait meanwhile, so a client's
//! requests are answered in order (a `room-join` then a `signal-send` in one POST works).

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::Instant;

use switchboard_core::{
    Event as CoreEvent, Hub, JoinMode, Joined, LeaveReason, Payload, PeerId, PeerInfo, RoomError,
    RoomHandle, RoomId,
};
use switchboard_protocol::rooms::render::{self, *};
use switchboard_protocol::rooms::{self, Command};
use switchboard_protocol::socketio::sio::Event;
use tokio::sync::oneshot;

use switchboard_guard::{Grant, RoomGrant};

use crate::limits::{self, Limits};
use crate::metrics::ERRORS;
use crate::socketio::DIALECT;
use crate::socketio::dialect::{Answer, Dialect, Emitter};

/// The rooms of this dialect, apart from other dialects' rooms of the same name.
pub const SPACE: &str = "rooms";

fn room_id(name: &str) -> RoomId {
    RoomId::new(SPACE, name)
}

/// Requests that may wait behind one the hub has not answered yet; more get `error`.
const MAX_WAITING: usize = 256;

/// What the hub answered, with what the request was.
enum Outcome {
    Joined {
        room: String,
        create: bool,
        result: Option<Result<Joined, RoomError>>,
    },
    Left {
        room: String,
        result: Result<(), RoomError>,
    },
    Signalled {
        room: String,
        target: String,
        result: Result<(), RoomError>,
    },
}

pub struct RoomsDialect {
    hub: Hub,
    /// The rooms the client's token grants.
    grant: RoomGrant,
    limits: Limits,
    /// The socket id, once connected.
    id: Option<PeerId>,
    rooms: HashMap<String, RoomHandle>,
    /// Waiting for the hub's answer to the last request.
    busy: bool,
    /// Events that came while busy.
    queue: VecDeque<Event>,
}

impl RoomsDialect {
    pub fn new(hub: Hub, grant: RoomGrant, limits: Limits) -> Self {
        Self {
            hub,
            grant,
            limits,
            id: None,
            rooms: HashMap::new(),
            busy: false,
            queue: VecDeque::new(),
        }
    }

    fn handle(&mut self, event: Event, out: &mut Emitter) {
        // No event of this dialect answers through an ack; one is sent so that a client
        // waiting on its callback is not left hanging (with the error, if refused).
        let command = match rooms::parse(&event.name, &event.args) {
            Ok(command) => command,
            Err(err) => {
                log::info!("rooms {}: {err}", self.label());
                let message = err.to_string();
                out.error(&message);
                if let Some(ack) = event.ack_id {
                    out.ack(ack, &[serde_json::json!({ "error": message })]);
                }
                return;
            }
        };
        if let Some(ack) = event.ack_id {
            out.ack(ack, &[] as &[()]);
        }
        let Some(me) = self.id.clone() else {
            return;
        };
        if let Command::Create { room } | Command::Join { room } = &command
            && !self.grant.allows(room)
        {
            return refuse(
                out,
                "forbidden",
                &format!("your token does not grant room {room}"),
            );
        }
        match command {
            Command::Create { room } => {
                if self.rooms.contains_key(&room) {
                    return out.emit(ROOM_EXISTS, &render::room_only(&room));
                }
                self.join(room, me, JoinMode::Create, out);
            }
            Command::Join { room } => {
                if self.rooms.contains_key(&room) {
                    return out.error(&format!("room-join: already in room {room}"));
                }
                self.join(room, me, JoinMode::Existing, out);
            }
            Command::Leave { room } => {
                let Some(handle) = self.rooms.remove(&room) else {
                    return out.emit(NOT_IN_ROOM, &render::room_only(&room));
                };
                let leave = handle.leave(me, LeaveReason::Left);
                self.wait(out, async move {
                    Outcome::Left {
                        room,
                        result: leave.await,
                    }
                });
            }
            Command::Signal { room, target, data } => {
                let Some(handle) = self.rooms.get(&room) else {
                    return out.emit(NOT_IN_ROOM, &render::room_only(&room));
                };
                let signal = handle.signal(
                    me,
                    Some(PeerId::new(target.as_str())),
                    Payload::from(data.get().to_owned()),
                    Instant::now(),
                );
                self.wait(out, async move {
                    Outcome::Signalled {
                        room,
                        target,
                        result: signal.await,
                    }
                });
            }
        }
    }

    fn join(&mut self, room: String, me: PeerId, mode: JoinMode, out: &mut Emitter) {
        if self.limits.too_many_rooms(self.rooms.len()) {
            log::info!("rooms {}: too many rooms", self.label());
            let verb = verb(mode == JoinMode::Create);
            let joined = self.rooms.len();
            return refuse(
                out,
                limits::TOO_MANY_ROOMS,
                &format!("{verb} {room}: in {joined} rooms, the most one connection may join"),
            );
        }
        let Some(inbox) = out.inbox().cloned() else {
            return;
        };
        let peer = PeerInfo {
            id: me.clone(),
            name: Arc::from(""),
            node: self.hub.node().clone(),
        };
        let joining = self.hub.join_as(room_id(&room), peer, inbox, mode);
        // The join runs on its own: should the session be gone when it is answered, the
        // member it made leaves again at once instead of staying in the room.
        let (tx, rx) = oneshot::channel();
        actix::spawn(async move {
            if let Err(Ok(joined)) = tx.send(joining.await) {
                joined.room.leave_now(me, LeaveReason::Disconnected);
            }
        });
        self.wait(out, async move {
            Outcome::Joined {
                room,
                create: mode == JoinMode::Create,
                result: rx.await.ok(),
            }
        });
    }

    fn wait(&mut self, out: &mut Emitter, outcome: impl Future<Output = Outcome> + 'static) {
        self.busy = true;
        out.wait(async move { Box::new(outcome.await) as Answer });
    }

    fn label(&self) -> &str {
        self.id.as_ref().map_or("-", PeerId::as_str)
    }

    fn answer(&mut self, outcome: Outcome, out: &mut Emitter) {
        match outcome {
            Outcome::Joined {
                room,
                create,
                result,
            } => match result {
                Some(Ok(joined)) => {
                    let owner = joined.owner.as_ref().map_or("", PeerId::as_str).to_owned();
                    let clients: Vec<&str> =
                        joined.peers.iter().map(|peer| peer.id.as_str()).collect();
                    if create {
                        out.emit(ROOM_CREATED, &render::room_only(&room));
                    } else {
                        out.emit(ROOM_JOINED, &render::room_joined(&room, &owner, &clients));
                    }
                    self.rooms.insert(room, joined.room);
                }
                Some(Err(RoomError::RoomExists)) => {
                    out.emit(ROOM_EXISTS, &render::room_only(&room))
                }
                Some(Err(RoomError::NoSuchRoom)) => {
                    out.emit(ROOM_NOT_EXISTS, &render::room_only(&room))
                }
                Some(Err(RoomError::RoomFull)) => refuse(
                    out,
                    limits::ROOM_FULL,
                    &format!("{} {room}: the room is full", verb(create)),
                ),
                Some(Err(err)) => out.error(&format!("{}: {err}", verb(create))),
                None => out.error(&format!("{}: no answer", verb(create))),
            },
            Outcome::Left { room, result } => match result {
                Ok(()) => out.emit(ROOM_LEFT, &render::room_left(&room, false)),
                // The room closed in between: its `room-left(room, true)` is on its way.
                Err(RoomError::NotInRoom) | Err(RoomError::Unavailable) => {}
                Err(err) => out.error(&format!("room-leave: {err}")),
            },
            Outcome::Signalled {
                room,
                target,
                result,
            } => match result {
                Ok(()) => {}
                Err(RoomError::UnknownTarget) => {
                    out.emit(TARGET_NOT_FOUND, &render::target_not_found(&room, &target))
                }
                Err(RoomError::NotInRoom) | Err(RoomError::Unavailable) => {
                    out.emit(NOT_IN_ROOM, &render::room_only(&room))
                }
                Err(err) => out.error(&format!("signal-send: {err}")),
            },
        }
    }
}

/// A join refused by a limit: the `error` event `<code>: <why>`, counted by its code.
fn refuse(out: &mut Emitter, code: &'static str, why: &str) {
    metrics::counter!(ERRORS, "dialect" => DIALECT, "code" => code).increment(1);
    out.error(&format!("{code}: {why}"));
}

fn verb(create: bool) -> &'static str {
    if create { "room-create" } else { "room-join" }
}

impl Dialect for RoomsDialect {
    fn authorize(&mut self, grant: Grant) {
        self.grant = grant.rooms;
    }

    fn connected(&mut self, socket_id: &str, _out: &mut Emitter) {
        self.id = Some(PeerId::new(socket_id));
    }

    fn event(&mut self, event: Event, out: &mut Emitter) {
        if self.busy && self.queue.len() >= MAX_WAITING {
            log::info!("rooms {}: too many requests waiting", self.label());
            out.error(&format!("{}: too many requests waiting", event.name));
        } else if self.busy {
            self.queue.push_back(event);
        } else {
            self.handle(event, out);
        }
    }

    fn resume(&mut self, answer: Answer, out: &mut Emitter) {
        self.busy = false;
        if let Ok(outcome) = answer.downcast::<Outcome>() {
            self.answer(*outcome, out);
        }
        while !self.busy {
            let Some(event) = self.queue.pop_front() else {
                break;
            };
            self.handle(event, out);
        }
    }

    fn deliver(&mut self, event: CoreEvent, out: &mut Emitter) {
        match event {
            CoreEvent::PeerJoined { room, peer } if self.rooms.contains_key(&*room.name) => {
                out.emit(CLIENT_JOINED, &render::client(&room.name, peer.id.as_str()));
            }
            CoreEvent::PeerLeft { room, peer, .. } if self.rooms.contains_key(&*room.name) => {
                out.emit(CLIENT_LEFT, &render::client(&room.name, peer.as_str()));
            }
            CoreEvent::Signal {
                room,
                from,
                payload,
                ..
            } if self.rooms.contains_key(&*room.name) => {
                match render::signal_receive(&room.name, from.as_str(), &payload) {
                    Some(args) => out.emit(SIGNAL_RECEIVE, &args),
                    None => log::error!("rooms {}: a signal that is not JSON", self.label()),
                }
            }
            CoreEvent::RoomClosed { room } if self.rooms.remove(&*room.name).is_some() => {
                out.emit(ROOM_LEFT, &render::room_left(&room.name, true));
            }
            _ => {}
        }
    }

    fn disconnected(&mut self, _reason: &str) {
        let Some(me) = self.id.clone() else {
            return;
        };
        for (_, handle) in self.rooms.drain() {
            handle.leave_now(me.clone(), LeaveReason::Disconnected);
        }
        self.queue.clear();
    }
}
