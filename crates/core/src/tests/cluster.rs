//! Two nodes on one [`MemoryBus`]: a room is one room across them.

use futures_util::future::join_all;

use super::*;

fn two_nodes() -> (MemoryBus, Hub, Hub) {
    let bus = MemoryBus::new();
    let a = hub_on(&bus, "a", 1);
    let b = hub_on(&bus, "b", 1);
    (bus, a, b)
}

#[actix_rt::test]
async fn a_member_on_another_node_is_listed_and_announced() {
    let (bus, a, b) = two_nodes();
    let room = RoomId::new("test", "cross-join");
    let (mut a1, peers) = join(&a, &room, "a1").await;
    assert_eq!(peers, vec![]);

    let (b1, peers) = join(&b, &room, "b1").await;
    assert_eq!(peers, vec![peer("a1", &NodeId::new("a"))]);
    assert_eq!(a1.inbox.next().await, b1.joined());
    assert_eq!(b1.info.node, NodeId::new("b"));
    assert_eq!(
        sorted(bus.members(&room)),
        sorted(vec![a1.info.clone(), b1.info.clone()])
    );

    // Both nodes refuse a member twice, whichever node it joined.
    let (mut a2, peers) = join(&a, &room, "a2").await;
    assert_eq!(peers, sorted(vec![a1.info.clone(), b1.info.clone()]));
    assert_eq!(a1.inbox.next().await, a2.joined());
    let again = Inbox::start();
    let twice = a.join(
        room.clone(),
        peer("b1", &NodeId::new("a")),
        again.recipient(),
    );
    assert_eq!(
        within("join", twice).await.err(),
        Some(RoomError::AlreadyInRoom)
    );
    fence(&b1, &mut [&mut a1, &mut a2], "fence").await;
}

#[actix_rt::test]
async fn signals_cross_nodes_exactly_once() {
    let (_bus, a, b) = two_nodes();
    let room = RoomId::new("test", "cross-signal");
    let (mut a1, _) = join(&a, &room, "a1").await;
    let (mut a2, _) = join(&a, &room, "a2").await;
    let (mut b1, _) = join(&b, &room, "b1").await;
    let (mut b2, _) = join(&b, &room, "b2").await;
    assert_eq!(a1.inbox.next().await, a2.joined());
    assert_eq!(a1.inbox.next().await, b1.joined());
    assert_eq!(a1.inbox.next().await, b2.joined());
    assert_eq!(a2.inbox.next().await, b1.joined());
    assert_eq!(a2.inbox.next().await, b2.joined());
    assert_eq!(b1.inbox.next().await, b2.joined());

    // a -> b, targeted: only b1 hears it, once, with its payload and sender.
    assert_eq!(
        within("signal", a1.signal(Some(&b1.id()), "offer")).await,
        Ok(())
    );
    assert_eq!(b1.inbox.next().await, a1.sent("offer"));
    fence(&a1, &mut [&mut a2, &mut b1, &mut b2], "fence 1").await;

    // b -> a, targeted.
    assert_eq!(
        within("signal", b2.signal(Some(&a2.id()), "answer")).await,
        Ok(())
    );
    assert_eq!(a2.inbox.next().await, b2.sent("answer"));
    fence(&b2, &mut [&mut a1, &mut a2, &mut b1], "fence 2").await;

    // Broadcast from a: every other member on both nodes, once; not the sender.
    assert_eq!(within("broadcast", a1.signal(None, "hello")).await, Ok(()));
    for other in [&mut a2, &mut b1, &mut b2] {
        assert_eq!(other.inbox.next().await, a1.sent("hello"));
    }
    fence(&b1, &mut [&mut a1, &mut a2, &mut b2], "fence 3").await;

    // Broadcast from b, with a single member on b: it must still cross.
    assert_eq!(b2.leave(LeaveReason::Left).await, Ok(()));
    for other in [&mut a1, &mut a2, &mut b1] {
        assert_eq!(other.inbox.next().await, b2.left(LeaveReason::Left));
    }
    assert_eq!(within("broadcast", b1.signal(None, "from b")).await, Ok(()));
    for other in [&mut a1, &mut a2] {
        assert_eq!(other.inbox.next().await, b1.sent("from b"));
    }
    fence(&a2, &mut [&mut a1, &mut b1], "fence 4").await;
}

#[actix_rt::test]
async fn leaves_cross_nodes_and_the_bus_forgets_the_room() {
    let (bus, a, b) = two_nodes();
    let room = RoomId::new("test", "cross-leave");
    let (mut a1, _) = join(&a, &room, "a1").await;
    let (b1, _) = join(&b, &room, "b1").await;
    let (b2, _) = join(&b, &room, "b2").await;
    assert_eq!(a1.inbox.next().await, b1.joined());
    assert_eq!(a1.inbox.next().await, b2.joined());

    assert_eq!(b1.leave(LeaveReason::Left).await, Ok(()));
    assert_eq!(a1.inbox.next().await, b1.left(LeaveReason::Left));
    // a's room forgot b1 when it told a1.
    assert_eq!(
        within("signal", a1.signal(Some(&b1.id()), "gone?")).await,
        Err(RoomError::UnknownTarget)
    );

    b2.room.leave_now(b2.id(), LeaveReason::Disconnected);
    assert_eq!(a1.inbox.next().await, b2.left(LeaveReason::Disconnected));
    assert_eq!(bus.members(&room), vec![a1.info.clone()]);
    settle("b's room retires", || b.room_count() == 0).await;

    assert_eq!(a1.leave(LeaveReason::Left).await, Ok(()));
    assert_eq!(bus.members(&room), vec![]);
    settle("a's room retires", || a.room_count() == 0).await;
}

/// A node whose room retires and starts again (at once, racing the registry) must still hear
/// the other node and be heard by it.
#[actix_rt::test]
async fn a_room_restarted_on_one_node_still_hears_the_other() {
    let (_bus, a, b) = two_nodes();
    let room = RoomId::new("test", "cross-restart");
    let (mut a1, _) = join(&a, &room, "a1").await;
    let (mut current, peers) = join(&b, &room, "b-0").await;
    assert_eq!(peers, vec![a1.info.clone()]);
    assert_eq!(a1.inbox.next().await, current.joined());

    for round in 1..=50 {
        let info = peer(&format!("b-{round}"), b.node());
        let inbox = Inbox::start();
        // The last member on b leaves; every other round the next joins with no await in
        // between (racing the retirement), the others wait for b's room to retire first.
        let leaving = current.room.leave(current.id(), LeaveReason::Left);
        let joined = if round % 2 == 0 {
            assert_eq!(within("leave", leaving).await, Ok(()), "round {round}");
            settle("b's room retires", || b.room_count() == 0).await;
            within(
                "join",
                b.join(room.clone(), info.clone(), inbox.recipient()),
            )
            .await
        } else {
            let joining = b.join(room.clone(), info.clone(), inbox.recipient());
            let joined = within("join", joining).await;
            assert_eq!(within("leave", leaving).await, Ok(()), "round {round}");
            joined
        }
        .unwrap_or_else(|err| panic!("round {round}: {err}"));
        assert_eq!(joined.peers, vec![a1.info.clone()], "round {round}");
        let mut next = Member {
            info,
            inbox,
            room: joined.room,
        };

        assert_eq!(
            a1.inbox.next().await,
            current.left(LeaveReason::Left),
            "round {round}"
        );
        assert_eq!(a1.inbox.next().await, next.joined(), "round {round}");
        assert_eq!(
            within("signal", a1.signal(Some(&next.id()), "ping")).await,
            Ok(()),
            "round {round}"
        );
        assert_eq!(next.inbox.next().await, a1.sent("ping"), "round {round}");
        assert_eq!(
            within("signal", next.signal(None, "pong")).await,
            Ok(()),
            "round {round}"
        );
        assert_eq!(a1.inbox.next().await, next.sent("pong"), "round {round}");
        current = next;
    }
}

/// Members join both nodes all at once: each ends up knowing every other member exactly once,
/// through the join's `peers` or a `PeerJoined`, never both.
#[actix_rt::test]
async fn racing_joins_on_both_nodes_announce_everyone_once() {
    let (bus, a, b) = two_nodes();
    for round in 0..20 {
        let room = RoomId::new("race", format!("both-{round}"));
        let mut pending = Vec::new();
        for i in 0..4 {
            for hub in [&a, &b] {
                let info = peer(&format!("{}{i}", hub.node()), hub.node());
                let inbox = Inbox::start();
                let joining = hub.join(room.clone(), info.clone(), inbox.recipient());
                pending.push(async move { (info, inbox, joining.await) });
            }
        }
        let mut members = Vec::new();
        for (info, inbox, result) in within("parallel joins", join_all(pending)).await {
            let joined = result.unwrap_or_else(|err| panic!("round {round}: {err}"));
            let member = Member {
                info,
                inbox,
                room: joined.room,
            };
            members.push((member, joined.peers));
        }

        // Two fences, one from each node, sent after every join was answered: each inbox has
        // all its join news before them. "b0" hears only a0's fence; everyone else waits for
        // b0's, which comes last.
        let position = |id: &str| {
            members
                .iter()
                .position(|(m, _)| m.info.id.as_str() == id)
                .unwrap()
        };
        let (a0, b0) = (position("a0"), position("b0"));
        assert_eq!(
            within("fence", members[a0].0.signal(None, "fence a")).await,
            Ok(())
        );
        assert_eq!(
            within("fence", members[b0].0.signal(None, "fence b")).await,
            Ok(())
        );
        let everyone: Vec<PeerInfo> = sorted(members.iter().map(|(m, _)| m.info.clone()).collect());
        for (member, peers) in members.iter_mut() {
            let last_fence = if member.info.id.as_str() == "b0" {
                "fence a"
            } else {
                "fence b"
            };
            let mut view = peers.clone();
            for seen in member.inbox.until_fence(last_fence).await {
                match seen {
                    Seen::Joined(at, info) => {
                        assert_eq!(at, room);
                        view.push(info);
                    }
                    Seen::Signal(_, _, text) if text == "fence a" => {}
                    other => panic!("round {round}: {} got {other:?}", member.info.id),
                }
            }
            let expected: Vec<PeerInfo> = everyone
                .iter()
                .filter(|p| p.id != member.info.id)
                .cloned()
                .collect();
            assert_eq!(
                sorted(view),
                expected,
                "round {round}: what {} knows of the room",
                member.info.id
            );
        }

        let leaves = members
            .iter()
            .map(|(m, _)| m.room.leave(m.id(), LeaveReason::Left));
        for result in within("leaves", join_all(leaves)).await {
            assert_eq!(result, Ok(()), "round {round}");
        }
        assert_eq!(bus.members(&room), vec![], "round {round}");
    }
    settle("a's rooms retire", || a.room_count() == 0).await;
    settle("b's rooms retire", || b.room_count() == 0).await;
}
