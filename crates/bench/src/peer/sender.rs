//! The sending side of `latency`: sends on the schedule whatever the replies, stamping each
//! message with the time it was *due*, so a server that falls behind cannot hide its
//! queueing (coordinated omission). It also records how late it actually sent.

use futures_util::{SinkExt, StreamExt};

use super::{Finished, Inbound, Keepalive, Plan, Tally, classify};
use crate::clock::now_ns;
use crate::dialect::Link;
use crate::measure::LocalLatencies;
use crate::measure::errors::Kind;
use crate::pacing::{Pacing, Schedule};

/// Sends every message of `schedule` due before `plan.end_ns`.
pub async fn send(
    mut link: Link,
    schedule: Schedule,
    plan: Plan,
    pacing: Pacing,
    mut keepalive: Keepalive,
    mut lag: LocalLatencies,
) -> Finished {
    let mut tally = Tally::default();
    let mut k = 0u64;
    loop {
        let due = schedule.at(k);
        if due >= plan.end_ns {
            break;
        }
        if now_ns() < due {
            tokio::select! {
                biased;
                item = link.ws.next() => {
                    match classify(item) {
                        Inbound::Control => {}
                        Inbound::Stamped(_) => tally.errors.add(Kind::Unexpected, 1, || {
                            "the sending peer received a stamped message".into()
                        }),
                        Inbound::Unexpected(what) => tally.errors.add(Kind::Unexpected, 1, || what),
                        Inbound::Ended(why) => {
                            tally.errors.add(Kind::Closed, 1, || why);
                            tally.sent = k;
                            return Finished { ws: None, tally };
                        }
                    }
                    continue;
                }
                () = pacing.wait_until(due) => {}
            }
        }
        let now = now_ns();
        loop {
            let due = schedule.at(k);
            if due > now || due >= plan.end_ns {
                break;
            }
            if plan.in_window(due) {
                lag.record(now - due);
            }
            let message = link.out.message(due, k);
            k += 1;
            if let Err(err) = link.ws.feed(message).await {
                tally.errors.add(Kind::Closed, 1, || format!("send: {err}"));
                tally.sent = k - 1;
                return Finished { ws: None, tally };
            }
        }
        if let Some(heartbeat) = keepalive.due(now) {
            let _ = link.ws.feed(heartbeat).await;
        }
        if let Err(err) = link.ws.flush().await {
            tally.errors.add(Kind::Closed, 1, || format!("send: {err}"));
            tally.sent = k;
            return Finished { ws: None, tally };
        }
    }
    tally.sent = k;
    Finished {
        ws: Some(link.ws),
        tally,
    }
}
