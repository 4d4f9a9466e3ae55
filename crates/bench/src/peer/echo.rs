//! The closed loop of `relay`: a peer answers every stamped message from its partner with
//! one of its own, so each pair keeps `window` messages in flight and runs as fast as the
//! server relays. Replies to a burst of frames that arrived together go out in one flush.

use futures_util::{FutureExt, SinkExt, StreamExt};

use super::{Finished, Inbound, Keepalive, Plan, Sequence, Tally, classify};
use crate::clock::{instant_at, now_ns};
use crate::dialect::Link;
use crate::measure::LocalLatencies;
use crate::measure::errors::Kind;

/// Frames handled before a flush, at most, so one busy peer cannot starve the others.
const BATCH: usize = 64;

/// Runs until `plan.end_ns`; this peer starts `window` messages (0 for the answering side).
pub async fn echo(
    mut link: Link,
    plan: Plan,
    window: usize,
    mut keepalive: Keepalive,
    mut latencies: LocalLatencies,
) -> Finished {
    let mut tally = Tally::default();
    let mut seq_out = 0u64;
    let mut incoming = Sequence::default();
    for _ in 0..window {
        let message = link.out.message(now_ns(), seq_out);
        seq_out += 1;
        if let Err(err) = link.ws.feed(message).await {
            tally.errors.add(Kind::Closed, 1, || format!("send: {err}"));
            return Finished { ws: None, tally };
        }
    }
    if let Err(err) = link.ws.flush().await {
        tally.errors.add(Kind::Closed, 1, || format!("send: {err}"));
        return Finished { ws: None, tally };
    }
    let mut last_rx = now_ns();
    let timer = tokio::time::sleep_until(instant_at(plan.end_ns.min(last_rx + plan.timeout_ns)));
    tokio::pin!(timer);
    loop {
        tokio::select! {
            biased;
            item = link.ws.next() => {
                let mut item = item;
                for _ in 0..BATCH {
                    let now = now_ns();
                    match classify(item) {
                        Inbound::Stamped(stamp) => {
                            last_rx = now;
                            let running = now < plan.end_ns;
                            if plan.in_window(now) {
                                tally.messages += 1;
                                latencies.record(now.saturating_sub(stamp.time_ns));
                            }
                            if let Err(what) = incoming.check(stamp.seq)
                                && running
                            {
                                tally.errors.add(Kind::Unexpected, 1, || what);
                            }
                            if running {
                                let reply = link.out.message(now, seq_out);
                                seq_out += 1;
                                if let Err(err) = link.ws.feed(reply).await {
                                    tally.errors.add(Kind::Closed, 1, || format!("send: {err}"));
                                    return Finished { ws: None, tally };
                                }
                            }
                        }
                        Inbound::Control => {}
                        Inbound::Unexpected(what) => {
                            if now < plan.end_ns {
                                tally.errors.add(Kind::Unexpected, 1, || what);
                            }
                        }
                        Inbound::Ended(why) => {
                            if now < plan.end_ns {
                                tally.errors.add(Kind::Closed, 1, || why);
                            }
                            return Finished { ws: None, tally };
                        }
                    }
                    match link.ws.next().now_or_never() {
                        Some(next) => item = next,
                        None => break,
                    }
                }
                if let Some(heartbeat) = keepalive.due(last_rx) {
                    let _ = link.ws.feed(heartbeat).await;
                }
                if let Err(err) = link.ws.flush().await {
                    if now_ns() < plan.end_ns {
                        tally.errors.add(Kind::Closed, 1, || format!("send: {err}"));
                    }
                    return Finished { ws: None, tally };
                }
            }
            () = &mut timer => {
                let now = now_ns();
                if now >= plan.end_ns {
                    break;
                }
                if now >= last_rx + plan.timeout_ns {
                    tally.errors.add(Kind::Timeout, 1, || {
                        format!("nothing relayed for {} ms", plan.timeout_ns / 1_000_000)
                    });
                    break;
                }
                timer.as_mut().reset(instant_at(plan.end_ns.min(last_rx + plan.timeout_ns)));
            }
        }
    }
    if tally.messages == 0 && tally.errors.total == 0 {
        tally.errors.add(Kind::Timeout, 1, || {
            "nothing relayed in the measured window".into()
        });
    }
    Finished {
        ws: Some(link.ws),
        tally,
    }
}
