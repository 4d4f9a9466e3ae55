//! `ClusterEvent::RoomMembers`: after the bridge lost events, the room makes its members on
//! other nodes match the cluster's list and tells its local members the difference.

use std::sync::Mutex;

use super::*;
use crate::bridge::{BridgeError, BridgeFuture, ClusterEvent, FromCluster};

/// A bridge the test drives by hand: it reports `remote` when watched, keeps the room's inbox
/// so the test can speak for the cluster, and records what the room publishes.
struct HandBridge {
    node: NodeId,
    peers: crate::bridge::MemoryBridge,
    remote: Vec<PeerInfo>,
    inbox: Mutex<Option<Recipient<FromCluster>>>,
    published: Mutex<Vec<ClusterEvent>>,
}

impl Bridge for HandBridge {
    peers_in_memory!(peers);

    fn node(&self) -> &NodeId {
        &self.node
    }

    fn watch_room(&self, _: &RoomId, inbox: Recipient<FromCluster>) -> BridgeFuture<Vec<PeerInfo>> {
        *self.inbox.lock().unwrap() = Some(inbox);
        Box::pin(std::future::ready(Ok(self.remote.clone())))
    }

    fn unwatch_room(&self, _: &RoomId) {
        *self.inbox.lock().unwrap() = None;
    }

    fn publish(&self, event: ClusterEvent) -> Result<(), BridgeError> {
        self.published.lock().unwrap().push(event);
        Ok(())
    }
}

#[actix_rt::test]
async fn a_members_list_from_the_cluster_is_applied_as_differences() {
    let other = NodeId::new("other");
    let (gone, kept, new) = (peer("r1", &other), peer("r2", &other), peer("r3", &other));
    let bridge = Arc::new(HandBridge {
        node: NodeId::new("here"),
        peers: crate::bridge::MemoryBus::new().bridge(NodeId::new("here")),
        remote: vec![gone.clone(), kept.clone()],
        inbox: Mutex::new(None),
        published: Mutex::new(Vec::new()),
    });
    let hub = Hub::start(bridge.clone(), 1);
    let room = RoomId::new("test", "resync");

    let (mut p1, peers) = join(&hub, &room, "p1").await;
    assert_eq!(peers, sorted(vec![gone.clone(), kept.clone()]));
    let (mut p2, _) = join(&hub, &room, "p2").await;
    assert_eq!(p1.inbox.next().await, p2.joined());

    // The cluster's list includes this node's own members, which stay as they are.
    let listed = vec![kept.clone(), new.clone(), p1.info.clone(), p2.info.clone()];
    let inbox = bridge
        .inbox
        .lock()
        .unwrap()
        .clone()
        .expect("the room watches");
    inbox.do_send(FromCluster(ClusterEvent::RoomMembers {
        room: room.clone(),
        peers: listed,
    }));
    for member in [&mut p1, &mut p2] {
        assert_eq!(
            member.inbox.next().await,
            Seen::Left(room.clone(), gone.id.clone(), LeaveReason::Disconnected)
        );
        assert_eq!(
            member.inbox.next().await,
            Seen::Joined(room.clone(), new.clone())
        );
    }
    // Nothing about the members that were already known.
    fence(&p1, &mut [&mut p2], "fence 1").await;
    fence(&p2, &mut [&mut p1], "fence 2").await;

    assert_eq!(
        within("signal", p1.signal(Some(&gone.id), "gone?")).await,
        Err(RoomError::UnknownTarget)
    );
    assert_eq!(
        within("signal", p1.signal(Some(&new.id), "offer")).await,
        Ok(())
    );
    let last = bridge.published.lock().unwrap().last().cloned();
    match last {
        Some(ClusterEvent::Signal {
            room: at,
            from,
            to,
            payload,
        }) => {
            assert_eq!(at, room);
            assert_eq!(from, p1.id());
            assert_eq!(to, Some((new.id.clone(), other.clone())));
            assert_eq!(&*payload, "offer");
        }
        other => panic!("expected the signal to r3 to be published, got {other:?}"),
    }

    let (_p3, peers) = join(&hub, &room, "p3").await;
    assert_eq!(
        peers,
        sorted(vec![p1.info.clone(), p2.info.clone(), kept, new])
    );
}
