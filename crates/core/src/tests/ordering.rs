//! `hub.rs` promises that calls on a [`RoomHandle`] "are queued at once, in order", so a
//! session may pipeline them. These tests hold that promise to a busy room: more calls than
//! the room's mailbox holds (actix's default capacity is 16), made before the room runs.
//!
//! Rooms run on the test's own thread here (`room_threads = 0`), so the room cannot drain its
//! mailbox while a test makes its calls, and the outcome does not depend on timing.

use futures_util::future::join_all;

use super::*;

/// More calls than a room's mailbox takes before it pushes back.
const BURST: usize = 40;

async fn pair(room: &str) -> (Hub, Member, Member) {
    let (_bus, hub) = solo_hub(0);
    let room = RoomId::new("test", room);
    let (p1, _) = join(&hub, &room, "p1").await;
    let (p2, _) = join(&hub, &room, "p2").await;
    (hub, p1, p2)
}

/// Signals made in one order arrive in that order, however their answers are awaited (an
/// offer overtaken by its ICE candidates breaks the call).
#[actix_rt::test]
async fn pipelined_signals_keep_their_call_order() {
    let (_hub, p1, mut p2) = pair("pipelined-signals").await;
    let sending: Vec<_> = (0..BURST)
        .map(|i| p1.signal(Some(&p2.id()), &i.to_string()))
        .collect();
    // The answers are awaited last to first.
    for (i, answer) in sending.into_iter().enumerate().rev() {
        assert_eq!(within("signal", answer).await, Ok(()), "signal {i}");
    }
    let mut order = Vec::new();
    for _ in 0..BURST {
        match p2.inbox.next().await {
            Seen::Signal(_, _, text) => order.push(text),
            other => panic!("expected a signal, got {other:?}"),
        }
    }
    let expected: Vec<String> = (0..BURST).map(|i| i.to_string()).collect();
    assert_eq!(order, expected, "signals were reordered");
}

/// A session that fires its signals and then goes away (`leave_now`) has its signals relayed
/// before its leave, as it made them.
#[actix_rt::test]
async fn leave_now_does_not_overtake_earlier_signals() {
    let (_hub, p1, mut p2) = pair("leave-now-after-signals").await;
    let sending: Vec<_> = (0..BURST)
        .map(|i| p1.signal(Some(&p2.id()), &i.to_string()))
        .collect();
    p1.room.leave_now(p1.id(), LeaveReason::Disconnected);
    // Awaited in call order this time.
    let answers = within("signals", join_all(sending)).await;
    let refused: Vec<usize> = answers
        .iter()
        .enumerate()
        .filter(|(_, answer)| answer.is_err())
        .map(|(i, _)| i)
        .collect();
    assert_eq!(refused, Vec::<usize>::new(), "signals refused: {answers:?}");
    for i in 0..BURST {
        assert_eq!(p2.inbox.next().await, p1.sent(&i.to_string()));
    }
    assert_eq!(p2.inbox.next().await, p1.left(LeaveReason::Disconnected));
}
