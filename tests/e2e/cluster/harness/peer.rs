//! A conference client that knows its id and the node it landed on (from `connectResponse`),
//! with the room steps the cluster tests repeat and their checks: a join must list exactly
//! the given members, once each, and announce the joiner to each of them exactly as the
//! contract shapes `peerJoin`; a relayed signal must arrive whole, with the sender's id.

use std::net::SocketAddr;
use std::time::Duration;

use futures_util::future::join_all;
use serde_json::{Value, json};

use crate::harness::client::object_keys;
use crate::harness::{Client, Server, frames};

/// How long `quiet` listens for anything that should not arrive.
pub const QUIET: Duration = Duration::from_millis(400);

pub struct Peer {
    pub client: Client,
    pub label: String,
    pub id: String,
    pub name: String,
    /// The node id from `connectResponse`.
    pub node: String,
}

impl Peer {
    /// Connects to `server` and sends `room/connect` for `room`.
    pub async fn on(server: &Server, label: &str, room: &str) -> Peer {
        let client = Client::connect_labelled(server, label).await;
        Self::handshake(client, label, room).await
    }

    /// Connects to any address serving /conference (a proxy), then `room/connect`.
    pub async fn via(addr: SocketAddr, label: &str, room: &str) -> Peer {
        let client = Client::connect_addr(addr, label).await;
        Self::handshake(client, label, room).await
    }

    async fn handshake(mut client: Client, label: &str, room: &str) -> Peer {
        client.send_json(frames::connect(room)).await;
        let response = client.expect_next("room", "connectResponse").await;
        let data = &response["data"];
        assert_eq!(data["room"], room, "{label}: {response}");
        let id = data["id"]
            .as_str()
            .filter(|id| crate::harness::is_uuid_v4(id))
            .unwrap_or_else(|| panic!("{label}: no UUID id in {response}"))
            .to_string();
        let node = data["node"]
            .as_str()
            .filter(|node| !node.is_empty())
            .unwrap_or_else(|| panic!("{label}: no node in {response}"))
            .to_string();
        Peer {
            client,
            label: label.to_string(),
            id,
            name: format!("Name of {label}"),
            node,
        }
    }

    /// Joins `room`; the answer must list exactly `members` (no one twice), and each of them
    /// must get this peer's `peerJoin`.
    pub async fn join(&mut self, room: &str, members: &mut [&mut Peer]) {
        self.client.send_json(frames::join(room, &self.name)).await;
        let response = self.client.expect("conference", "joinResponse").await;
        let data = &response["data"];
        assert_eq!(
            object_keys(data),
            ["id", "peers", "room"],
            "{}: {response}",
            self.label
        );
        assert_eq!(data["id"], self.id.as_str(), "{}: {response}", self.label);
        assert_eq!(data["room"], room, "{}: {response}", self.label);
        let listed = peer_list(data, &self.label);
        let mut expected: Vec<(String, String)> = members
            .iter()
            .map(|peer| (peer.id.clone(), peer.name.clone()))
            .collect();
        expected.sort();
        assert_eq!(
            listed,
            expected,
            "{}: joinResponse.peers of {room} (expected {:?})",
            self.label,
            members.iter().map(|p| p.label.as_str()).collect::<Vec<_>>()
        );
        let announced = peer_join(&self.id, room, &self.name);
        for member in members.iter_mut() {
            member.client.expect_exact(announced.clone()).await;
        }
    }

    /// Leaves `room`: a `leaveResponse` here, a `peerLeave` at each of `members`.
    pub async fn leave(&mut self, room: &str, members: &mut [&mut Peer]) {
        let data = self.client.leave(room).await;
        assert_eq!(data, json!({"id": self.id, "room": room}), "{}", self.label);
        let gone = json!({"type": "conference", "name": "peerLeave",
            "data": {"id": self.id, "room": room}});
        for member in members.iter_mut() {
            member.client.expect_exact(gone.clone()).await;
        }
    }

    /// Sends `message` (a signal) and checks that each of `targets` receives it relayed:
    /// the sender's data plus `id`, the signal untouched.
    pub async fn relay(&mut self, message: Value, targets: &mut [&mut Peer]) {
        self.client.send_json(message.clone()).await;
        let expected = frames::relayed(&message, &self.id);
        for target in targets.iter_mut() {
            target.client.expect_exact(expected.clone()).await;
        }
    }
}

/// Connects through `addr` (a load balancer) until a peer lands on a node none of `avoid` is
/// on, at most `tries` times. Returns it and the peers that landed elsewhere, still open (so
/// the balancer's rotation is not disturbed by their closing).
pub async fn land_apart(
    addr: SocketAddr,
    label: &str,
    room: &str,
    avoid: &[&str],
    tries: usize,
) -> (Peer, Vec<Peer>) {
    let mut others = Vec::new();
    for attempt in 0..tries {
        let peer = Peer::via(addr, &format!("{label}-{attempt}"), room).await;
        if !avoid.contains(&peer.node.as_str()) {
            return (peer, others);
        }
        others.push(peer);
    }
    panic!("{label}: {tries} connections through {addr} all landed on {avoid:?}");
}

/// A whole offer/answer/trickle exchange in `room` between two joined peers, each message
/// checked as the other receives it.
pub async fn exchange(first: &mut Peer, second: &mut Peer, room: &str) {
    let offer = frames::sdp(
        room,
        &second.id,
        frames::offer(&format!("{}-offer", first.label)),
    );
    first.relay(offer, &mut [&mut *second]).await;
    let answer = frames::sdp(
        room,
        &first.id,
        frames::answer(&format!("{}-answer", second.label)),
    );
    second.relay(answer, &mut [&mut *first]).await;
    for n in 0..3 {
        let candidate = frames::candidate(&format!("{}-{n}", first.label));
        let trickle = frames::trickle(room, Some(&second.id), candidate);
        first.relay(trickle, &mut [&mut *second]).await;
        let candidate = frames::candidate(&format!("{}-{n}", second.label));
        let trickle = frames::trickle(room, Some(&first.id), candidate);
        second.relay(trickle, &mut [&mut *first]).await;
    }
    let end = frames::candidate(&format!("{}-end-of-candidates", first.label));
    first
        .relay(frames::trickle(room, None, end), &mut [&mut *second])
        .await;
}

/// Asserts that nothing arrives at any of `peers` for a short while (all listened to at once).
pub async fn quiet(peers: &mut [&mut Peer]) {
    join_all(peers.iter_mut().map(|peer| peer.client.expect_none(QUIET))).await;
}

/// `system/peerDisconnected` for `peer` in `room`, as every other member gets it.
pub fn disconnected(peer: &Peer, room: &str) -> Value {
    json!({"type": "system", "name": "peerDisconnected", "data": {"id": peer.id, "room": room}})
}

pub fn peer_join(id: &str, room: &str, name: &str) -> Value {
    json!({"type": "conference", "name": "peerJoin",
        "data": {"id": id, "room": room, "peerName": name, "name": name}})
}

/// The `peers` of a joinResponse as sorted (id, name) pairs; each entry is exactly
/// `{id, name}` and no id appears twice.
pub fn peer_list(data: &Value, label: &str) -> Vec<(String, String)> {
    let list = data["peers"]
        .as_array()
        .unwrap_or_else(|| panic!("{label}: joinResponse without a peers array: {data}"));
    let mut pairs: Vec<(String, String)> = list
        .iter()
        .map(|peer| {
            assert_eq!(
                object_keys(peer),
                ["id", "name"],
                "{label}: peer entry {peer}"
            );
            (
                peer["id"].as_str().unwrap_or_default().to_string(),
                peer["name"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    pairs.sort();
    let mut ids: Vec<&String> = pairs.iter().map(|(id, _)| id).collect();
    ids.dedup();
    assert_eq!(
        ids.len(),
        pairs.len(),
        "{label}: a member listed twice: {data}"
    );
    pairs
}

/// Where `peers` are, as sorted (id, node) pairs: what a room's hash must hold for them.
pub fn placement(peers: &[&Peer]) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = peers
        .iter()
        .map(|peer| (peer.id.clone(), peer.node.clone()))
        .collect();
    pairs.sort();
    pairs
}
