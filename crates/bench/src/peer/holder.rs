//! The `idle` peer: holds its connection open, sends the dialect's keep-alive, lets
//! tungstenite answer the server's pings, and reports if the server closes it before the
//! scenario says stop.

use futures_util::{SinkExt, StreamExt};
use tokio::sync::watch;

use super::{Finished, Inbound, Keepalive, Tally, classify};
use crate::clock::{instant_at, now_ns};
use crate::measure::errors::Kind;
use crate::net::Ws;

/// A wait that never ends in practice, for a dialect without keep-alive.
const DAY_NS: u64 = 86_400_000_000_000;

/// Holds `ws` until `stop` turns true.
pub async fn hold(
    mut ws: Ws,
    mut keepalive: Keepalive,
    mut stop: watch::Receiver<bool>,
) -> Finished {
    let mut tally = Tally::default();
    loop {
        let beat = keepalive.next_ns();
        tokio::select! {
            item = ws.next() => match classify(item) {
                Inbound::Control => {}
                Inbound::Stamped(_) => {}
                Inbound::Unexpected(what) => tally.errors.add(Kind::Unexpected, 1, || what),
                Inbound::Ended(why) => {
                    if !*stop.borrow() {
                        tally.errors.add(Kind::Closed, 1, || why);
                    }
                    return Finished { ws: None, tally };
                }
            },
            () = tokio::time::sleep_until(instant_at(beat.unwrap_or_else(|| now_ns() + DAY_NS))), if beat.is_some() => {
                if let Some(heartbeat) = keepalive.due(now_ns()) {
                    if let Err(err) = ws.send(heartbeat).await {
                        tally.errors.add(Kind::Closed, 1, || format!("heartbeat: {err}"));
                        return Finished { ws: None, tally };
                    }
                    tally.sent += 1;
                }
            }
            _ = stop.changed() => break,
        }
    }
    Finished {
        ws: Some(ws),
        tally,
    }
}
