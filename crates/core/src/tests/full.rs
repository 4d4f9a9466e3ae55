//! Rooms bounded by `RoomLimits::max_members`: a join beyond it is refused with `RoomFull`,
//! members on other nodes count, and a leave makes room again.

use super::*;
use crate::{JoinMode, RoomLimits};

fn limited(bus: &MemoryBus, node: &str, max_members: usize) -> Hub {
    let bridge: Arc<dyn Bridge> = Arc::new(bus.bridge(NodeId::new(node)));
    Hub::start_with(bridge, 1, RoomLimits { max_members })
}

async fn try_join(hub: &Hub, room: &RoomId, id: &str, mode: JoinMode) -> Result<(), RoomError> {
    let inbox = Inbox::start();
    let joining = hub.join_as(room.clone(), peer(id, hub.node()), inbox.recipient(), mode);
    within("join", joining).await.map(|_| ())
}

#[actix_rt::test]
async fn a_join_beyond_the_bound_is_refused_until_someone_leaves() {
    let bus = MemoryBus::new();
    let hub = limited(&bus, "solo", 2);
    let room = RoomId::new("test", "full");
    let (mut p1, _) = join(&hub, &room, "p1").await;
    let (mut p2, _) = join(&hub, &room, "p2").await;
    assert_eq!(p1.inbox.next().await, p2.joined());

    let refused = try_join(&hub, &room, "p3", JoinMode::Open).await;
    assert_eq!(refused, Err(RoomError::RoomFull));
    // An owned room's `Existing` join is bounded the same way.
    let refused = try_join(&hub, &room, "p3", JoinMode::Existing).await;
    assert_eq!(refused, Err(RoomError::RoomFull));
    // Nobody heard of the refused joiner.
    fence(&p1, &mut [&mut p2], "fence").await;

    p2.leave(LeaveReason::Left).await.unwrap();
    assert_eq!(p1.inbox.next().await, p2.left(LeaveReason::Left));
    let (p3, peers) = join(&hub, &room, "p3").await;
    assert_eq!(peers, vec![p1.info.clone()]);
    assert_eq!(p1.inbox.next().await, p3.joined());
}

#[actix_rt::test]
async fn members_on_other_nodes_count() {
    let bus = MemoryBus::new();
    let a = limited(&bus, "a", 2);
    let b = limited(&bus, "b", 2);
    let room = RoomId::new("test", "full-across");
    let (mut a1, _) = join(&a, &room, "a1").await;
    let (b1, peers) = join(&b, &room, "b1").await;
    assert_eq!(peers, vec![a1.info.clone()]);
    assert_eq!(a1.inbox.next().await, b1.joined());

    assert_eq!(
        try_join(&a, &room, "a2", JoinMode::Open).await,
        Err(RoomError::RoomFull)
    );
    assert_eq!(
        try_join(&b, &room, "b2", JoinMode::Open).await,
        Err(RoomError::RoomFull)
    );
}

#[actix_rt::test]
async fn zero_is_no_bound() {
    let bus = MemoryBus::new();
    let hub = limited(&bus, "solo", 0);
    let room = RoomId::new("test", "unbounded");
    let mut members = Vec::new();
    for i in 0..100 {
        members.push(join(&hub, &room, &format!("p{i}")).await.0);
    }
    assert_eq!(members.len(), 100);
}
