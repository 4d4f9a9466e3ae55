//! One actor per room and node: it holds the members (local ones with their inbox, remote
//! ones with their node), answers joins, leaves and signals from local sessions, and applies
//! what other nodes say through the bridge.
//!
//! A room lives while it has local members. When the last one leaves it tells the registry,
//! which stops it unless a join arrived in between (see `registry.rs`).

pub(crate) mod messages;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use actix::prelude::*;

use crate::bridge::{Bridge, ClusterEvent, FromCluster};
use crate::{
    Deliver, Event, JoinMode, LeaveReason, PeerId, PeerInfo, RoomError, RoomId, RoomLimits,
};
use messages::{Join, Leave, RoomIdle, Signal, StopIfIdle};

struct Member {
    info: PeerInfo,
    /// `Some` for members whose session is on this node.
    inbox: Option<Recipient<Deliver>>,
}

pub(crate) struct Room {
    id: RoomId,
    bridge: Arc<dyn Bridge>,
    idle_to: Recipient<RoomIdle>,
    members: HashMap<PeerId, Member>,
    local_members: usize,
    /// The member whose leaving closes the room (a room made with `JoinMode::Create`).
    owner: Option<PeerId>,
    /// Joins waiting for the cluster (an owner claim or lookup): the room must not stop.
    joining: usize,
    limits: RoomLimits,
}

impl Room {
    pub(crate) fn new(
        id: RoomId,
        bridge: Arc<dyn Bridge>,
        idle_to: Recipient<RoomIdle>,
        limits: RoomLimits,
    ) -> Self {
        Self {
            limits,
            id,
            bridge,
            idle_to,
            members: HashMap::new(),
            local_members: 0,
            owner: None,
            joining: 0,
        }
    }

    /// Tells the registry this room has no local member, so it may be retired.
    fn report_idle(&self, ctx: &mut Context<Self>) {
        self.idle_to.do_send(RoomIdle {
            room: self.id.clone(),
            addr: ctx.address(),
        });
    }

    /// Delivers an event to every local member but `except`.
    fn tell_locals(&self, except: &PeerId, event: &Event) {
        for (id, member) in &self.members {
            if let (Some(inbox), true) = (&member.inbox, id != except) {
                inbox.do_send(Deliver(event.clone()));
            }
        }
    }

    /// The owner is gone: every local member is removed and told the room closed, and the
    /// other nodes learn they left (their rooms close on the owner's leave on their own).
    fn close(&mut self, ctx: &mut Context<Self>) {
        self.owner = None;
        let room = self.id.clone();
        let members = std::mem::take(&mut self.members);
        for (id, member) in members {
            if let Some(inbox) = member.inbox {
                inbox.do_send(Deliver(Event::RoomClosed { room: room.clone() }));
                let _ = self.publish(ClusterEvent::PeerLeft {
                    room: room.clone(),
                    peer: id,
                    reason: LeaveReason::Left,
                });
            }
        }
        if self.local_members > 0 {
            self.local_members = 0;
            self.report_idle(ctx);
        }
    }

    fn publish(&self, event: ClusterEvent) -> Result<(), RoomError> {
        self.bridge.publish(event).map_err(|err| {
            log::warn!("room {}: {err}", self.id);
            RoomError::ClusterUnreachable
        })
    }

    fn add_remote(&mut self, peer: PeerInfo) -> bool {
        if peer.node == *self.bridge.node() || self.members.contains_key(&peer.id) {
            return false;
        }
        self.members.insert(
            peer.id.clone(),
            Member {
                info: peer,
                inbox: None,
            },
        );
        true
    }

    /// Makes the members on other nodes match `peers`, announcing the differences locally.
    fn reconcile_remote(&mut self, room: RoomId, peers: Vec<PeerInfo>) {
        let listed: std::collections::HashSet<&PeerId> =
            peers.iter().map(|peer| &peer.id).collect();
        let gone: Vec<PeerId> = self
            .members
            .iter()
            .filter(|(id, member)| member.inbox.is_none() && !listed.contains(id))
            .map(|(id, _)| id.clone())
            .collect();
        for peer in gone {
            self.members.remove(&peer);
            let event = Event::PeerLeft {
                room: room.clone(),
                peer: peer.clone(),
                reason: LeaveReason::Disconnected,
            };
            self.tell_locals(&peer, &event);
        }
        for peer in peers {
            if self.add_remote(peer.clone()) {
                let id = peer.id.clone();
                self.tell_locals(
                    &id,
                    &Event::PeerJoined {
                        room: room.clone(),
                        peer,
                    },
                );
            }
        }
    }

    fn on_cluster_event(&mut self, event: ClusterEvent, ctx: &mut Context<Self>) {
        match event {
            ClusterEvent::PeerJoined { room, peer } => {
                if self.add_remote(peer.clone()) {
                    let id = peer.id.clone();
                    self.tell_locals(&id, &Event::PeerJoined { room, peer });
                }
            }
            ClusterEvent::PeerLeft { room, peer, reason } => {
                let remote = self.members.get(&peer).is_some_and(|m| m.inbox.is_none());
                if remote && self.owner.as_ref() == Some(&peer) {
                    self.members.remove(&peer);
                    self.close(ctx);
                } else if remote {
                    self.members.remove(&peer);
                    self.tell_locals(
                        &peer,
                        &Event::PeerLeft {
                            room,
                            peer: peer.clone(),
                            reason,
                        },
                    );
                }
            }
            ClusterEvent::RoomMembers { room, peers } => {
                self.reconcile_remote(room, peers);
                if self
                    .owner
                    .as_ref()
                    .is_some_and(|owner| !self.members.contains_key(owner))
                {
                    self.close(ctx);
                }
            }
            ClusterEvent::Signal {
                room,
                from,
                to,
                payload,
            } => {
                let event = Event::Signal {
                    room,
                    from: from.clone(),
                    payload,
                    received_at: Instant::now(),
                };
                match to {
                    Some((target, _)) => {
                        if let Some(inbox) =
                            self.members.get(&target).and_then(|m| m.inbox.as_ref())
                        {
                            inbox.do_send(Deliver(event));
                        }
                    }
                    None => self.tell_locals(&from, &event),
                }
            }
        }
    }
}

impl Actor for Room {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        metrics::gauge!("switchboard_rooms").increment(1.0);
        // Hold every message until the members on other nodes are known, so the first join's
        // answer lists them.
        let watch = self.bridge.watch_room(&self.id, ctx.address().recipient());
        ctx.wait(watch.into_actor(self).map(|result, room, _| match result {
            Ok(peers) => {
                for peer in peers {
                    room.add_remote(peer);
                }
            }
            Err(err) => log::warn!("room {}: members on other nodes unknown: {err}", room.id),
        }));
    }

    fn stopped(&mut self, _: &mut Self::Context) {
        metrics::gauge!("switchboard_rooms").decrement(1.0);
    }
}

type JoinAnswer = Result<(Vec<PeerInfo>, Option<PeerId>), RoomError>;
type LaterAnswer = std::pin::Pin<Box<dyn ActorFuture<Room, Output = JoinAnswer>>>;

/// An answer now, or once the join has reached the cluster.
enum Admitted {
    Now(JoinAnswer),
    Later(LaterAnswer),
}

impl Admitted {
    fn respond(self) -> ActorResponse<Room, JoinAnswer> {
        match self {
            Self::Now(answer) => ActorResponse::reply(answer),
            Self::Later(future) => ActorResponse::r#async(future),
        }
    }

    fn later(self) -> LaterAnswer {
        match self {
            Self::Now(answer) => Box::pin(fut::ready(answer)),
            Self::Later(future) => future,
        }
    }
}

impl Room {
    /// Why `peer` cannot join as `mode` now, if it cannot.
    fn refusal(&self, peer: &PeerInfo, mode: JoinMode) -> Option<RoomError> {
        if self.members.contains_key(&peer.id) {
            return Some(RoomError::AlreadyInRoom);
        }
        match mode {
            JoinMode::Create if !self.members.is_empty() => Some(RoomError::RoomExists),
            JoinMode::Existing if self.members.is_empty() => Some(RoomError::NoSuchRoom),
            // Members on other nodes count too, as far as this node has heard of them: two
            // nodes admitting a joiner each at the same moment may overshoot by one apiece.
            _ if self.limits.is_full(self.members.len()) => Some(RoomError::RoomFull),
            _ => None,
        }
    }

    /// Refuses a join; a room started for this join alone must not outlive its refusal.
    fn refuse(&self, refusal: RoomError, ctx: &mut Context<Self>) -> JoinAnswer {
        if self.local_members == 0 && self.joining == 0 {
            self.report_idle(ctx);
        }
        Err(refusal)
    }

    /// Admits `peer` (checked already), its owner if `owns`.
    fn admit(&mut self, peer: PeerInfo, inbox: Recipient<Deliver>, owns: bool) -> Admitted {
        if owns {
            self.owner = Some(peer.id.clone());
        }
        let owner = self.owner.clone();
        let present = self.members.values().map(|m| m.info.clone()).collect();
        let id = peer.id.clone();
        self.tell_locals(
            &id,
            &Event::PeerJoined {
                room: self.id.clone(),
                peer: peer.clone(),
            },
        );
        // A bridge that is down only costs the other nodes this join: the local room works.
        let published = self.publish(ClusterEvent::PeerJoined {
            room: self.id.clone(),
            peer: peer.clone(),
        });
        self.members.insert(
            id,
            Member {
                info: peer,
                inbox: Some(inbox),
            },
        );
        self.local_members += 1;
        if published.is_err() {
            return Admitted::Now(Ok((present, owner)));
        }
        // The answer waits until the join has reached the other nodes: a client told it is in
        // the room may have a peer join on another node at once, and that peer must find it
        // listed (else both learn of each other by peerJoin, unlike on one node). The room
        // goes on meanwhile; what it delivers to the joiner waits in the joiner's session,
        // which holds its mailbox until this answer (`ctx.wait`), so it comes after.
        Admitted::Later(Box::pin(
            self.bridge
                .published()
                .into_actor(self)
                .map(move |_, _, _| Ok((present, owner))),
        ))
    }
}

impl Handler<Join> for Room {
    // A refusal is answered at once (`reply`): the room may be stopped right after it, and
    // an answer left in a future would be lost with it.
    type Result = ActorResponse<Self, JoinAnswer>;

    fn handle(
        &mut self,
        Join { peer, inbox, mode }: Join,
        ctx: &mut Self::Context,
    ) -> Self::Result {
        if let Some(refusal) = self.refusal(&peer, mode) {
            return ActorResponse::reply(self.refuse(refusal, ctx));
        }
        match mode {
            JoinMode::Open => self.admit(peer, inbox, false).respond(),
            // The owner is claimed cluster-wide first: of two nodes racing, one wins.
            JoinMode::Create => {
                let claim = self.bridge.claim_room(&self.id, &peer);
                self.joining += 1;
                ActorResponse::r#async(claim.into_actor(self).then(move |claimed, room, ctx| {
                    room.joining -= 1;
                    let won = matches!(claimed, Ok(true));
                    let refusal = match claimed {
                        Ok(true) => room.refusal(&peer, mode),
                        Ok(false) => Some(RoomError::RoomExists),
                        Err(err) => {
                            log::warn!("room {}: {err}", room.id);
                            Some(RoomError::ClusterUnreachable)
                        }
                    };
                    match refusal {
                        Some(refusal) => {
                            if won {
                                room.bridge.release_room(&room.id, &peer.id);
                            }
                            Box::pin(fut::ready(room.refuse(refusal, ctx)))
                        }
                        None => room.admit(peer, inbox, true).later(),
                    }
                }))
            }
            // Members on other nodes only: learn who owns the room before answering.
            JoinMode::Existing if self.owner.is_none() => {
                let owner = self.bridge.room_owner(&self.id);
                self.joining += 1;
                ActorResponse::r#async(owner.into_actor(self).then(move |owner, room, ctx| {
                    room.joining -= 1;
                    if room.owner.is_none() {
                        room.owner = owner.ok().flatten();
                    }
                    match room.refusal(&peer, mode) {
                        Some(refusal) => Box::pin(fut::ready(room.refuse(refusal, ctx))),
                        None => room.admit(peer, inbox, false).later(),
                    }
                }))
            }
            JoinMode::Existing => self.admit(peer, inbox, false).respond(),
        }
    }
}

impl Handler<Leave> for Room {
    type Result = Result<(), RoomError>;

    fn handle(&mut self, Leave { peer, reason }: Leave, ctx: &mut Self::Context) -> Self::Result {
        match self.members.get(&peer) {
            Some(member) if member.inbox.is_some() => {}
            _ => return Err(RoomError::NotInRoom),
        }
        self.members.remove(&peer);
        self.local_members -= 1;
        let room = self.id.clone();
        if self.owner.as_ref() == Some(&peer) {
            self.bridge.release_room(&room, &peer);
            let _ = self.publish(ClusterEvent::PeerLeft { room, peer, reason });
            // `close` reports the room idle when it removes local members; else do it here.
            let others = self.local_members > 0;
            self.close(ctx);
            if !others {
                self.report_idle(ctx);
            }
            return Ok(());
        }
        self.tell_locals(
            &peer,
            &Event::PeerLeft {
                room: room.clone(),
                peer: peer.clone(),
                reason,
            },
        );
        let _ = self.publish(ClusterEvent::PeerLeft {
            room: room.clone(),
            peer,
            reason,
        });
        if self.local_members == 0 {
            self.report_idle(ctx);
        }
        Ok(())
    }
}

impl Handler<Signal> for Room {
    type Result = Result<(), RoomError>;

    fn handle(&mut self, signal: Signal, _: &mut Self::Context) -> Self::Result {
        let Signal {
            from,
            to,
            payload,
            received_at,
        } = signal;
        if self.members.get(&from).is_none_or(|m| m.inbox.is_none()) {
            return Err(RoomError::NotInRoom);
        }
        let event = Event::Signal {
            room: self.id.clone(),
            from: from.clone(),
            payload: payload.clone(),
            received_at,
        };
        match to {
            Some(target) => {
                let member = self.members.get(&target).ok_or(RoomError::UnknownTarget)?;
                match &member.inbox {
                    Some(inbox) => {
                        inbox.do_send(Deliver(event));
                        Ok(())
                    }
                    None => self.publish(ClusterEvent::Signal {
                        room: self.id.clone(),
                        from,
                        to: Some((target, member.info.node.clone())),
                        payload,
                    }),
                }
            }
            None => {
                self.tell_locals(&from, &event);
                if self.members.len() > self.local_members {
                    self.publish(ClusterEvent::Signal {
                        room: self.id.clone(),
                        from,
                        to: None,
                        payload,
                    })?;
                }
                Ok(())
            }
        }
    }
}

impl Handler<FromCluster> for Room {
    type Result = ();

    fn handle(&mut self, FromCluster(event): FromCluster, ctx: &mut Self::Context) {
        self.on_cluster_event(event, ctx);
    }
}

impl Handler<StopIfIdle> for Room {
    type Result = bool;

    fn handle(&mut self, _: StopIfIdle, ctx: &mut Self::Context) -> bool {
        if self.local_members > 0 || self.joining > 0 {
            return false;
        }
        // Unwatch here, not in `stopped`: the registry may start this room's successor as
        // soon as it has this answer, and its watch must not be undone by ours.
        self.bridge.unwatch_room(&self.id);
        ctx.stop();
        true
    }
}
