//! The node's life in the cluster: renew the lease, re-assert this node's members when Redis
//! lost them (it restarted, or this node was cut off), and clean up after dead nodes.
//!
//! Every `heartbeat` the node renews `lease:<node>` (TTL `lease`). A node whose lease is gone
//! is dead: the first survivor to take `cleanup:<dead>` removes its members from every room
//! and announces their departure on the rooms' channels, on the dead node's behalf.

use std::collections::HashSet;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use switchboard_core::bridge::{BridgeError, ClusterEvent, FromCluster};
use switchboard_core::{PeerInfo, RoomId};

use crate::bridge::{Shared, lock};
use crate::wire::{self, Body, Envelope, Member};

/// Runs a Redis call with the bridge's time limit, so nothing waits on an absent Redis.
pub(crate) async fn timed<T>(
    shared: &Shared,
    call: impl Future<Output = redis::RedisResult<T>>,
) -> Result<T, BridgeError> {
    match tokio::time::timeout(shared.config.command_timeout, call).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(err)) => Err(BridgeError(format!("Redis: {err}"))),
        Err(_) => Err(BridgeError("Redis did not answer in time".into())),
    }
}

pub(crate) async fn run(shared: Arc<Shared>) {
    let mut failures: u32 = 0;
    let mut resync: Option<PendingResync> = None;
    loop {
        if let Some(pending) = &resync
            && pending.is_due(&shared).await
        {
            resync_rooms(&shared).await;
            resync = None;
        }
        match heartbeat(&shared).await {
            Ok(lease_was_alive) => {
                let was_connected = shared.connected.load(Ordering::SeqCst);
                if !was_connected || !lease_was_alive {
                    // The nodes known before the link broke: the rooms are read again once
                    // each has re-asserted its members (or had the time to).
                    let known = lock(&shared.live_nodes).clone();
                    let (reply, answer) = tokio::sync::oneshot::channel();
                    let _ = shared.ops.send(crate::writer::Op::Reassert(reply));
                    let result = answer
                        .await
                        .unwrap_or_else(|_| Err(BridgeError("writer stopped".into())));
                    match result {
                        Ok(()) => {
                            metrics::gauge!("switchboard_redis_connected").set(1.0);
                            log::info!("cluster: node {} connected to Redis", shared.node);
                            resync = Some(PendingResync::new(&shared, known));
                        }
                        Err(err) => log::warn!("cluster: re-asserting members failed: {err}"),
                    }
                }
                failures = 0;
                if let Err(err) = reap_dead_nodes(&shared).await {
                    log::warn!("cluster: looking for dead nodes failed: {err}");
                }
            }
            Err(err) => {
                if shared.connected.swap(false, Ordering::SeqCst) || failures == 0 {
                    log::warn!("cluster: Redis unreachable: {err}");
                }
                metrics::gauge!("switchboard_redis_connected").set(0.0);
                failures = failures.saturating_add(1);
            }
        }
        tokio::time::sleep(pause(&shared, failures)).await;
    }
}

/// A read of every hosted room, owed after this node re-asserted itself. It waits until the
/// other nodes known before the break have re-asserted theirs too, so that a Redis restarted
/// empty is not read while it still lacks their members (which would announce them gone and
/// back); a node that does not re-assert within a lease is dead, and its cleanup follows.
struct PendingResync {
    others: Vec<String>,
    deadline: Instant,
}

impl PendingResync {
    fn new(shared: &Shared, known: Vec<String>) -> Self {
        let others = known
            .into_iter()
            .filter(|node| node != shared.node.as_str())
            .collect();
        Self {
            others,
            deadline: Instant::now() + shared.config.lease + shared.config.heartbeat,
        }
    }

    async fn is_due(&self, shared: &Shared) -> bool {
        if self.others.is_empty() || Instant::now() >= self.deadline {
            return true;
        }
        let mut pipe = redis::pipe();
        for node in &self.others {
            pipe.exists(shared.keys.asserted(node));
        }
        let mut redis = shared.redis.clone();
        match timed(shared, pipe.query_async::<Vec<bool>>(&mut redis)).await {
            Ok(asserted) => asserted.into_iter().all(|done| done),
            Err(_) => false,
        }
    }
}

/// The heartbeat when healthy; after failures, a growing pause up to 2 s, so a Redis that
/// is down is tried often enough to notice it is back within the lease.
fn pause(shared: &Shared, failures: u32) -> Duration {
    if failures == 0 {
        return shared.config.heartbeat;
    }
    let backoff = Duration::from_millis(100) * 2u32.saturating_pow(failures.min(5));
    backoff.min(Duration::from_secs(2))
}

/// Renews the lease; answers whether it was still there (it is not after Redis lost it).
async fn heartbeat(shared: &Shared) -> Result<bool, BridgeError> {
    let keys = &shared.keys;
    let node = shared.node.as_str();
    let lease = keys.lease(node);
    let mut redis = shared.redis.clone();
    let (existed,): (bool,) = timed(
        shared,
        redis::pipe()
            .exists(&lease)
            .set_options(&lease, lease_value(shared), lease_options(shared))
            .ignore()
            .sadd(keys.nodes(), node)
            .ignore()
            .query_async(&mut redis),
    )
    .await?;
    Ok(existed)
}

/// What a lease holds: the node, where it can be reached over HTTP (`addresses.rs`), and
/// the newest wire format it reads (`compact.rs`).
fn lease_value(shared: &Shared) -> String {
    serde_json::json!({
        "node": shared.node.as_str(),
        "advertise": shared.config.advertise,
        "wire": crate::compact::VERSION,
    })
    .to_string()
}

/// The wire format a lease says its node reads; a lease without one is from a release that
/// reads format 1 only.
fn wire_version(lease: &str) -> u64 {
    #[derive(serde::Deserialize)]
    struct Lease {
        #[serde(default)]
        wire: Option<u64>,
    }
    serde_json::from_str::<Lease>(lease)
        .ok()
        .and_then(|lease| lease.wire)
        .unwrap_or(1)
}

fn lease_options(shared: &Shared) -> redis::SetOptions {
    let millis = shared.config.lease.as_millis().max(1) as u64;
    redis::SetOptions::default().with_expiration(redis::SetExpiry::PX(millis))
}

/// Makes Redis hold exactly this node's members, subscribes again to its rooms, and tells
/// the other nodes about any member they may have missed. Runs on the writer task.
pub(crate) async fn reassert(shared: &Shared) -> Result<(), BridgeError> {
    let keys = &shared.keys;
    let node = shared.node.as_str();
    let mut redis = shared.redis.clone();
    let recorded: HashSet<String> = timed(
        shared,
        redis::cmd("SMEMBERS")
            .arg(keys.node_members(node))
            .query_async(&mut redis),
    )
    .await?;
    let local: Vec<(RoomId, PeerInfo)> = lock(&shared.local)
        .iter()
        .flat_map(|(room, members)| {
            members
                .values()
                .map(move |peer| (room.clone(), peer.clone()))
        })
        .collect();
    let mut pipe = redis::pipe();
    pipe.set(keys.asserted(node), lease_value(shared)).ignore();
    let mut present = HashSet::new();
    for (room, peer) in &local {
        let entry = wire::membership(room, peer.id.as_str());
        let member = serde_json::to_string(&Member::from(peer)).expect("members serialize");
        pipe.hset(keys.room(room), peer.id.as_str(), member)
            .ignore();
        pipe.sadd(keys.node_members(node), &entry).ignore();
        if !recorded.contains(&entry) {
            let event = ClusterEvent::PeerJoined {
                room: room.clone(),
                peer: peer.clone(),
            };
            if let Some(envelope) = Envelope::from_event(node, &event) {
                pipe.publish(keys.room_channel(room), envelope.to_json())
                    .ignore();
            }
        }
        present.insert(entry);
    }
    for entry in recorded.difference(&present) {
        if let Some((room, peer)) = wire::parse_membership(entry) {
            add_departure(shared, &mut pipe, node, &room, &peer);
        }
        pipe.srem(keys.node_members(node), entry).ignore();
    }
    crate::owners::reassert(shared, &mut pipe);
    timed(shared, pipe.exec_async(&mut redis)).await?;
    let rooms: Vec<RoomId> = lock(&shared.watched).keys().cloned().collect();
    for room in rooms {
        timed(shared, redis.subscribe(keys.room_channel(&room))).await?;
    }
    timed(shared, redis.subscribe(keys.node_channel(node))).await?;
    crate::peers::reassert(shared).await
}

/// Hands every hosted room the members Redis lists now, to correct what was missed.
async fn resync_rooms(shared: &Shared) {
    let rooms: Vec<RoomId> = lock(&shared.watched).keys().cloned().collect();
    for room in rooms {
        match room_members(shared, &room).await {
            Ok(peers) => {
                if let Some(inbox) = lock(&shared.watched).get(&room) {
                    inbox.do_send(FromCluster(ClusterEvent::RoomMembers {
                        room: room.clone(),
                        peers,
                    }));
                }
            }
            Err(err) => log::warn!("cluster: cannot read room {room}: {err}"),
        }
    }
}

/// Every member Redis lists for a room.
pub(crate) async fn room_members(
    shared: &Shared,
    room: &RoomId,
) -> Result<Vec<PeerInfo>, BridgeError> {
    let mut redis = shared.redis.clone();
    let members: Vec<(String, String)> = timed(
        shared,
        redis::cmd("HGETALL")
            .arg(shared.keys.room(room))
            .query_async(&mut redis),
    )
    .await?;
    Ok(members
        .into_iter()
        .filter_map(|(_, member)| serde_json::from_str::<Member>(&member).ok())
        .map(PeerInfo::from)
        .collect())
}

/// Finds nodes whose lease expired, cleans up after each (one survivor per dead node), and
/// records the live ones.
async fn reap_dead_nodes(shared: &Shared) -> Result<(), BridgeError> {
    let keys = &shared.keys;
    let mut redis = shared.redis.clone();
    let nodes: Vec<String> = timed(
        shared,
        redis::cmd("SMEMBERS")
            .arg(keys.nodes())
            .query_async(&mut redis),
    )
    .await?;
    let mut pipe = redis::pipe();
    for node in &nodes {
        pipe.get(keys.lease(node));
    }
    let leases: Vec<Option<String>> = if nodes.is_empty() {
        Vec::new()
    } else {
        timed(shared, pipe.query_async(&mut redis)).await?
    };
    let mut live = Vec::new();
    let mut all_compact = true;
    for (node, lease) in nodes.into_iter().zip(leases) {
        if let Some(lease) = lease {
            all_compact &= wire_version(&lease) >= crate::compact::VERSION;
            live.push(node);
            continue;
        }
        let claim = redis::SetOptions::default()
            .conditional_set(redis::ExistenceCheck::NX)
            .with_expiration(redis::SetExpiry::PX(
                shared.config.lease.as_millis().max(1) as u64 * 2,
            ));
        let claimed: bool = timed(
            shared,
            redis::cmd("SET")
                .arg(keys.cleanup_lock(&node))
                .arg(shared.node.as_str())
                .arg(&claim)
                .query_async::<Option<String>>(&mut redis),
        )
        .await?
        .is_some();
        if claimed {
            crate::peers::evict(shared, &node).await?;
            let count = evict(shared, &node).await?;
            log::info!("cluster: node {node} is gone; removed its {count} member(s)");
            metrics::counter!("switchboard_cluster_dead_nodes_total").increment(1);
        }
    }
    live.sort();
    if shared.compact.swap(all_compact, Ordering::Relaxed) != all_compact {
        let format = if all_compact { 2 } else { 1 };
        log::info!("cluster: relayed frames now travel in wire format {format}");
    }
    metrics::gauge!("switchboard_cluster_nodes").set(live.len() as f64);
    *lock(&shared.live_nodes) = live;
    Ok(())
}

/// Removes every member of `node` from its rooms and announces each departure as a
/// disconnect, on that node's behalf; then forgets the node. Answers how many it removed.
pub(crate) async fn evict(shared: &Shared, node: &str) -> Result<usize, BridgeError> {
    let keys = &shared.keys;
    let mut redis = shared.redis.clone();
    let entries: Vec<String> = timed(
        shared,
        redis::cmd("SMEMBERS")
            .arg(keys.node_members(node))
            .query_async(&mut redis),
    )
    .await?;
    let mut pipe = redis::pipe();
    for entry in &entries {
        if let Some((room, peer)) = wire::parse_membership(entry) {
            add_departure(shared, &mut pipe, node, &room, &peer);
        }
    }
    pipe.del(keys.node_members(node)).ignore();
    pipe.del(keys.asserted(node)).ignore();
    pipe.del(keys.lease(node)).ignore();
    pipe.srem(keys.nodes(), node).ignore();
    timed(shared, pipe.exec_async(&mut redis)).await?;
    // Our own rooms hear our announcement only when it speaks for another node; a node that
    // evicts itself is leaving and its rooms are empty.
    Ok(entries.len())
}

fn add_departure(
    shared: &Shared,
    pipe: &mut redis::Pipeline,
    node: &str,
    room: &RoomId,
    peer: &str,
) {
    let keys = &shared.keys;
    pipe.hdel(keys.room(room), peer).ignore();
    let envelope = Envelope {
        origin: node.to_owned(),
        space: room.space.to_string(),
        room: room.name.to_string(),
        body: Body::Leave {
            peer: peer.to_owned(),
            disconnected: true,
        },
    };
    pipe.publish(keys.room_channel(room), envelope.to_json())
        .ignore();
}

#[cfg(test)]
mod tests {
    use super::wire_version;

    #[test]
    fn a_lease_says_which_wire_format_its_node_reads() {
        assert_eq!(
            wire_version(r#"{"node":"n1","advertise":null,"wire":2}"#),
            2
        );
        assert_eq!(
            wire_version(r#"{"node":"n1","advertise":null,"wire":3}"#),
            3
        );
        // The previous release wrote no version: it reads format 1 only.
        assert_eq!(wire_version(r#"{"node":"n1","advertise":null}"#), 1);
        assert_eq!(wire_version("not json"), 1);
    }
}
