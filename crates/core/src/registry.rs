//! The registry finds a room's actor, starting it on the first join, and retires it when its
//! last local member has gone.
//!
//! Every join passes through here, so retiring is race-free: on `RoomIdle` the registry asks
//! the room to stop and waits for the answer before it reads its next message. A join that
//! reached the room first keeps it alive; a join that comes later starts a new room.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use actix::prelude::*;

use crate::bridge::Bridge;
use crate::room::Room;
use crate::room::messages::{Join, RoomIdle, StopIfIdle};
use crate::{Deliver, JoinMode, Joined, PeerInfo, RoomError, RoomHandle, RoomId, RoomLimits};

#[derive(Message)]
#[rtype(result = "Result<Joined, RoomError>")]
pub(crate) struct JoinRoom {
    pub room: RoomId,
    pub peer: PeerInfo,
    pub inbox: Recipient<Deliver>,
    pub mode: JoinMode,
}

pub(crate) struct Registry {
    rooms: HashMap<RoomId, Addr<Room>>,
    bridge: Arc<dyn Bridge>,
    /// Rooms are spread over these threads, so busy rooms use every core.
    arbiters: Vec<ArbiterHandle>,
    next_arbiter: usize,
    room_count: Arc<AtomicUsize>,
    limits: RoomLimits,
}

impl Registry {
    pub(crate) fn new(
        bridge: Arc<dyn Bridge>,
        arbiters: Vec<ArbiterHandle>,
        room_count: Arc<AtomicUsize>,
        limits: RoomLimits,
    ) -> Self {
        Self {
            limits,
            rooms: HashMap::new(),
            bridge,
            arbiters,
            next_arbiter: 0,
            room_count,
        }
    }

    fn start_room(&mut self, id: RoomId, registry: Recipient<RoomIdle>) -> Addr<Room> {
        let bridge = self.bridge.clone();
        let limits = self.limits;
        // No mailbox limit: past actix's default of 16 queued messages `send` would hold
        // calls back until polled, and a session's signals could overtake each other.
        let make = move |ctx: &mut Context<Room>| {
            ctx.set_mailbox_capacity(0);
            Room::new(id, bridge, registry, limits)
        };
        if self.arbiters.is_empty() {
            return Room::create(make);
        }
        let arbiter = &self.arbiters[self.next_arbiter % self.arbiters.len()];
        self.next_arbiter = self.next_arbiter.wrapping_add(1);
        Room::start_in_arbiter(arbiter, make)
    }

    fn set_count(&self) {
        self.room_count.store(self.rooms.len(), Ordering::Relaxed);
    }
}

impl Actor for Registry {
    type Context = Context<Self>;
}

impl Handler<JoinRoom> for Registry {
    type Result = ResponseFuture<Result<Joined, RoomError>>;

    fn handle(
        &mut self,
        JoinRoom {
            room,
            peer,
            inbox,
            mode,
        }: JoinRoom,
        ctx: &mut Self::Context,
    ) -> Self::Result {
        let addr = match self.rooms.get(&room) {
            Some(addr) => addr.clone(),
            None => {
                let addr = self.start_room(room.clone(), ctx.address().recipient());
                self.rooms.insert(room.clone(), addr.clone());
                self.set_count();
                addr
            }
        };
        let answer = addr.send(Join { peer, inbox, mode });
        Box::pin(async move {
            let (peers, owner) = answer.await.map_err(|_| RoomError::Unavailable)??;
            Ok(Joined {
                room: RoomHandle::new(room, addr),
                peers,
                owner,
            })
        })
    }
}

impl Handler<RoomIdle> for Registry {
    type Result = ();

    fn handle(&mut self, RoomIdle { room, addr }: RoomIdle, ctx: &mut Self::Context) {
        if self.rooms.get(&room) != Some(&addr) {
            return;
        }
        ctx.wait(
            addr.send(StopIfIdle)
                .into_actor(self)
                .map(move |answer, registry, _| {
                    // A room that cannot answer is gone already.
                    if answer.unwrap_or(true) && registry.rooms.get(&room) == Some(&addr) {
                        registry.rooms.remove(&room);
                        registry.set_count();
                    }
                }),
        );
    }
}
