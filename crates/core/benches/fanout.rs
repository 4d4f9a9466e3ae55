//! Criterion bench of a room's fan-out: what one relayed signal costs in the core, from the
//! sender's `RoomHandle::signal` through the real `Room` actor to every receiver's inbox.
//! It exists because a room's actor is the one place all of a room's traffic passes through,
//! so its per-message cost bounds a busy room whatever the number of cores.
//!
//! Each case starts a `Hub` on a `MemoryBus` (the single-node server's setup) inside an actix
//! `System`, joins the members with counting inboxes, then times batches of signals. The
//! clock stops only when every receiver has counted every delivery, so queued, undelivered
//! work is never measured as done. Signals are pipelined in windows as a session sends them
//! (it does not wait for a signal's answer before the next), and every answer is checked.
//!
//! Two placements: rooms on the caller's thread (`Hub::start(_, 0)`: the actor path alone,
//! no cross-thread wake-ups) and on a room thread of their own (`Hub::start(_, 1)`, as the
//! server runs them, sessions elsewhere). The time per iteration is per signal sent;
//! the element throughput is deliveries per second.
//!
//! Run with `cargo bench -p switchboard-core --bench fanout`.

use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use actix::prelude::*;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use switchboard_core::bridge::MemoryBus;
use switchboard_core::{
    Deliver, Event, Hub, NodeId, Payload, PeerId, PeerInfo, RoomHandle, RoomId,
};
use tokio::sync::Notify;

/// Signals sent before their answers are awaited.
const WINDOW: u64 = 64;

/// How long a batch's deliveries may take before the bench fails instead of hanging.
const PATIENCE: Duration = Duration::from_secs(60);

/// A relayed `signal/trickle` frame as the sender's session renders it (~300 B): the core
/// relays it unread, so only its size matters.
const TRICKLE: &str = r#"{"type":"signal","name":"trickle","data":{"room":"standup-7f3a","to":"6481452f-2c1d-4bf3-91b3-58d3c92080f0","id":"0f8e2b6c-41d3-4a7e-9c15-7be2d4f0a981"},"signal":{"ice":{"candidate":"candidate:842163049 1 udp 1677729535 203.0.113.77 50623 typ srflx raddr 192.168.1.7 rport 50623 generation 0 ufrag EsAw","sdpMid":"0","sdpMLineIndex":0}}}"#;

/// Signals delivered to a group of inboxes, and a bell rung when `expected` is reached.
#[derive(Default)]
struct Tally {
    delivered: AtomicU64,
    expected: AtomicU64,
    done: Notify,
}

impl Tally {
    /// Starts counting towards `expected` deliveries.
    fn expect(&self, expected: u64) {
        self.delivered.store(0, Ordering::SeqCst);
        self.expected.store(expected, Ordering::SeqCst);
    }
}

/// A session stand-in that counts the signals it is delivered (join and leave notices of the
/// setup are not counted).
struct Counter {
    tally: Arc<Tally>,
}

impl Actor for Counter {
    type Context = Context<Self>;
}

impl Handler<Deliver> for Counter {
    type Result = ();

    fn handle(&mut self, Deliver(event): Deliver, _: &mut Self::Context) {
        if let Event::Signal { payload, .. } = event {
            // A session reads the payload to write it out; touch it as one would.
            black_box(payload.len());
            let delivered = self.tally.delivered.fetch_add(1, Ordering::SeqCst) + 1;
            if delivered == self.tally.expected.load(Ordering::SeqCst) {
                self.tally.done.notify_one();
            }
        }
    }
}

/// One case: a room whose first member signals, and what its receivers count.
struct Case {
    room: RoomHandle,
    sender: PeerId,
    /// `Some` for a signal to one member, `None` for a broadcast.
    to: Option<PeerId>,
    /// Deliveries per signal.
    fanout: u64,
    receivers: Arc<Tally>,
    /// The sender's own inbox, which must hear none of its signals.
    echo: Arc<Tally>,
}

impl Case {
    /// Joins `members` peers to a new room of `hub`; the first one will send.
    async fn start(hub: &Hub, members: usize, unicast: bool) -> Self {
        let room = RoomId::new("bench", format!("room-{members}-{unicast}"));
        let receivers = Arc::new(Tally::default());
        let echo = Arc::new(Tally::default());
        let mut handle = None;
        let mut ids = Vec::new();
        for n in 0..members {
            let id = PeerId::new(format!("peer-{n}"));
            let tally = if n == 0 { &echo } else { &receivers };
            let inbox = Counter {
                tally: tally.clone(),
            }
            .start()
            .recipient();
            let peer = PeerInfo {
                id: id.clone(),
                name: Arc::from(format!("Peer {n}")),
                node: hub.node().clone(),
            };
            let joined = hub
                .join(room.clone(), peer, inbox)
                .await
                .expect("a fresh peer joins");
            handle.get_or_insert(joined.room);
            ids.push(id);
        }
        let to = unicast.then(|| ids[1].clone());
        Self {
            room: handle.expect("at least one member"),
            sender: ids[0].clone(),
            fanout: if unicast { 1 } else { members as u64 - 1 },
            to,
            receivers,
            echo,
        }
    }

    /// Sends `signals` signals and waits until each was delivered to every receiver; returns
    /// the time that took.
    async fn run(&self, signals: u64, payload: &Payload) -> Duration {
        self.receivers.expect(signals * self.fanout);
        let start = Instant::now();
        let mut left = signals;
        while left > 0 {
            let window = left.min(WINDOW);
            let answers: Vec<_> = (0..window)
                .map(|_| {
                    self.room.signal(
                        self.sender.clone(),
                        self.to.clone(),
                        payload.clone(),
                        Instant::now(),
                    )
                })
                .collect();
            for answer in answers {
                answer.await.expect("the room accepts the signal");
            }
            left -= window;
        }
        tokio::time::timeout(PATIENCE, self.receivers.done.notified())
            .await
            .expect("every delivery arrives");
        let elapsed = start.elapsed();
        assert_eq!(
            self.receivers.delivered.load(Ordering::SeqCst),
            signals * self.fanout,
            "each receiver gets each signal once"
        );
        assert_eq!(self.echo.delivered.load(Ordering::SeqCst), 0, "no echo");
        elapsed
    }
}

fn fanout(c: &mut Criterion) {
    let system = System::new();
    let payload = Payload::from(TRICKLE);
    for (placement, room_threads) in [("same_thread", 0), ("room_thread", 1)] {
        let hub = system.block_on(async {
            Hub::start(
                Arc::new(MemoryBus::new().bridge(NodeId::new("bench"))),
                room_threads,
            )
        });
        let mut group = c.benchmark_group(format!("fanout/{placement}"));
        let cases = [("unicast", 2, true)]
            .into_iter()
            .chain([2, 10, 50].map(|members| ("broadcast", members, false)));
        for (kind, members, unicast) in cases {
            let case = system.block_on(Case::start(&hub, members, unicast));
            group.throughput(Throughput::Elements(case.fanout));
            group.bench_function(BenchmarkId::new(kind, members), |b| {
                b.iter_custom(|signals| system.block_on(case.run(signals, &payload)))
            });
        }
        group.finish();
    }
}

criterion_group!(benches, fanout);
criterion_main!(benches);
