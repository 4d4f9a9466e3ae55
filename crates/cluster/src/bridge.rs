//! [`RedisBridge`]: the core's `Bridge` over Redis.
//!
//! Calls from rooms never wait for Redis: `publish` queues for the writer task (which keeps
//! their order and pipelines them), `watch_room` answers through a future. What comes from
//! Redis arrives as RESP3 pushes on the same connection and is handed to the room's actor.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::Duration;

use actix::Recipient;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{IntoConnectionInfo, ProtocolVersion};
use switchboard_core::bridge::{
    Bridge, BridgeError, BridgeFuture, ClaimOutcome, ClusterEvent, FromCluster, OnFailure,
    PeerAddress, PeerMessage, PeerSink, Queued,
};
use switchboard_core::{NodeId, PeerId, PeerInfo, RoomId};
use tokio::sync::{mpsc, oneshot};

use crate::ClusterConfig;
use crate::keys::Keys;
use crate::writer::{Op, Reply};

/// What the tasks of one bridge share.
pub(crate) struct Shared {
    pub node: NodeId,
    pub keys: Keys,
    pub config: ClusterConfig,
    pub redis: ConnectionManager,
    /// Rooms this node hosts, and their actors.
    pub watched: Mutex<HashMap<RoomId, Recipient<FromCluster>>>,
    /// This node's members, the truth that is re-asserted when Redis lost it.
    pub local: Mutex<HashMap<RoomId, HashMap<PeerId, PeerInfo>>>,
    /// Redis answered the last heartbeat, and this node's state there is current.
    pub connected: AtomicBool,
    /// Nodes whose lease was alive at the last heartbeat.
    pub live_nodes: Mutex<Vec<String>>,
    pub ops: mpsc::UnboundedSender<Op>,
    /// This node's claimed peer ids and their tokens, re-asserted like members.
    pub local_peers: Mutex<HashMap<PeerAddress, Arc<str>>>,
    /// Where messages for this node's peers go.
    pub peer_sink: Mutex<Option<Weak<dyn PeerSink>>>,
    /// Owners on this node of owned rooms, re-asserted like members.
    pub local_owners: Mutex<HashMap<RoomId, PeerInfo>>,
    /// Every live node reads wire format 2 (`compact.rs`), as their leases said at the last
    /// heartbeat: frames are written in it. False until the first heartbeat has read them.
    pub compact: AtomicBool,
    /// The start of every peer channel's name, to tell their messages from the rest.
    pub peer_channel_prefix: String,
}

pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Shared {
    /// Whether to write frames in wire format 2.
    pub(crate) fn writes_compact(&self) -> bool {
        self.compact.load(std::sync::atomic::Ordering::Relaxed)
    }

    pub(crate) fn unreachable() -> BridgeError {
        BridgeError("Redis is unreachable: peers on other nodes cannot be reached now".into())
    }
}

/// The health of this node's link to the cluster, for `/readyz`.
#[derive(Debug, Clone)]
pub struct ClusterStatus {
    pub connected: bool,
    pub nodes: Vec<String>,
}

pub struct RedisBridge {
    shared: Arc<Shared>,
    /// The heartbeat task, stopped on goodbye so it cannot register the node again.
    lease: tokio::task::JoinHandle<()>,
}

impl RedisBridge {
    /// Starts the bridge's tasks on the current Tokio runtime. Redis need not be up: the
    /// bridge keeps trying, with backoff, and reports itself disconnected meanwhile. Fails
    /// only on a URL it cannot use.
    pub fn start(node: NodeId, config: ClusterConfig) -> Result<Arc<Self>, String> {
        let info = config
            .redis_url
            .as_str()
            .into_connection_info()
            .map_err(|err| format!("--redis-url: {err}"))?;
        let resp3 = info
            .redis_settings()
            .clone()
            .set_protocol(ProtocolVersion::RESP3);
        let info = info.set_redis_settings(resp3);
        let client = redis::Client::open(info).map_err(|err| format!("--redis-url: {err}"))?;
        let (pushes, push_receiver) = mpsc::unbounded_channel();
        let manager_config = ConnectionManagerConfig::new()
            .set_push_sender(pushes)
            .set_automatic_resubscription()
            .set_connection_timeout(Some(config.command_timeout))
            .set_response_timeout(Some(config.command_timeout))
            .set_number_of_retries(1)
            .set_max_delay(std::time::Duration::from_millis(500));
        let redis = ConnectionManager::new_lazy_with_config(client, manager_config)
            .map_err(|err| err.to_string())?;
        let (ops, op_receiver) = mpsc::unbounded_channel();
        let peer_channel_prefix = Keys::new(&config.prefix).peer_channel_prefix();
        let shared = Arc::new(Shared {
            keys: Keys::new(&config.prefix),
            node,
            config,
            redis,
            watched: Mutex::default(),
            local: Mutex::default(),
            connected: AtomicBool::new(false),
            live_nodes: Mutex::default(),
            ops,
            local_peers: Mutex::default(),
            peer_sink: Mutex::default(),
            local_owners: Mutex::default(),
            compact: AtomicBool::new(false),
            peer_channel_prefix,
        });
        metrics::gauge!("switchboard_redis_connected").set(0.0);
        tokio::spawn(crate::writer::run(shared.clone(), op_receiver));
        tokio::spawn(crate::inbound::run(shared.clone(), push_receiver));
        let lease = tokio::spawn(crate::lease::run(shared.clone()));
        Ok(Arc::new(Self { shared, lease }))
    }

    pub fn status(&self) -> ClusterStatus {
        ClusterStatus {
            connected: self.shared.connected.load(Ordering::SeqCst),
            nodes: lock(&self.shared.live_nodes).clone(),
        }
    }

    /// Leaves the cluster: waits for queued events, then removes this node's lease and any
    /// member it still holds, telling the other nodes at once.
    pub async fn goodbye(&self) {
        // A heartbeat already sent goes first on the one connection; none can follow.
        self.lease.abort();
        let (done, flushed) = oneshot::channel();
        if self.shared.ops.send(Op::Flush(done)).is_ok() {
            let _ = tokio::time::timeout(self.shared.config.command_timeout, flushed).await;
        }
        let node = self.shared.node.to_string();
        if let Err(err) = crate::peers::evict(&self.shared, &node).await {
            log::warn!("cluster: releasing this node's peer ids failed: {err}");
        }
        match crate::lease::evict(&self.shared, &node).await {
            Ok(count) => {
                log::info!("cluster: said goodbye ({count} member(s) left behind removed)")
            }
            Err(err) => log::warn!("cluster: goodbye failed: {err}"),
        }
    }
}

impl Bridge for RedisBridge {
    fn node(&self) -> &NodeId {
        &self.shared.node
    }

    fn watch_room(
        &self,
        room: &RoomId,
        inbox: Recipient<FromCluster>,
    ) -> BridgeFuture<Vec<PeerInfo>> {
        lock(&self.shared.watched).insert(room.clone(), inbox);
        let (reply, answer) = oneshot::channel();
        let sent = self.shared.ops.send(Op::Watch {
            room: room.clone(),
            reply,
        });
        Box::pin(async move {
            sent.map_err(|_| Shared::unreachable())?;
            answer.await.map_err(|_| Shared::unreachable())?
        })
    }

    fn unwatch_room(&self, room: &RoomId) {
        lock(&self.shared.watched).remove(room);
        let _ = self.shared.ops.send(Op::Unwatch { room: room.clone() });
    }

    fn published(&self) -> BridgeFuture<()> {
        let (done, flushed) = oneshot::channel();
        let queued = self.shared.ops.send(Op::Flush(done)).is_ok();
        // Bounded: a Redis that stopped answering must not hold a join's answer for long.
        let bound = self.shared.config.command_timeout * 2;
        Box::pin(async move {
            if queued {
                let _ = tokio::time::timeout(bound, flushed).await;
            }
            Ok(())
        })
    }

    fn publish(&self, event: ClusterEvent) -> Result<(), BridgeError> {
        match &event {
            ClusterEvent::PeerJoined { room, peer } if peer.node == self.shared.node => {
                lock(&self.shared.local)
                    .entry(room.clone())
                    .or_default()
                    .insert(peer.id.clone(), peer.clone());
            }
            ClusterEvent::PeerLeft { room, peer, .. } => {
                let mut local = lock(&self.shared.local);
                if let Some(members) = local.get_mut(room) {
                    members.remove(peer);
                    if members.is_empty() {
                        local.remove(room);
                    }
                }
            }
            _ => {}
        }
        // While Redis is away, membership is re-asserted when it is back; signals fail now.
        if !self.shared.connected.load(Ordering::SeqCst) {
            return Err(Shared::unreachable());
        }
        self.shared
            .ops
            .send(Op::Event(event))
            .map_err(|_| Shared::unreachable())
    }

    fn attach_peers(&self, sink: Weak<dyn PeerSink>) {
        *lock(&self.shared.peer_sink) = Some(sink);
    }

    fn claim_room(&self, room: &RoomId, owner: &PeerInfo) -> BridgeFuture<bool> {
        let (reply, answer) = oneshot::channel();
        let op = Op::ClaimRoom {
            room: room.clone(),
            owner: owner.clone(),
            reply,
        };
        self.request(op, answer)
    }

    fn room_owner(&self, room: &RoomId) -> BridgeFuture<Option<PeerId>> {
        let (shared, room) = (self.shared.clone(), room.clone());
        Box::pin(async move { crate::owners::owner(&shared, &room).await })
    }

    fn node_address(&self, node: &NodeId) -> BridgeFuture<Option<String>> {
        let (shared, node) = (self.shared.clone(), node.clone());
        Box::pin(async move { crate::addresses::advertised(&shared, &node).await })
    }

    fn release_room(&self, room: &RoomId, owner: &PeerId) {
        let _ = self.shared.ops.send(Op::ReleaseRoom {
            room: room.clone(),
            owner: owner.clone(),
        });
    }

    fn claim_peer(&self, peer: &PeerAddress, token: &str) -> BridgeFuture<ClaimOutcome> {
        let (reply, answer) = oneshot::channel();
        let op = Op::Claim {
            peer: peer.clone(),
            token: token.to_owned(),
            reply,
        };
        self.request(op, answer)
    }

    fn release_peer(&self, peer: &PeerAddress, token: &str) {
        let _ = self.shared.ops.send(Op::Release {
            peer: peer.clone(),
            token: token.to_owned(),
        });
    }

    fn send_to_peer(&self, peer: &PeerAddress, message: PeerMessage) -> BridgeFuture<bool> {
        let (reply, answer) = oneshot::channel();
        self.request(
            Op::SendToPeer {
                peer: peer.clone(),
                message,
                reply,
            },
            answer,
        )
    }

    fn deliver_or_enqueue(
        &self,
        peer: &PeerAddress,
        message: Queued,
        expires_in: Duration,
    ) -> BridgeFuture<bool> {
        let (reply, answer) = oneshot::channel();
        let op = Op::DeliverOrEnqueue {
            peer: peer.clone(),
            message,
            expires_in,
            reply: Reply::Answer(reply),
        };
        self.request(op, answer)
    }

    fn deliver_or_enqueue_quietly(
        &self,
        peer: &PeerAddress,
        message: Queued,
        expires_in: Duration,
        on_failure: OnFailure,
    ) {
        if !self.shared.connected.load(Ordering::SeqCst) {
            return on_failure(Shared::unreachable());
        }
        let op = Op::DeliverOrEnqueue {
            peer: peer.clone(),
            message,
            expires_in,
            reply: Reply::OnFailure(on_failure),
        };
        if let Err(mpsc::error::SendError(op)) = self.shared.ops.send(op)
            && let Op::DeliverOrEnqueue {
                reply: Reply::OnFailure(on_failure),
                ..
            } = op
        {
            on_failure(Shared::unreachable());
        }
    }

    fn take_queued(&self, peer: &PeerAddress) -> BridgeFuture<Vec<Queued>> {
        let (shared, peer) = (self.shared.clone(), peer.clone());
        Box::pin(async move { crate::peers::take_queued(&shared, &peer).await })
    }

    fn take_expired(&self) -> BridgeFuture<Vec<(PeerAddress, Vec<Queued>)>> {
        let shared = self.shared.clone();
        Box::pin(async move { crate::peers::take_expired(&shared).await })
    }

    fn list_peers(&self, space: &str) -> BridgeFuture<Vec<PeerId>> {
        let (shared, space) = (self.shared.clone(), space.to_owned());
        Box::pin(async move { crate::peers::list(&shared, &space).await })
    }
}

impl RedisBridge {
    /// Queues `op` for the writer and answers with its reply; fails at once while Redis is
    /// unreachable.
    fn request<T: Send + 'static>(
        &self,
        op: Op,
        answer: oneshot::Receiver<Result<T, BridgeError>>,
    ) -> BridgeFuture<T> {
        let sent = if self.shared.connected.load(Ordering::SeqCst) {
            self.shared.ops.send(op).map_err(|_| Shared::unreachable())
        } else {
            Err(Shared::unreachable())
        };
        Box::pin(async move {
            sent?;
            answer.await.map_err(|_| Shared::unreachable())?
        })
    }
}
