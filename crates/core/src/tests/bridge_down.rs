//! A bridge that cannot publish: local rooms keep working, remote targets fail at once
//! ([`RoomError::ClusterUnreachable`]).

use super::*;
use crate::bridge::{BridgeError, BridgeFuture, ClusterEvent, FromCluster};

/// Knows the members other nodes held when it last could ask, and cannot send anything.
struct DownBridge {
    node: NodeId,
    peers: crate::bridge::MemoryBridge,
    remote: Vec<PeerInfo>,
}

impl Bridge for DownBridge {
    peers_in_memory!(peers);

    fn node(&self) -> &NodeId {
        &self.node
    }

    fn watch_room(&self, _: &RoomId, _: Recipient<FromCluster>) -> BridgeFuture<Vec<PeerInfo>> {
        Box::pin(std::future::ready(Ok(self.remote.clone())))
    }

    fn unwatch_room(&self, _: &RoomId) {}

    fn publish(&self, _: ClusterEvent) -> Result<(), BridgeError> {
        Err(BridgeError("down for the test".into()))
    }
}

fn down_hub(remote: Vec<PeerInfo>) -> Hub {
    let bridge = DownBridge {
        node: NodeId::new("here"),
        peers: crate::bridge::MemoryBus::new().bridge(NodeId::new("here")),
        remote,
    };
    Hub::start(Arc::new(bridge), 1)
}

#[actix_rt::test]
async fn local_rooms_work_while_the_bridge_is_down() {
    let hub = down_hub(vec![]);
    let room = RoomId::new("test", "down");
    let (mut p1, peers) = join(&hub, &room, "p1").await;
    assert_eq!(peers, vec![]);
    let (mut p2, peers) = join(&hub, &room, "p2").await;
    assert_eq!(peers, vec![p1.info.clone()]);
    assert_eq!(p1.inbox.next().await, p2.joined());

    assert_eq!(
        within("signal", p1.signal(Some(&p2.id()), "offer")).await,
        Ok(())
    );
    assert_eq!(p2.inbox.next().await, p1.sent("offer"));
    // With no member elsewhere, a broadcast needs no bridge.
    assert_eq!(within("signal", p2.signal(None, "answer")).await, Ok(()));
    assert_eq!(p1.inbox.next().await, p2.sent("answer"));

    assert_eq!(p2.leave(LeaveReason::Left).await, Ok(()));
    assert_eq!(p1.inbox.next().await, p2.left(LeaveReason::Left));
    assert_eq!(p1.leave(LeaveReason::Left).await, Ok(()));
    settle("the room retires", || hub.room_count() == 0).await;
}

#[actix_rt::test]
async fn a_signal_to_a_remote_member_fails_promptly_while_the_bridge_is_down() {
    let elsewhere = peer("far", &NodeId::new("other"));
    let hub = down_hub(vec![elsewhere.clone()]);
    let room = RoomId::new("test", "down-remote");
    let (mut p1, peers) = join(&hub, &room, "p1").await;
    assert_eq!(peers, vec![elsewhere.clone()]);
    let (mut p2, peers) = join(&hub, &room, "p2").await;
    assert_eq!(peers, sorted(vec![elsewhere.clone(), p1.info.clone()]));
    assert_eq!(p1.inbox.next().await, p2.joined());

    assert_eq!(
        within(
            "signal to a remote member",
            p1.signal(Some(&elsewhere.id), "offer")
        )
        .await,
        Err(RoomError::ClusterUnreachable)
    );

    // A broadcast still reaches the local members, whatever it says about the others.
    let _ = within("broadcast", p1.signal(None, "to all")).await;
    assert_eq!(p2.inbox.next().await, p1.sent("to all"));
    // And local targets are unaffected.
    assert_eq!(
        within("signal", p2.signal(Some(&p1.id()), "local")).await,
        Ok(())
    );
    assert_eq!(p1.inbox.next().await, p2.sent("local"));
}
