//! The conference dialect: both peers of a pair join a room of their own, learn each
//! other's ids from `joinResponse` and `peerJoin`, and send each other targeted signals
//! (`trickle` with a candidate, `sdp` with a description).

use std::net::SocketAddr;

use futures_util::SinkExt;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use super::{Link, Protocol, next_text};
use crate::net::{Dialer, Ws};
use crate::payload::{self, Size};
use crate::stamp::{MARKER, PLACEHOLDER};
use crate::template::Template;

/// Connects and waits for the answer to `room/connect`.
pub async fn connect(protocol: &Protocol, dialer: &Dialer, addr: SocketAddr) -> Result<Ws, String> {
    let mut ws = dialer.open(addr, &protocol.conference_path).await?;
    let ask = json!({"type": "room", "name": "connect", "data": {"room": "bench"}});
    send(&mut ws, &ask).await?;
    expect(&mut ws, dialer, "room", "connectResponse").await?;
    Ok(ws)
}

pub async fn open_pair(
    protocol: &Protocol,
    dialer: &Dialer,
    (a, b): (SocketAddr, SocketAddr),
    room: &str,
    size: Size,
) -> Result<(Link, Link), String> {
    let (mut a_ws, a_id, _) = join(protocol, dialer, a, room, "a").await?;
    let (mut b_ws, b_id, b_joined) = join(protocol, dialer, b, room, "b").await?;
    let peers = b_joined["peers"].as_array().cloned().unwrap_or_default();
    if !peers.iter().any(|peer| peer["id"] == a_id.as_str()) {
        // Across nodes, B's node may learn of A's join only after answering B's: B then
        // hears of A in a peerJoin, as any client would.
        expect_join_of(&mut b_ws, dialer, &a_id, room, "B").await?;
    }
    expect_join_of(&mut a_ws, dialer, &b_id, room, "A").await?;
    let a_out = signal(room, &b_id, size, "offer");
    let b_out = signal(room, &a_id, size, "answer");
    Ok((
        Link {
            ws: a_ws,
            out: a_out,
        },
        Link {
            ws: b_ws,
            out: b_out,
        },
    ))
}

/// Connects and joins `room` as `name`; returns the socket, its id and the joinResponse
/// data.
async fn join(
    protocol: &Protocol,
    dialer: &Dialer,
    addr: SocketAddr,
    room: &str,
    name: &str,
) -> Result<(Ws, String, Value), String> {
    let mut ws = dialer.open(addr, &protocol.conference_path).await?;
    let ask = json!({"type": "conference", "name": "join", "data": {"room": room, "name": name}});
    send(&mut ws, &ask).await?;
    let response = expect(&mut ws, dialer, "conference", "joinResponse").await?;
    let data = response["data"].clone();
    let id = data["id"]
        .as_str()
        .ok_or_else(|| format!("joinResponse without data.id: {response}"))?
        .to_string();
    Ok((ws, id, data))
}

/// The next message must be the peerJoin of `id`.
async fn expect_join_of(
    ws: &mut Ws,
    dialer: &Dialer,
    id: &str,
    room: &str,
    who: &str,
) -> Result<(), String> {
    let joined = expect(ws, dialer, "conference", "peerJoin")
        .await
        .map_err(|err| format!("room {room}: {who}: {err}"))?;
    if joined["data"]["id"] == id {
        Ok(())
    } else {
        Err(format!(
            "room {room}: {who} got a peerJoin for someone else: {joined}"
        ))
    }
}

async fn send(ws: &mut Ws, message: &Value) -> Result<(), String> {
    ws.send(Message::text(message.to_string()))
        .await
        .map_err(|err| format!("send: {err}"))
}

/// The next message must be `kind/name`.
async fn expect(ws: &mut Ws, dialer: &Dialer, kind: &str, name: &str) -> Result<Value, String> {
    let text = next_text(ws, dialer.timeout())
        .await
        .map_err(|err| format!("waiting for {kind}/{name}: {err}"))?;
    let json: Value = serde_json::from_str(&text).unwrap_or_default();
    if json["type"] == kind && json["name"] == name {
        Ok(json)
    } else {
        Err(format!("expected {kind}/{name}, got {text}"))
    }
}

/// A targeted signal to `to`: a trickled candidate, or an SDP `offer`/`answer`.
fn signal(room: &str, to: &str, size: Size, sdp_kind: &str) -> Template {
    let (name, body) = match size {
        Size::Candidate => ("trickle", format!(r#""ice":{}"#, payload::ice_candidate())),
        Size::Offer => (
            "sdp",
            format!(r#""desc":{}"#, payload::session_description(sdp_kind)),
        ),
    };
    Template::new(format!(
        r#"{{"type":"signal","name":"{name}","data":{{"room":"{room}","to":"{to}"}},"signal":{{{body},{MARKER}{PLACEHOLDER}"}}}}"#
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signals_are_json_of_the_advertised_sizes() {
        let to = "4c1e0f9a-7d2b-4e36-9a51-2f0c8b1d6e73";
        let candidate = signal("sb1234-0", to, Size::Candidate, "offer");
        let offer = signal("sb1234-0", to, Size::Offer, "offer");
        for template in [&candidate, &offer] {
            let text = template.message(5, 6).into_text().unwrap();
            let json: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(json["data"]["to"], to);
            assert!(json["signal"].is_object());
        }
        assert!((250..400).contains(&candidate.len()), "{}", candidate.len());
        assert!((1800..2400).contains(&offer.len()), "{}", offer.len());
    }
}
