//! Property tests of every wire parser, on stable and in `cargo test`: what the server renders
//! parses back to what was rendered (each dialect's messages, Engine.IO packets and payloads,
//! Socket.IO packets), and no input panics a parser, whether arbitrary bytes or strings built
//! from the protocol's own pieces so they get past the first checks.
//!
//! The cargo-fuzz targets in `fuzz/` search the same ground for minutes; these run in seconds
//! (case counts are set per block) so every `cargo test` keeps the properties true.

use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
use serde_json::Value;
use serde_json::value::{RawValue, to_raw_value};
use switchboard_protocol::conference::{
    self, Command, PeerEntry, ServerMessage, parse_frame, relayed_signal_kind,
    render_relayed_signal,
};
use switchboard_protocol::peerjs::{
    self, ClientMessage, ConnectParams, RelayKind, parse_connect_query, render_relay,
};
use switchboard_protocol::rooms;
use switchboard_protocol::socketio::engineio::{
    self, Packet, PacketType, RECORD_SEPARATOR, Version, decode_binary, decode_binary_payload_v3,
    decode_payload, decode_text, encode_frame, encode_payload, encode_text,
};
use switchboard_protocol::socketio::{self, sio};

// ---------------------------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------------------------

/// Strings glued from `pieces`: the protocol's own punctuation and words, so the generated
/// inputs reach the checks after "is it JSON" and "is the type known".
fn pieces(pieces: &'static [&'static str], max: usize) -> impl Strategy<Value = String> {
    vec(prop::sample::select(pieces), 0..max).prop_map(|parts| parts.concat())
}

/// Any JSON value, small enough to keep cases fast.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<String>().prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..4).prop_map(Value::Array),
            btree_map(any::<String>(), inner, 0..4)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

/// A JSON object, as `signal` and `payload` must be.
fn json_object() -> impl Strategy<Value = Value> {
    btree_map(any::<String>(), json_value(), 0..4)
        .prop_map(|map| Value::Object(map.into_iter().collect()))
}

/// A room name the dialects accept: 1 to 256 bytes.
fn room() -> impl Strategy<Value = String> {
    any::<String>().prop_filter_map("room names are 1..=256 bytes", |room| {
        (!room.is_empty() && room.len() <= 256).then_some(room)
    })
}

fn raw(value: &Value) -> Box<RawValue> {
    to_raw_value(value).expect("JSON values serialize")
}

fn raws(args: &[Box<RawValue>]) -> Vec<&str> {
    args.iter().map(|arg| arg.get()).collect()
}

// ---------------------------------------------------------------------------------------------
// conference
// ---------------------------------------------------------------------------------------------

const CONFERENCE_PIECES: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "\n",
    " ",
    "\"",
    "\\",
    "null",
    "1",
    r#""type":"#,
    r#""name":"#,
    r#""data":"#,
    r#""signal":"#,
    r#""method":"#,
    r#""room""#,
    r#""conference""#,
    r#""signal""#,
    r#""connect""#,
    r#""join""#,
    r#""leave""#,
    r#""sdp""#,
    r#""trickle""#,
    r#""to":"#,
    r#""id":"#,
    r#""room":"#,
    r#""r1""#,
    r#""""#,
    "{}",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn conference_parse_frame_never_panics(frame in any::<String>()) {
        for message in parse_frame(&frame) {
            if let Err(err) = message {
                let rendered = conference::render(&ServerMessage::Error(&err));
                prop_assert!(serde_json::from_str::<Value>(&rendered).is_ok());
            }
        }
    }

    #[test]
    fn conference_parse_frame_never_panics_on_protocol_pieces(
        frame in pieces(CONFERENCE_PIECES, 40)
    ) {
        let _ = parse_frame(&frame).count();
    }

    #[test]
    fn conference_commands_round_trip(
        kind in 0..3u8,
        room in room(),
        name in any::<String>().prop_filter("names are at most 256 bytes", |n| n.len() <= 256),
        id in proptest::option::of(any::<String>()),
        pretty in any::<bool>(),
    ) {
        let (kind_name, data) = match kind {
            0 => (("room", "connect"), serde_json::json!({"room": room, "id": id})),
            1 => (("conference", "join"), serde_json::json!({"room": room, "name": name, "id": id})),
            _ => (("conference", "leave"), serde_json::json!({"room": room, "id": id})),
        };
        let message = serde_json::json!({"type": kind_name.0, "name": kind_name.1, "data": data});
        let text = if pretty {
            serde_json::to_string_pretty(&message).unwrap()
        } else {
            message.to_string()
        };
        // Two copies in one frame: the framing must split them apart again.
        let frame = format!("{text}\n{text}");
        let parsed: Vec<_> = parse_frame(&frame).collect();
        prop_assert_eq!(parsed.len(), 2);
        for request in parsed {
            let request = request.expect("a well-formed command parses");
            prop_assert_eq!(&request.request, &format!("{}/{}", kind_name.0, kind_name.1));
            prop_assert_eq!(&request.claimed_id, &id);
            match request.command {
                Command::Connect { room: parsed } => prop_assert_eq!((kind, parsed), (0, room.clone())),
                Command::Join { room: parsed, name: parsed_name } => {
                    prop_assert_eq!((kind, parsed, parsed_name), (1, room.clone(), name.clone()))
                }
                Command::Leave { room: parsed } => prop_assert_eq!((kind, parsed), (2, room.clone())),
                Command::Signal(_) => prop_assert!(false, "parsed as a signal"),
            }
        }
    }

    #[test]
    fn conference_relayed_signals_round_trip(
        sdp in any::<bool>(),
        room in room(),
        to in proptest::option::of(any::<String>()),
        extra in json_object(),
        signal in json_object(),
        sender in any::<String>(),
    ) {
        prop_assume!(!sdp || to.is_some());
        let mut data = serde_json::json!({"room": room, "to": to, "id": "forged"});
        for (key, value) in extra.as_object().unwrap() {
            if !["room", "to", "id"].contains(&key.as_str()) {
                data[key] = value.clone();
            }
        }
        let name = if sdp { "sdp" } else { "trickle" };
        let text = serde_json::json!({"type": "signal", "name": name, "data": data, "signal": signal})
            .to_string();
        let request = conference::parse_message(&text).expect("a well-formed signal parses");
        let Command::Signal(parsed) = request.command else {
            panic!("{text} did not parse as a signal");
        };
        prop_assert_eq!(parsed.kind.as_str(), name);
        let frame = render_relayed_signal(&parsed, &sender);
        prop_assert_eq!(relayed_signal_kind(&frame), Some(parsed.kind));
        let relayed = conference::parse_message(&frame).expect("a relayed signal parses");
        prop_assert_eq!(relayed.claimed_id.as_deref(), Some(sender.as_str()));
        let Command::Signal(relayed) = relayed.command else {
            panic!("{frame} did not parse as a signal");
        };
        prop_assert_eq!(relayed.kind, parsed.kind);
        prop_assert_eq!(&relayed.room, &room);
        prop_assert_eq!(&relayed.to, &to);
        prop_assert_eq!(relayed.signal.get(), parsed.signal.get());
        prop_assert_eq!(serde_json::from_str::<Value>(relayed.signal.get()).unwrap(), signal);
    }

    #[test]
    fn conference_server_messages_render_what_they_say(
        id in any::<String>(),
        room in any::<String>(),
        name in any::<String>(),
        peers in vec((any::<String>(), any::<String>()), 0..4),
    ) {
        let entries: Vec<PeerEntry> = peers
            .iter()
            .map(|(id, name)| PeerEntry { id, name })
            .collect();
        let join = conference::render(&ServerMessage::JoinResponse { id: &id, room: &room, peers: &entries });
        let join: Value = serde_json::from_str(&join).unwrap();
        prop_assert_eq!(&join["data"]["room"], &Value::from(room.as_str()));
        prop_assert_eq!(join["data"]["peers"].as_array().unwrap().len(), peers.len());
        let peer_join = conference::render(&ServerMessage::PeerJoin { id: &id, room: &room, name: &name });
        let peer_join: Value = serde_json::from_str(&peer_join).unwrap();
        prop_assert_eq!(&peer_join["data"]["peerName"], &Value::from(name.as_str()));
        prop_assert_eq!(&peer_join["data"]["name"], &Value::from(name.as_str()));
        prop_assert_eq!(&peer_join["data"]["id"], &Value::from(id.as_str()));
    }
}

// ---------------------------------------------------------------------------------------------
// peerjs
// ---------------------------------------------------------------------------------------------

const PEERJS_PIECES: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    " ",
    "\"",
    "null",
    "1",
    r#""type":"#,
    r#""dst":"#,
    r#""payload":"#,
    r#""OFFER""#,
    r#""ANSWER""#,
    r#""CANDIDATE""#,
    r#""LEAVE""#,
    r#""EXPIRE""#,
    r#""HEARTBEAT""#,
    r#""peer""#,
    r#""""#,
    "{}",
];

const QUERY_PIECES: &[&str] = &[
    "key", "id", "token", "version", "=", "&", "%", "%2", "%20", "%C3%A9", "%ff", "%0A", "+", "a",
    "peerjs", "1.5.4",
];

fn relay_kind() -> impl Strategy<Value = RelayKind> {
    prop::sample::select(
        &[
            RelayKind::Offer,
            RelayKind::Answer,
            RelayKind::Candidate,
            RelayKind::Leave,
            RelayKind::Expire,
        ][..],
    )
}

/// Every byte but ASCII letters and digits escaped, the most a client could escape.
fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' => char::from(b).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn peerjs_parsers_never_panic(text in any::<String>()) {
        let _ = peerjs::parse_message(&text);
        let _ = parse_connect_query(&text);
    }

    #[test]
    fn peerjs_parsers_never_panic_on_protocol_pieces(
        message in pieces(PEERJS_PIECES, 30),
        query in pieces(QUERY_PIECES, 30),
    ) {
        let _ = peerjs::parse_message(&message);
        let _ = parse_connect_query(&query);
    }

    #[test]
    fn peerjs_relays_round_trip(
        kind in relay_kind(),
        src in any::<String>(),
        dst in any::<String>().prop_filter("an empty dst names nobody", |d| !d.is_empty()),
        payload in proptest::option::of(json_object()),
    ) {
        prop_assume!(!kind.is_queued() || payload.is_some());
        let payload = payload.as_ref().map(raw);
        let frame = render_relay(kind.as_str(), &src, &dst, payload.as_deref());
        match peerjs::parse_message(&frame) {
            Ok(ClientMessage::Relay { kind: parsed_kind, dst: parsed_dst, payload: parsed_payload }) => {
                prop_assert_eq!(parsed_kind, kind);
                prop_assert_eq!(parsed_dst, dst);
                prop_assert_eq!(parsed_payload.map(|p| p.get().to_owned()), payload.map(|p| p.get().to_owned()));
            }
            other => prop_assert!(false, "{} parsed as {:?}", frame, other),
        }
    }

    #[test]
    fn peerjs_connect_queries_round_trip(
        key in ".+",
        id in "[^\\p{Cc}]{1,64}",
        token in ".+",
        version in proptest::option::of(".+"),
    ) {
        let mut query = format!(
            "key={}&id={}&token={}",
            percent_encode(&key),
            percent_encode(&id),
            percent_encode(&token)
        );
        if let Some(version) = &version {
            query.push_str(&format!("&version={}", percent_encode(version)));
        }
        let parsed = parse_connect_query(&query).expect("a complete query parses");
        prop_assert_eq!(parsed, ConnectParams { key, id, token, version });
    }
}

// ---------------------------------------------------------------------------------------------
// Engine.IO
// ---------------------------------------------------------------------------------------------

const ENGINE_PIECES: &[&str] = &[
    "0",
    "1",
    "2",
    "3",
    "4",
    "5",
    "6",
    "7",
    ":",
    "b",
    "b4",
    "AQIDBA==",
    "=",
    "\x1e",
    "€",
    "😀",
    "probe",
    "40",
    "42",
    r#"["a"]"#,
    "10",
    "99999999999999999999999",
];

fn version() -> impl Strategy<Value = Version> {
    prop_oneof![Just(Version::V3), Just(Version::V4)]
}

/// A packet either version can carry: text without `\x1e` (v4 payloads cannot hold it) or
/// bytes; v4 binary packets are always messages.
fn packet(version: Version) -> impl Strategy<Value = Packet<'static>> {
    let kind = prop::sample::select(&PacketType::ALL[..]);
    let text = any::<String>().prop_map(|text| text.replace(RECORD_SEPARATOR, ""));
    prop_oneof![
        (kind.clone(), text).prop_map(|(kind, text)| Packet::new(kind, text)),
        (kind, vec(any::<u8>(), 0..32)).prop_map(move |(kind, bytes)| match version {
            Version::V3 => Packet {
                kind,
                data: engineio::Data::Binary(bytes.into()),
            },
            Version::V4 => Packet::binary(bytes),
        }),
    ]
}

fn version_and_packets(min: usize) -> impl Strategy<Value = (Version, Vec<Packet<'static>>)> {
    version().prop_flat_map(move |version| (Just(version), vec(packet(version), min..6)))
}

/// The XHR2 binary payload a stock v3 client would POST for these packets.
fn xhr2_payload(packets: &[Packet]) -> Vec<u8> {
    let mut out = Vec::new();
    for packet in packets {
        let record = match &packet.data {
            engineio::Data::Text(_) => encode_text(Version::V3, packet).into_bytes(),
            engineio::Data::Binary(bytes) => [&[packet.kind.code()][..], bytes].concat(),
        };
        out.push(u8::from(packet.is_binary()));
        out.extend(record.len().to_string().bytes().map(|digit| digit - b'0'));
        out.push(0xFF);
        out.extend(record);
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn socketio_decoders_never_panic_on_bytes(bytes in vec(any::<u8>(), 0..64)) {
        socketio::fuzz(&bytes);
    }

    #[test]
    fn socketio_decoders_never_panic_on_strings(text in any::<String>()) {
        socketio::fuzz(text.as_bytes());
    }

    #[test]
    fn socketio_decoders_never_panic_on_protocol_pieces(text in pieces(ENGINE_PIECES, 24)) {
        socketio::fuzz(text.as_bytes());
    }

    #[test]
    fn engineio_packets_round_trip((version, packets) in version_and_packets(1)) {
        for packet in &packets {
            let text = encode_text(version, packet);
            prop_assert_eq!(&decode_text(version, &text).unwrap(), packet);
            let again = match encode_frame(version, packet) {
                engineio::Frame::Text(text) => decode_text(version, &text).map(Packet::into_owned),
                engineio::Frame::Binary(bytes) => decode_binary(version, &bytes).map(Packet::into_owned),
            };
            prop_assert_eq!(&again.unwrap(), packet);
        }
    }

    #[test]
    fn engineio_payloads_round_trip((version, packets) in version_and_packets(0)) {
        prop_assume!(version == Version::V3 || !packets.is_empty());
        let body = encode_payload(version, &packets);
        prop_assert_eq!(decode_payload(version, body.as_bytes(), false).unwrap(), packets);
    }

    #[test]
    fn engineio_v3_binary_payloads_round_trip(packets in vec(packet(Version::V3), 1..6)) {
        let body = xhr2_payload(&packets);
        prop_assert_eq!(decode_binary_payload_v3(&body).unwrap(), packets.clone());
        prop_assert_eq!(decode_payload(Version::V3, &body, true).unwrap(), packets);
    }

    #[test]
    fn engineio_queries_round_trip(
        version in version(),
        websocket in any::<bool>(),
        sid in proptest::option::of("[!-~]{1,128}"),
        base64 in any::<bool>(),
        junk in "[a-z]{0,8}",
    ) {
        let transport = if websocket { "websocket" } else { "polling" };
        let mut query = format!("EIO={}&transport={transport}&t={junk}", version.as_str());
        if let Some(sid) = &sid {
            query.push_str(&format!("&sid={}", percent_encode(sid)));
        }
        if base64 {
            query.push_str("&b64=1");
        }
        let parsed = engineio::parse_query(&query).expect("a well-formed query parses");
        prop_assert_eq!(parsed.version, version);
        prop_assert_eq!(parsed.transport.as_str(), transport);
        prop_assert_eq!(parsed.sid, sid);
        prop_assert_eq!(parsed.base64, base64);
    }
}

// ---------------------------------------------------------------------------------------------
// Socket.IO and the rooms dialect
// ---------------------------------------------------------------------------------------------

const SIO_PIECES: &[&str] = &[
    "0",
    "1",
    "2",
    "3",
    "4",
    "5",
    "6",
    "-",
    "/",
    "/admin",
    ",",
    "?",
    "[",
    "]",
    "{",
    "}",
    "\"",
    r#""room-join""#,
    r#""signal-send""#,
    r#""r1""#,
    r#""_placeholder":true"#,
    "12",
    "18446744073709551616",
    " ",
];

fn sio_version() -> impl Strategy<Value = sio::Version> {
    prop_oneof![Just(sio::Version::V4), Just(sio::Version::V5)]
}

/// `/` or another namespace (never holding `,`, which ends a namespace on the wire).
fn namespace() -> impl Strategy<Value = String> {
    prop_oneof![Just("/".to_owned()), "/[^,]{1,16}"]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn sio_decode_never_panics_on_protocol_pieces(
        version in sio_version(),
        text in pieces(SIO_PIECES, 24),
    ) {
        let _ = sio::decode(version, &text);
    }

    #[test]
    fn sio_events_round_trip(
        version in sio_version(),
        namespace in namespace(),
        ack_id in proptest::option::of(any::<u64>()),
        name in any::<String>(),
        args in vec(json_value(), 0..4),
    ) {
        let args: Vec<Box<RawValue>> = args.iter().map(raw).collect();
        let text = sio::encode_event(&namespace, ack_id, &name, &args).unwrap();
        let packet = sio::decode(version, &text).expect("an encoded event decodes");
        prop_assert_eq!(&packet.namespace, &namespace);
        let sio::Body::Event(event) = packet.body else {
            panic!("{text} is not an event");
        };
        prop_assert_eq!(event.name, name);
        prop_assert_eq!(event.ack_id, ack_id);
        prop_assert_eq!(raws(&event.args), raws(&args));
    }

    #[test]
    fn sio_acks_and_refusals_round_trip(
        version in sio_version(),
        namespace in namespace(),
        id in any::<u64>(),
        args in vec(json_value(), 0..4),
        message in any::<String>(),
    ) {
        let args: Vec<Box<RawValue>> = args.iter().map(raw).collect();
        let text = sio::encode_ack(&namespace, id, &args).unwrap();
        let packet = sio::decode(version, &text).expect("an encoded ack decodes");
        prop_assert_eq!(&packet.namespace, &namespace);
        let sio::Body::Ack(ack) = packet.body else {
            panic!("{text} is not an ack");
        };
        prop_assert_eq!(ack.id, id);
        prop_assert_eq!(raws(&ack.args), raws(&args));

        let text = sio::encode_connect_error(version, &namespace, &message);
        let packet = sio::decode(version, &text).expect("an encoded refusal decodes");
        prop_assert_eq!(&packet.namespace, &namespace);
        let sio::Body::ConnectError(data) = packet.body else {
            panic!("{text} is not a refusal");
        };
        let data: Value = serde_json::from_str(data.get()).unwrap();
        let decoded = match version {
            sio::Version::V4 => &data,
            sio::Version::V5 => &data["message"],
        };
        prop_assert_eq!(decoded, &Value::from(message));

        let text = sio::encode_disconnect(&namespace);
        let packet = sio::decode(version, &text).expect("an encoded disconnect decodes");
        prop_assert_eq!(&packet.namespace, &namespace);
        prop_assert!(matches!(packet.body, sio::Body::Disconnect));
    }

    #[test]
    fn rooms_parse_never_panics(name in any::<String>(), args in vec(json_value(), 0..5)) {
        let args: Vec<Box<RawValue>> = args.iter().map(raw).collect();
        let _ = rooms::parse(&name, &args);
    }

    #[test]
    fn rooms_commands_round_trip(
        event in prop::sample::select(&["room-create", "room-join", "room-leave", "signal-send"][..]),
        room in room(),
        target in room(),
        data in json_value(),
    ) {
        let text = if event == "signal-send" {
            sio::encode_event("/", None, event, &(&room, &target, &data))
        } else {
            sio::encode_event("/", None, event, &(&room,))
        }
        .unwrap();
        let sio::Body::Event(decoded) = sio::decode(sio::Version::V5, &text).unwrap().body else {
            panic!("{text} is not an event");
        };
        let command = rooms::parse(&decoded.name, &decoded.args).expect("a well-formed event parses");
        prop_assert_eq!(command.room(), room.as_str());
        match command {
            rooms::Command::Create { .. } => prop_assert_eq!(event, "room-create"),
            rooms::Command::Join { .. } => prop_assert_eq!(event, "room-join"),
            rooms::Command::Leave { .. } => prop_assert_eq!(event, "room-leave"),
            rooms::Command::Signal { target: parsed, data: parsed_data, .. } => {
                prop_assert_eq!(event, "signal-send");
                prop_assert_eq!(parsed, target);
                prop_assert_eq!(serde_json::from_str::<Value>(parsed_data.get()).unwrap(), data);
            }
        }
    }
}
