//! Unit tests pinning the Socket.IO codec to the protocol documents (socket.io-protocol,
//! branches `v4` and `main`) and to socket.io-parser 3.x/4.x: every encoded example of both
//! versions, the `rooms` seed events, raw arguments kept byte for byte, the refusals of the
//! reference decoder's tests, and the server's packets exactly as the reference writes them.

use std::collections::BTreeMap;

use serde_json::value::RawValue;
use serde_json::{Value, json};

use super::*;

use Version::{V4, V5};

// ---------------------------------------------------------------------------------------------
// Helpers.
// ---------------------------------------------------------------------------------------------

fn decoded(version: Version, text: &str) -> Packet {
    decode(version, text).unwrap_or_else(|err| panic!("{version:?} {text:?} refused: {err}"))
}

fn refused(version: Version, text: &str) -> DecodeError {
    match decode(version, text) {
        Err(err) => {
            assert!(!err.to_string().is_empty());
            err
        }
        Ok(packet) => panic!("{version:?} {text:?} accepted as {packet:?}"),
    }
}

/// Decodes an EVENT in both versions (they agree on events) and returns it.
fn event(text: &str) -> (String, Event) {
    let v4 = decoded(V4, text);
    let v5 = decoded(V5, text);
    assert_eq!(format!("{v4:?}"), format!("{v5:?}"), "{text:?}");
    match v5.body {
        Body::Event(event) => (v5.namespace, event),
        other => panic!("{text:?} is not an EVENT: {other:?}"),
    }
}

fn decoded_ack(text: &str) -> (String, Ack) {
    match decoded(V5, text) {
        Packet {
            namespace,
            body: Body::Ack(ack),
        } => (namespace, ack),
        other => panic!("{text:?} is not an ACK: {other:?}"),
    }
}

fn raw_texts(args: &[Box<RawValue>]) -> Vec<&str> {
    args.iter().map(|arg| arg.get()).collect()
}

fn values(args: &[Box<RawValue>]) -> Vec<Value> {
    args.iter()
        .map(|arg| serde_json::from_str(arg.get()).unwrap())
        .collect()
}

fn raw(text: &str) -> Box<RawValue> {
    RawValue::from_string(text.to_owned()).unwrap()
}

struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound as u64) as usize
    }
}

// ---------------------------------------------------------------------------------------------
// Types and versions.
// ---------------------------------------------------------------------------------------------

#[test]
fn packet_types_have_the_protocol_numbers_and_names() {
    let expected = [
        (PacketType::Connect, '0', "CONNECT", false),
        (PacketType::Disconnect, '1', "DISCONNECT", false),
        (PacketType::Event, '2', "EVENT", false),
        (PacketType::Ack, '3', "ACK", false),
        (PacketType::ConnectError, '4', "CONNECT_ERROR", false),
        (PacketType::BinaryEvent, '5', "BINARY_EVENT", true),
        (PacketType::BinaryAck, '6', "BINARY_ACK", true),
    ];
    for (kind, digit, name, binary) in expected {
        assert_eq!(kind.digit(), digit);
        assert_eq!(kind.name(), name);
        assert_eq!(kind.to_string(), name);
        assert_eq!(kind.is_binary(), binary);
        assert_eq!(PacketType::from_digit(digit as u8), Some(kind));
    }
    for byte in (0..=255u8).filter(|b| !(b'0'..=b'6').contains(b)) {
        assert_eq!(PacketType::from_digit(byte), None);
    }
}

#[test]
fn versions_follow_engine_io() {
    use crate::socketio::engineio;
    assert_eq!(Version::from(engineio::Version::V3), V4);
    assert_eq!(Version::from(engineio::Version::V4), V5);
}

// ---------------------------------------------------------------------------------------------
// Decoding: the examples of socket.io-protocol v5 (main).
// ---------------------------------------------------------------------------------------------

#[test]
fn v5_connect_examples() {
    for (text, namespace, auth) in [
        ("0", "/", None),
        ("0/admin,", "/admin", None),
        (
            r#"0/admin,{"token":"123"}"#,
            "/admin",
            Some(r#"{"token":"123"}"#),
        ),
        (r#"0{"token":"123"}"#, "/", Some(r#"{"token":"123"}"#)),
        ("0{}", "/", Some("{}")),
        // Without the comma, the namespace runs to the end (as in the reference).
        ("0/admin", "/admin", None),
    ] {
        let packet = decoded(V5, text);
        assert_eq!(packet.namespace, namespace, "{text:?}");
        assert_eq!(packet.packet_type(), PacketType::Connect);
        assert_eq!(packet.attachments(), 0);
        match packet.body {
            Body::Connect(Connect { auth: got, query }) => {
                assert_eq!(got.as_deref().map(RawValue::get), auth, "{text:?}");
                assert_eq!(query, None);
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn v5_namespace_with_question_mark_is_literal() {
    // socket.io 3+ takes `packet.nsp` as it is for v5 clients.
    let packet = decoded(V5, "0/admin?token=1,");
    assert_eq!(packet.namespace, "/admin?token=1");
    assert!(matches!(
        packet.body,
        Body::Connect(Connect { query: None, .. })
    ));
}

#[test]
fn v5_event_examples() {
    let (namespace, ev) = event(r#"2["foo"]"#);
    assert_eq!(namespace, "/");
    assert_eq!(ev.name, "foo");
    assert!(ev.args.is_empty());
    assert_eq!(ev.ack_id, None);

    let (namespace, ev) = event(r#"2/admin,["bar"]"#);
    assert_eq!((namespace.as_str(), ev.name.as_str()), ("/admin", "bar"));

    let (namespace, ev) = event(r#"212["foo"]"#);
    assert_eq!((namespace.as_str(), ev.ack_id), ("/", Some(12)));

    let (namespace, ev) = event(r#"2/admin,1["tellme"]"#);
    assert_eq!((namespace.as_str(), ev.ack_id), ("/admin", Some(1)));
    assert_eq!(ev.name, "tellme");

    // socket.io-protocol sample session: `socket.emit('hey', 'Jude')`.
    let (_, ev) = event(r#"2["hey","Jude"]"#);
    assert_eq!(raw_texts(&ev.args), [r#""Jude""#]);
}

#[test]
fn v5_ack_examples() {
    let (namespace, ack) = decoded_ack(r#"3/admin,13["bar"]"#);
    assert_eq!((namespace.as_str(), ack.id), ("/admin", 13));
    assert_eq!(raw_texts(&ack.args), [r#""bar""#]);
    let (namespace, ack) = decoded_ack("312[]");
    assert_eq!((namespace.as_str(), ack.id), ("/", 12));
    assert!(ack.args.is_empty());
}

#[test]
fn v5_disconnect_and_connect_error_examples() {
    let packet = decoded(V5, "1");
    assert_eq!(packet.namespace, "/");
    assert!(matches!(packet.body, Body::Disconnect));
    let packet = decoded(V5, "1/admin,");
    assert_eq!(packet.namespace, "/admin");
    assert_eq!(packet.packet_type(), PacketType::Disconnect);

    let packet = decoded(V5, r#"4{"message":"Not authorized"}"#);
    match packet.body {
        Body::ConnectError(data) => assert_eq!(data.get(), r#"{"message":"Not authorized"}"#),
        other => panic!("{other:?}"),
    }
}

#[test]
fn v5_binary_examples_are_recognised_with_their_attachments() {
    let packet = decoded(V5, r#"51-["baz",{"_placeholder":true,"num":0}]"#);
    assert_eq!(packet.packet_type(), PacketType::BinaryEvent);
    assert_eq!(packet.attachments(), 1);
    match &packet.body {
        Body::BinaryEvent { attachments, event } => {
            assert_eq!(*attachments, 1);
            assert_eq!(event.name, "baz");
            assert_eq!(
                values(&event.args),
                [json!({"_placeholder": true, "num": 0})]
            );
        }
        other => panic!("{other:?}"),
    }

    let packet = decoded(
        V5,
        r#"52-/admin,["baz",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]"#,
    );
    assert_eq!(packet.namespace, "/admin");
    assert_eq!(packet.attachments(), 2);

    let packet = decoded(V5, r#"61-15["bar",{"_placeholder":true,"num":0}]"#);
    assert_eq!(packet.packet_type(), PacketType::BinaryAck);
    match packet.body {
        Body::BinaryAck { attachments, ack } => {
            assert_eq!((attachments, ack.id), (1, 15));
            assert_eq!(ack.args.len(), 2);
        }
        other => panic!("{other:?}"),
    }

    // Sample session: BINARY_ACK with a namespace.
    let packet = decoded(V5, r#"61-/admin,1[{"_placeholder":true,"num":0}]"#);
    assert_eq!(
        (packet.namespace.as_str(), packet.attachments()),
        ("/admin", 1)
    );

    // socket.io-parser test: labeled binary, no attachments.
    assert_eq!(decoded(V5, r#"50-["hello"]"#).attachments(), 0);
    // Many attachments.
    assert_eq!(decoded(V4, r#"5123-["x"]"#).attachments(), 123);
}

// ---------------------------------------------------------------------------------------------
// Decoding: the examples of socket.io-protocol v4.
// ---------------------------------------------------------------------------------------------

#[test]
fn v4_connect_with_query_in_the_namespace() {
    // socket.io-client 2.x: `io("/admin", { query: { token: "1234", uid: "abcd" } })`.
    let packet = decoded(V4, "0/admin?token=1234&uid=abcd,");
    assert_eq!(packet.namespace, "/admin");
    match packet.body {
        Body::Connect(Connect { auth, query }) => {
            assert!(auth.is_none());
            assert_eq!(query.as_deref(), Some("token=1234&uid=abcd"));
        }
        other => panic!("{other:?}"),
    }
    let packet = decoded(V4, "0/admin,");
    assert_eq!(packet.namespace, "/admin");
    assert!(matches!(
        packet.body,
        Body::Connect(Connect { query: None, .. })
    ));
    let packet = decoded(V4, "0/?x=1,");
    assert_eq!(packet.namespace, "/");
    assert!(matches!(packet.body, Body::Connect(Connect { query: Some(q), .. }) if q == "x=1"));
    // Only CONNECT carries a query.
    assert_eq!(decoded(V4, r#"2/admin?x,["a"]"#).namespace, "/admin?x");
}

#[test]
fn v4_examples() {
    assert_eq!(decoded(V4, "0").namespace, "/");
    assert_eq!(decoded(V4, "1/admin,").namespace, "/admin");
    let (_, ev) = event(r#"2["hello",1]"#);
    assert_eq!(ev.name, "hello");
    assert_eq!(raw_texts(&ev.args), ["1"]);
    let (namespace, ev) = event(r#"2/admin,456["project:delete",123]"#);
    assert_eq!(namespace, "/admin");
    assert_eq!((ev.name.as_str(), ev.ack_id), ("project:delete", Some(456)));
    let packet = decoded(V4, "3/admin,456[]");
    assert!(matches!(packet.body, Body::Ack(Ack { id: 456, ref args }) if args.is_empty()));
    // ERROR carries a string in v4.
    match decoded(V4, r#"4/admin,"Not authorized""#).body {
        Body::ConnectError(data) => assert_eq!(data.get(), r#""Not authorized""#),
        other => panic!("{other:?}"),
    }
    let packet = decoded(
        V4,
        r#"51-/admin,456["project:delete",{"_placeholder":true,"num":0}]"#,
    );
    assert_eq!(packet.attachments(), 1);
    match packet.body {
        Body::BinaryEvent { event, .. } => assert_eq!(event.ack_id, Some(456)),
        other => panic!("{other:?}"),
    }
    let packet = decoded(V4, r#"61-/admin,456[{"_placeholder":true,"num":0}]"#);
    assert!(matches!(packet.body, Body::BinaryAck { attachments: 1, ref ack } if ack.id == 456));
}

// ---------------------------------------------------------------------------------------------
// Decoding: the `rooms` seed events.
// ---------------------------------------------------------------------------------------------

#[test]
fn rooms_seed_events() {
    for (text, name, args) in [
        (
            r#"2["room-create","lobby"]"#,
            "room-create",
            vec![json!("lobby")],
        ),
        (
            r#"2["room-join","lobby"]"#,
            "room-join",
            vec![json!("lobby")],
        ),
        (
            r#"2["room-leave","lobby"]"#,
            "room-leave",
            vec![json!("lobby")],
        ),
        (
            r#"2["signal-send","lobby","Hk3jlx-AAAB",{"candidate":{"candidate":"candidate:1 1 udp 2122260223 192.168.1.2 54321 typ host","sdpMid":"0","sdpMLineIndex":0}}]"#,
            "signal-send",
            vec![
                json!("lobby"),
                json!("Hk3jlx-AAAB"),
                json!({"candidate": {
                    "candidate": "candidate:1 1 udp 2122260223 192.168.1.2 54321 typ host",
                    "sdpMid": "0",
                    "sdpMLineIndex": 0
                }}),
            ],
        ),
    ] {
        let (namespace, ev) = event(text);
        assert_eq!(namespace, "/");
        assert_eq!(ev.name, name);
        assert_eq!(values(&ev.args), args, "{text:?}");
    }
}

#[test]
fn arguments_are_kept_byte_for_byte() {
    // Whitespace, key order, escapes and number spellings survive.
    let data = r#"{ "description" : {"type":"offer","sdp":"v=0\r\no=- 46117 2 IN IP4 127.0.0.1\r\n\u00e9"} , "n": 1.50e2 }"#;
    let text = format!(r#"2["signal-send", "lobby" ,"peer-2",{data}]"#);
    let (_, ev) = event(&text);
    assert_eq!(ev.name, "signal-send");
    assert_eq!(raw_texts(&ev.args), [r#""lobby""#, r#""peer-2""#, data]);
    // Any JSON argument type.
    let (_, ev) = event(r#"2["x",null,true,false,-0.5,"é😀",[1,[2]],{}]"#);
    assert_eq!(
        raw_texts(&ev.args),
        ["null", "true", "false", "-0.5", r#""é😀""#, "[1,[2]]", "{}"]
    );
}

#[test]
fn event_names_with_escapes_and_non_ascii() {
    assert_eq!(event(r#"2["r\u00e9union"]"#).1.name, "réunion");
    assert_eq!(event(r#"2["a\"b"]"#).1.name, "a\"b");
    assert_eq!(event(r#"2["😀"]"#).1.name, "😀");
    assert_eq!(event(r#"2[""]"#).1.name, "");
    // Reserved names decode; the dialect refuses them as unknown events.
    assert_eq!(event(r#"2["connect"]"#).1.name, "connect");
    assert_eq!(event(r#"2["disconnect","123"]"#).1.name, "disconnect");
}

#[test]
fn whitespace_around_the_json_payload() {
    let (_, ev) = event("2 [ \"a\" , 1 ] ");
    assert_eq!(ev.name, "a");
    assert_eq!(raw_texts(&ev.args), ["1"]);
    let packet = decoded(V5, "0 { } ");
    assert!(matches!(
        packet.body,
        Body::Connect(Connect { auth: Some(_), .. })
    ));
}

#[test]
fn ack_ids_up_to_u64() {
    let (_, ev) = event(r#"218446744073709551615["a"]"#);
    assert_eq!(ev.ack_id, Some(u64::MAX));
    let (_, ev) = event(r#"20["a"]"#);
    assert_eq!(ev.ack_id, Some(0));
    let (_, ev) = event(r#"2007["a"]"#);
    assert_eq!(ev.ack_id, Some(7));
    assert_eq!(
        refused(V5, r#"218446744073709551616["a"]"#),
        DecodeError::InvalidAckId
    );
}

// ---------------------------------------------------------------------------------------------
// Decoding: refusals.
// ---------------------------------------------------------------------------------------------

#[test]
fn refusals_of_the_reference_decoder_tests() {
    use DecodeError::*;
    // socket.io-parser 4.x "throw an error upon parsing error".
    assert_eq!(
        refused(V5, r#"442["some","data"]"#),
        UnexpectedAckId(PacketType::ConnectError)
    );
    assert!(matches!(
        refused(V5, r#"4["some","data""#),
        InvalidJson { .. }
    ));
    assert_eq!(
        refused(V5, r#"0/admin,"invalid""#),
        InvalidPayload {
            packet: PacketType::Connect,
            expected: "an object"
        }
    );
    assert!(matches!(refused(V5, "0[]"), InvalidPayload { .. }));
    assert_eq!(
        refused(V5, "1/admin,{}"),
        UnexpectedPayload(PacketType::Disconnect)
    );
    assert!(matches!(
        refused(V5, r#"2/admin,"invalid"#),
        InvalidJson {
            packet: PacketType::Event,
            ..
        }
    ));
    assert_eq!(
        refused(V5, "2/admin,{}"),
        InvalidPayload {
            packet: PacketType::Event,
            expected: "an array"
        }
    );
    assert_eq!(refused(V5, r#"2[{"toString":"foo"}]"#), EventNameNotString);
    assert_eq!(refused(V5, r#"2[true,"foo"]"#), EventNameNotString);
    assert_eq!(refused(V5, r#"2[null,"bar"]"#), EventNameNotString);
    assert_eq!(refused(V5, "999"), UnknownType("'9'".to_owned()));
    // "decodes a bad binary packet": `5` has no attachment count.
    assert_eq!(refused(V5, "5"), InvalidAttachments);
}

#[test]
fn refusals_in_both_versions() {
    use DecodeError::*;
    for version in [V4, V5] {
        assert_eq!(refused(version, ""), Empty);
        for text in ["7", "a", " 2[\"a\"]", "-", "€", "😀"] {
            assert!(matches!(refused(version, text), UnknownType(_)), "{text:?}");
        }
        // EVENT.
        assert_eq!(refused(version, "2"), MissingPayload(PacketType::Event));
        assert_eq!(refused(version, "21"), MissingPayload(PacketType::Event));
        assert_eq!(
            refused(version, "2/admin,"),
            MissingPayload(PacketType::Event)
        );
        assert_eq!(refused(version, "2[]"), MissingEventName);
        assert_eq!(refused(version, r#"2[1,"a"]"#), EventNameNotString);
        assert_eq!(refused(version, r#"2[["a"]]"#), EventNameNotString);
        assert!(matches!(refused(version, r#"2"a""#), InvalidPayload { .. }));
        assert!(matches!(refused(version, "2 "), InvalidJson { .. }));
        assert!(matches!(refused(version, r#"2["a"]x"#), InvalidJson { .. }));
        assert!(matches!(
            refused(version, r#"2["a"]["b"]"#),
            InvalidJson { .. }
        ));
        assert!(matches!(refused(version, r#"2["a",]"#), InvalidJson { .. }));
        assert!(matches!(refused(version, r#"2["a"#), InvalidJson { .. }));
        assert!(matches!(refused(version, "2x[\"a\"]"), InvalidJson { .. }));
        assert!(matches!(refused(version, "2-1[\"a\"]"), InvalidJson { .. }));
        assert!(matches!(
            refused(version, "2admin,[\"a\"]"),
            InvalidJson { .. }
        ));
        // ACK.
        assert_eq!(refused(version, "3[]"), MissingAckId(PacketType::Ack));
        assert_eq!(
            refused(version, "3/admin,[]"),
            MissingAckId(PacketType::Ack)
        );
        assert_eq!(refused(version, "31"), MissingPayload(PacketType::Ack));
        assert!(matches!(refused(version, "31{}"), InvalidPayload { .. }));
        // CONNECT, DISCONNECT, CONNECT_ERROR.
        assert_eq!(refused(version, "01"), UnexpectedAckId(PacketType::Connect));
        assert_eq!(
            refused(version, "0/a,1{}"),
            UnexpectedAckId(PacketType::Connect)
        );
        assert_eq!(
            refused(version, "11"),
            UnexpectedAckId(PacketType::Disconnect)
        );
        assert_eq!(
            refused(version, "1[]"),
            UnexpectedPayload(PacketType::Disconnect)
        );
        assert!(matches!(refused(version, "0null"), InvalidPayload { .. }));
        assert!(matches!(refused(version, "0\"x\""), InvalidPayload { .. }));
        assert!(matches!(refused(version, "0{"), InvalidJson { .. }));
        assert_eq!(
            refused(version, "4"),
            MissingPayload(PacketType::ConnectError)
        );
        assert!(matches!(refused(version, "4[]"), InvalidPayload { .. }));
        assert!(matches!(refused(version, "41\"x\""), UnexpectedAckId(_)));
        // Binary packets.
        for text in [
            "5",
            "5-",
            "5[\"a\"]",
            "5a-[\"a\"]",
            "5 1-[\"a\"]",
            "51[\"a\"]",
            "6-1[]",
        ] {
            assert_eq!(refused(version, text), InvalidAttachments, "{text:?}");
        }
        assert_eq!(
            refused(version, "599999999999999999999999-[\"a\"]"),
            InvalidAttachments
        );
        assert_eq!(
            refused(version, "51-"),
            MissingPayload(PacketType::BinaryEvent)
        );
        assert_eq!(
            refused(version, "61-[]"),
            MissingAckId(PacketType::BinaryAck)
        );
        assert_eq!(refused(version, "51-[1]"), EventNameNotString);
    }
}

#[test]
fn refusals_say_what_is_wrong() {
    assert_eq!(
        refused(V5, "2[1]").to_string(),
        "event name must be a string"
    );
    assert_eq!(
        refused(V5, "2{}").to_string(),
        "EVENT payload must be an array"
    );
    assert_eq!(
        refused(V5, "3[]").to_string(),
        "ACK packet without an ack id"
    );
    let message = refused(V5, "2[\"a\"").to_string();
    assert!(
        message.starts_with("invalid JSON in EVENT packet: "),
        "{message}"
    );
}

#[test]
fn deeply_nested_json_never_overflows_the_stack() {
    // Arguments are only scanned (serde_json skips a raw value without recursing), so deep
    // nesting inside an argument is carried like any other JSON; the event name and CONNECT
    // payloads are parsed under serde_json's 128-level limit.
    for depth in [200, 10_000, 200_000] {
        let text = format!(r#"2["a",{}{}]"#, "[".repeat(depth), "]".repeat(depth));
        let (_, ev) = event(&text);
        assert_eq!(ev.args[0].get().len(), 2 * depth);
        let text = format!(r#"2["a",{}]"#, "[".repeat(depth));
        assert!(
            matches!(refused(V5, &text), DecodeError::InvalidJson { .. }),
            "{depth}"
        );
        let text = format!("2[{}\"a\"{}]", "[".repeat(depth), "]".repeat(depth));
        assert_eq!(refused(V5, &text), DecodeError::EventNameNotString);
        let text = format!("0{}", "{\"a\":".repeat(depth));
        assert!(matches!(
            refused(V5, &text),
            DecodeError::InvalidJson { .. }
        ));
        let text = format!("0{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth));
        let _ = decode(V5, &text);
    }
}

// ---------------------------------------------------------------------------------------------
// Encoding.
// ---------------------------------------------------------------------------------------------

#[test]
fn connect_replies() {
    // socket.io-protocol v5: `{ type: CONNECT, namespace: "/admin", data: { sid } }`.
    assert_eq!(
        encode_connect(V5, "/", "wZX3oN0bSVIhsaknAAAI"),
        r#"0{"sid":"wZX3oN0bSVIhsaknAAAI"}"#
    );
    assert_eq!(
        encode_connect(V5, "/admin", "oSO0OpakMV_3jnilAAAA"),
        r#"0/admin,{"sid":"oSO0OpakMV_3jnilAAAA"}"#
    );
    // socket.io-protocol v4: `0` and `0/admin,`; the sid is the Engine.IO one.
    assert_eq!(encode_connect(V4, "/", "ignored"), "0");
    assert_eq!(encode_connect(V4, "/admin", "ignored"), "0/admin,");
    // An empty namespace is the main one.
    assert_eq!(encode_connect(V4, "", "x"), "0");
    // The sid is JSON-escaped.
    assert_eq!(encode_connect(V5, "/", "a\"b"), r#"0{"sid":"a\"b"}"#);
}

#[test]
fn connect_refusals_carry_their_code_in_v5() {
    assert_eq!(
        encode_connect_refusal(V5, "/", "no token", "missing_token"),
        r#"4{"message":"no token","data":{"code":"missing_token"}}"#
    );
    assert_eq!(
        encode_connect_refusal(V4, "/", "no token", "missing_token"),
        r#"4"no token""#
    );
}

#[test]
fn connect_errors() {
    assert_eq!(
        encode_connect_error(V5, "/", "Not authorized"),
        r#"4{"message":"Not authorized"}"#
    );
    assert_eq!(
        encode_connect_error(V5, "/admin", "Invalid namespace"),
        r#"4/admin,{"message":"Invalid namespace"}"#
    );
    assert_eq!(
        encode_connect_error(V4, "/admin", "Invalid namespace"),
        r#"4/admin,"Invalid namespace""#
    );
    assert_eq!(
        encode_connect_error(V4, "/", "Not authorized"),
        r#"4"Not authorized""#
    );
    assert_eq!(
        encode_connect_error(V5, "/", "quote \" and\nnewline"),
        r#"4{"message":"quote \" and\nnewline"}"#
    );
}

#[test]
fn disconnects() {
    assert_eq!(encode_disconnect("/"), "1");
    assert_eq!(encode_disconnect("/admin"), "1/admin,");
}

#[test]
fn events_as_the_reference_writes_them() {
    assert_eq!(
        encode_event("/", None, "foo", &NO_ARGS).unwrap(),
        r#"2["foo"]"#
    );
    assert_eq!(
        encode_event("/admin", None, "bar", &NO_ARGS).unwrap(),
        r#"2/admin,["bar"]"#
    );
    assert_eq!(
        encode_event("/", Some(12), "foo", &NO_ARGS).unwrap(),
        r#"212["foo"]"#
    );
    assert_eq!(
        encode_event("/", None, "hey", &("Jude",)).unwrap(),
        r#"2["hey","Jude"]"#
    );
    // socket.io-parser "encodes an event": ["a", 1, {}].
    assert_eq!(
        encode_event("/", None, "a", &(1, json!({}))).unwrap(),
        r#"2["a",1,{}]"#
    );
    assert_eq!(
        encode_event("/admin", Some(456), "project:delete", &[123]).unwrap(),
        r#"2/admin,456["project:delete",123]"#
    );
}

#[test]
fn acks_as_the_reference_writes_them() {
    assert_eq!(
        encode_ack("/admin", 13, &("bar",)).unwrap(),
        r#"3/admin,13["bar"]"#
    );
    assert_eq!(encode_ack("/", 12, &NO_ARGS).unwrap(), "312[]");
    assert_eq!(
        encode_ack("/admin", 456, &NO_ARGS).unwrap(),
        "3/admin,456[]"
    );
    assert_eq!(
        encode_ack("/", 0, &("a", 1, json!({}))).unwrap(),
        r#"30["a",1,{}]"#
    );
}

#[test]
fn rooms_server_events() {
    let clients = ["owner-1", "peer-2"];
    assert_eq!(
        encode_event("/", None, "room-joined", &("lobby", "owner-1", clients)).unwrap(),
        r#"2["room-joined","lobby","owner-1",["owner-1","peer-2"]]"#
    );
    assert_eq!(
        encode_event("/", None, "room-joined", &("lobby", "owner-1", [""; 0])).unwrap(),
        r#"2["room-joined","lobby","owner-1",[]]"#
    );
    assert_eq!(
        encode_event("/", None, "room-left", &("lobby", true)).unwrap(),
        r#"2["room-left","lobby",true]"#
    );
    assert_eq!(
        encode_event("/", None, "client-joined", &("lobby", "peer-2")).unwrap(),
        r#"2["client-joined","lobby","peer-2"]"#
    );
    assert_eq!(
        encode_event("/", None, "error", &("room-join expects (room: string)",)).unwrap(),
        r#"2["error","room-join expects (room: string)"]"#
    );
}

#[test]
fn forwarded_data_is_written_untouched() {
    // signal-send → signal-receive: the third argument goes through as the client wrote it.
    let text = r#"2["signal-send","lobby","peer-2",{ "sdp" : "v=0\r\n\u00e9" ,"x":1.0}]"#;
    let (_, ev) = event(text);
    let data: &RawValue = &ev.args[2];
    let out = encode_event("/", None, "signal-receive", &("lobby", "peer-1", data)).unwrap();
    assert_eq!(
        out,
        r#"2["signal-receive","lobby","peer-1",{ "sdp" : "v=0\r\n\u00e9" ,"x":1.0}]"#
    );
    // A slice of raw values works too.
    let raws: Vec<&RawValue> = ev.args.iter().map(|arg| &**arg).collect();
    assert_eq!(
        encode_event("/", None, "echo", &raws).unwrap(),
        r#"2["echo","lobby","peer-2",{ "sdp" : "v=0\r\n\u00e9" ,"x":1.0}]"#
    );
}

#[test]
fn event_names_and_strings_are_json_escaped() {
    assert_eq!(
        encode_event("/", None, "a\"b\\c\n\u{1e}", &("é😀",)).unwrap(),
        "2[\"a\\\"b\\\\c\\n\\u001e\",\"é😀\"]"
    );
}

#[test]
fn arguments_that_are_not_an_array_are_refused() {
    assert_eq!(
        encode_event("/", None, "x", "plain string"),
        Err(EncodeError::NotASequence)
    );
    assert_eq!(
        encode_event("/", None, "x", &5),
        Err(EncodeError::NotASequence)
    );
    assert_eq!(
        encode_event("/", None, "x", &()),
        Err(EncodeError::NotASequence)
    );
    assert_eq!(
        encode_ack("/", 1, &json!({"a": 1})),
        Err(EncodeError::NotASequence)
    );
    assert_eq!(
        encode_event("/", None, "x", &*raw(r#""[x]""#)),
        Err(EncodeError::NotASequence)
    );
    // A raw array is fine.
    assert_eq!(
        encode_event("/", None, "x", &*raw("[1, 2]")).unwrap(),
        r#"2["x",1, 2]"#
    );
    let mut bad_keys = BTreeMap::new();
    bad_keys.insert(vec![1u8], 1);
    assert!(matches!(
        encode_event("/", None, "x", &(bad_keys,)),
        Err(EncodeError::Json(_))
    ));
}

#[test]
fn encoded_events_and_acks_decode_back() {
    let mut rng = Lcg(0x51_0001);
    let names = ["room-create", "é", "😀", "", "a\"b", "x,y", "1"];
    let namespaces = ["/", "/admin", "/a-b_c"];
    for _ in 0..2_000 {
        let name = names[rng.below(names.len())];
        let namespace = namespaces[rng.below(namespaces.len())];
        let ack_id = (rng.below(2) == 0).then(|| rng.next());
        let args = (
            name,
            rng.next(),
            json!({"nested": [name, null, true], "n": -1.5}),
        );
        let text = encode_event(namespace, ack_id, name, &args).unwrap();
        for version in [V4, V5] {
            let packet = decoded(version, &text);
            assert_eq!(packet.namespace, namespace);
            match packet.body {
                Body::Event(ev) => {
                    assert_eq!(ev.name, name);
                    assert_eq!(ev.ack_id, ack_id);
                    assert_eq!(
                        values(&ev.args),
                        [json!(args.0), json!(args.1), args.2.clone()]
                    );
                }
                other => panic!("{other:?}"),
            }
        }
        let id = rng.next();
        let text = encode_ack(namespace, id, &args).unwrap();
        let packet = decoded(V5, &text);
        assert_eq!(packet.namespace, namespace);
        assert!(matches!(packet.body, Body::Ack(ref ack) if ack.id == id && ack.args.len() == 3));
    }
}

#[test]
fn server_packets_decode_back() {
    for namespace in ["/", "/admin"] {
        let packet = decoded(V5, &encode_connect(V5, namespace, "sid-1"));
        assert_eq!(packet.namespace, namespace);
        match packet.body {
            Body::Connect(Connect {
                auth: Some(data), ..
            }) => {
                assert_eq!(data.get(), r#"{"sid":"sid-1"}"#)
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            decoded(V4, &encode_connect(V4, namespace, "x")).namespace,
            namespace
        );
        for version in [V4, V5] {
            let packet = decoded(version, &encode_connect_error(version, namespace, "nope"));
            assert_eq!(packet.packet_type(), PacketType::ConnectError);
            assert_eq!(packet.namespace, namespace);
            let packet = decoded(version, &encode_disconnect(namespace));
            assert_eq!(packet.packet_type(), PacketType::Disconnect);
            assert_eq!(packet.namespace, namespace);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Binary attachments.
// ---------------------------------------------------------------------------------------------

#[test]
fn attachments_are_counted_off() {
    let mut attachments = Attachments::default();
    assert!(!attachments.is_waiting());
    assert_eq!(attachments.check_text(), Ok(()));
    assert_eq!(
        attachments.on_binary(),
        Err(AttachmentError::UnexpectedBinary)
    );

    let packet = decoded(
        V5,
        r#"52-["up",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]"#,
    );
    attachments.expect(packet.attachments());
    assert!(attachments.is_waiting());
    assert_eq!(attachments.pending(), 2);
    assert_eq!(
        attachments.check_text(),
        Err(AttachmentError::TextWhileWaiting(2))
    );
    assert_eq!(attachments.on_binary(), Ok(false));
    assert_eq!(attachments.pending(), 1);
    assert_eq!(attachments.on_binary(), Ok(true));
    assert!(!attachments.is_waiting());
    assert_eq!(attachments.check_text(), Ok(()));
    assert_eq!(
        attachments.on_binary(),
        Err(AttachmentError::UnexpectedBinary)
    );

    // A binary packet with no attachments completes at once.
    attachments.expect(decoded(V5, r#"50-["x"]"#).attachments());
    assert!(!attachments.is_waiting());
    assert_eq!(
        AttachmentError::TextWhileWaiting(3).to_string(),
        "text message while 3 binary attachment(s) are still expected"
    );
}

// ---------------------------------------------------------------------------------------------
// Property: garbage never panics, and what decodes is well-formed.
// ---------------------------------------------------------------------------------------------

#[test]
fn garbage_never_panics_and_accepted_packets_are_well_formed() {
    let pieces = [
        "0",
        "1",
        "2",
        "3",
        "4",
        "5",
        "6",
        "9",
        "-",
        "/",
        ",",
        "/admin",
        "?",
        "[",
        "]",
        "{",
        "}",
        "\"",
        "\"a\"",
        ":",
        "1",
        "12",
        "null",
        "true",
        " ",
        "\\",
        "é",
        "😀",
        "\u{0}",
        "{\"_placeholder\":true,\"num\":0}",
        "18446744073709551616",
    ];
    let mut rng = Lcg(0x06a7_ba6e);
    let mut accepted = 0;
    for _ in 0..50_000 {
        let text: String = (0..rng.below(12))
            .map(|_| pieces[rng.below(pieces.len())])
            .collect();
        for version in [V4, V5] {
            let Ok(packet) = decode(version, &text) else {
                continue;
            };
            accepted += 1;
            assert!(packet.namespace.starts_with('/'), "{text:?}");
            assert!(!packet.namespace.contains(','), "{text:?}");
            if version == V4 && packet.packet_type() == PacketType::Connect {
                assert!(!packet.namespace.contains('?'), "{text:?}");
            }
            for arg in match &packet.body {
                Body::Event(ev) | Body::BinaryEvent { event: ev, .. } => &ev.args,
                Body::Ack(ack) | Body::BinaryAck { ack, .. } => &ack.args,
                _ => continue,
            } {
                serde_json::from_str::<Value>(arg.get())
                    .unwrap_or_else(|err| panic!("{text:?}: arg {} is not JSON: {err}", arg.get()));
            }
        }
    }
    assert!(
        accepted > 100,
        "the sweep should also hit valid packets ({accepted})"
    );
}

#[test]
fn truncations_of_valid_packets_never_panic() {
    let packets = [
        r#"2/admin,456["project:delete",{"a":[1,2,{"b":"é😀"}]}]"#,
        r#"52-/admin,9["baz",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]"#,
        r#"0/admin?token=1234&uid=abcd,"#,
        r#"0/admin,{"token":"123"}"#,
        r#"61-15["bar",{"_placeholder":true,"num":0}]"#,
    ];
    for text in packets {
        for (cut, _) in text.char_indices() {
            for version in [V4, V5] {
                let _ = decode(version, &text[..cut]);
                let _ = decode(version, &text[cut..]);
            }
        }
    }
}
