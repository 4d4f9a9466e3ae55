//! Unit tests pinning the Engine.IO codecs to the protocol documents (engine.io-protocol,
//! branches `v3` and `main`) and to the reference parsers' own tests (engine.io-parser 2.2.x
//! for v3, 5.x for v4): exact bytes of the sample sessions, the v3 length counted in UTF-16
//! code units, the XHR2 binary payload, base64 binary packets, the handshake JSON, the
//! request query and the HTTP error bodies.

use std::borrow::Cow;

use super::*;

use Version::{V3, V4};

// ---------------------------------------------------------------------------------------------
// Helpers.
// ---------------------------------------------------------------------------------------------

fn text_packet(version: Version, text: &str) -> Packet<'_> {
    decode_text(version, text).unwrap_or_else(|err| panic!("{text:?} refused: {err}"))
}

fn payload(version: Version, body: &str) -> Vec<Packet<'_>> {
    decode_payload(version, body.as_bytes(), false)
        .unwrap_or_else(|err| panic!("{version:?} payload {body:?} refused: {err}"))
}

fn refused_payload(version: Version, body: &[u8], binary: bool) -> DecodeError {
    match decode_payload(version, body, binary) {
        Err(err) => err,
        Ok(packets) => panic!("{version:?} payload {body:?} accepted as {packets:?}"),
    }
}

fn msg(text: &str) -> Packet<'_> {
    Packet::message(text)
}

fn of(kind: PacketType, text: &str) -> Packet<'_> {
    Packet::new(kind, text)
}

fn bin(bytes: &[u8]) -> Packet<'_> {
    Packet::binary(bytes)
}

fn engine_error(query: &str) -> EngineError {
    match parse_query(query) {
        Err(err) => err,
        Ok(parsed) => panic!("query {query:?} accepted as {parsed:?}"),
    }
}

fn accepted_query(query: &str) -> RequestQuery {
    parse_query(query).unwrap_or_else(|err| panic!("query {query:?} refused: {err}"))
}

/// A tiny deterministic generator for the property tests.
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

const SID: &str = "lv_VI97HAXpY6yYWAAAC";

// ---------------------------------------------------------------------------------------------
// Packet types.
// ---------------------------------------------------------------------------------------------

#[test]
fn packet_types_have_the_protocol_numbers_and_names() {
    let expected = [
        (PacketType::Open, 0, '0', "open"),
        (PacketType::Close, 1, '1', "close"),
        (PacketType::Ping, 2, '2', "ping"),
        (PacketType::Pong, 3, '3', "pong"),
        (PacketType::Message, 4, '4', "message"),
        (PacketType::Upgrade, 5, '5', "upgrade"),
        (PacketType::Noop, 6, '6', "noop"),
    ];
    for (kind, code, digit, name) in expected {
        assert_eq!(kind.code(), code);
        assert_eq!(kind.digit(), digit);
        assert_eq!(kind.name(), name);
        assert_eq!(PacketType::from_code(code), Some(kind));
        assert_eq!(PacketType::from_digit(digit as u8), Some(kind));
    }
    assert_eq!(PacketType::ALL.len(), 7);
    for code in 7..=255u8 {
        assert_eq!(PacketType::from_code(code), None, "code {code}");
    }
    for byte in (0..=255u8).filter(|b| !(b'0'..=b'6').contains(b)) {
        assert_eq!(PacketType::from_digit(byte), None, "byte {byte}");
    }
}

#[test]
fn versions() {
    assert_eq!(V3.as_str(), "3");
    assert_eq!(V4.as_str(), "4");
    assert!(!V3.server_pings(), "v3: the client pings");
    assert!(V4.server_pings(), "v4: the server pings");
    assert!(!V3.has_max_payload());
    assert!(V4.has_max_payload());
}

// ---------------------------------------------------------------------------------------------
// Single text packets (WebSocket text frames, payload records).
// ---------------------------------------------------------------------------------------------

#[test]
fn text_packets_of_every_type_in_both_versions() {
    for version in [V3, V4] {
        assert_eq!(
            text_packet(version, r#"0{"some":"json"}"#),
            of(PacketType::Open, r#"{"some":"json"}"#)
        );
        assert_eq!(text_packet(version, "1"), Packet::empty(PacketType::Close));
        assert_eq!(text_packet(version, "2"), Packet::empty(PacketType::Ping));
        assert_eq!(
            text_packet(version, "2probe"),
            of(PacketType::Ping, "probe")
        );
        assert_eq!(
            text_packet(version, "3probe"),
            of(PacketType::Pong, "probe")
        );
        assert_eq!(text_packet(version, "3"), Packet::empty(PacketType::Pong));
        assert_eq!(text_packet(version, "4"), msg(""));
        assert_eq!(text_packet(version, "4test"), msg("test"));
        assert_eq!(text_packet(version, "4HelloWorld"), msg("HelloWorld"));
        assert_eq!(text_packet(version, "41"), msg("1"));
        assert_eq!(
            text_packet(version, "5"),
            Packet::empty(PacketType::Upgrade)
        );
        assert_eq!(text_packet(version, "6"), Packet::empty(PacketType::Noop));
    }
}

#[test]
fn text_packets_borrow_their_data() {
    let frame = String::from(r#"42["room-join","r1"]"#);
    let packet = text_packet(V4, &frame);
    match packet.data {
        Data::Text(Cow::Borrowed(text)) => assert_eq!(text, r#"2["room-join","r1"]"#),
        other => panic!("expected borrowed text, got {other:?}"),
    }
}

#[test]
fn text_packets_keep_non_ascii_data() {
    // engine.io-parser 2.x: 'utf8 — string', '€€€'.
    for version in [V3, V4] {
        assert_eq!(text_packet(version, "4utf8 — string"), msg("utf8 — string"));
        assert_eq!(text_packet(version, "4€€€"), msg("€€€"));
        assert_eq!(text_packet(version, "4😀\u{0}\u{1e}"), msg("😀\u{0}\u{1e}"));
    }
}

#[test]
fn probe_and_accessors() {
    let ping = text_packet(V4, "2probe");
    assert!(ping.is_probe());
    assert_eq!(ping.text(), Some(PROBE));
    assert!(!ping.is_binary());
    assert!(!text_packet(V4, "2").is_probe());
    assert!(!text_packet(V4, "2probe2").is_probe());
    assert!(!bin(b"probe").is_probe());
    assert_eq!(bin(b"x").text(), None);
    assert!(bin(b"x").is_binary());
}

#[test]
fn malformed_text_packets_are_refused() {
    for version in [V3, V4] {
        assert_eq!(decode_text(version, ""), Err(DecodeError::EmptyPacket));
        // engine.io-parser 5.x test: "a123" is a parser error.
        for bad in [
            "a123", "7", "8x", "9", "x", " 4", ":", "-1", "{}", "€", "😀4",
        ] {
            assert!(
                matches!(
                    decode_text(version, bad),
                    Err(DecodeError::UnknownPacketType(_))
                ),
                "{version:?} {bad:?}"
            );
        }
    }
    let err = decode_text(V4, "€x").unwrap_err();
    assert_eq!(err.to_string(), "unknown packet type '€'");
}

// ---------------------------------------------------------------------------------------------
// Binary packets.
// ---------------------------------------------------------------------------------------------

#[test]
fn v4_binary_in_text_is_b_and_base64() {
    // engine.io-parser 5.x node test: Buffer <01 02 03 04> as base64 is "bAQIDBA==".
    assert_eq!(encode_text(V4, &bin(&[1, 2, 3, 4])), "bAQIDBA==");
    assert_eq!(text_packet(V4, "bAQIDBA=="), bin(&[1, 2, 3, 4]));
    // Unpadded, as Node's Buffer also reads it.
    assert_eq!(text_packet(V4, "bAQIDBA"), bin(&[1, 2, 3, 4]));
    assert_eq!(text_packet(V4, "b"), bin(b""));
    assert_eq!(encode_text(V4, &bin(b"")), "b");
}

#[test]
fn v3_binary_in_text_is_b_type_and_base64() {
    // engine.io-protocol v3: `10:b4AQIDBA==` for a message of <01 02 03 04>.
    assert_eq!(encode_text(V3, &bin(&[1, 2, 3, 4])), "b4AQIDBA==");
    assert_eq!(text_packet(V3, "b4AQIDBA=="), bin(&[1, 2, 3, 4]));
    assert_eq!(text_packet(V3, "b4"), bin(b""));
    // The type after `b` may be any packet type.
    assert_eq!(
        text_packet(V3, "b2AQ=="),
        Packet {
            kind: PacketType::Ping,
            data: Data::Binary(Cow::Owned(vec![1])),
        }
    );
}

#[test]
fn malformed_base64_packets_are_refused() {
    assert_eq!(decode_text(V4, "b!!!!"), Err(DecodeError::InvalidBase64));
    assert_eq!(decode_text(V4, "bA"), Err(DecodeError::InvalidBase64));
    assert_eq!(
        decode_text(V4, "bAQ==AQ=="),
        Err(DecodeError::InvalidBase64)
    );
    assert_eq!(decode_text(V3, "b4!!"), Err(DecodeError::InvalidBase64));
    assert_eq!(decode_text(V3, "b"), Err(DecodeError::EmptyPacket));
    assert!(matches!(
        decode_text(V3, "b9AQ=="),
        Err(DecodeError::UnknownPacketType(_))
    ));
    assert!(matches!(
        decode_text(V3, "bAQIDBA=="),
        Err(DecodeError::UnknownPacketType(_))
    ));
}

#[test]
fn websocket_binary_frames() {
    // v4: the frame is the message's data, as is.
    assert_eq!(decode_binary(V4, &[1, 2, 3]).unwrap(), bin(&[1, 2, 3]));
    assert_eq!(decode_binary(V4, &[]).unwrap(), bin(&[]));
    assert_eq!(
        encode_frame(V4, &bin(&[1, 2, 3])),
        Frame::Binary(vec![1, 2, 3])
    );
    // v3: the type byte (4, not '4') first: engine.io-protocol v3 `4|0|1|2|3|4|5`.
    assert_eq!(
        decode_binary(V3, &[4, 0, 1, 2, 3, 4, 5]).unwrap(),
        bin(&[0, 1, 2, 3, 4, 5])
    );
    assert_eq!(
        encode_frame(V3, &bin(&[0, 1, 2, 3, 4, 5])),
        Frame::Binary(vec![4, 0, 1, 2, 3, 4, 5])
    );
    assert_eq!(decode_binary(V3, &[4]).unwrap(), bin(&[]));
    assert_eq!(decode_binary(V3, &[]), Err(DecodeError::EmptyPacket));
    assert_eq!(
        decode_binary(V3, &[7, 1]),
        Err(DecodeError::UnknownPacketType("byte 7".to_owned()))
    );
    assert!(decode_binary(V3, b"4abc").is_err(), "'4' is not the byte 4");
    // v3 binary frames borrow.
    match decode_binary(V3, &[4, 9, 9]).unwrap().data {
        Data::Binary(Cow::Borrowed(bytes)) => assert_eq!(bytes, &[9, 9]),
        other => panic!("{other:?}"),
    }
}

#[test]
fn websocket_text_frames() {
    for version in [V3, V4] {
        assert_eq!(
            encode_frame(version, &of(PacketType::Pong, "probe")),
            Frame::Text("3probe".to_owned())
        );
        assert_eq!(
            encode_frame(version, &msg(r#"2["hey","Jude"]"#)),
            Frame::Text(r#"42["hey","Jude"]"#.to_owned())
        );
        assert_eq!(
            encode_frame(version, &Packet::empty(PacketType::Noop)),
            Frame::Text("6".to_owned())
        );
    }
}

#[test]
fn packets_round_trip_through_text_and_frames() {
    let packets = [
        Packet::empty(PacketType::Close),
        of(PacketType::Ping, "probe"),
        msg(""),
        msg("€ 😀 \u{0}"),
        msg(r#"2["signal-send","r",{"sdp":"v=0\r\n"}]"#),
        bin(&[0, 255, 4, 52]),
        bin(&[]),
    ];
    for version in [V3, V4] {
        for packet in &packets {
            let text = encode_text(version, packet);
            assert_eq!(&decode_text(version, &text).unwrap(), packet, "{text:?}");
            let back = match encode_frame(version, packet) {
                Frame::Text(text) => decode_text(version, &text).unwrap().into_owned(),
                Frame::Binary(bytes) => decode_binary(version, &bytes).unwrap().into_owned(),
            };
            assert_eq!(&back, packet);
        }
    }
}

#[test]
fn into_owned_keeps_everything() {
    let text = String::from("4hello");
    let owned: Packet<'static> = decode_text(V4, &text).unwrap().into_owned();
    drop(text);
    assert_eq!(owned, msg("hello"));
    let bytes = vec![4u8, 1, 2];
    let owned: Packet<'static> = decode_binary(V3, &bytes).unwrap().into_owned();
    drop(bytes);
    assert_eq!(owned, bin(&[1, 2]));
}

// ---------------------------------------------------------------------------------------------
// v4 payloads.
// ---------------------------------------------------------------------------------------------

#[test]
fn v4_payload_from_the_spec() {
    // engine.io-protocol: `4hello\x1e2\x1e4world`.
    assert_eq!(
        payload(V4, "4hello\x1e2\x1e4world"),
        [msg("hello"), Packet::empty(PacketType::Ping), msg("world")]
    );
    assert_eq!(
        encode_payload(
            V4,
            &[msg("hello"), Packet::empty(PacketType::Ping), msg("world")]
        ),
        "4hello\x1e2\x1e4world"
    );
    // `4hello\x1ebAQIDBA==`.
    assert_eq!(
        payload(V4, "4hello\x1ebAQIDBA=="),
        [msg("hello"), bin(&[1, 2, 3, 4])]
    );
    assert_eq!(
        encode_payload(V4, &[msg("hello"), bin(&[1, 2, 3, 4])]),
        "4hello\x1ebAQIDBA=="
    );
}

#[test]
fn v4_payload_of_all_packet_types_from_the_parser_tests() {
    let packets = [
        Packet::empty(PacketType::Open),
        Packet::empty(PacketType::Close),
        of(PacketType::Ping, "probe"),
        of(PacketType::Pong, "probe"),
        msg("test"),
    ];
    let body = "0\x1e1\x1e2probe\x1e3probe\x1e4test";
    assert_eq!(encode_payload(V4, &packets), body);
    assert_eq!(payload(V4, body), packets);
}

#[test]
fn v4_socketio_sample_session_bodies() {
    // socket.io-protocol: the client's POST of two emits.
    assert_eq!(
        payload(V4, "42[\"hello\"]\x1e42[\"world\"]"),
        [msg(r#"2["hello"]"#), msg(r#"2["world"]"#)]
    );
    assert_eq!(payload(V4, "40"), [msg("0")]);
    assert_eq!(
        encode_payload(V4, &[msg(r#"0{"sid":"wZX3oN0bSVIhsaknAAAI"}"#)]),
        r#"40{"sid":"wZX3oN0bSVIhsaknAAAI"}"#
    );
    // A single packet has no separator; none is the empty body.
    assert_eq!(encode_payload(V4, &[msg("x")]), "4x");
    assert_eq!(encode_payload(V4, &[]), "");
}

#[test]
fn v4_payload_with_non_ascii_is_separated_not_counted() {
    let body = "4€\x1e4😀😀\x1e4é";
    assert_eq!(payload(V4, body), [msg("€"), msg("😀😀"), msg("é")]);
    assert_eq!(encode_payload(V4, &payload(V4, body)), body);
}

#[test]
fn v4_malformed_payloads_are_refused() {
    // engine.io-parser 5.x tests: "{", "{}", '["a123", "a456"]'.
    for body in ["{", "{}", r#"["a123", "a456"]"#] {
        assert!(
            matches!(
                refused_payload(V4, body.as_bytes(), false),
                DecodeError::UnknownPacketType(_)
            ),
            "{body:?}"
        );
    }
    assert_eq!(refused_payload(V4, b"", false), DecodeError::EmptyPayload);
    for body in ["\x1e", "4a\x1e", "\x1e4a", "4a\x1e\x1e4b"] {
        assert_eq!(
            refused_payload(V4, body.as_bytes(), false),
            DecodeError::EmptyPacket,
            "{body:?}"
        );
    }
    assert_eq!(
        refused_payload(V4, b"4a\x1e9", false),
        DecodeError::UnknownPacketType("'9'".to_owned())
    );
    assert_eq!(
        refused_payload(V4, b"4\xff", false),
        DecodeError::InvalidUtf8
    );
    assert_eq!(
        refused_payload(V4, b"4hello", true),
        DecodeError::BinaryPayloadInV4
    );
}

// ---------------------------------------------------------------------------------------------
// v3 text payloads: lengths in UTF-16 code units.
// ---------------------------------------------------------------------------------------------

#[test]
fn utf16_length_is_the_javascript_string_length() {
    assert_eq!(utf16_len(""), 0);
    assert_eq!(utf16_len("4hello"), 6);
    assert_eq!(utf16_len("€"), 1, "3 bytes, 1 unit");
    assert_eq!(utf16_len("é"), 1, "2 bytes, 1 unit");
    assert_eq!(utf16_len("😀"), 2, "4 bytes, a surrogate pair");
    assert_eq!(utf16_len("亜"), 1);
    assert_eq!(utf16_len("👍🏽"), 4, "emoji with a skin tone: two pairs");
    assert_eq!(utf16_len("👨‍👩‍👧"), 8, "3 pairs and 2 ZWJ");
    assert_eq!(utf16_len("\u{FFFF}"), 1);
    assert_eq!(utf16_len("\u{10000}"), 2);
}

#[test]
fn v3_payloads_from_the_spec() {
    // engine.io-protocol v3 sample session.
    assert_eq!(payload(V3, "4:4hey"), [msg("hey")]);
    assert_eq!(
        payload(V3, "6:4hello6:4world"),
        [msg("hello"), msg("world")]
    );
    assert_eq!(
        encode_payload(V3, &[msg("hello"), msg("world")]),
        "6:4hello6:4world"
    );
    // "we are not counting bytes, but characters, hence 2 (1 + 1) instead of 4 (1 + 3)".
    assert_eq!(payload(V3, "6:4hello2:4€"), [msg("hello"), msg("€")]);
    assert_eq!(
        encode_payload(V3, &[msg("hello"), msg("€")]),
        "6:4hello2:4€"
    );
    // Text and a base64 binary message.
    assert_eq!(
        payload(V3, "2:4€10:b4AQIDBA=="),
        [msg("€"), bin(&[1, 2, 3, 4])]
    );
    assert_eq!(
        encode_payload(V3, &[msg("€"), bin(&[1, 2, 3, 4])]),
        "2:4€10:b4AQIDBA=="
    );
}

#[test]
fn v3_payloads_from_the_parser_tests() {
    // engine.io-parser 2.x: 'should not utf8 encode when dealing with strings only'.
    assert_eq!(encode_payload(V3, &[msg("€€€"), msg("α")]), "4:4€€€2:4α");
    assert_eq!(payload(V3, "4:4€€€2:4α"), [msg("€€€"), msg("α")]);
    // Empty payloads encode as "0:", which decodes to nothing.
    assert_eq!(encode_payload(V3, &[]), "0:");
    assert_eq!(payload(V3, "0:"), []);
}

#[test]
fn v3_socketio_sample_session_bodies() {
    // socket.io-protocol v4: the handshake response carries the open packet and CONNECT.
    let body = concat!(
        r#"96:0{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":5000}"#,
        "2:40"
    );
    let packets = payload(V3, body);
    assert_eq!(packets.len(), 2);
    assert_eq!(packets[0].kind, PacketType::Open);
    assert_eq!(packets[1], msg("0"));
    let open = Handshake {
        sid: SID,
        upgrades: DEFAULT_UPGRADES,
        ping_interval_ms: 25_000,
        ping_timeout_ms: 5_000,
        max_payload: 1_000_000,
    }
    .open_packet(V3);
    assert_eq!(encode_payload(V3, &[open, msg("0")]), body);

    assert_eq!(
        encode_payload(V3, &[msg(r#"2["hey","Jude"]"#)]),
        r#"16:42["hey","Jude"]"#
    );
    assert_eq!(
        payload(V3, r#"11:42["hello"]11:42["world"]"#),
        [msg(r#"2["hello"]"#), msg(r#"2["world"]"#)]
    );
}

#[test]
fn v3_payload_lengths_count_surrogate_pairs_as_two() {
    // `4😀` is 3 UTF-16 units (5 bytes); `4€😀é` is 5 units (10 bytes).
    assert_eq!(encode_payload(V3, &[msg("😀")]), "3:4😀");
    assert_eq!(encode_payload(V3, &[msg("€😀é")]), "5:4€😀é");
    assert_eq!(payload(V3, "3:4😀"), [msg("😀")]);
    assert_eq!(
        payload(V3, "5:4€😀é3:4😀1:6"),
        [msg("€😀é"), msg("😀"), Packet::empty(PacketType::Noop)]
    );
    // A signal with emoji and non-ASCII inside JSON, as socket.io-client 2.x sends it.
    let event = r#"2["signal-send","salle-é","peer-1",{"note":"👋 ça va? 日本語"}]"#;
    let body = encode_payload(V3, &[msg(event), msg(event)]);
    let units = 1 + utf16_len(event);
    assert_eq!(body, format!("{units}:4{event}{units}:4{event}"));
    assert_eq!(
        units,
        1 + event.chars().count() + 1,
        "one emoji: one extra unit"
    );
    assert_eq!(payload(V3, &body), [msg(event), msg(event)]);
}

#[test]
fn v3_payload_length_ending_inside_a_surrogate_pair_is_refused() {
    // "4😀" is 3 units; 2 ends between the halves of 😀.
    assert_eq!(
        refused_payload(V3, "2:4😀".as_bytes(), false),
        DecodeError::SplitCharacter { at: 0 }
    );
    assert_eq!(
        refused_payload(V3, "1:62:4😀".as_bytes(), false),
        DecodeError::SplitCharacter { at: 3 }
    );
}

#[test]
fn v3_payload_counted_in_bytes_is_refused() {
    // A client counting UTF-8 bytes would announce 4 for `4€`: the record then swallows the
    // next one's start and the rest no longer parses.
    assert!(decode_payload(V3, "4:4€2:4a".as_bytes(), false).is_err());
    // Counting characters instead of units fails on emoji: 2 for `4😀`.
    assert!(decode_payload(V3, "2:4😀".as_bytes(), false).is_err());
}

#[test]
fn v3_payload_skips_empty_records() {
    assert_eq!(payload(V3, "0:0:4:4hey0:"), [msg("hey")]);
}

#[test]
fn v3_malformed_text_payloads_are_refused() {
    // engine.io-parser 2.x 'decoding error handling'.
    assert!(matches!(
        refused_payload(V3, b"1!", false),
        DecodeError::InvalidLength { at: 0 }
    ));
    assert_eq!(refused_payload(V3, b"", false), DecodeError::EmptyPayload);
    assert!(matches!(
        refused_payload(V3, b"))", false),
        DecodeError::InvalidLength { at: 0 }
    ));
    assert_eq!(
        refused_payload(V3, b"1:", false),
        DecodeError::Truncated { at: 0, needed: 1 }
    );
    assert!(matches!(
        refused_payload(V3, b"3:99:", false),
        DecodeError::UnknownPacketType(_)
    ));
    assert!(matches!(
        refused_payload(V3, b"1:aa", false),
        DecodeError::UnknownPacketType(_)
    ));
    assert!(matches!(
        refused_payload(V3, b"1:a2:b", false),
        DecodeError::UnknownPacketType(_)
    ));
    // More of ours.
    for (body, at) in [
        (":4hey", 0),
        ("4:4hey:", 6),
        ("4:4hey5", 6),
        ("a:4", 0),
        ("-1:4", 0),
        (" 4:4hey", 0),
        ("4 :4hey", 0),
        ("+4:4hey", 0),
        ("4hey", 0),
        ("123456789012345678901:4", 0),
    ] {
        assert_eq!(
            refused_payload(V3, body.as_bytes(), false),
            DecodeError::InvalidLength { at },
            "{body:?}"
        );
    }
    assert_eq!(
        refused_payload(V3, b"10:4hey", false),
        DecodeError::Truncated { at: 0, needed: 10 }
    );
    assert_eq!(
        refused_payload(V3, b"18446744073709551615:4", false),
        DecodeError::Truncated {
            at: 0,
            needed: u64::MAX
        }
    );
    assert_eq!(
        refused_payload(V3, b"99999999999999999999:4", false),
        DecodeError::InvalidLength { at: 0 }
    );
    assert_eq!(
        refused_payload(V3, b"4:4h\xffy", false),
        DecodeError::InvalidUtf8
    );
}

#[test]
fn v3_refused_payload_errors_say_where() {
    let err = refused_payload(V3, b"4:4hey10:4", false);
    assert_eq!(err, DecodeError::Truncated { at: 6, needed: 10 });
    assert_eq!(
        err.to_string(),
        "record at byte 6 announces 10 but the payload ends first"
    );
}

// ---------------------------------------------------------------------------------------------
// v3 binary (XHR2) payloads.
// ---------------------------------------------------------------------------------------------

/// engine.io-protocol v3: `4€` and a binary message <01 02 03 04>.
const SPEC_BINARY_PAYLOAD: [u8; 15] = [
    0x00, 0x04, 0xff, 0x34, 0xe2, 0x82, 0xac, 0x01, 0x05, 0xff, 0x04, 0x01, 0x02, 0x03, 0x04,
];

#[test]
fn v3_binary_payload_from_the_spec() {
    assert_eq!(
        decode_payload(V3, &SPEC_BINARY_PAYLOAD, true).unwrap(),
        [msg("€"), bin(&[1, 2, 3, 4])]
    );
    assert_eq!(
        decode_binary_payload_v3(&SPEC_BINARY_PAYLOAD).unwrap(),
        [msg("€"), bin(&[1, 2, 3, 4])]
    );
}

/// Builds an XHR2 payload the way engine.io-parser 2.x `encodePayloadAsBinary` does.
fn xhr2_payload(records: &[(bool, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    for &(is_text, data) in records {
        out.push(if is_text { 0 } else { 1 });
        out.extend(data.len().to_string().bytes().map(|digit| digit - b'0'));
        out.push(0xff);
        out.extend_from_slice(data);
    }
    out
}

#[test]
fn v3_binary_payload_as_socketio_client_2_sends_a_binary_event() {
    // socket.emit("upload", Buffer.from([1, 2, 3])) on polling with XHR2: the BINARY_EVENT
    // header as text, then its attachment as a binary message.
    let header = r#"451-["upload",{"_placeholder":true,"num":0}]"#;
    let body = xhr2_payload(&[(true, header.as_bytes()), (false, &[4, 1, 2, 3])]);
    assert_eq!(
        decode_payload(V3, &body, true).unwrap(),
        [msg(&header[1..]), bin(&[1, 2, 3])]
    );
    // Lengths of 10 and more take several digit bytes.
    let long = format!("4{}", "x".repeat(123));
    let body = xhr2_payload(&[(true, long.as_bytes()), (false, &[2])]);
    assert_eq!(&body[..5], &[0, 1, 2, 4, 0xff]);
    assert_eq!(
        decode_payload(V3, &body, true).unwrap(),
        [
            msg(&long[1..]),
            Packet {
                kind: PacketType::Ping,
                data: Data::Binary(Cow::Borrowed(&[])),
            }
        ]
    );
}

#[test]
fn v3_binary_payload_text_records_count_bytes_and_decode_utf8() {
    let text = "4😀 ça";
    let body = xhr2_payload(&[(true, text.as_bytes())]);
    assert_eq!(body[..3], [0, 9, 0xff], "9 bytes, not 5 units");
    assert_eq!(decode_payload(V3, &body, true).unwrap(), [msg("😀 ça")]);
    // utf8.js (strict: false) writes a lone surrogate as ED A0 80: not UTF-8, so U+FFFD.
    let body = xhr2_payload(&[(true, b"4a\xed\xa0\x80b")]);
    let packets = decode_payload(V3, &body, true).unwrap();
    let text = packets[0].text().unwrap();
    assert!(text.starts_with('a') && text.ends_with('b') && text.contains('\u{FFFD}'));
}

#[test]
fn v3_malformed_binary_payloads_are_refused() {
    assert_eq!(refused_payload(V3, b"", true), DecodeError::EmptyPayload);
    // engine.io-parser 2.x: Buffer [64] is an error.
    assert_eq!(
        refused_payload(V3, &[64], true),
        DecodeError::InvalidBinaryHeader { at: 0 }
    );
    for body in [
        &[0u8][..],
        &[0, 0xff],
        &[0, 1],
        &[0, 10, 0xff],
        &[2, 1, 0xff, b'4'],
        &[1, 1, 0xfe, 4],
    ] {
        assert_eq!(
            refused_payload(V3, body, true),
            DecodeError::InvalidBinaryHeader { at: 0 },
            "{body:?}"
        );
    }
    assert_eq!(
        refused_payload(V3, &[0, 5, 0xff, b'4', b'a'], true),
        DecodeError::Truncated { at: 0, needed: 5 }
    );
    // Second record broken: the position is the record's.
    let mut body = xhr2_payload(&[(true, b"4a")]);
    body.extend_from_slice(&[1, 2]);
    assert_eq!(
        refused_payload(V3, &body, true),
        DecodeError::InvalidBinaryHeader { at: 5 }
    );
    // Record contents are checked like single packets.
    assert_eq!(
        refused_payload(V3, &xhr2_payload(&[(true, b"")]), true),
        DecodeError::EmptyPacket
    );
    assert_eq!(
        refused_payload(V3, &xhr2_payload(&[(false, b"")]), true),
        DecodeError::EmptyPacket
    );
    assert!(matches!(
        refused_payload(V3, &xhr2_payload(&[(true, b"9")]), true),
        DecodeError::UnknownPacketType(_)
    ));
    assert!(matches!(
        refused_payload(V3, &xhr2_payload(&[(false, &[9, 1])]), true),
        DecodeError::UnknownPacketType(_)
    ));
    // 21 digit bytes.
    let mut long = vec![1u8];
    long.extend(std::iter::repeat_n(9, 21));
    long.push(0xff);
    assert_eq!(
        refused_payload(V3, &long, true),
        DecodeError::InvalidBinaryHeader { at: 0 }
    );
    // 20 nines overflow u64.
    let mut huge = vec![1u8];
    huge.extend(std::iter::repeat_n(9, 20));
    huge.push(0xff);
    assert_eq!(
        refused_payload(V3, &huge, true),
        DecodeError::InvalidBinaryHeader { at: 0 }
    );
}

#[test]
fn text_and_binary_bodies_are_told_apart_by_the_caller() {
    // The same bytes as text: not a valid v3 text payload.
    assert!(decode_payload(V3, &SPEC_BINARY_PAYLOAD, false).is_err());
    // A text payload sent as octet-stream: not a valid binary payload.
    assert!(decode_payload(V3, b"6:4hello", true).is_err());
}

// ---------------------------------------------------------------------------------------------
// Payload round trips and properties.
// ---------------------------------------------------------------------------------------------

fn random_text(rng: &mut Lcg) -> String {
    const PIECES: [&str; 12] = [
        "a", "4", ":", "€", "😀", "é", "\"", "[", "]", "\u{0}", "b", "日本",
    ];
    (0..rng.below(8))
        .map(|_| PIECES[rng.below(PIECES.len())])
        .collect()
}

fn random_packet(rng: &mut Lcg) -> Packet<'static> {
    if rng.below(5) == 0 {
        let bytes: Vec<u8> = (0..rng.below(10)).map(|_| rng.next() as u8).collect();
        Packet::binary(bytes)
    } else {
        Packet::new(PacketType::ALL[rng.below(7)], random_text(rng))
    }
}

#[test]
fn random_payloads_round_trip_in_both_versions() {
    let mut rng = Lcg(0x5eed_0e10);
    for _ in 0..3_000 {
        let packets: Vec<Packet> = (0..1 + rng.below(6))
            .map(|_| random_packet(&mut rng))
            .collect();
        for version in [V3, V4] {
            let body = encode_payload(version, &packets);
            let back = decode_payload(version, body.as_bytes(), false)
                .unwrap_or_else(|err| panic!("{version:?} {body:?}: {err}"));
            assert_eq!(back, packets, "{version:?} {body:?}");
        }
    }
}

#[test]
fn v3_payload_prefixes_never_panic_and_cut_records_are_refused() {
    let body = encode_payload(
        V3,
        &[msg("€😀é"), bin(&[1, 2, 3]), of(PacketType::Ping, "probe")],
    );
    for (cut, _) in body.char_indices().skip(1) {
        let prefix = &body[..cut];
        if let Ok(packets) = decode_payload(V3, prefix.as_bytes(), false) {
            // Only cuts at a record boundary decode, to a prefix of the packets.
            assert!(packets.len() < 3, "{prefix:?}");
        }
    }
    for cut in 0..body.len() {
        let _ = decode_payload(V3, &body.as_bytes()[..cut], false);
        let _ = decode_payload(V3, &body.as_bytes()[..cut], true);
        let _ = decode_payload(V4, &body.as_bytes()[..cut], false);
    }
}

#[test]
fn random_bytes_never_panic_any_decoder() {
    let mut rng = Lcg(0xdead_beef);
    let alphabet: &[u8] = b"0123456789:b4\x1e\xff\x00\x01\x09AQ=+/-\xe2\x82\xac\xf0\x9f\x98\x80";
    for _ in 0..20_000 {
        let len = rng.below(24);
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                if rng.below(4) == 0 {
                    rng.next() as u8
                } else {
                    alphabet[rng.below(alphabet.len())]
                }
            })
            .collect();
        for version in [V3, V4] {
            for binary in [false, true] {
                if let Ok(packets) = decode_payload(version, &bytes, binary) {
                    // Whatever decodes re-encodes to something that decodes the same.
                    let body = encode_payload(version, &packets);
                    let again = decode_payload(version, body.as_bytes(), false);
                    if version == V4 && packets.is_empty() {
                        continue;
                    }
                    assert_eq!(again.as_deref(), Ok(&packets[..]), "{bytes:?}");
                }
            }
            let _ = decode_binary(version, &bytes);
            if let Ok(text) = std::str::from_utf8(&bytes) {
                let _ = decode_text(version, text);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Handshake.
// ---------------------------------------------------------------------------------------------

fn spec_handshake() -> Handshake<'static> {
    Handshake {
        sid: SID,
        upgrades: DEFAULT_UPGRADES,
        ping_interval_ms: 25_000,
        ping_timeout_ms: 20_000,
        max_payload: 1_000_000,
    }
}

#[test]
fn v4_open_packet_from_the_spec() {
    assert_eq!(
        spec_handshake().to_json(V4),
        r#"{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}"#
    );
    // socket.io-protocol sample session, request 1.
    let handshake = Handshake {
        ping_timeout_ms: 5_000,
        ..spec_handshake()
    };
    assert_eq!(
        encode_payload(V4, &[handshake.open_packet(V4)]),
        r#"0{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":5000,"maxPayload":1000000}"#
    );
}

#[test]
fn v3_open_packet_has_no_max_payload() {
    let handshake = Handshake {
        ping_timeout_ms: 5_000,
        ..spec_handshake()
    };
    assert_eq!(
        handshake.to_json(V3),
        r#"{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":5000}"#
    );
    // engine.io-protocol v3 sample session, request 1: 96 characters.
    assert_eq!(
        encode_payload(V3, &[handshake.open_packet(V3)]),
        r#"96:0{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":5000}"#
    );
}

#[test]
fn websocket_only_open_packet_offers_no_upgrade() {
    // engine.io-protocol v3 "Sample session with WebSocket only" (the sample leaves
    // `upgrades` out; engine.io sends an empty list).
    let handshake = Handshake {
        upgrades: &[],
        ping_timeout_ms: 5_000,
        ..spec_handshake()
    };
    assert_eq!(
        encode_frame(V3, &handshake.open_packet(V3)),
        Frame::Text(
            r#"0{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":[],"pingInterval":25000,"pingTimeout":5000}"#
                .to_owned()
        )
    );
}

#[test]
fn open_packet_json_escapes_the_sid() {
    let handshake = Handshake {
        sid: "a\"b\\c",
        ..spec_handshake()
    };
    let json: serde_json::Value = serde_json::from_str(&handshake.to_json(V4)).unwrap();
    assert_eq!(json["sid"], "a\"b\\c");
    assert_eq!(json["maxPayload"], 1_000_000);
    assert_eq!(json["upgrades"], serde_json::json!(["websocket"]));
}

// ---------------------------------------------------------------------------------------------
// Request query.
// ---------------------------------------------------------------------------------------------

#[test]
fn handshake_queries_of_stock_clients() {
    // socket.io-client 4.x, polling first.
    assert_eq!(
        accepted_query("EIO=4&transport=polling&t=N8hyd6w"),
        RequestQuery {
            version: V4,
            transport: Transport::Polling,
            sid: None,
            base64: false,
        }
    );
    // socket.io-client 2.x (engine.io-client 3.x): `t` from yeast, `b64=1` without XHR2.
    let query = accepted_query("EIO=3&transport=polling&t=N8hyd6w&b64=1");
    assert_eq!(query.version, V3);
    assert!(query.base64);
    assert!(query.is_handshake());
    // WebSocket only.
    let query = accepted_query("EIO=4&transport=websocket");
    assert_eq!(query.transport, Transport::Websocket);
    assert!(query.is_handshake());
}

#[test]
fn session_queries_carry_the_sid() {
    let query = accepted_query("EIO=3&transport=polling&t=N8hyd7H&sid=lv_VI97HAXpY6yYWAAAC");
    assert_eq!(query.sid.as_deref(), Some(SID));
    assert!(!query.is_handshake());
    // The upgrade of a polling session.
    let query = accepted_query("EIO=4&transport=websocket&sid=lv_VI97HAXpY6yYWAAAC");
    assert_eq!(query.transport, Transport::Websocket);
    assert_eq!(query.sid.as_deref(), Some(SID));
    // Any order, unknown parameters ignored, percent-decoding.
    let query = accepted_query("foo=bar&sid=a%2Db_c&x&transport=polling&EIO=%34");
    assert_eq!(query.sid.as_deref(), Some("a-b_c"));
    assert_eq!(query.version, V4);
    // An empty sid is no sid (engine.io: `if (sid)`).
    assert!(accepted_query("EIO=4&transport=polling&sid=").is_handshake());
}

#[test]
fn b64_is_read_as_javascript_truthiness() {
    assert!(accepted_query("EIO=3&transport=polling&b64=1").base64);
    assert!(accepted_query("EIO=3&transport=polling&b64=true").base64);
    assert!(
        accepted_query("EIO=3&transport=polling&b64=0").base64,
        "'0' is truthy"
    );
    assert!(!accepted_query("EIO=3&transport=polling&b64=").base64);
    assert!(!accepted_query("EIO=3&transport=polling&b64").base64);
    assert!(
        accepted_query("EIO=3&transport=polling&b64=&b64=").base64,
        "an array"
    );
}

#[test]
fn bad_transports_are_code_0() {
    for query in [
        "EIO=4",
        "EIO=4&transport=",
        "EIO=4&transport=flashsocket",
        "EIO=4&transport=webtransport",
        "EIO=4&transport=Polling",
        "EIO=4&transport=polling&j=0",
        "EIO=5&transport=xhr",
    ] {
        let err = engine_error(query);
        assert_eq!(err.code, ErrorCode::UnknownTransport, "{query:?}");
        assert_eq!(err.body(), r#"{"code":0,"message":"Transport unknown"}"#);
        assert_eq!(err.http_status(), 400);
    }
    assert!(
        engine_error("EIO=4&transport=polling&j=0")
            .detail
            .contains("JSONP")
    );
}

#[test]
fn bad_versions_are_code_5() {
    for query in [
        "transport=polling",
        "EIO=&transport=polling",
        "EIO=2&transport=polling",
        "EIO=5&transport=polling",
        "EIO=04&transport=polling",
        "EIO=4.0&transport=websocket",
        "eio=4&transport=polling",
    ] {
        let err = engine_error(query);
        assert_eq!(err.code, ErrorCode::UnsupportedProtocolVersion, "{query:?}");
        assert_eq!(
            err.body(),
            r#"{"code":5,"message":"Unsupported protocol version"}"#
        );
    }
}

#[test]
fn malformed_sids_are_unknown_sids() {
    let long = "a".repeat(MAX_SID_BYTES + 1);
    for sid in [long.as_str(), "a%20b", "a%00", "%E2%82%AC", "a+b", "%7F"] {
        let err = engine_error(&format!("EIO=4&transport=polling&sid={sid}"));
        assert_eq!(err.code, ErrorCode::UnknownSid, "{sid:?}");
        assert_eq!(err.body(), r#"{"code":1,"message":"Session ID unknown"}"#);
    }
    let longest = "a".repeat(MAX_SID_BYTES);
    assert_eq!(
        accepted_query(&format!("EIO=4&transport=polling&sid={longest}")).sid,
        Some(longest)
    );
    assert_eq!(
        accepted_query("EIO=4&transport=polling&sid=n1~AZaz09-_.!")
            .sid
            .as_deref(),
        Some("n1~AZaz09-_.!")
    );
}

#[test]
fn repeated_reserved_parameters_are_bad_requests() {
    for query in [
        "EIO=4&EIO=4&transport=polling",
        "EIO=4&transport=polling&transport=websocket",
        "EIO=4&transport=polling&sid=a&sid=b",
    ] {
        let err = engine_error(query);
        assert_eq!(err.code, ErrorCode::BadRequest, "{query:?}");
        assert_eq!(err.body(), r#"{"code":3,"message":"Bad request"}"#);
    }
    // Other parameters may repeat.
    accepted_query("EIO=4&transport=polling&t=1&t=2&foo&foo");
}

#[test]
fn query_checks_come_in_engine_io_order() {
    // Transport before version before sid.
    assert_eq!(
        engine_error("EIO=9&transport=x&sid=%00").code,
        ErrorCode::UnknownTransport
    );
    assert_eq!(
        engine_error("EIO=9&transport=polling&sid=%00").code,
        ErrorCode::UnsupportedProtocolVersion
    );
    assert_eq!(
        engine_error("EIO=3&transport=polling&sid=%00").code,
        ErrorCode::UnknownSid
    );
}

#[test]
fn request_methods() {
    let handshake = accepted_query("EIO=4&transport=polling");
    assert_eq!(handshake.check_method("GET", false), Ok(()));
    for method in ["POST", "PUT", "OPTIONS", "DELETE"] {
        let err = handshake.check_method(method, false).unwrap_err();
        assert_eq!(err.code, ErrorCode::BadHandshakeMethod, "{method}");
        assert_eq!(err.body(), r#"{"code":2,"message":"Bad handshake method"}"#);
    }
    assert_eq!(
        handshake.check_method("GET", true).unwrap_err().code,
        ErrorCode::BadRequest
    );

    let polling = accepted_query("EIO=4&transport=polling&sid=abc");
    assert_eq!(polling.check_method("GET", false), Ok(()));
    assert_eq!(polling.check_method("POST", false), Ok(()));
    assert_eq!(
        polling.check_method("PUT", false).unwrap_err().code,
        ErrorCode::BadRequest
    );

    let websocket = accepted_query("EIO=4&transport=websocket");
    assert_eq!(websocket.check_method("GET", true), Ok(()));
    assert_eq!(
        websocket.check_method("GET", false).unwrap_err().code,
        ErrorCode::BadRequest,
        "engine.io: TRANSPORT_HANDSHAKE_ERROR"
    );
    assert_eq!(
        websocket.check_method("POST", false).unwrap_err().code,
        ErrorCode::BadHandshakeMethod,
        "engine.io checks the handshake method first"
    );
    let upgrade = accepted_query("EIO=3&transport=websocket&sid=abc");
    assert_eq!(upgrade.check_method("GET", true), Ok(()));
    assert_eq!(
        upgrade.check_method("GET", false).unwrap_err().code,
        ErrorCode::BadRequest
    );
}

#[test]
fn error_codes_bodies_and_statuses() {
    let expected = [
        (ErrorCode::UnknownTransport, 0, "Transport unknown", 400),
        (ErrorCode::UnknownSid, 1, "Session ID unknown", 400),
        (
            ErrorCode::BadHandshakeMethod,
            2,
            "Bad handshake method",
            400,
        ),
        (ErrorCode::BadRequest, 3, "Bad request", 400),
        (ErrorCode::Forbidden, 4, "Forbidden", 403),
        (
            ErrorCode::UnsupportedProtocolVersion,
            5,
            "Unsupported protocol version",
            400,
        ),
    ];
    for (code, number, message, status) in expected {
        assert_eq!(code.code(), number);
        assert_eq!(code.message(), message);
        assert_eq!(code.http_status(), status);
        let err = EngineError::new(code, "detail for the logs");
        assert_eq!(
            err.body(),
            format!(r#"{{"code":{number},"message":"{message}"}}"#)
        );
        assert!(!err.body().contains("detail"), "details stay in the logs");
        assert_eq!(err.to_string(), format!("{message} (detail for the logs)"));
        let json: serde_json::Value = serde_json::from_str(&err.body()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"code": number, "message": message})
        );
    }
}

#[test]
fn odd_queries_never_panic() {
    let pieces = [
        "EIO",
        "=",
        "3",
        "4",
        "&",
        "transport",
        "polling",
        "websocket",
        "sid",
        "%",
        "%4",
        "%ff",
        "+",
        "b64",
        "j",
        "t",
        "é",
        "%00",
        "a",
    ];
    let mut rng = Lcg(0x9e11);
    for _ in 0..20_000 {
        let query: String = (0..rng.below(16))
            .map(|_| pieces[rng.below(pieces.len())])
            .collect();
        if let Ok(RequestQuery { sid: Some(sid), .. }) = parse_query(&query) {
            assert!(!sid.is_empty() && sid.len() <= MAX_SID_BYTES, "{query:?}");
            assert!(sid.bytes().all(|b| b.is_ascii_graphic()), "{query:?}");
        }
    }
    let huge = "%".repeat(1 << 20);
    assert_eq!(engine_error(&huge).code, ErrorCode::UnknownTransport);
}
