//! Both layers together: the wire sessions of socket.io-protocol (v4 over Engine.IO 3, v5
//! over Engine.IO 4) decoded from HTTP bodies and WebSocket frames down to Socket.IO packets
//! and back, and [`fuzz`] fed with garbage.

use super::engineio::{self, Frame, Handshake, Packet as EnginePacket, PacketType};
use super::sio::{self, Body};
use super::*;

const SID: &str = "lv_VI97HAXpY6yYWAAAC";

/// The Socket.IO packets of a polling body.
fn socket_packets(version: engineio::Version, body: &[u8], binary: bool) -> Vec<sio::Packet> {
    engineio::decode_payload(version, body, binary)
        .unwrap()
        .iter()
        .map(|packet| {
            assert_eq!(packet.kind, PacketType::Message);
            sio::decode(version.into(), packet.text().unwrap()).unwrap()
        })
        .collect()
}

fn event_of(packet: &sio::Packet) -> &sio::Event {
    match &packet.body {
        Body::Event(event) => event,
        other => panic!("not an event: {other:?}"),
    }
}

fn handshake() -> Handshake<'static> {
    Handshake {
        sid: SID,
        upgrades: engineio::DEFAULT_UPGRADES,
        ping_interval_ms: 25_000,
        ping_timeout_ms: 5_000,
        max_payload: 1_000_000,
    }
}

#[test]
fn v4_over_engine_io_3_sample_session() {
    use engineio::Version::V3;
    // Request 1: the handshake answer holds the open packet and the server's CONNECT for `/`.
    let connect = EnginePacket::message(sio::encode_connect(sio::Version::V4, "/", SID));
    assert_eq!(
        engineio::encode_payload(V3, &[handshake().open_packet(V3), connect]),
        r#"96:0{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":5000}2:40"#
    );
    // Request 2: `socket.emit('hey', 'Jude')` on the server.
    let event = sio::encode_event("/", None, "hey", &("Jude",)).unwrap();
    assert_eq!(
        engineio::encode_payload(V3, &[EnginePacket::message(event)]),
        r#"16:42["hey","Jude"]"#
    );
    // Request 3: the client's POST of two emits.
    let packets = socket_packets(V3, br#"11:42["hello"]11:42["world"]"#, false);
    assert_eq!(event_of(&packets[0]).name, "hello");
    assert_eq!(event_of(&packets[1]).name, "world");
    // Request 4: the WebSocket upgrade and what follows.
    let probe = engineio::decode_text(V3, "2probe").unwrap();
    assert!(probe.kind == PacketType::Ping && probe.is_probe());
    assert_eq!(
        engineio::encode_frame(V3, &EnginePacket::new(PacketType::Pong, engineio::PROBE)),
        Frame::Text("3probe".to_owned())
    );
    assert_eq!(
        engineio::decode_text(V3, "5").unwrap().kind,
        PacketType::Upgrade
    );
    let admin = engineio::decode_text(V3, "40/admin,").unwrap();
    let admin = sio::decode(sio::Version::V4, admin.text().unwrap()).unwrap();
    assert_eq!(admin.namespace, "/admin");
    assert_eq!(
        format!("4{}", sio::encode_connect(sio::Version::V4, "/admin", SID)),
        "40/admin,"
    );
    let tellme = engineio::decode_text(V3, r#"42/admin,1["tellme"]"#).unwrap();
    let tellme = sio::decode(sio::Version::V4, tellme.text().unwrap()).unwrap();
    assert_eq!(event_of(&tellme).ack_id, Some(1));
    // v3 heartbeat: the client pings, the server pongs.
    assert_eq!(
        engineio::decode_text(V3, "2").unwrap().kind,
        PacketType::Ping
    );
    assert_eq!(
        engineio::encode_frame(V3, &EnginePacket::empty(PacketType::Pong)),
        Frame::Text("3".to_owned())
    );
    assert_eq!(
        engineio::decode_text(V3, "1").unwrap().kind,
        PacketType::Close
    );
}

#[test]
fn v5_over_engine_io_4_sample_session() {
    use engineio::Version::V4;
    // Request 1: the handshake.
    assert_eq!(
        engineio::encode_payload(V4, &[handshake().open_packet(V4)]),
        r#"0{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":5000,"maxPayload":1000000}"#
    );
    // Request 2: the client's CONNECT.
    let packets = socket_packets(V4, b"40", false);
    assert_eq!(packets[0].packet_type(), sio::PacketType::Connect);
    assert_eq!(packets[0].namespace, "/");
    // Request 3: the server's CONNECT reply.
    let reply = sio::encode_connect(sio::Version::V5, "/", "wZX3oN0bSVIhsaknAAAI");
    assert_eq!(
        engineio::encode_payload(V4, &[EnginePacket::message(reply)]),
        r#"40{"sid":"wZX3oN0bSVIhsaknAAAI"}"#
    );
    // Request 5: two emits in one POST.
    let packets = socket_packets(V4, b"42[\"hello\"]\x1e42[\"world\"]", false);
    assert_eq!(
        (
            event_of(&packets[0]).name.as_str(),
            event_of(&packets[1]).name.as_str()
        ),
        ("hello", "world")
    );
    // The WebSocket part: a BINARY_ACK header frame and its attachment frame.
    let header =
        engineio::decode_text(V4, r#"461-/admin,1[{"_placeholder":true,"num":0}]"#).unwrap();
    let header = sio::decode(sio::Version::V5, header.text().unwrap()).unwrap();
    let mut attachments = sio::Attachments::default();
    attachments.expect(header.attachments());
    let attachment = engineio::decode_binary(V4, &[1, 2, 3]).unwrap();
    assert!(attachment.is_binary());
    assert_eq!(attachments.on_binary(), Ok(true));
    // v4 heartbeat: the server pings, the client pongs.
    assert_eq!(
        engineio::encode_frame(V4, &EnginePacket::empty(PacketType::Ping)),
        Frame::Text("2".to_owned())
    );
    assert_eq!(
        engineio::decode_text(V4, "3").unwrap().kind,
        PacketType::Pong
    );
}

#[test]
fn v4_polling_post_with_non_ascii_signal_keeps_the_data() {
    use engineio::Version::V3;
    // socket.io-client 2.x batching a join and a signal with emoji in one POST.
    let signal = r#"2["signal-send","salle-é","peer-2",{"sdp":"v=0\r\n","note":"👋 日本"}]"#;
    let join = r#"2["room-join","salle-é"]"#;
    let body = format!(
        "{}:4{join}{}:4{signal}",
        1 + engineio::utf16_len(join),
        1 + engineio::utf16_len(signal)
    );
    assert!(body.starts_with("25:4"), "{body}");
    let packets = socket_packets(V3, body.as_bytes(), false);
    assert_eq!(event_of(&packets[0]).name, "room-join");
    let signal = event_of(&packets[1]);
    assert_eq!(
        signal.args[2].get(),
        r#"{"sdp":"v=0\r\n","note":"👋 日本"}"#
    );
    // Forwarded to the target as signal-receive, in a v4 response body.
    let out = sio::encode_event(
        "/",
        None,
        "signal-receive",
        &("salle-é", "peer-1", &*signal.args[2]),
    )
    .unwrap();
    let response = engineio::encode_payload(V3, &[EnginePacket::message(out.clone())]);
    assert_eq!(
        response,
        format!("{}:4{out}", 1 + engineio::utf16_len(&out))
    );
    assert_eq!(
        event_of(&socket_packets(V3, response.as_bytes(), false)[0]).args[2].get(),
        r#"{"sdp":"v=0\r\n","note":"👋 日本"}"#
    );
}

#[test]
fn v4_binary_event_in_an_xhr2_body_is_recognised_and_skipped() {
    use engineio::Version::V3;
    let header = br#"451-["signal-send",{"_placeholder":true,"num":0}]"#;
    let mut body = vec![0u8];
    body.extend(header.len().to_string().bytes().map(|digit| digit - b'0'));
    body.push(0xff);
    body.extend_from_slice(header);
    body.extend_from_slice(&[1, 4, 0xff, 4, 9, 9, 9]);
    let packets = engineio::decode_payload(V3, &body, true).unwrap();
    assert_eq!(packets.len(), 2);
    let binary = sio::decode(sio::Version::V4, packets[0].text().unwrap()).unwrap();
    assert!(
        matches!(binary.body, Body::BinaryEvent { attachments: 1, ref event } if event.name == "signal-send")
    );
    let mut attachments = sio::Attachments::default();
    attachments.expect(binary.attachments());
    assert!(packets[1].is_binary());
    assert_eq!(attachments.on_binary(), Ok(true));
    // The dialect's answer.
    assert_eq!(
        sio::encode_event("/", None, "error", &("binary events are not supported",)).unwrap(),
        r#"2["error","binary events are not supported"]"#
    );
}

#[test]
fn refused_namespaces_on_the_wire() {
    assert_eq!(
        engineio::encode_payload(
            engineio::Version::V4,
            &[EnginePacket::message(sio::encode_connect_error(
                sio::Version::V5,
                "/admin",
                "Invalid namespace"
            ))]
        ),
        r#"44/admin,{"message":"Invalid namespace"}"#
    );
    let v4 = sio::encode_connect_error(sio::Version::V4, "/admin", "Invalid namespace");
    assert_eq!(
        engineio::encode_payload(engineio::Version::V3, &[EnginePacket::message(v4)]),
        r#"28:44/admin,"Invalid namespace""#
    );
}

// ---------------------------------------------------------------------------------------------
// fuzz(): every decoder, garbage in, no panic out.
// ---------------------------------------------------------------------------------------------

struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
}

#[test]
fn fuzz_random_bytes() {
    let mut rng = Lcg(0xf022);
    for _ in 0..20_000 {
        let len = (rng.next() % 40) as usize;
        let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        fuzz(&bytes);
    }
}

#[test]
fn fuzz_structured_garbage_and_truncations() {
    let seeds: [&[u8]; 10] = [
        br#"96:0{"sid":"x","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":5000}2:40"#,
        "5:4€😀é3:4😀".as_bytes(),
        b"42[\"hello\"]\x1e42[\"world\"]\x1ebAQIDBA==",
        br#"451-/admin,7["up",{"_placeholder":true,"num":0}]"#,
        br#"2["signal-send","r","p",{"sdp":"v=0"}]"#,
        br#"0/admin?token=1,{"a":1}"#,
        &[
            0, 4, 0xff, 0x34, 0xe2, 0x82, 0xac, 1, 5, 0xff, 4, 1, 2, 3, 4,
        ],
        b"EIO=3&transport=polling&sid=abc&b64=1&t=x",
        b"10:b4AQIDBA==",
        br#"3/admin,13["bar"]"#,
    ];
    let mut rng = Lcg(0xabc);
    for seed in seeds {
        for cut in 0..=seed.len() {
            fuzz(&seed[..cut]);
            fuzz(&seed[cut..]);
        }
        for _ in 0..500 {
            let mut bytes = seed.to_vec();
            for _ in 0..1 + rng.next() % 3 {
                let at = (rng.next() as usize) % bytes.len();
                match rng.next() % 3 {
                    0 => bytes[at] = rng.next() as u8,
                    1 => {
                        bytes.remove(at);
                    }
                    _ => bytes.insert(at, seed[(rng.next() as usize) % seed.len()]),
                }
                if bytes.is_empty() {
                    break;
                }
            }
            fuzz(&bytes);
        }
    }
}
