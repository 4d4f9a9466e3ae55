//! Raw Socket.IO frames for the `rooms` dialect: the seed flow byte for byte, bad arguments,
//! disconnects, over polling (Engine.IO 3 and 4) and WebSockets.

use std::collections::VecDeque;
use std::net::SocketAddr;

use crate::harness::Server;
use crate::socketio::client::{self, Polling, Ws};

/// A raw client: polling or a WebSocket, with its socket id.
enum Link {
    Polling(Polling),
    Ws(Box<Ws>),
}

pub struct Peer {
    link: Link,
    eio: u8,
    pub id: String,
    pending: VecDeque<String>,
}

impl Peer {
    pub async fn polling(addr: SocketAddr, eio: u8) -> Peer {
        let (session, rest) = Polling::open(addr, eio).await;
        let id = if eio == 3 {
            assert_eq!(rest, ["40"]);
            session.sid.clone()
        } else {
            session.send(&["40"]).await;
            let reply = session.poll().await;
            socket_id(&reply[0])
        };
        Peer {
            link: Link::Polling(session),
            eio,
            id,
            pending: VecDeque::new(),
        }
    }

    pub async fn websocket(addr: SocketAddr, eio: u8) -> Peer {
        let mut ws = client::websocket(addr, &format!("EIO={eio}&transport=websocket")).await;
        let open = client::expect_text(&mut ws).await;
        assert!(open.starts_with('0'), "{open}");
        let id = if eio == 3 {
            let open: serde_json::Value = serde_json::from_str(&open[1..]).unwrap();
            assert_eq!(client::expect_text(&mut ws).await, "40");
            open["sid"].as_str().unwrap().to_owned()
        } else {
            client::send_text(&mut ws, "40").await;
            socket_id(&client::expect_text(&mut ws).await)
        };
        Peer {
            link: Link::Ws(Box::new(ws)),
            eio,
            id,
            pending: VecDeque::new(),
        }
    }

    pub async fn send(&mut self, packet: &str) {
        match &mut self.link {
            Link::Polling(session) => session.send(&[packet]).await,
            Link::Ws(ws) => client::send_text(ws, packet).await,
        }
    }

    /// Emits `["name", args...]` (the JSON array's text).
    pub async fn emit(&mut self, array: &str) {
        self.send(&format!("42{array}")).await;
    }

    /// The next Socket.IO packet (Engine.IO heartbeats skipped), as text after the `4`.
    pub async fn next(&mut self) -> String {
        loop {
            if let Some(packet) = self.pending.pop_front() {
                if packet == "2" || packet == "3" {
                    if packet == "2" && self.eio == 4 {
                        self.send("3").await;
                    }
                    continue;
                }
                return packet;
            }
            match &mut self.link {
                Link::Polling(session) => self.pending.extend(session.poll().await),
                Link::Ws(ws) => self.pending.push_back(client::expect_text(ws).await),
            }
        }
    }

    /// The next Socket.IO packet, waiting up to `wait` (WebSockets only).
    pub async fn next_within(&mut self, wait: std::time::Duration) -> String {
        use futures_util::StreamExt;
        use tokio_tungstenite::tungstenite::Message;
        let Link::Ws(ws) = &mut self.link else {
            panic!("next_within is for WebSocket peers");
        };
        loop {
            let frame = tokio::time::timeout(wait, ws.next())
                .await
                .expect("a frame in time");
            match frame {
                Some(Ok(Message::Text(text))) if text.as_str() == "2" => {
                    client::send_text(ws, "3").await
                }
                Some(Ok(Message::Text(text))) => return text.to_string(),
                Some(Ok(_)) => continue,
                other => panic!("socket ended: {other:?}"),
            }
        }
    }

    /// The next packet must be the event `array`.
    pub async fn expect(&mut self, array: &str) {
        assert_eq!(self.next().await, format!("42{array}"), "peer {}", self.id);
    }
}

fn socket_id(connect: &str) -> String {
    let json = connect
        .strip_prefix("40")
        .unwrap_or_else(|| panic!("{connect}"));
    let value: serde_json::Value = serde_json::from_str(json).unwrap();
    value["sid"].as_str().unwrap().to_owned()
}

async fn seed_flow(a: &mut Peer, b: &mut Peer, c: &mut Peer) {
    let (ia, ib, ic) = (a.id.clone(), b.id.clone(), c.id.clone());
    a.emit(r#"["room-create","r1"]"#).await;
    a.expect(r#"["room-created","r1"]"#).await;
    b.emit(r#"["room-create","r1"]"#).await;
    b.expect(r#"["room-exists","r1"]"#).await;
    b.emit(r#"["room-join","r0"]"#).await;
    b.expect(r#"["room-not-exists","r0"]"#).await;

    b.emit(r#"["room-join","r1"]"#).await;
    b.expect(&format!(r#"["room-joined","r1","{ia}",["{ia}"]]"#))
        .await;
    a.expect(&format!(r#"["client-joined","r1","{ib}"]"#)).await;

    // `data` goes through untouched, spacing and escapes included.
    let data = r#"{"description" : {"type":"offer","sdp":"v=0\r\n\u00e9"}}"#;
    b.emit(&format!(r#"["signal-send","r1","{ia}",{data}]"#))
        .await;
    a.expect(&format!(r#"["signal-receive","r1","{ib}",{data}]"#))
        .await;
    a.emit(&format!(r#"["signal-send","r1","{ib}",[1, 2]]"#))
        .await;
    b.expect(&format!(r#"["signal-receive","r1","{ia}",[1, 2]]"#))
        .await;
    b.emit(r#"["signal-send","r1","nobody",{}]"#).await;
    b.expect(r#"["target-not-found","r1","nobody"]"#).await;
    c.emit(&format!(r#"["signal-send","r1","{ia}",{{}}]"#))
        .await;
    c.expect(r#"["not-in-room","r1"]"#).await;
    c.emit(r#"["room-leave","r1"]"#).await;
    c.expect(r#"["not-in-room","r1"]"#).await;

    c.emit(r#"["room-join","r1"]"#).await;
    let joined = c.next().await;
    assert!(
        joined == format!(r#"42["room-joined","r1","{ia}",["{ia}","{ib}"]]"#)
            || joined == format!(r#"42["room-joined","r1","{ia}",["{ib}","{ia}"]]"#),
        "{joined}"
    );
    a.expect(&format!(r#"["client-joined","r1","{ic}"]"#)).await;
    b.expect(&format!(r#"["client-joined","r1","{ic}"]"#)).await;
    c.emit(r#"["room-leave","r1"]"#).await;
    c.expect(r#"["room-left","r1",false]"#).await;
    a.expect(&format!(r#"["client-left","r1","{ic}"]"#)).await;
    b.expect(&format!(r#"["client-left","r1","{ic}"]"#)).await;
    c.emit(r#"["room-join","r1"]"#).await;
    c.next().await;
    a.expect(&format!(r#"["client-joined","r1","{ic}"]"#)).await;
    b.expect(&format!(r#"["client-joined","r1","{ic}"]"#)).await;

    // The owner leaves: everyone else is kicked and the room is gone.
    a.emit(r#"["room-leave","r1"]"#).await;
    a.expect(r#"["room-left","r1",false]"#).await;
    b.expect(r#"["room-left","r1",true]"#).await;
    c.expect(r#"["room-left","r1",true]"#).await;
    b.emit(r#"["room-leave","r1"]"#).await;
    b.expect(r#"["not-in-room","r1"]"#).await;
    b.emit(r#"["room-join","r1"]"#).await;
    b.expect(r#"["room-not-exists","r1"]"#).await;
    b.emit(r#"["room-create","r1"]"#).await;
    b.expect(r#"["room-created","r1"]"#).await;
}

#[tokio::test]
async fn seed_flow_over_polling_v3() {
    let server = Server::start(&[]);
    let addr = server.addr();
    let mut a = Peer::polling(addr, 3).await;
    let mut b = Peer::polling(addr, 3).await;
    let mut c = Peer::polling(addr, 3).await;
    seed_flow(&mut a, &mut b, &mut c).await;
}

#[tokio::test]
async fn seed_flow_over_polling_v4() {
    let server = Server::start(&[]);
    let addr = server.addr();
    let mut a = Peer::polling(addr, 4).await;
    let mut b = Peer::polling(addr, 4).await;
    let mut c = Peer::polling(addr, 4).await;
    seed_flow(&mut a, &mut b, &mut c).await;
}

#[tokio::test]
async fn seed_flow_over_websockets_and_mixed_versions() {
    let server = Server::start(&[]);
    let addr = server.addr();
    let mut a = Peer::websocket(addr, 4).await;
    let mut b = Peer::websocket(addr, 3).await;
    let mut c = Peer::polling(addr, 4).await;
    seed_flow(&mut a, &mut b, &mut c).await;
}

#[tokio::test]
async fn bad_arguments_get_the_error_event_and_the_socket_stays() {
    let server = Server::start(&[]);
    let mut a = Peer::polling(server.addr(), 4).await;
    for (sent, error) in [
        (
            r#"["room-create"]"#,
            "room-create: expected 1 argument(s), got 0",
        ),
        (
            r#"["room-create",5]"#,
            "room-create: argument 1 (room) must be a string",
        ),
        (
            r#"["room-join","a","b"]"#,
            "room-join: expected 1 argument(s), got 2",
        ),
        (
            r#"["room-leave",null]"#,
            "room-leave: argument 1 (room) must be a string",
        ),
        (
            r#"["signal-send","r","t"]"#,
            "signal-send: expected 3 argument(s), got 2",
        ),
        (
            r#"["signal-send","r",{},{}]"#,
            "signal-send: argument 2 (targetId) must be a string",
        ),
        (r#"["room-delete","r"]"#, "unknown event: room-delete"),
    ] {
        a.emit(sent).await;
        a.expect(&format!(r#"["error","{error}"]"#)).await;
    }
    // An ack id is answered: empty for a served event, with the error for a refused one.
    a.send(r#"427["room-create","r"]"#).await;
    assert_eq!(a.next().await, "437[]");
    a.expect(r#"["room-created","r"]"#).await;
    a.send(r#"428["room-create"]"#).await;
    a.expect(r#"["error","room-create: expected 1 argument(s), got 0"]"#)
        .await;
    assert_eq!(
        a.next().await,
        r#"438[{"error":"room-create: expected 1 argument(s), got 0"}]"#
    );
}

#[tokio::test]
async fn a_disconnect_leaves_every_room_and_an_owners_closes_it() {
    let server = Server::start(&[]);
    let addr = server.addr();
    let mut owner = Peer::polling(addr, 4).await;
    let mut member = Peer::polling(addr, 3).await;
    let mut other = Peer::websocket(addr, 4).await;
    let (io, im, ix) = (owner.id.clone(), member.id.clone(), other.id.clone());
    owner.emit(r#"["room-create","d1"]"#).await;
    owner.expect(r#"["room-created","d1"]"#).await;
    other.emit(r#"["room-create","d2"]"#).await;
    other.expect(r#"["room-created","d2"]"#).await;
    for (room, present) in [("d1", &io), ("d2", &ix)] {
        member.emit(&format!(r#"["room-join","{room}"]"#)).await;
        member
            .expect(&format!(
                r#"["room-joined","{room}","{present}",["{present}"]]"#
            ))
            .await;
    }
    owner
        .expect(&format!(r#"["client-joined","d1","{im}"]"#))
        .await;
    other
        .expect(&format!(r#"["client-joined","d2","{im}"]"#))
        .await;
    other.emit(r#"["room-join","d1"]"#).await;
    other.next().await;
    owner
        .expect(&format!(r#"["client-joined","d1","{ix}"]"#))
        .await;
    member
        .expect(&format!(r#"["client-joined","d1","{ix}"]"#))
        .await;

    // The member's engine closes: it left both rooms.
    member.send("1").await;
    owner
        .expect(&format!(r#"["client-left","d1","{im}"]"#))
        .await;
    let (first, second) = (other.next().await, other.next().await);
    let mut got = [first, second];
    got.sort();
    let mut want = [
        format!(r#"42["client-left","d1","{im}"]"#),
        format!(r#"42["client-left","d2","{im}"]"#),
    ];
    want.sort();
    assert_eq!(got, want);

    // The owner leaves the namespace: its room closes.
    owner.send("41").await;
    other.expect(r#"["room-left","d1",true]"#).await;
    other.emit(r#"["room-join","d1"]"#).await;
    other.expect(r#"["room-not-exists","d1"]"#).await;
}

#[tokio::test]
async fn requests_in_one_post_are_answered_in_order() {
    let server = Server::start(&[]);
    let addr = server.addr();
    let mut a = Peer::polling(addr, 4).await;
    let mut b = Peer::polling(addr, 3).await;
    let (ia, ib) = (a.id.clone(), b.id.clone());
    a.emit(r#"["room-create","q"]"#).await;
    a.expect(r#"["room-created","q"]"#).await;
    // The signal waits for the join's answer, so it finds b in the room.
    let join = r#"42["room-join","q"]"#.to_owned();
    let signal = format!(r#"42["signal-send","q","{ia}",{{"n":1}}]"#);
    let leave = r#"42["room-leave","q"]"#.to_owned();
    let Link::Polling(session) = &b.link else {
        unreachable!()
    };
    session.send(&[&join, &signal, &leave]).await;
    b.expect(&format!(r#"["room-joined","q","{ia}",["{ia}"]]"#))
        .await;
    b.expect(r#"["room-left","q",false]"#).await;
    a.expect(&format!(r#"["client-joined","q","{ib}"]"#)).await;
    a.expect(&format!(r#"["signal-receive","q","{ib}",{{"n":1}}]"#))
        .await;
    a.expect(&format!(r#"["client-left","q","{ib}"]"#)).await;
}
