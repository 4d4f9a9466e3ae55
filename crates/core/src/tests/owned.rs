//! Owned rooms (`JoinMode::Create` / `Existing`): create once, join only what exists, and the
//! owner's leave closes the room for everyone else.

use super::*;
use crate::JoinMode;

async fn join_as(
    hub: &Hub,
    room: &RoomId,
    id: &str,
    mode: JoinMode,
) -> Result<(Member, Vec<PeerInfo>, Option<PeerId>), RoomError> {
    let info = peer(id, hub.node());
    let inbox = Inbox::start();
    let joined = within(
        "join",
        hub.join_as(room.clone(), info.clone(), inbox.recipient(), mode),
    )
    .await?;
    let member = Member {
        info,
        inbox,
        room: joined.room,
    };
    Ok((member, sorted(joined.peers), joined.owner))
}

#[actix_rt::test]
async fn create_once_and_join_only_what_exists() {
    let (_bus, hub) = solo_hub(1);
    let room = RoomId::new("test", "owned");
    let missing = join_as(&hub, &room, "p0", JoinMode::Existing).await;
    assert_eq!(missing.err(), Some(RoomError::NoSuchRoom));

    let (mut owner, peers, who) = join_as(&hub, &room, "own", JoinMode::Create).await.unwrap();
    assert_eq!(peers, vec![]);
    assert_eq!(who, Some(owner.id()));

    let again = join_as(&hub, &room, "p1", JoinMode::Create).await;
    assert_eq!(again.err(), Some(RoomError::RoomExists));

    let (p1, peers, who) = join_as(&hub, &room, "p1", JoinMode::Existing)
        .await
        .unwrap();
    assert_eq!(peers, vec![owner.info.clone()]);
    assert_eq!(who, Some(owner.id()));
    assert_eq!(owner.inbox.next().await, p1.joined());
    fence(&p1, &mut [&mut owner], "fence").await;
}

#[actix_rt::test]
async fn a_member_leaving_is_announced_and_the_room_stays() {
    let (_bus, hub) = solo_hub(1);
    let room = RoomId::new("test", "member-leaves");
    let (mut owner, _, _) = join_as(&hub, &room, "own", JoinMode::Create).await.unwrap();
    let (p1, _, _) = join_as(&hub, &room, "p1", JoinMode::Existing)
        .await
        .unwrap();
    assert_eq!(owner.inbox.next().await, p1.joined());
    p1.leave(LeaveReason::Left).await.unwrap();
    assert_eq!(owner.inbox.next().await, p1.left(LeaveReason::Left));
    let (p2, peers, who) = join_as(&hub, &room, "p2", JoinMode::Existing)
        .await
        .unwrap();
    assert_eq!(peers, vec![owner.info.clone()]);
    assert_eq!(who, Some(owner.id()));
    assert_eq!(owner.inbox.next().await, p2.joined());
}

#[actix_rt::test]
async fn the_owner_leaving_closes_the_room() {
    for reason in [LeaveReason::Left, LeaveReason::Disconnected] {
        let (_bus, hub) = solo_hub(1);
        let room = RoomId::new("test", "closing");
        let (mut owner, _, _) = join_as(&hub, &room, "own", JoinMode::Create).await.unwrap();
        let (mut p1, _, _) = join_as(&hub, &room, "p1", JoinMode::Existing)
            .await
            .unwrap();
        let (mut p2, _, _) = join_as(&hub, &room, "p2", JoinMode::Existing)
            .await
            .unwrap();
        assert_eq!(owner.inbox.next().await, p1.joined());
        assert_eq!(owner.inbox.next().await, p2.joined());
        assert_eq!(p1.inbox.next().await, p2.joined());

        owner.leave(reason).await.unwrap();
        assert_eq!(p1.inbox.next().await, Seen::Closed(room.clone()));
        assert_eq!(p2.inbox.next().await, Seen::Closed(room.clone()));
        // They were removed: leaving again is refused (the room may be retired already).
        assert!(p1.leave(LeaveReason::Left).await.is_err());
        settle("room retired", || hub.room_count() == 0).await;
        let gone = join_as(&hub, &room, "p3", JoinMode::Existing).await;
        assert_eq!(gone.err(), Some(RoomError::NoSuchRoom));
        // The name is free again.
        join_as(&hub, &room, "p3", JoinMode::Create).await.unwrap();
    }
}

#[actix_rt::test]
async fn a_join_right_after_the_close_finds_no_room() {
    for threads in [0, 1, 2] {
        let (_bus, hub) = solo_hub(threads);
        let room = RoomId::new("test", "reopen");
        let (owner, _, _) = join_as(&hub, &room, "own", JoinMode::Create).await.unwrap();
        let (mut p1, _, _) = join_as(&hub, &room, "p1", JoinMode::Existing)
            .await
            .unwrap();
        owner.leave(LeaveReason::Left).await.unwrap();
        assert_eq!(p1.inbox.next().await, Seen::Closed(room.clone()));
        let gone = join_as(&hub, &room, "p1", JoinMode::Existing).await;
        assert_eq!(gone.err(), Some(RoomError::NoSuchRoom));
        join_as(&hub, &room, "p1", JoinMode::Create).await.unwrap();
    }
}

#[actix_rt::test]
async fn the_owner_is_known_on_every_node_and_its_leave_closes_the_room_there() {
    let bus = MemoryBus::new();
    let a = hub_on(&bus, "a", 1);
    let b = hub_on(&bus, "b", 1);
    let room = RoomId::new("test", "owned-cross");
    let (owner, _, _) = join_as(&a, &room, "own", JoinMode::Create).await.unwrap();
    let (mut b1, peers, who) = join_as(&b, &room, "b1", JoinMode::Existing).await.unwrap();
    assert_eq!(peers, vec![owner.info.clone()]);
    assert_eq!(who, Some(owner.id()));
    // Creating on the other node finds the room.
    let again = join_as(&b, &room, "b2", JoinMode::Create).await;
    assert_eq!(again.err(), Some(RoomError::RoomExists));
    let (mut b2, _, who) = join_as(&b, &room, "b2", JoinMode::Existing).await.unwrap();
    assert_eq!(who, Some(owner.id()));
    assert_eq!(b1.inbox.next().await, b2.joined());

    owner.leave(LeaveReason::Left).await.unwrap();
    assert_eq!(b1.inbox.next().await, Seen::Closed(room.clone()));
    assert_eq!(b2.inbox.next().await, Seen::Closed(room.clone()));
    settle("rooms retired", || {
        a.room_count() == 0 && b.room_count() == 0
    })
    .await;
    assert!(bus.members(&room).is_empty());
    // The name is free again, on either node.
    join_as(&b, &room, "b1", JoinMode::Create).await.unwrap();
}

#[actix_rt::test]
async fn nodes_racing_to_create_a_room_make_one_owner() {
    for round in 0..20 {
        let bus = MemoryBus::new();
        let a = hub_on(&bus, "a", 2);
        let b = hub_on(&bus, "b", 2);
        let room = RoomId::new("test", format!("race-{round}").as_str());
        let (ra, rb) = futures_util::future::join(
            join_as(&a, &room, "pa", JoinMode::Create),
            join_as(&b, &room, "pb", JoinMode::Create),
        )
        .await;
        let won = [ra.is_ok(), rb.is_ok()];
        assert_eq!(won.iter().filter(|won| **won).count(), 1, "round {round}");
        for result in [ra, rb] {
            if let Err(err) = result {
                assert_eq!(err, RoomError::RoomExists);
            }
        }
    }
}
