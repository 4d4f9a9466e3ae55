//! One node: joins, leaves and signals within a room, and rooms kept apart by their space.

use std::time::Instant;

use super::*;

#[actix_rt::test]
async fn first_joiner_finds_the_room_empty() {
    let (_bus, hub) = solo_hub(1);
    let room = RoomId::new("test", "empty");
    let (member, peers) = join(&hub, &room, "p1").await;
    assert_eq!(peers, vec![]);
    assert_eq!(member.room.id(), &room);
}

#[actix_rt::test]
async fn joiners_see_who_is_there_and_are_announced() {
    let (_bus, hub) = solo_hub(1);
    let room = RoomId::new("test", "announce");
    let (mut p1, _) = join(&hub, &room, "p1").await;

    let (mut p2, peers) = join(&hub, &room, "p2").await;
    assert_eq!(peers, vec![p1.info.clone()]);
    assert_eq!(p1.inbox.next().await, p2.joined());

    let (p3, peers) = join(&hub, &room, "p3").await;
    assert_eq!(peers, sorted(vec![p1.info.clone(), p2.info.clone()]));
    assert_eq!(p1.inbox.next().await, p3.joined());
    assert_eq!(p2.inbox.next().await, p3.joined());

    // Nobody was told of their own join, nor of anyone twice.
    fence(&p3, &mut [&mut p1, &mut p2], "fence").await;
}

#[actix_rt::test]
async fn joining_twice_is_refused_without_announcing() {
    let (_bus, hub) = solo_hub(1);
    let room = RoomId::new("test", "twice");
    let (mut p1, _) = join(&hub, &room, "p1").await;
    let (p2, _) = join(&hub, &room, "p2").await;
    assert_eq!(p1.inbox.next().await, p2.joined());

    let again = Inbox::start();
    let result = within(
        "second join",
        hub.join(room.clone(), p2.info.clone(), again.recipient()),
    )
    .await;
    assert_eq!(result.err(), Some(RoomError::AlreadyInRoom));

    // The refused join told no one, and p2 is still reached through its first inbox.
    fence(&p2, &mut [&mut p1], "after refused join").await;
    within("signal", p1.signal(Some(&p2.id()), "still you?"))
        .await
        .unwrap();
    let mut p2 = p2;
    assert_eq!(p2.inbox.next().await, p1.sent("still you?"));
}

#[actix_rt::test]
async fn leave_tells_the_others_and_only_once() {
    let (_bus, hub) = solo_hub(1);
    let room = RoomId::new("test", "leave");
    let (mut p1, _) = join(&hub, &room, "p1").await;
    let (mut p2, _) = join(&hub, &room, "p2").await;
    let (mut p3, _) = join(&hub, &room, "p3").await;
    assert_eq!(p1.inbox.next().await, p2.joined());
    assert_eq!(p1.inbox.next().await, p3.joined());
    assert_eq!(p2.inbox.next().await, p3.joined());

    assert_eq!(p3.leave(LeaveReason::Left).await, Ok(()));
    assert_eq!(p1.inbox.next().await, p3.left(LeaveReason::Left));
    assert_eq!(p2.inbox.next().await, p3.left(LeaveReason::Left));

    // Leaving twice: the room (kept alive by p1 and p2) no longer knows p3.
    assert_eq!(p3.leave(LeaveReason::Left).await, Err(RoomError::NotInRoom));
    fence(&p1, &mut [&mut p2], "after double leave").await;

    // p3 heard nothing of its own leave: back in the room, the first thing it hears is a fence.
    let rejoined = within(
        "rejoin",
        hub.join(room.clone(), p3.info.clone(), p3.inbox.recipient()),
    )
    .await
    .expect("rejoin");
    assert_eq!(
        sorted(rejoined.peers),
        sorted(vec![p1.info.clone(), p2.info.clone()])
    );
    p3.room = rejoined.room;
    assert_eq!(p1.inbox.next().await, p3.joined());
    fence(&p2, &mut [&mut p1, &mut p3], "after rejoin").await;
}

#[actix_rt::test]
async fn leave_now_reports_a_disconnection() {
    let (_bus, hub) = solo_hub(1);
    let room = RoomId::new("test", "disconnect");
    let (mut p1, _) = join(&hub, &room, "p1").await;
    let (p2, _) = join(&hub, &room, "p2").await;
    assert_eq!(p1.inbox.next().await, p2.joined());

    p2.room.leave_now(p2.id(), LeaveReason::Disconnected);
    assert_eq!(p1.inbox.next().await, p2.left(LeaveReason::Disconnected));
    assert_eq!(
        p2.leave(LeaveReason::Disconnected).await,
        Err(RoomError::NotInRoom)
    );
}

#[actix_rt::test]
async fn a_targeted_signal_reaches_only_its_target_intact() {
    let (_bus, hub) = solo_hub(1);
    let room = RoomId::new("test", "targeted");
    let (mut p1, _) = join(&hub, &room, "p1").await;
    let (mut p2, _) = join(&hub, &room, "p2").await;
    let (mut p3, _) = join(&hub, &room, "p3").await;
    assert_eq!(p1.inbox.next().await, p2.joined());
    assert_eq!(p1.inbox.next().await, p3.joined());
    assert_eq!(p2.inbox.next().await, p3.joined());

    let stamp = Instant::now();
    let result = within(
        "targeted signal",
        p1.room.signal(
            p1.id(),
            Some(p2.id()),
            payload("{\"sdp\":\"offer\"}"),
            stamp,
        ),
    )
    .await;
    assert_eq!(result, Ok(()));
    match p2.inbox.next_event().await {
        Event::Signal {
            room: at,
            from,
            payload,
            received_at,
        } => {
            assert_eq!(at, room);
            assert_eq!(from, p1.id());
            assert_eq!(&*payload, "{\"sdp\":\"offer\"}");
            // Relayed untouched on one node, so the relay-latency metric starts at receipt.
            assert_eq!(received_at, stamp);
        }
        other => panic!("p2 expected the signal, got {other:?}"),
    }

    // Neither the sender nor the bystander got a copy.
    fence(&p2, &mut [&mut p1, &mut p3], "fence").await;
}

#[actix_rt::test]
async fn signals_to_strangers_and_from_strangers_are_refused() {
    let (_bus, hub) = solo_hub(1);
    let room = RoomId::new("test", "strangers");
    let (mut p1, _) = join(&hub, &room, "p1").await;
    let (mut p2, _) = join(&hub, &room, "p2").await;
    assert_eq!(p1.inbox.next().await, p2.joined());

    let to_stranger = p1.signal(Some(&PeerId::new("nobody")), "hello?");
    assert_eq!(
        within("signal", to_stranger).await,
        Err(RoomError::UnknownTarget)
    );

    let from_stranger = p1.room.signal(
        PeerId::new("nobody"),
        Some(p2.id()),
        payload("let me in"),
        Instant::now(),
    );
    assert_eq!(
        within("signal", from_stranger).await,
        Err(RoomError::NotInRoom)
    );
    let broadcast_from_stranger =
        p1.room
            .signal(PeerId::new("nobody"), None, payload("all"), Instant::now());
    assert_eq!(
        within("signal", broadcast_from_stranger).await,
        Err(RoomError::NotInRoom)
    );

    // A member that left is a stranger too, both ways.
    let (p3, _) = join(&hub, &room, "p3").await;
    assert_eq!(p1.inbox.next().await, p3.joined());
    assert_eq!(p2.inbox.next().await, p3.joined());
    assert_eq!(p3.leave(LeaveReason::Left).await, Ok(()));
    assert_eq!(p1.inbox.next().await, p3.left(LeaveReason::Left));
    assert_eq!(p2.inbox.next().await, p3.left(LeaveReason::Left));
    assert_eq!(
        within("signal", p3.signal(Some(&p1.id()), "ghost")).await,
        Err(RoomError::NotInRoom)
    );
    assert_eq!(
        within("signal", p1.signal(Some(&p3.id()), "gone?")).await,
        Err(RoomError::UnknownTarget)
    );

    // None of the refused signals was delivered.
    fence(&p1, &mut [&mut p2], "fence p1").await;
    fence(&p2, &mut [&mut p1], "fence p2").await;
}

#[actix_rt::test]
async fn a_broadcast_reaches_every_other_member_once() {
    let (_bus, hub) = solo_hub(1);
    let room = RoomId::new("test", "broadcast");
    let mut members = Vec::new();
    for id in ["p1", "p2", "p3", "p4"] {
        let (member, peers) = join(&hub, &room, id).await;
        assert_eq!(peers.len(), members.len());
        for earlier in members.iter_mut() {
            let earlier: &mut Member = earlier;
            assert_eq!(earlier.inbox.next().await, member.joined());
        }
        members.push(member);
    }

    let (sender, others) = members.split_first_mut().unwrap();
    assert_eq!(
        within("broadcast", sender.signal(None, "hi all")).await,
        Ok(())
    );
    for other in others.iter_mut() {
        assert_eq!(other.inbox.next().await, sender.sent("hi all"));
    }

    // Once each, and not back to the sender.
    let (second, rest) = others.split_first_mut().unwrap();
    let mut tail: Vec<&mut Member> = rest.iter_mut().collect();
    tail.push(sender);
    fence(second, &mut tail, "fence").await;
}

#[actix_rt::test]
async fn the_same_name_in_two_spaces_is_two_rooms() {
    let (_bus, hub) = solo_hub(2);
    let in_a = RoomId::new("a", "x");
    let in_b = RoomId::new("b", "x");
    assert_ne!(in_a, in_b);

    let (mut a1, peers) = join(&hub, &in_a, "p1").await;
    assert_eq!(peers, vec![]);
    // The same peer may be in both; each room is empty to its first joiner.
    let (mut b1, peers) = join(&hub, &in_b, "p1").await;
    assert_eq!(peers, vec![]);
    assert_eq!(hub.room_count(), 2);

    let (mut a2, peers) = join(&hub, &in_a, "p2").await;
    assert_eq!(peers, vec![a1.info.clone()]);
    let (mut b2, peers) = join(&hub, &in_b, "p3").await;
    assert_eq!(peers, vec![b1.info.clone()]);
    assert_eq!(a1.inbox.next().await, a2.joined());
    assert_eq!(b1.inbox.next().await, b2.joined());

    // A signal in one room does not cross to the other, even to a peer of the same id.
    assert_eq!(within("signal", a2.signal(None, "in a")).await, Ok(()));
    assert_eq!(a1.inbox.next().await, a2.sent("in a"));
    assert_eq!(
        within("signal", b2.signal(Some(&a2.id()), "to a's p2")).await,
        Err(RoomError::UnknownTarget)
    );
    fence(&b2, &mut [&mut b1], "fence b").await;

    // Leaving one leaves the other untouched.
    assert_eq!(a1.leave(LeaveReason::Left).await, Ok(()));
    assert_eq!(a2.inbox.next().await, a1.left(LeaveReason::Left));
    fence(&b1, &mut [&mut b2], "fence b again").await;
    assert_eq!(
        within("signal", b2.signal(Some(&b1.id()), "hi")).await,
        Ok(())
    );
    assert_eq!(b1.inbox.next().await, b2.sent("hi"));
}
