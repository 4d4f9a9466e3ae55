//! Rooms start on the first join and retire after the last leave, racing with new joins.

use super::*;

#[actix_rt::test]
async fn room_count_follows_the_members() {
    let (bus, hub) = solo_hub(2);
    let room = RoomId::new("test", "count");
    assert_eq!(hub.room_count(), 0);

    let (p1, _) = join(&hub, &room, "p1").await;
    assert_eq!(hub.room_count(), 1);
    let (p2, _) = join(&hub, &room, "p2").await;
    assert_eq!(hub.room_count(), 1);
    let (other, _) = join(&hub, &RoomId::new("test", "other"), "p3").await;
    assert_eq!(hub.room_count(), 2);

    assert_eq!(p1.leave(LeaveReason::Left).await, Ok(()));
    assert_eq!(other.leave(LeaveReason::Left).await, Ok(()));
    settle("the other room retires", || hub.room_count() == 1).await;

    assert_eq!(p2.leave(LeaveReason::Left).await, Ok(()));
    settle("the last room retires", || hub.room_count() == 0).await;
    assert_eq!(bus.members(&room), vec![]);

    // A retired room starts afresh.
    let (_p4, peers) = join(&hub, &room, "p4").await;
    assert_eq!(peers, vec![]);
    assert_eq!(hub.room_count(), 1);
}

/// The last member leaves and someone joins at once: whichever of retiring and joining wins,
/// the joiner gets a working room that does not list the one who left.
#[actix_rt::test]
async fn a_join_racing_the_last_leave_gets_a_working_room() {
    let (bus, hub) = solo_hub(2);
    let rooms: Vec<RoomId> = (0..5)
        .map(|i| RoomId::new("race", format!("r{i}")))
        .collect();
    for round in 0..200 {
        let room = &rooms[round % rooms.len()];
        let (first, peers) = join(&hub, room, &format!("first-{round}")).await;
        assert_eq!(peers, vec![], "round {round}");

        // No await between the leave and the join.
        let leaving = if round % 2 == 0 {
            Some(first.room.leave(first.id(), LeaveReason::Left))
        } else {
            first.room.leave_now(first.id(), LeaveReason::Disconnected);
            None
        };
        let info = peer(&format!("second-{round}"), hub.node());
        let inbox = Inbox::start();
        let joining = hub.join(room.clone(), info.clone(), inbox.recipient());

        let joined = within("join racing a leave", joining)
            .await
            .unwrap_or_else(|err| panic!("round {round}: join failed: {err}"));
        if let Some(leaving) = leaving {
            assert_eq!(within("leave", leaving).await, Ok(()), "round {round}");
        }
        assert_eq!(joined.peers, vec![], "round {round}: the leaver is listed");
        let mut second = Member {
            info,
            inbox,
            room: joined.room,
        };

        // The room works: a third joiner finds the second, and they can talk both ways.
        let (mut third, peers) = join(&hub, room, &format!("third-{round}")).await;
        assert_eq!(peers, vec![second.info.clone()], "round {round}");
        assert_eq!(second.inbox.next().await, third.joined(), "round {round}");
        assert_eq!(
            within("signal", third.signal(Some(&second.id()), "ping")).await,
            Ok(()),
            "round {round}"
        );
        assert_eq!(
            second.inbox.next().await,
            third.sent("ping"),
            "round {round}"
        );
        assert_eq!(
            within("signal", second.signal(None, "pong")).await,
            Ok(()),
            "round {round}"
        );
        assert_eq!(
            third.inbox.next().await,
            second.sent("pong"),
            "round {round}"
        );

        assert_eq!(
            second.leave(LeaveReason::Left).await,
            Ok(()),
            "round {round}"
        );
        assert_eq!(
            third.inbox.next().await,
            second.left(LeaveReason::Left),
            "round {round}"
        );
        assert_eq!(
            third.leave(LeaveReason::Left).await,
            Ok(()),
            "round {round}"
        );
    }
    settle("every room retires", || hub.room_count() == 0).await;
    for room in &rooms {
        assert_eq!(bus.members(room), vec![], "{room} still has members");
    }
}
