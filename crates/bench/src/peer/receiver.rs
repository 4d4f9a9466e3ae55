//! The receiving side of `latency`: reads until every message its partner was scheduled
//! to send has arrived (or the timeout after the window), recording the latency from each
//! message's due time. What never arrives is counted as lost.

use futures_util::{SinkExt, StreamExt};

use super::{Finished, Inbound, Keepalive, Plan, Sequence, Tally, classify};
use crate::clock::{instant_at, now_ns};
use crate::dialect::Link;
use crate::measure::LocalLatencies;
use crate::measure::errors::Kind;

/// Receives `expected` messages (sequence 0 to `expected - 1`).
pub async fn receive(
    mut link: Link,
    expected: u64,
    plan: Plan,
    mut keepalive: Keepalive,
    mut latencies: LocalLatencies,
) -> Finished {
    let mut tally = Tally::default();
    let mut incoming = Sequence::default();
    let mut received = 0u64;
    let give_up = tokio::time::sleep_until(instant_at(plan.end_ns + plan.timeout_ns));
    tokio::pin!(give_up);
    while received < expected {
        tokio::select! {
            biased;
            item = link.ws.next() => {
                let now = now_ns();
                match classify(item) {
                    Inbound::Stamped(stamp) => {
                        received += 1;
                        if plan.in_window(stamp.time_ns) {
                            tally.messages += 1;
                            latencies.record(now.saturating_sub(stamp.time_ns));
                        }
                        if let Err(what) = incoming.check(stamp.seq) {
                            tally.errors.add(Kind::Unexpected, 1, || what);
                        }
                    }
                    Inbound::Control => {}
                    Inbound::Unexpected(what) => tally.errors.add(Kind::Unexpected, 1, || what),
                    Inbound::Ended(why) => {
                        tally.errors.add(Kind::Closed, 1, || why);
                        lost(&mut tally, expected, received);
                        return Finished { ws: None, tally };
                    }
                }
                if let Some(heartbeat) = keepalive.due(now) {
                    let _ = link.ws.send(heartbeat).await;
                }
            }
            () = &mut give_up => break,
        }
    }
    lost(&mut tally, expected, received);
    Finished {
        ws: Some(link.ws),
        tally,
    }
}

fn lost(tally: &mut Tally, expected: u64, received: u64) {
    let missing = expected.saturating_sub(received);
    tally.errors.add(Kind::Lost, missing, || {
        format!("{missing} of {expected} scheduled messages never arrived")
    });
}
