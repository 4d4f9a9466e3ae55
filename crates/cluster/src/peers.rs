//! The bridge's half for peers addressed by id: claims, the per-peer channels, and queues.
//!
//! Each claimed id has a channel that only its holder's node subscribes to, so sending to an
//! id is one PUBLISH whose answer (how many subscribers got it) also says whether anyone
//! holds the id. Claims are Lua scripts, atomic across the cluster.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use switchboard_core::PeerId;
use switchboard_core::bridge::{BridgeError, ClaimOutcome, PeerAddress, PeerMessage, Queued};

use crate::bridge::{Shared, lock};
use crate::lease::timed;
use crate::scripts;
use crate::wire;

/// Most expired queues taken per sweep.
const EXPIRED_PER_SWEEP: usize = 256;

/// What to publish on `peer`'s channel, in the format the cluster reads now.
pub(crate) fn envelope(shared: &Shared, peer: &PeerAddress, message: &PeerMessage) -> Vec<u8> {
    wire::encode_peer_message(peer, message, None, shared.writes_compact())
}

/// A call of [`scripts::CLAIM`] or [`scripts::RELEASE`], which take the same keys and
/// arguments.
fn claim_script(shared: &Shared, script: &str, peer: &PeerAddress, token: &str) -> redis::Cmd {
    let keys = &shared.keys;
    let node = shared.node.as_str();
    let mut call = redis::cmd("EVAL");
    call.arg(script)
        .arg(3)
        .arg(keys.peer(peer))
        .arg(keys.node_peers(node))
        .arg(keys.peer_set(&peer.space))
        .arg(token)
        .arg(node)
        .arg(wire::peer_entry(peer))
        .arg(peer.id.as_str());
    call
}

/// Runs on the writer task, in order with releases of the same id.
pub(crate) async fn claim(
    shared: &Shared,
    peer: &PeerAddress,
    token: &str,
) -> Result<ClaimOutcome, BridgeError> {
    let keys = &shared.keys;
    let node = shared.node.as_str();
    let mut redis = shared.redis.clone();
    let (outcome, previous): (String, String) = timed(
        shared,
        claim_script(shared, scripts::CLAIM, peer, token).query_async(&mut redis),
    )
    .await?;
    let outcome = match outcome.as_str() {
        "claimed" => ClaimOutcome::Claimed,
        "taken_over" => ClaimOutcome::TakenOver,
        _ => return Ok(ClaimOutcome::Taken),
    };
    // Tell the previous holder on another node to close before this node subscribes, so it
    // alone hears it. This node's own previous holder is replaced by the directory.
    if outcome == ClaimOutcome::TakenOver && previous != node {
        let replaced = envelope(shared, peer, &PeerMessage::Replaced);
        let _: i64 = timed(
            shared,
            redis::cmd("PUBLISH")
                .arg(keys.peer_channel(peer))
                .arg(replaced)
                .query_async(&mut redis),
        )
        .await?;
    }
    timed(shared, redis.subscribe(keys.peer_channel(peer))).await?;
    lock(&shared.local_peers).insert(peer.clone(), Arc::from(token));
    Ok(outcome)
}

/// Runs on the writer task.
pub(crate) async fn release(
    shared: &Shared,
    peer: &PeerAddress,
    token: &str,
) -> Result<(), BridgeError> {
    let keys = &shared.keys;
    let mut redis = shared.redis.clone();
    if lock(&shared.local_peers)
        .get(peer)
        .is_some_and(|held| &**held == token)
    {
        lock(&shared.local_peers).remove(peer);
    }
    timed(shared, redis.unsubscribe(keys.peer_channel(peer))).await?;
    let _: i64 = timed(
        shared,
        claim_script(shared, scripts::RELEASE, peer, token).query_async(&mut redis),
    )
    .await?;
    Ok(())
}

/// Adds to the writer's pipeline: deliver `message` to the holder of `peer`, or queue it
/// ([`scripts::DELIVER_OR_ENQUEUE`]); only queue it when `publish` is false. The script's
/// answer (1: delivered) is one result of the pipeline.
pub(crate) fn add_deliver_or_enqueue(
    shared: &Shared,
    pipe: &mut redis::Pipeline,
    peer: &PeerAddress,
    message: &Queued,
    expires_in: Duration,
    publish: bool,
) {
    let keys = &shared.keys;
    let keep_ms = expires_in.as_millis() as u64;
    let compact = shared.writes_compact();
    let direct = PeerMessage::Direct {
        from: message.from.clone(),
        payload: message.payload.clone(),
    };
    let envelope = wire::encode_peer_message(peer, &direct, Some(expires_in), compact);
    // Empty: the script stores the envelope itself.
    let stored = wire::encode_queued(message, compact).unwrap_or_default();
    pipe.cmd("EVAL")
        .arg(scripts::DELIVER_OR_ENQUEUE)
        .arg(3)
        .arg(keys.peer_channel(peer))
        .arg(keys.queue(peer))
        .arg(keys.queues())
        .arg(envelope)
        .arg(stored)
        // NX in the script: a queue expires with its first message, as in peerjs-server.
        .arg(now_millis().saturating_add(keep_ms))
        .arg(wire::peer_entry(peer))
        // A safety net should every node be gone before the queue is swept.
        .arg(keep_ms.saturating_mul(4).max(60_000))
        .arg(if publish { "1" } else { "0" });
}

pub(crate) async fn take_queued(
    shared: &Shared,
    peer: &PeerAddress,
) -> Result<Vec<Queued>, BridgeError> {
    let keys = &shared.keys;
    let mut redis = shared.redis.clone();
    let (messages,): (Vec<Vec<u8>>,) = timed(
        shared,
        redis::pipe()
            .atomic()
            .lrange(keys.queue(peer), 0, -1)
            .del(keys.queue(peer))
            .ignore()
            .zrem(keys.queues(), wire::peer_entry(peer))
            .ignore()
            .query_async(&mut redis),
    )
    .await?;
    Ok(messages.into_iter().filter_map(read_queued).collect())
}

pub(crate) async fn take_expired(
    shared: &Shared,
) -> Result<Vec<(PeerAddress, Vec<Queued>)>, BridgeError> {
    let keys = &shared.keys;
    let mut redis = shared.redis.clone();
    let taken: Vec<redis::Value> = timed(
        shared,
        redis::cmd("EVAL")
            .arg(scripts::TAKE_EXPIRED)
            .arg(1)
            .arg(keys.queues())
            .arg(now_millis())
            .arg(keys.prefix())
            .arg(EXPIRED_PER_SWEEP)
            .query_async(&mut redis),
    )
    .await?;
    let mut expired = Vec::new();
    for pair in taken.chunks(2) {
        let [entry, messages] = pair else { continue };
        let Ok(entry) = redis::from_redis_value_ref::<String>(entry) else {
            continue;
        };
        let Ok(messages) = redis::from_redis_value_ref::<Vec<Vec<u8>>>(messages) else {
            continue;
        };
        if let Some(peer) = wire::parse_peer_entry(&entry) {
            expired.push((peer, messages.into_iter().filter_map(read_queued).collect()));
        }
    }
    Ok(expired)
}

pub(crate) async fn list(shared: &Shared, space: &str) -> Result<Vec<PeerId>, BridgeError> {
    let mut redis = shared.redis.clone();
    let ids: Vec<String> = timed(
        shared,
        redis::cmd("SMEMBERS")
            .arg(shared.keys.peer_set(space))
            .query_async(&mut redis),
    )
    .await?;
    Ok(ids.into_iter().map(PeerId::new).collect())
}

/// Frees every id `node` still holds (a dead node, or this one saying goodbye).
pub(crate) async fn evict(shared: &Shared, node: &str) -> Result<usize, BridgeError> {
    let keys = &shared.keys;
    let mut redis = shared.redis.clone();
    let count: usize = timed(
        shared,
        redis::cmd("EVAL")
            .arg(scripts::EVICT_PEERS)
            .arg(1)
            .arg(keys.node_peers(node))
            .arg(node)
            .arg(keys.prefix())
            .query_async(&mut redis),
    )
    .await?;
    Ok(count)
}

/// Writes this node's claims again (after Redis lost them) and resubscribes their channels.
pub(crate) async fn reassert(shared: &Shared) -> Result<(), BridgeError> {
    let keys = &shared.keys;
    let node = shared.node.as_str();
    let local: Vec<(PeerAddress, Arc<str>)> = lock(&shared.local_peers)
        .iter()
        .map(|(peer, token)| (peer.clone(), token.clone()))
        .collect();
    evict(shared, node).await?;
    let mut redis = shared.redis.clone();
    if !local.is_empty() {
        let mut pipe = redis::pipe();
        for (peer, token) in &local {
            let held = serde_json::json!({ "token": &**token, "node": node }).to_string();
            pipe.set(keys.peer(peer), held).ignore();
            pipe.sadd(keys.node_peers(node), wire::peer_entry(peer))
                .ignore();
            pipe.sadd(keys.peer_set(&peer.space), peer.id.as_str())
                .ignore();
        }
        timed(shared, pipe.exec_async(&mut redis)).await?;
    }
    for (peer, _) in &local {
        timed(shared, redis.subscribe(keys.peer_channel(peer))).await?;
    }
    Ok(())
}

fn read_queued(stored: Vec<u8>) -> Option<Queued> {
    let read = wire::read_queued(&bytes::Bytes::from(stored));
    if read.is_none() {
        log::warn!("cluster: an unreadable queued message was dropped");
    }
    read
}

fn now_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_millis() as u64)
}
