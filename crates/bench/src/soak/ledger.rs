//! The soak's bookkeeping, kept apart from the sockets so that its verdicts are pure and
//! unit-tested: every signal sent (nonce, sender, target, room, time), every one received
//! (who got it, under which server-stamped sender id), every membership span of every
//! client, and every fault (a node or Redis down, up to the end of its settle time). From
//! these it finds signals delivered to the wrong peer or under a wrong sender id, duplicates,
//! and signals lost between two members that both stayed in the room, on healthy nodes,
//! while Redis was up.

use std::collections::HashMap;
use std::sync::Arc;

use serde::Serialize;

/// A time on the process clock (`clock::now_ns`).
pub type Ns = u64;

/// What can be down.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Fault {
    /// Node index `0..nodes`.
    Node(usize),
    Redis,
}

/// The window around a send in which both ends must have been members, on nodes that were
/// up, with Redis up, for the signal to count as one that must arrive.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Window {
    /// How long before the send both must already have been members (their joins had time
    /// to reach every node).
    pub before_ns: Ns,
    /// How long after the send both must still be members (the signal had time to arrive).
    pub grace_ns: Ns,
}

/// What a receiver read from one signal.
#[derive(Clone, Debug)]
pub struct Receipt {
    pub nonce: u64,
    /// The receiver's own id (its connection's, from `joinResponse`).
    pub receiver: Arc<str>,
    /// `data.id`: the sender id the server stamped.
    pub stamped_from: String,
    /// The target the sender wrote into the payload.
    pub claimed_to: String,
    /// The sender's own id as it wrote it into the payload.
    pub claimed_from: String,
}

#[derive(Clone, Debug)]
struct Sent {
    from: Arc<str>,
    to: Arc<str>,
    room: u32,
    at: Ns,
}

/// One stay of a client in a room: from its `joinResponse` to its leave, drop or lost socket.
#[derive(Clone, Copy, Debug)]
struct Span {
    node: usize,
    from: Ns,
    until: Option<Ns>,
}

#[derive(Clone, Copy, Debug)]
struct Outage {
    fault: Fault,
    from: Ns,
    /// End of the outage plus its settle time; `None` while it lasts.
    until: Option<Ns>,
}

/// The loss verdict.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Losses {
    pub sent: u64,
    /// Signals received at least once (by the right peer or not).
    pub delivered: u64,
    /// Signals whose both ends met the window.
    pub eligible: u64,
    pub eligible_delivered: u64,
    /// Eligible and never received.
    pub lost: u64,
    /// A few lost signals, described.
    pub samples: Vec<String>,
}

/// The delivery verdict.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Deliveries {
    pub received: u64,
    /// Received by someone else than its target, or stamped with another sender id than the
    /// one that sent it, or carrying a nonce nobody sent.
    pub misdelivered: u64,
    /// Receipts of a nonce already received.
    pub duplicated: u64,
    pub samples: Vec<String>,
}

const SAMPLES: usize = 10;

#[derive(Debug, Default)]
pub struct Ledger {
    next_nonce: u64,
    sent: HashMap<u64, Sent>,
    received: HashMap<u64, u32>,
    spans: HashMap<(Arc<str>, u32), Vec<Span>>,
    outages: Vec<Outage>,
    deliveries: Deliveries,
}

impl Ledger {
    /// A nonce no signal of this run has carried.
    pub fn nonce(&mut self) -> u64 {
        self.next_nonce += 1;
        self.next_nonce
    }

    pub fn joined(&mut self, id: &Arc<str>, room: u32, node: usize, at: Ns) {
        self.spans
            .entry((id.clone(), room))
            .or_default()
            .push(Span {
                node,
                from: at,
                until: None,
            });
    }

    /// Ends the open span of `id` in `room`, if any.
    pub fn left(&mut self, id: &Arc<str>, room: u32, at: Ns) {
        if let Some(span) = self
            .spans
            .get_mut(&(id.clone(), room))
            .and_then(|spans| spans.last_mut())
            .filter(|span| span.until.is_none())
        {
            span.until = Some(at);
        }
    }

    /// Recorded before the frame is written, so that a receipt always finds its send.
    pub fn sent(&mut self, nonce: u64, from: &Arc<str>, to: &Arc<str>, room: u32, at: Ns) {
        self.sent.insert(
            nonce,
            Sent {
                from: from.clone(),
                to: to.clone(),
                room,
                at,
            },
        );
    }

    pub fn received(&mut self, receipt: Receipt) {
        let deliveries = &mut self.deliveries;
        deliveries.received += 1;
        let count = self.received.entry(receipt.nonce).or_insert(0);
        *count += 1;
        if *count > 1 {
            deliveries.duplicated += 1;
            sample(&mut deliveries.samples, || {
                format!("nonce {} received {count} times", receipt.nonce)
            });
        }
        let wrong = match self.sent.get(&receipt.nonce) {
            None => Some("a nonce nobody sent".to_string()),
            Some(sent) if *sent.to != *receipt.receiver => Some(format!("sent to {}", sent.to)),
            Some(sent) if *sent.from != receipt.stamped_from => {
                Some(format!("sent by {}", sent.from))
            }
            Some(_) if receipt.claimed_to != *receipt.receiver => {
                Some(format!("payload names target {}", receipt.claimed_to))
            }
            Some(_) if receipt.claimed_from != receipt.stamped_from => {
                Some(format!("payload names sender {}", receipt.claimed_from))
            }
            Some(_) => None,
        };
        if let Some(why) = wrong {
            deliveries.misdelivered += 1;
            sample(&mut deliveries.samples, || {
                format!(
                    "nonce {} received by {} stamped from {}: {why}",
                    receipt.nonce, receipt.receiver, receipt.stamped_from
                )
            });
        }
    }

    pub fn outage_began(&mut self, fault: Fault, at: Ns) {
        self.outages.push(Outage {
            fault,
            from: at,
            until: None,
        });
    }

    /// `until`: when the fault was repaired plus its settle time.
    pub fn outage_ended(&mut self, fault: Fault, until: Ns) {
        if let Some(outage) = self
            .outages
            .iter_mut()
            .rev()
            .find(|outage| outage.fault == fault && outage.until.is_none())
        {
            outage.until = Some(until);
        }
    }

    pub fn deliveries(&self) -> Deliveries {
        self.deliveries.clone()
    }

    /// Which signals had to arrive, and which of those never did.
    pub fn losses(&self, window: Window) -> Losses {
        let mut losses = Losses {
            sent: self.sent.len() as u64,
            delivered: self.received.len() as u64,
            ..Losses::default()
        };
        let mut nonces: Vec<_> = self.sent.keys().copied().collect();
        nonces.sort_unstable();
        for nonce in nonces {
            let sent = &self.sent[&nonce];
            let start = sent.at.saturating_sub(window.before_ns);
            let end = sent.at.saturating_add(window.grace_ns);
            let (Some(from_node), Some(to_node)) = (
                self.member_throughout(&sent.from, sent.room, start, end),
                self.member_throughout(&sent.to, sent.room, start, end),
            ) else {
                continue;
            };
            let faulty = [Fault::Node(from_node), Fault::Node(to_node), Fault::Redis]
                .iter()
                .any(|fault| self.down_during(*fault, start, end));
            if faulty {
                continue;
            }
            losses.eligible += 1;
            if self.received.contains_key(&nonce) {
                losses.eligible_delivered += 1;
            } else {
                losses.lost += 1;
                sample(&mut losses.samples, || {
                    format!(
                        "nonce {nonce} from {} (node {from_node}) to {} (node {to_node}) in \
                         room {} sent at {:.3} s",
                        sent.from,
                        sent.to,
                        sent.room,
                        sent.at as f64 / 1e9
                    )
                });
            }
        }
        losses
    }

    /// The node `id` was on, if it was a member of `room` from `start` to `end`.
    fn member_throughout(&self, id: &Arc<str>, room: u32, start: Ns, end: Ns) -> Option<usize> {
        self.spans
            .get(&(id.clone(), room))?
            .iter()
            .find(|span| span.from <= start && span.until.is_none_or(|until| until >= end))
            .map(|span| span.node)
    }

    fn down_during(&self, fault: Fault, start: Ns, end: Ns) -> bool {
        self.outages.iter().any(|outage| {
            outage.fault == fault
                && outage.from <= end
                && outage.until.is_none_or(|until| until >= start)
        })
    }
}

fn sample(samples: &mut Vec<String>, describe: impl FnOnce() -> String) {
    if samples.len() < SAMPLES {
        samples.push(describe());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: Ns = 1_000_000_000;
    const WINDOW: Window = Window {
        before_ns: S,
        grace_ns: 2 * S,
    };

    fn id(text: &str) -> Arc<str> {
        text.into()
    }

    fn receipt(nonce: u64, receiver: &str, stamped: &str, to: &str, from: &str) -> Receipt {
        Receipt {
            nonce,
            receiver: id(receiver),
            stamped_from: stamped.into(),
            claimed_to: to.into(),
            claimed_from: from.into(),
        }
    }

    /// a on node 0 and b on node 1, both in room 7 from 0 s to 100 s.
    fn two_members() -> (Ledger, Arc<str>, Arc<str>) {
        let mut ledger = Ledger::default();
        let (a, b) = (id("a"), id("b"));
        ledger.joined(&a, 7, 0, 0);
        ledger.joined(&b, 7, 1, 0);
        ledger.left(&a, 7, 100 * S);
        ledger.left(&b, 7, 100 * S);
        (ledger, a, b)
    }

    #[test]
    fn a_right_delivery_is_clean_and_a_wrong_one_is_counted_once_each() {
        let (mut ledger, a, b) = two_members();
        for nonce in 1..=5 {
            ledger.sent(nonce, &a, &b, 7, 10 * S);
        }
        ledger.received(receipt(1, "b", "a", "b", "a"));
        ledger.received(receipt(2, "a", "a", "b", "a")); // wrong receiver
        ledger.received(receipt(3, "b", "c", "b", "c")); // stamped with another sender
        ledger.received(receipt(4, "b", "a", "b", "x")); // payload's sender differs
        ledger.received(receipt(99, "b", "a", "b", "a")); // never sent
        ledger.received(receipt(1, "b", "a", "b", "a")); // again
        let deliveries = ledger.deliveries();
        assert_eq!(deliveries.received, 6);
        assert_eq!(deliveries.misdelivered, 4, "{:?}", deliveries.samples);
        assert_eq!(deliveries.duplicated, 1);
    }

    #[test]
    fn a_signal_between_members_that_stayed_must_arrive() {
        let (mut ledger, a, b) = two_members();
        ledger.sent(1, &a, &b, 7, 10 * S);
        ledger.sent(2, &b, &a, 7, 20 * S);
        ledger.received(receipt(1, "b", "a", "b", "a"));
        let losses = ledger.losses(WINDOW);
        assert_eq!((losses.sent, losses.eligible, losses.lost), (2, 2, 1));
        assert_eq!(losses.eligible_delivered, 1);
        assert!(losses.samples[0].starts_with("nonce 2 "), "{losses:?}");
    }

    #[test]
    fn signals_near_a_join_or_a_leave_or_to_another_room_are_not_eligible() {
        let (mut ledger, a, b) = two_members();
        let c = id("c");
        ledger.joined(&c, 7, 2, 30 * S);
        ledger.left(&c, 7, 40 * S);
        ledger.joined(&c, 7, 2, 45 * S);
        ledger.sent(1, &a, &c, 7, 30 * S + S / 2); // c joined less than 1 s before
        ledger.sent(2, &a, &b, 7, 99 * S); // b leaves within 2 s
        ledger.sent(3, &a, &b, 8, 50 * S); // b was never in room 8
        ledger.sent(4, &a, &c, 7, 39 * S); // c left within the grace
        ledger.sent(5, &a, &c, 7, 50 * S); // c's second stay covers it
        let losses = ledger.losses(WINDOW);
        assert_eq!((losses.eligible, losses.lost), (1, 1), "{losses:?}");
    }

    #[test]
    fn outages_of_either_node_or_of_redis_around_the_send_exclude_it() {
        let (mut ledger, a, b) = two_members();
        ledger.outage_began(Fault::Node(1), 10 * S);
        ledger.outage_ended(Fault::Node(1), 15 * S);
        ledger.outage_began(Fault::Redis, 30 * S);
        ledger.outage_ended(Fault::Redis, 35 * S);
        ledger.outage_began(Fault::Node(2), 50 * S); // a node neither is on
        ledger.outage_ended(Fault::Node(2), 55 * S);
        ledger.sent(1, &a, &b, 7, 9 * S); // node 1 goes down within the grace
        ledger.sent(2, &a, &b, 7, 17 * S); // node 1 back (settled) 2 s before
        ledger.sent(3, &b, &a, 7, 33 * S); // Redis down
        ledger.sent(4, &b, &a, 7, 52 * S);
        ledger.outage_began(Fault::Redis, 70 * S); // never repaired
        ledger.sent(5, &a, &b, 7, 80 * S);
        let losses = ledger.losses(WINDOW);
        assert_eq!((losses.eligible, losses.lost), (2, 2), "{losses:?}");
        assert!(losses.samples[0].starts_with("nonce 2 "));
        assert!(losses.samples[1].starts_with("nonce 4 "));
    }

    #[test]
    fn nonces_are_unique() {
        let mut ledger = Ledger::default();
        let (one, two) = (ledger.nonce(), ledger.nonce());
        assert_ne!(one, two);
    }
}
