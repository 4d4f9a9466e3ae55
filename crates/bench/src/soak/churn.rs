//! The soak's clients, each a loop until the round ends: connect to a random node, join a
//! random room, send targeted `conference` signals to random members (each carrying a
//! nonce, its intended target and the sender's own id), check every signal received, then
//! leave (and maybe join another room on the same connection, or close), or drop the
//! connection abruptly (TCP closed without a close frame), and connect again. Everything
//! sent, received, joined and left goes into the shared [`Ledger`].

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde::Serialize;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use super::ledger::{Ledger, Ns, Receipt};
use crate::clock::{instant_at, nanos, now_ns};
use crate::net::{Dialer, Ws};

/// Pause before connecting again after a refused connect (the node may be down).
const RETRY: Duration = Duration::from_millis(200);

/// How the clients churn.
#[derive(Clone, Debug, Serialize)]
pub struct ChurnConfig {
    #[serde(skip)]
    pub nodes: Vec<SocketAddr>,
    pub rooms: u32,
    /// Mean stay in a room (each stay is 0.5 to 1.5 times this).
    #[serde(with = "humantime_serde")]
    pub stay: Duration,
    /// Mean gap between two signals of one client.
    #[serde(with = "humantime_serde")]
    pub signal_every: Duration,
    /// Share of stays that end with an abrupt drop instead of a leave.
    pub drop_ratio: f64,
    #[serde(skip)]
    pub path: String,
    /// For a connect, an upgrade, or an answer to join or leave.
    #[serde(with = "humantime_serde")]
    pub timeout: Duration,
}

/// Durations as humantime text in the JSON report.
mod humantime_serde {
    use std::time::Duration;

    pub fn serialize<S: serde::Serializer>(value: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&humantime::format_duration(*value).to_string())
    }
}

/// What the clients did, all together.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ChurnTally {
    pub connects: u64,
    pub connect_failures: u64,
    pub joins: u64,
    pub join_failures: u64,
    pub leaves: u64,
    /// Connections dropped on purpose without a close frame.
    pub drops: u64,
    /// Connections closed with a close frame after a leave.
    pub closes: u64,
    /// Connections that ended on their own (a killed node, a timeout).
    pub broken: u64,
    pub signals_sent: u64,
    /// `system/error` answers by code.
    pub server_errors: BTreeMap<String, u64>,
    /// Frames the client did not expect.
    pub unexpected: u64,
}

impl ChurnTally {
    pub fn merge(&mut self, other: ChurnTally) {
        self.connects += other.connects;
        self.connect_failures += other.connect_failures;
        self.joins += other.joins;
        self.join_failures += other.join_failures;
        self.leaves += other.leaves;
        self.drops += other.drops;
        self.closes += other.closes;
        self.broken += other.broken;
        self.signals_sent += other.signals_sent;
        for (code, count) in other.server_errors {
            *self.server_errors.entry(code).or_default() += count;
        }
        self.unexpected += other.unexpected;
    }
}

/// What one client task shares with the others.
#[derive(Clone)]
struct Ctx {
    config: Arc<ChurnConfig>,
    dialer: Dialer,
    ledger: Arc<Mutex<Ledger>>,
}

/// Runs `clients` clients until `until`; every one leaves its room and closes at the end.
pub async fn round(
    config: Arc<ChurnConfig>,
    dialer: Dialer,
    ledger: Arc<Mutex<Ledger>>,
    clients: usize,
    until: Ns,
    seed: u64,
) -> ChurnTally {
    let ctx = Ctx {
        config,
        dialer,
        ledger,
    };
    let tasks: Vec<_> = (0..clients)
        .map(|n| {
            let rng = fastrand::Rng::with_seed(seed.wrapping_add(n as u64));
            tokio::spawn(client(ctx.clone(), rng, until))
        })
        .collect();
    let mut tally = ChurnTally::default();
    for task in tasks {
        match task.await {
            Ok(one) => tally.merge(one),
            Err(_) => tally.broken += 1,
        }
    }
    tally
}

/// A client in a room.
struct Member {
    id: Arc<str>,
    room: u32,
    /// The other members as this client knows them.
    peers: Vec<Arc<str>>,
}

/// How a stay ended.
enum Exit {
    Time,
    Broken,
}

async fn client(ctx: Ctx, mut rng: fastrand::Rng, until: Ns) -> ChurnTally {
    let mut tally = ChurnTally::default();
    // Start spread over one stay, not all at once.
    let stagger = rng.u64(0..nanos(ctx.config.stay).max(1));
    tokio::time::sleep_until(instant_at((now_ns() + stagger).min(until))).await;
    while now_ns() < until {
        let node = rng.usize(..ctx.config.nodes.len());
        let addr = ctx.config.nodes[node];
        let mut ws = match ctx.dialer.open(addr, &ctx.config.path).await {
            Ok(ws) => ws,
            Err(_) => {
                tally.connect_failures += 1;
                tokio::time::sleep(RETRY).await;
                continue;
            }
        };
        tally.connects += 1;
        connection(&ctx, &mut rng, &mut ws, node, until, &mut tally).await;
    }
    tally
}

/// One connection's life: stays in rooms until it is dropped, closed or broken. Returning
/// drops the socket; it was closed properly only if `tally.closes` says so.
async fn connection(
    ctx: &Ctx,
    rng: &mut fastrand::Rng,
    ws: &mut Ws,
    node: usize,
    until: Ns,
    tally: &mut ChurnTally,
) {
    let timeout = ctx.config.timeout;
    loop {
        let room = rng.u32(..ctx.config.rooms.max(1));
        let mut member = match join(ctx, ws, room, tally).await {
            Ok(member) => member,
            Err(_) => {
                tally.join_failures += 1;
                return;
            }
        };
        tally.joins += 1;
        ctx.ledger
            .lock()
            .expect("ledger")
            .joined(&member.id, room, node, now_ns());
        let stay = nanos(ctx.config.stay) / 2 + rng.u64(0..nanos(ctx.config.stay).max(1));
        let stay_end = (now_ns() + stay).min(until);
        let exit = stay_in(ctx, rng, ws, &mut member, stay_end, tally).await;
        let now = now_ns();
        ctx.ledger
            .lock()
            .expect("ledger")
            .left(&member.id, room, now);
        if let Exit::Broken = exit {
            tally.broken += 1;
            return;
        }
        let last = now >= until;
        if !last && rng.f64() < ctx.config.drop_ratio {
            tally.drops += 1;
            return;
        }
        if leave(ctx, ws, &mut member, tally).await.is_err() {
            tally.broken += 1;
            return;
        }
        tally.leaves += 1;
        if last || rng.bool() {
            let _ = tokio::time::timeout(timeout, ws.close(None)).await;
            tally.closes += 1;
            return;
        }
    }
}

/// Joins `room` and waits for `joinResponse`.
async fn join(ctx: &Ctx, ws: &mut Ws, room: u32, tally: &mut ChurnTally) -> Result<Member, ()> {
    let ask = json!({"type": "conference", "name": "join",
                     "data": {"room": room_name(room), "name": "soak"}});
    send(ws, ask.to_string()).await?;
    let deadline = now_ns() + nanos(ctx.config.timeout);
    loop {
        let message = next_message(ws, deadline).await?;
        if message["type"] == "conference" && message["name"] == "joinResponse" {
            let data = &message["data"];
            let id: Arc<str> = data["id"].as_str().ok_or(())?.into();
            let peers = data["peers"]
                .as_array()
                .map(|peers| {
                    peers
                        .iter()
                        .filter_map(|peer| peer["id"].as_str())
                        .filter(|peer| *peer != &*id)
                        .map(Arc::from)
                        .collect()
                })
                .unwrap_or_default();
            return Ok(Member { id, room, peers });
        }
        if is_error_for(&message, "conference/join") {
            count_error(tally, &message);
            return Err(());
        }
        // An error for a signal of the last stay may come late; anything else is unexpected.
        if message["type"] == "system" && message["name"] == "error" {
            count_error(tally, &message);
        } else {
            tally.unexpected += 1;
        }
    }
}

/// Sends `leave` and waits for `leaveResponse`, still checking signals that arrive meanwhile.
async fn leave(
    ctx: &Ctx,
    ws: &mut Ws,
    member: &mut Member,
    tally: &mut ChurnTally,
) -> Result<(), ()> {
    let ask = json!({"type": "conference", "name": "leave",
                     "data": {"room": room_name(member.room)}});
    send(ws, ask.to_string()).await?;
    let deadline = now_ns() + nanos(ctx.config.timeout);
    loop {
        let message = next_message(ws, deadline).await?;
        if message["type"] == "conference" && message["name"] == "leaveResponse" {
            return Ok(());
        }
        if is_error_for(&message, "conference/leave") {
            count_error(tally, &message);
            return Err(());
        }
        handle(ctx, member, &message, tally);
    }
}

/// Reads and signals until `stay_end`, or until the socket fails.
async fn stay_in(
    ctx: &Ctx,
    rng: &mut fastrand::Rng,
    ws: &mut Ws,
    member: &mut Member,
    stay_end: Ns,
    tally: &mut ChurnTally,
) -> Exit {
    let gap = || nanos(ctx.config.signal_every);
    let mut next_signal = now_ns() + gap() / 2 + rng.u64(0..gap().max(1));
    loop {
        let wake = next_signal.min(stay_end);
        match tokio::time::timeout_at(instant_at(wake), ws.next()).await {
            Ok(Some(Ok(Message::Text(text)))) => {
                let message: Value = serde_json::from_str(&text).unwrap_or_default();
                handle(ctx, member, &message, tally);
            }
            Ok(Some(Ok(Message::Ping(_) | Message::Pong(_)))) => {}
            Ok(Some(Ok(_))) => tally.unexpected += 1,
            Ok(Some(Err(_)) | None) => return Exit::Broken,
            Err(_) => {
                let now = now_ns();
                if now >= stay_end {
                    return Exit::Time;
                }
                next_signal = now + gap() / 2 + rng.u64(0..gap().max(1));
                if member.peers.is_empty() {
                    continue;
                }
                let to = member.peers[rng.usize(..member.peers.len())].clone();
                let nonce = {
                    let mut ledger = ctx.ledger.lock().expect("ledger");
                    let nonce = ledger.nonce();
                    ledger.sent(nonce, &member.id, &to, member.room, now);
                    nonce
                };
                if send(ws, signal(member, &to, nonce)).await.is_err() {
                    return Exit::Broken;
                }
                tally.signals_sent += 1;
            }
        }
    }
}

/// Applies one message that arrived while in a room: a signal (checked and recorded), a
/// member arriving or going, or an error.
fn handle(ctx: &Ctx, member: &mut Member, message: &Value, tally: &mut ChurnTally) {
    let data = &message["data"];
    let in_room = data["room"] == room_name(member.room).as_str();
    match (message["type"].as_str(), message["name"].as_str()) {
        (Some("signal"), _) => {
            let soak = &message["signal"]["soak"];
            let Some(nonce) = soak["n"].as_u64() else {
                tally.unexpected += 1;
                return;
            };
            let text = |value: &Value| value.as_str().unwrap_or_default().to_string();
            ctx.ledger.lock().expect("ledger").received(Receipt {
                nonce,
                receiver: member.id.clone(),
                stamped_from: text(&data["id"]),
                claimed_to: text(&soak["to"]),
                claimed_from: text(&soak["from"]),
            });
        }
        (Some("conference"), Some("peerJoin")) if in_room => {
            if let Some(id) = data["id"].as_str()
                && id != &*member.id
                && !member.peers.iter().any(|peer| &**peer == id)
            {
                member.peers.push(id.into());
            }
        }
        (Some("conference"), Some("peerLeave")) | (Some("system"), Some("peerDisconnected"))
            if in_room =>
        {
            if let Some(id) = data["id"].as_str() {
                member.peers.retain(|peer| &**peer != id);
            }
        }
        (Some("system"), Some("error")) => count_error(tally, message),
        _ => tally.unexpected += 1,
    }
}

fn room_name(room: u32) -> String {
    format!("soak-{room}")
}

/// A targeted trickle whose payload names the nonce, the target and the sender.
fn signal(member: &Member, to: &str, nonce: u64) -> String {
    let (room, me) = (room_name(member.room), &member.id);
    format!(
        r#"{{"type":"signal","name":"trickle","data":{{"room":"{room}","to":"{to}"}},"signal":{{"soak":{{"n":{nonce},"to":"{to}","from":"{me}"}}}}}}"#
    )
}

fn is_error_for(message: &Value, request: &str) -> bool {
    message["type"] == "system"
        && message["name"] == "error"
        && message["data"]["request"] == request
}

fn count_error(tally: &mut ChurnTally, message: &Value) {
    let code = message["data"]["code"].as_str().unwrap_or("?").to_string();
    *tally.server_errors.entry(code).or_default() += 1;
}

async fn send(ws: &mut Ws, text: String) -> Result<(), ()> {
    ws.send(Message::text(text)).await.map_err(|_| ())
}

/// The next JSON message before `deadline`, skipping pings and pongs.
async fn next_message(ws: &mut Ws, deadline: Ns) -> Result<Value, ()> {
    loop {
        match tokio::time::timeout_at(instant_at(deadline), ws.next()).await {
            Ok(Some(Ok(Message::Text(text)))) => {
                return Ok(serde_json::from_str(&text).unwrap_or_default());
            }
            Ok(Some(Ok(Message::Ping(_) | Message::Pong(_)))) => {}
            _ => return Err(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signal_names_its_nonce_target_and_sender() {
        let member = Member {
            id: "me".into(),
            room: 3,
            peers: Vec::new(),
        };
        let json: Value = serde_json::from_str(&signal(&member, "you", 42)).unwrap();
        assert_eq!(json["data"]["room"], "soak-3");
        assert_eq!(json["data"]["to"], "you");
        assert_eq!(
            json["signal"]["soak"],
            json!({"n": 42, "to": "you", "from": "me"})
        );
    }

    #[test]
    fn tallies_add_up() {
        let mut one = ChurnTally {
            joins: 2,
            ..ChurnTally::default()
        };
        one.server_errors.insert("unknown_target".into(), 1);
        let mut two = one.clone();
        two.drops = 1;
        one.merge(two);
        assert_eq!((one.joins, one.drops), (4, 1));
        assert_eq!(one.server_errors["unknown_target"], 2);
    }
}
