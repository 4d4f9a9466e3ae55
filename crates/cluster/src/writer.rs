//! The writer task: runs the bridge's Redis operations one after another, in the order rooms
//! asked for them, and packs consecutive events into one pipeline (one round trip under load).

use std::sync::Arc;

use redis::Pipeline;
use std::time::Duration;

use switchboard_core::bridge::{
    BridgeError, ClaimOutcome, ClusterEvent, OnFailure, PeerAddress, PeerMessage, Queued,
};
use switchboard_core::{PeerId, PeerInfo, RoomId};
use tokio::sync::{mpsc, oneshot};

use crate::bridge::Shared;
use crate::wire::{self, Member};

/// Most operations packed into one pipeline.
const BATCH: usize = 256;

pub(crate) enum Op {
    Event(ClusterEvent),
    /// PUBLISH on a peer's channel; answers whether a node took it.
    SendToPeer {
        peer: PeerAddress,
        message: PeerMessage,
        reply: oneshot::Sender<Result<bool, BridgeError>>,
    },
    /// Delivers to the holder's node, or queues; answers whether it was delivered.
    DeliverOrEnqueue {
        peer: PeerAddress,
        message: Queued,
        expires_in: Duration,
        reply: Reply,
    },
    /// Queues a message that reached this node before its peer was ready here.
    Requeue {
        peer: PeerAddress,
        message: Queued,
        expires_in: Duration,
    },
    Claim {
        peer: PeerAddress,
        token: String,
        reply: oneshot::Sender<Result<ClaimOutcome, BridgeError>>,
    },
    Release {
        peer: PeerAddress,
        token: String,
    },
    ClaimRoom {
        room: RoomId,
        owner: PeerInfo,
        reply: oneshot::Sender<Result<bool, BridgeError>>,
    },
    ReleaseRoom {
        room: RoomId,
        owner: PeerId,
    },
    Watch {
        room: RoomId,
        reply: oneshot::Sender<Result<Vec<PeerInfo>, BridgeError>>,
    },
    Unwatch {
        room: RoomId,
    },
    /// Answers once every earlier operation is done.
    Flush(oneshot::Sender<()>),
    /// Re-asserts this node's state in Redis (see `lease.rs`), in line with the events.
    Reassert(oneshot::Sender<Result<(), BridgeError>>),
}

/// How the writer answers a send: whether a node took the message.
pub(crate) enum Reply {
    Answer(oneshot::Sender<Result<bool, BridgeError>>),
    /// Only a failure: an answer to a session on another thread would wake that thread once
    /// per message.
    OnFailure(OnFailure),
}

impl Reply {
    fn send(self, result: Result<bool, BridgeError>) {
        match (self, result) {
            (Reply::Answer(answer), result) => {
                let _ = answer.send(result);
            }
            (Reply::OnFailure(on_failure), Err(err)) => on_failure(err),
            (Reply::OnFailure(_), Ok(_)) => {}
        }
    }
}

/// Replies owed once a pipeline has run.
#[derive(Default)]
struct Replies {
    events: usize,
    /// One per non-ignored command in the pipeline (a PUBLISH or a deliver-or-queue), in
    /// order: it answers whether a node took the message.
    sends: Vec<Reply>,
}

impl Replies {
    fn is_empty(&self) -> bool {
        self.events == 0 && self.sends.is_empty()
    }
}

pub(crate) async fn run(shared: Arc<Shared>, mut ops: mpsc::UnboundedReceiver<Op>) {
    let mut batch = Vec::with_capacity(BATCH);
    while ops.recv_many(&mut batch, BATCH).await > 0 {
        let mut pipe = redis::pipe();
        let mut replies = Replies::default();
        for op in batch.drain(..) {
            match op {
                Op::Event(event) => {
                    add_event(&shared, &mut pipe, &event);
                    replies.events += 1;
                }
                Op::SendToPeer {
                    peer,
                    message,
                    reply,
                } => {
                    pipe.publish(
                        shared.keys.peer_channel(&peer),
                        crate::peers::envelope(&shared, &peer, &message),
                    );
                    replies.sends.push(Reply::Answer(reply));
                }
                Op::DeliverOrEnqueue {
                    peer,
                    message,
                    expires_in,
                    reply,
                } => {
                    crate::peers::add_deliver_or_enqueue(
                        &shared, &mut pipe, &peer, &message, expires_in, true,
                    );
                    replies.sends.push(reply);
                }
                Op::Requeue {
                    peer,
                    message,
                    expires_in,
                } => {
                    crate::peers::add_deliver_or_enqueue(
                        &shared, &mut pipe, &peer, &message, expires_in, false,
                    );
                    pipe.ignore();
                    replies.events += 1;
                }
                other => {
                    if !replies.is_empty() {
                        execute(&shared, &pipe, std::mem::take(&mut replies)).await;
                        pipe = redis::pipe();
                    }
                    run_control(&shared, other).await;
                }
            }
        }
        if !replies.is_empty() {
            execute(&shared, &pipe, replies).await;
        }
    }
}

async fn execute(shared: &Shared, pipe: &Pipeline, replies: Replies) {
    let mut redis = shared.redis.clone();
    match crate::lease::timed(shared, pipe.query_async::<Vec<i64>>(&mut redis)).await {
        Ok(receivers) => {
            metrics::counter!("switchboard_cluster_published_total")
                .increment((replies.events + replies.sends.len()) as u64);
            for (reply, receivers) in replies.sends.into_iter().zip(receivers) {
                reply.send(Ok(receivers > 0));
            }
        }
        Err(err) => {
            metrics::counter!("switchboard_cluster_publish_errors_total")
                .increment(replies.events as u64);
            log::warn!(
                "cluster: a pipeline of {} operation(s) failed: {err}",
                replies.events + replies.sends.len()
            );
            for reply in replies.sends {
                reply.send(Err(err.clone()));
            }
        }
    }
}

fn add_event(shared: &Shared, pipe: &mut Pipeline, event: &ClusterEvent) {
    let keys = &shared.keys;
    let Some(envelope) = wire::encode_event(shared.node.as_str(), event, shared.writes_compact())
    else {
        return;
    };
    let room = event.room();
    match event {
        ClusterEvent::PeerJoined { peer, .. } => {
            let member = serde_json::to_string(&Member::from(peer)).expect("members serialize");
            pipe.hset(keys.room(room), peer.id.as_str(), member)
                .ignore();
            pipe.sadd(
                keys.node_members(peer.node.as_str()),
                wire::membership(room, peer.id.as_str()),
            )
            .ignore();
            pipe.publish(keys.room_channel(room), &envelope).ignore();
        }
        ClusterEvent::PeerLeft { peer, .. } => {
            pipe.hdel(keys.room(room), peer.as_str()).ignore();
            pipe.srem(
                keys.node_members(shared.node.as_str()),
                wire::membership(room, peer.as_str()),
            )
            .ignore();
            pipe.publish(keys.room_channel(room), &envelope).ignore();
        }
        ClusterEvent::Signal {
            to: Some((_, node)),
            ..
        } => {
            pipe.publish(keys.node_channel(node.as_str()), &envelope)
                .ignore();
        }
        ClusterEvent::Signal { to: None, .. } => {
            pipe.publish(keys.room_channel(room), &envelope).ignore();
        }
        ClusterEvent::RoomMembers { .. } => {}
    }
}

async fn run_control(shared: &Shared, op: Op) {
    match op {
        Op::Watch { room, reply } => {
            let _ = reply.send(watch(shared, &room).await);
        }
        Op::Unwatch { room } => {
            let mut redis = shared.redis.clone();
            if let Err(err) =
                crate::lease::timed(shared, redis.unsubscribe(shared.keys.room_channel(&room)))
                    .await
            {
                log::debug!("cluster: unsubscribe {room}: {err}");
            }
        }
        Op::Flush(done) => {
            let _ = done.send(());
        }
        Op::Reassert(reply) => {
            // Connected first: from here on, rooms queue their events behind this snapshot
            // instead of skipping Redis, so no join or leave falls between the two.
            shared
                .connected
                .store(true, std::sync::atomic::Ordering::SeqCst);
            let result = crate::lease::reassert(shared).await;
            if result.is_err() {
                shared
                    .connected
                    .store(false, std::sync::atomic::Ordering::SeqCst);
            }
            let _ = reply.send(result);
        }
        Op::Claim { peer, token, reply } => {
            let _ = reply.send(crate::peers::claim(shared, &peer, &token).await);
        }
        Op::Release { peer, token } => {
            if let Err(err) = crate::peers::release(shared, &peer, &token).await {
                log::warn!("cluster: releasing {peer}: {err}");
            }
        }
        Op::ClaimRoom { room, owner, reply } => {
            let _ = reply.send(crate::owners::claim(shared, &room, &owner).await);
        }
        Op::ReleaseRoom { room, owner } => {
            if let Err(err) = crate::owners::release(shared, &room, &owner).await {
                log::warn!("cluster: releasing the owner of {room}: {err}");
            }
        }
        Op::Event(_) | Op::SendToPeer { .. } | Op::DeliverOrEnqueue { .. } | Op::Requeue { .. } => {
            unreachable!("pipelined operations are handled by the caller")
        }
    }
}

/// Subscribes to the room's channel, then reads who is in it on other nodes.
pub(crate) async fn watch(shared: &Shared, room: &RoomId) -> Result<Vec<PeerInfo>, BridgeError> {
    let mut redis = shared.redis.clone();
    crate::lease::timed(shared, redis.subscribe(shared.keys.room_channel(room))).await?;
    crate::lease::room_members(shared, room)
        .await
        .map(|members| {
            members
                .into_iter()
                .filter(|peer| peer.node != shared.node)
                .collect()
        })
}
