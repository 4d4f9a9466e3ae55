//! A cluster under test: one Redis and N `switchboard` nodes (ids n1..nN) with a short
//! heartbeat and lease so failures are noticed quickly. `start` returns once every node's
//! /readyz is 200 and lists all N nodes as live. Everything is killed on drop (the fields
//! drop in order: nodes first, then Redis).

use crate::harness::server::live_nodes;
use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::Value;

use super::util::wait_until;
use crate::harness::Server;
use crate::harness::redis::RedisServer;

/// How often each node renews its lease and looks for dead nodes.
pub const HEARTBEAT: Duration = Duration::from_millis(500);
/// The default lease: a node silent this long is dead.
pub const LEASE: Duration = Duration::from_secs(2);
/// Keys and channels of the cluster (the server's default `--cluster-prefix`).
pub const PREFIX: &str = "switchboard:";
/// The room space of the conference dialect, part of room keys and channels.
pub const SPACE: &str = "conference";

pub struct Cluster {
    pub nodes: Vec<Server>,
    pub redis: RedisServer,
    pub lease: Duration,
}

impl Cluster {
    /// Redis plus `n` nodes with the default (short) lease, all ready.
    pub async fn start(n: usize) -> Cluster {
        Self::start_with_lease(n, LEASE).await
    }

    /// Like `start`, with another lease.
    pub async fn start_with_lease(n: usize, lease: Duration) -> Cluster {
        let redis = RedisServer::start();
        let nodes = (0..n)
            .map(|index| start_node(&redis, &Self::id(index), lease))
            .collect();
        let cluster = Cluster {
            nodes,
            redis,
            lease,
        };
        let all: Vec<usize> = (0..n).collect();
        cluster.wait_ready(&all, &all).await;
        cluster
    }

    /// The id of the node at `index` (0 -> "n1").
    pub fn id(index: usize) -> String {
        format!("n{}", index + 1)
    }

    pub fn node(&self, index: usize) -> &Server {
        &self.nodes[index]
    }

    /// How long to wait for something that needs a dead node's lease to expire and a
    /// survivor's heartbeat to notice: the lease plus a margin for a loaded machine.
    pub fn lease_wait(&self) -> Duration {
        self.lease + HEARTBEAT * 2 + Duration::from_secs(5)
    }

    /// Waits until each node of `on` answers /readyz 200 with exactly the nodes of `live`.
    pub async fn wait_ready(&self, on: &[usize], live: &[usize]) {
        let mut expected: Vec<String> = live.iter().map(|&i| Self::id(i)).collect();
        expected.sort();
        for &index in on {
            let node = &self.nodes[index];
            let what = format!("{} ready with live nodes {expected:?}", Self::id(index));
            wait_until(&what, Duration::from_secs(10), async || {
                let (status, body) = node.readyz().await;
                let nodes = live_nodes(&body);
                let connected = body["redis_connected"] == true;
                if status == 200 && connected && nodes == expected {
                    Ok(())
                } else {
                    Err(format!("{status} {body}"))
                }
            })
            .await;
        }
    }

    /// `switchboard:<suffix>`.
    pub fn key(suffix: &str) -> String {
        format!("{PREFIX}{suffix}")
    }

    /// The Redis hash of a conference room.
    pub fn room_key(room: &str) -> String {
        Self::key(&format!("room:{SPACE}:{room}"))
    }

    /// The pub/sub channel of a conference room.
    pub fn room_channel(room: &str) -> String {
        Self::key(&format!("ch:room:{SPACE}:{room}"))
    }

    /// The room's hash as peer id -> member JSON (`{"id","name","node"}`).
    pub fn room_hash(&self, room: &str) -> BTreeMap<String, Value> {
        let lines = self.redis.cli(&["HGETALL", &Self::room_key(room)]);
        let pairs = lines.chunks_exact(2);
        assert!(
            pairs.remainder().is_empty(),
            "HGETALL {room}: odd reply {lines:?}"
        );
        pairs
            .map(|pair| {
                let member = serde_json::from_str(&pair[1])
                    .unwrap_or_else(|err| panic!("member of {room} is not JSON ({err}): {pair:?}"));
                (pair[0].clone(), member)
            })
            .collect()
    }

    /// The room's hash as sorted (peer id, node) pairs, checking each member's own id.
    pub fn room_placement(&self, room: &str) -> Vec<(String, String)> {
        self.room_hash(room)
            .into_iter()
            .map(|(peer, member)| {
                assert_eq!(
                    member["id"],
                    peer.as_str(),
                    "member of {room} under another id"
                );
                let node = member["node"]
                    .as_str()
                    .unwrap_or_else(|| panic!("member of {room} without node: {member}"));
                (peer, node.to_string())
            })
            .collect()
    }

    /// How many connections subscribe to the room's channel (PUBSUB NUMSUB).
    pub fn room_subscribers(&self, room: &str) -> i64 {
        let channel = Self::room_channel(room);
        let lines = self.redis.cli(&["PUBSUB", "NUMSUB", &channel]);
        match lines.as_slice() {
            [name, count] if *name == channel => count.parse().expect("NUMSUB count"),
            _ => panic!("PUBSUB NUMSUB {channel}: unexpected reply {lines:?}"),
        }
    }

    /// Every room channel someone subscribes to, sorted.
    pub fn subscribed_room_channels(&self) -> Vec<String> {
        let pattern = Self::key("ch:room:*");
        let mut channels = self.redis.cli(&["PUBSUB", "CHANNELS", &pattern]);
        channels.sort();
        channels
    }

    /// All nodes' stderr so far, for failure messages.
    pub fn all_logs(&self) -> String {
        self.nodes
            .iter()
            .enumerate()
            .map(|(index, node)| format!("--- {} ---\n{}", Self::id(index), node.logs()))
            .collect()
    }
}

fn start_node(redis: &RedisServer, id: &str, lease: Duration) -> Server {
    let url = redis.url();
    let heartbeat = format!("{}ms", HEARTBEAT.as_millis());
    let lease = format!("{}ms", lease.as_millis());
    Server::start_single(&[
        "--redis-url",
        &url,
        "--node-id",
        id,
        "--cluster-heartbeat",
        &heartbeat,
        "--cluster-lease",
        &lease,
    ])
}
