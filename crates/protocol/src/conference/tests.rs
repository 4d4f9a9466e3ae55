//! Unit tests pinning the `conference` dialect to seed 000 and to the error contract, so that a
//! change in parsing or rendering shows up here before it reaches a client.

use serde_json::{Value, json};

use super::*;

// ---------------------------------------------------------------------------------------------
// The client messages of seed 000, verbatim (indentation included).
// ---------------------------------------------------------------------------------------------

const SEED_CONNECT: &str = r#"{
  "type": "room",
  "name": "connect",
  "data": {
    "room": "name"
  }
}"#;

const SEED_JOIN: &str = r#"{
  "type": "conference",
  "name": "join",
  "data": {
    "room": "name",
    "name": "MyName",
    "id": "MyClientId"
  }
}"#;

const SEED_LEAVE: &str = r#"{
  "type": "conference",
  "name": "leave",
  "data": {
    "room": "name",
    "id": "MyClientId"
  }
}"#;

const SEED_SDP: &str = r#"{
  "type": "signal",
  "name": "sdp",
  "data": {"room": "name", "to": "RemotePeerId", "id": "MyClientId"},
  "signal": {
    "desc": {"type": "offer","sdp": "v=0\r\no=- 2057321257886006919..."}
  }
}"#;

const SEED_TRICKLE: &str = r#"{
  "type": "signal",
  "name": "trickle",
  "data": {"room": "name", "candidate": "string", "id": "ClientId"},
  "signal": {
    "ice": {"candidate": "candidate:1176663647 1 udp...", "sdpMid":"0","sdpMLineIndex":0 }
  }
}"#;

const SEED_VERAX_JOIN: &str = r#"{
  "type": "signal",
  "method": "join",
  "data": {
    "sid": "sid:string",
    "uid": "uid:string",
    "offer": "sdp:string"
  }
}"#;

// ---------------------------------------------------------------------------------------------
// The server frames of seed 000, verbatim. The contract adds fields (`node`, `peers`, `name`),
// so a rendered frame must contain every field of these, with the same value.
// ---------------------------------------------------------------------------------------------

const SEED_CONNECT_RESPONSE: &str = r#"{
  "type": "room",
  "name": "connectResponse",
  "data": {
    "room": "name",
    "id" : "MyClientId"
  }
}"#;

const SEED_JOIN_RESPONSE: &str = r#"{
  "type": "conference",
  "name": "joinResponse",
  "data": {
    "id": "MyClientId",
    "room": "name"
  }
}"#;

const SEED_PEER_JOIN: &str = r#"{
  "type": "conference",
  "name": "peerJoin",
  "data": {
    "id": "RemoteClientId",
    "peerName": "Name of peer",
    "room": "name"
  }
}"#;

const SEED_LEAVE_RESPONSE: &str = r#"{
  "type": "conference",
  "name": "leaveResponse",
  "data": {
    "id": "MyClientId",
    "room": "name"
  }
}"#;

const SEED_PEER_LEAVE: &str = r#"{
  "type": "conference",
  "name": "peerLeave",
  "data": {
    "id": "RemoteClientId",
    "room": "name"
  }
}"#;

const SEED_PEER_DISCONNECTED: &str = r#"{
  "type": "system",
  "name": "peerDisconnected",
  "data": {
    "id": "RemoteClientId",
    "room": "name"
  }
}"#;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

fn parse_ok(text: &str) -> Request {
    parse_message(text).unwrap_or_else(|err| panic!("{text:?} should parse, got {err:?}"))
}

fn parse_err(text: &str) -> ProtocolError {
    match parse_message(text) {
        Ok(request) => panic!("{text:?} should be refused, got {request:?}"),
        Err(err) => err,
    }
}

/// Asserts that `text` is refused with `code`, attributed to `request`.
#[track_caller]
fn assert_refused(text: &str, code: ErrorCode, request: Option<&str>) {
    let err = parse_err(text);
    assert_eq!(
        err.code, code,
        "code for {text:?} (message: {})",
        err.message
    );
    assert_eq!(
        err.request.as_deref(),
        request,
        "request for {text:?} (message: {})",
        err.message
    );
    assert!(!err.message.is_empty(), "empty message for {text:?}");
}

fn value(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|err| panic!("{text:?} is not JSON: {err}"))
}

/// Asserts that every field of `seed` is in `actual` with the same value (objects recursively).
#[track_caller]
fn assert_contains_seed(actual: &Value, seed: &Value) {
    match (actual, seed) {
        (Value::Object(actual_map), Value::Object(seed_map)) => {
            for (key, seed_value) in seed_map {
                let actual_value = actual_map
                    .get(key)
                    .unwrap_or_else(|| panic!("{key:?} missing from {actual}"));
                assert_contains_seed(actual_value, seed_value);
            }
        }
        _ => assert_eq!(actual, seed),
    }
}

fn connect_with_room(room: &str) -> String {
    json!({"type": "room", "name": "connect", "data": {"room": room}}).to_string()
}

fn join_with(room: &str, name: &str) -> String {
    json!({"type": "conference", "name": "join", "data": {"room": room, "name": name}}).to_string()
}

fn signal_command(text: &str) -> SignalCommand {
    match parse_ok(text).command {
        Command::Signal(signal) => signal,
        other => panic!("{text:?} should be a signal, got {other:?}"),
    }
}

/// The raw `signal` object of a message written as `..."signal": {...}\n}`.
fn raw_signal_of(text: &str) -> &str {
    let start = text.find("\"signal\":").expect("has a signal") + "\"signal\":".len();
    let end = text.rfind('}').expect("ends with }");
    text[start..end].trim()
}

// ---------------------------------------------------------------------------------------------
// Client messages of seed 000
// ---------------------------------------------------------------------------------------------

#[test]
fn seed_room_connect() {
    let request = parse_ok(SEED_CONNECT);
    assert_eq!(request.request, "room/connect");
    assert_eq!(request.claimed_id, None);
    match request.command {
        Command::Connect { room } => assert_eq!(room, "name"),
        other => panic!("expected Connect, got {other:?}"),
    }
}

#[test]
fn seed_conference_join_with_id() {
    let request = parse_ok(SEED_JOIN);
    assert_eq!(request.request, "conference/join");
    assert_eq!(request.claimed_id.as_deref(), Some("MyClientId"));
    match request.command {
        Command::Join { room, name } => {
            assert_eq!(room, "name");
            assert_eq!(name, "MyName");
        }
        other => panic!("expected Join, got {other:?}"),
    }
}

#[test]
fn conference_join_without_id() {
    let request = parse_ok(&join_with("r", "Alice"));
    assert_eq!(request.claimed_id, None);
    assert!(matches!(request.command, Command::Join { .. }));
}

#[test]
fn seed_conference_leave() {
    let request = parse_ok(SEED_LEAVE);
    assert_eq!(request.request, "conference/leave");
    assert_eq!(request.claimed_id.as_deref(), Some("MyClientId"));
    match request.command {
        Command::Leave { room } => assert_eq!(room, "name"),
        other => panic!("expected Leave, got {other:?}"),
    }
}

#[test]
fn seed_signal_sdp() {
    let request = parse_ok(SEED_SDP);
    assert_eq!(request.request, "signal/sdp");
    assert_eq!(request.claimed_id.as_deref(), Some("MyClientId"));
    let Command::Signal(signal) = request.command else {
        panic!("expected Signal, got {:?}", request.command);
    };
    assert_eq!(signal.kind, SignalKind::Sdp);
    assert_eq!(signal.room, "name");
    assert_eq!(signal.to.as_deref(), Some("RemotePeerId"));
    assert_eq!(
        Value::Object(signal.data.clone()),
        json!({"room": "name", "to": "RemotePeerId", "id": "MyClientId"})
    );
    assert_eq!(signal.signal.get(), raw_signal_of(SEED_SDP));
    assert_eq!(
        value(signal.signal.get()),
        json!({"desc": {"type": "offer", "sdp": "v=0\r\no=- 2057321257886006919..."}})
    );
}

#[test]
fn seed_signal_trickle_without_to_is_a_broadcast() {
    let request = parse_ok(SEED_TRICKLE);
    assert_eq!(request.request, "signal/trickle");
    assert_eq!(request.claimed_id.as_deref(), Some("ClientId"));
    let Command::Signal(signal) = request.command else {
        panic!("expected Signal, got {:?}", request.command);
    };
    assert_eq!(signal.kind, SignalKind::Trickle);
    assert_eq!(signal.room, "name");
    assert_eq!(signal.to, None);
    assert_eq!(
        Value::Object(signal.data.clone()),
        json!({"room": "name", "candidate": "string", "id": "ClientId"})
    );
    assert_eq!(signal.signal.get(), raw_signal_of(SEED_TRICKLE));
}

#[test]
fn signal_trickle_with_to() {
    let signal = signal_command(
        r#"{"type":"signal","name":"trickle","data":{"room":"r","to":"peer-2"},"signal":{"ice":null}}"#,
    );
    assert_eq!(signal.kind, SignalKind::Trickle);
    assert_eq!(signal.to.as_deref(), Some("peer-2"));
}

#[test]
fn null_id_and_null_to_count_as_absent() {
    let request = parse_ok(
        r#"{"type":"signal","name":"trickle","data":{"room":"r","id":null,"to":null},"signal":{}}"#,
    );
    assert_eq!(request.claimed_id, None);
    let Command::Signal(signal) = request.command else {
        panic!("expected Signal");
    };
    assert_eq!(signal.to, None);
}

#[test]
fn signal_kind_names() {
    assert_eq!(SignalKind::Sdp.as_str(), "sdp");
    assert_eq!(SignalKind::Trickle.as_str(), "trickle");
}

#[test]
fn seed_verax_join_is_unsupported() {
    assert_refused(SEED_VERAX_JOIN, ErrorCode::Unsupported, Some("signal/join"));
}

#[test]
fn verax_join_without_data_is_still_unsupported() {
    assert_refused(
        r#"{"type":"signal","method":"join"}"#,
        ErrorCode::Unsupported,
        Some("signal/join"),
    );
}

#[test]
fn signal_with_name_join_is_an_unknown_message_not_the_sfu_join() {
    assert_refused(
        r#"{"type":"signal","name":"join","data":{"room":"r"}}"#,
        ErrorCode::UnknownMessage,
        Some("signal/join"),
    );
}

#[test]
fn compact_and_pretty_forms_parse_alike() {
    let compact = value(SEED_JOIN).to_string();
    let request = parse_ok(&compact);
    assert_eq!(request.request, "conference/join");
    assert_eq!(request.claimed_id.as_deref(), Some("MyClientId"));
}

// ---------------------------------------------------------------------------------------------
// Server frames
// ---------------------------------------------------------------------------------------------

#[test]
fn render_connect_response() {
    let out = render(&ServerMessage::ConnectResponse {
        room: "name",
        id: "MyClientId",
        node: "node-1",
    });
    let out = value(&out);
    assert_eq!(
        out,
        json!({"type": "room", "name": "connectResponse",
               "data": {"room": "name", "id": "MyClientId", "node": "node-1"}})
    );
    assert_contains_seed(&out, &value(SEED_CONNECT_RESPONSE));
}

#[test]
fn render_join_response_with_peers() {
    let peers = [
        PeerEntry {
            id: "p1",
            name: "Alice",
        },
        PeerEntry {
            id: "p2",
            name: "Bob",
        },
    ];
    let out = value(&render(&ServerMessage::JoinResponse {
        id: "MyClientId",
        room: "name",
        peers: &peers,
    }));
    assert_eq!(
        out,
        json!({"type": "conference", "name": "joinResponse",
               "data": {"id": "MyClientId", "room": "name",
                        "peers": [{"id": "p1", "name": "Alice"}, {"id": "p2", "name": "Bob"}]}})
    );
    assert_contains_seed(&out, &value(SEED_JOIN_RESPONSE));
}

#[test]
fn render_join_response_with_no_peers_has_an_empty_array() {
    let out = value(&render(&ServerMessage::JoinResponse {
        id: "me",
        room: "r",
        peers: &[],
    }));
    assert_eq!(out["data"]["peers"], json!([]));
}

#[test]
fn render_peer_join_carries_peer_name_and_name() {
    let out = value(&render(&ServerMessage::PeerJoin {
        id: "RemoteClientId",
        room: "name",
        name: "Name of peer",
    }));
    assert_eq!(
        out,
        json!({"type": "conference", "name": "peerJoin",
               "data": {"id": "RemoteClientId", "room": "name",
                        "peerName": "Name of peer", "name": "Name of peer"}})
    );
    assert_contains_seed(&out, &value(SEED_PEER_JOIN));
}

#[test]
fn render_leave_response() {
    let out = value(&render(&ServerMessage::LeaveResponse {
        id: "MyClientId",
        room: "name",
    }));
    assert_eq!(out, value(SEED_LEAVE_RESPONSE));
}

#[test]
fn render_peer_leave() {
    let out = value(&render(&ServerMessage::PeerLeave {
        id: "RemoteClientId",
        room: "name",
    }));
    assert_eq!(out, value(SEED_PEER_LEAVE));
}

#[test]
fn render_peer_disconnected() {
    let out = value(&render(&ServerMessage::PeerDisconnected {
        id: "RemoteClientId",
        room: "name",
    }));
    assert_eq!(out, value(SEED_PEER_DISCONNECTED));
}

#[test]
fn render_error_with_request() {
    let err =
        ProtocolError::new(ErrorCode::NotInRoom, "not in room r").for_request("conference/leave");
    let out = value(&render(&ServerMessage::Error(&err)));
    assert_eq!(
        out,
        json!({"type": "system", "name": "error",
               "data": {"code": "not_in_room", "message": "not in room r",
                        "request": "conference/leave"}})
    );
}

#[test]
fn render_error_without_request_has_request_null() {
    let err = ProtocolError::new(ErrorCode::InvalidJson, "not valid JSON");
    let text = render(&ServerMessage::Error(&err));
    let out = value(&text);
    assert_eq!(
        out,
        json!({"type": "system", "name": "error",
               "data": {"code": "invalid_json", "message": "not valid JSON", "request": null}})
    );
    // Present and null, not absent.
    assert!(out["data"].as_object().unwrap().contains_key("request"));
}

#[test]
fn render_error_of_a_parse_failure() {
    let err = parse_err(r#"{"type":"room","name":"connect","data":{}}"#);
    let out = value(&render(&ServerMessage::Error(&err)));
    assert_eq!(out["type"], "system");
    assert_eq!(out["name"], "error");
    assert_eq!(out["data"]["code"], "missing_field");
    assert_eq!(out["data"]["request"], "room/connect");
    assert_eq!(out["data"]["message"], err.message.as_str());
}

#[test]
fn render_escapes_strings() {
    let out = render(&ServerMessage::PeerJoin {
        id: "a\"b",
        room: "line\nbreak",
        name: "</script>\u{1F600}",
    });
    assert!(!out.contains('\n'), "a frame stays on one line: {out}");
    let out = value(&out);
    assert_eq!(out["data"]["id"], "a\"b");
    assert_eq!(out["data"]["room"], "line\nbreak");
    assert_eq!(out["data"]["name"], "</script>\u{1F600}");
}

#[test]
fn error_codes_on_the_wire() {
    let codes = [
        (ErrorCode::InvalidJson, "invalid_json"),
        (ErrorCode::InvalidMessage, "invalid_message"),
        (ErrorCode::MissingField, "missing_field"),
        (ErrorCode::InvalidField, "invalid_field"),
        (ErrorCode::UnknownMessage, "unknown_message"),
        (ErrorCode::InvalidRoom, "invalid_room"),
        (ErrorCode::NotInRoom, "not_in_room"),
        (ErrorCode::AlreadyInRoom, "already_in_room"),
        (ErrorCode::UnknownTarget, "unknown_target"),
        (ErrorCode::IdMismatch, "id_mismatch"),
        (ErrorCode::BinaryUnsupported, "binary_unsupported"),
        (ErrorCode::Unsupported, "unsupported"),
        (ErrorCode::Internal, "internal"),
        (ErrorCode::RateLimited, "rate_limited"),
        (ErrorCode::TooManyRooms, "too_many_rooms"),
        (ErrorCode::RoomFull, "room_full"),
    ];
    for (code, wire) in codes {
        assert_eq!(code.as_str(), wire);
        assert_eq!(code.to_string(), wire);
    }
    let err = ProtocolError::new(ErrorCode::InvalidRoom, "too long");
    assert_eq!(err.to_string(), "invalid_room: too long");
    assert_eq!(err.request, None);
    assert_eq!(
        err.for_request("room/connect").request.as_deref(),
        Some("room/connect")
    );
}

// ---------------------------------------------------------------------------------------------
// Relayed signals
// ---------------------------------------------------------------------------------------------

#[test]
fn relayed_sdp_replaces_the_claimed_id_with_the_sender() {
    let signal = signal_command(SEED_SDP);
    let out = render_relayed_signal(&signal, "sender-uuid");
    assert_eq!(
        value(&out),
        json!({"type": "signal", "name": "sdp",
               "data": {"room": "name", "to": "RemotePeerId", "id": "sender-uuid"},
               "signal": {"desc": {"type": "offer",
                                   "sdp": "v=0\r\no=- 2057321257886006919..."}}})
    );
    assert!(!out.contains("MyClientId"), "the claimed id leaked: {out}");
}

#[test]
fn relayed_signal_object_is_byte_for_byte_identical() {
    for seed in [SEED_SDP, SEED_TRICKLE] {
        let signal = signal_command(seed);
        let out = render_relayed_signal(&signal, "sender");
        let raw = raw_signal_of(seed);
        // The seed's signal spans lines with its own spacing and escapes; it must come out as is.
        assert!(raw.contains('\n'));
        assert!(
            out.contains(&format!("\"signal\":{raw}")),
            "signal not relayed verbatim:\n{out}\nexpected to contain:\n{raw}"
        );
    }
}

#[test]
fn relayed_signal_keeps_odd_formatting_and_escapes_verbatim() {
    let raw = r#"{ "b" : 1.50, "a":"\u00e9\n", "n": 1e3,"dup":1,"dup":2, "deep":[{"x":[]}] }"#;
    let text =
        format!(r#"{{"type":"signal","name":"trickle","data":{{"room":"r"}},"signal":{raw}}}"#);
    let signal = signal_command(&text);
    assert_eq!(signal.signal.get(), raw);
    let out = render_relayed_signal(&signal, "s");
    assert!(out.contains(&format!("\"signal\":{raw}")), "{out}");
}

#[test]
fn relayed_trickle_adds_the_sender_id_when_the_client_sent_none() {
    let signal = signal_command(
        r#"{"type":"signal","name":"trickle","data":{"room":"r","candidate":"c1"},"signal":{"ice":{}}}"#,
    );
    let out = value(&render_relayed_signal(&signal, "sender-7"));
    assert_eq!(out["type"], "signal");
    assert_eq!(out["name"], "trickle");
    assert_eq!(
        out["data"],
        json!({"room": "r", "candidate": "c1", "id": "sender-7"})
    );
    assert_eq!(out["signal"], json!({"ice": {}}));
}

#[test]
fn relayed_signal_replaces_a_foreign_id_and_keeps_every_other_field() {
    let signal = signal_command(
        r#"{"type":"signal","name":"sdp",
            "data":{"id":"someone-else","room":"r","to":"t","extra":{"nested":[1,2,{"k":null}]},
                    "flag":true,"count":3},
            "signal":{"desc":{}}}"#,
    );
    let out = render_relayed_signal(&signal, "real-sender");
    let out_value = value(&out);
    assert_eq!(out_value["name"], "sdp");
    assert_eq!(
        out_value["data"],
        json!({"id": "real-sender", "room": "r", "to": "t",
               "extra": {"nested": [1, 2, {"k": null}]}, "flag": true, "count": 3})
    );
    assert!(!out.contains("someone-else"), "{out}");
    // One id only, not the client's and the sender's.
    assert_eq!(out.matches("\"id\"").count(), 1, "{out}");
}

#[test]
fn relayed_signal_with_a_null_id_gets_the_sender() {
    let signal = signal_command(
        r#"{"type":"signal","name":"trickle","data":{"room":"r","id":null},"signal":{}}"#,
    );
    let out = value(&render_relayed_signal(&signal, "s1"));
    assert_eq!(out["data"], json!({"room": "r", "id": "s1"}));
}

#[test]
fn relayed_signal_envelope_is_compact() {
    let signal = signal_command(SEED_SDP);
    let out = render_relayed_signal(&signal, "s");
    // serde_json writes the envelope compactly, type and name first; only the verbatim signal
    // keeps the client's own whitespace.
    assert!(
        out.starts_with(r#"{"type":"signal","name":"sdp","data":{"#),
        "{out}"
    );
    assert!(out.ends_with("}}"), "{out}");
}

// ---------------------------------------------------------------------------------------------
// Frames holding several messages
// ---------------------------------------------------------------------------------------------

fn frame_requests(frame: &str) -> Vec<Result<String, ErrorCode>> {
    parse_frame(frame)
        .map(|result| result.map(|r| r.request).map_err(|e| e.code))
        .collect()
}

#[test]
fn frame_with_one_message() {
    assert_eq!(
        frame_requests(&connect_with_room("r")),
        vec![Ok("room/connect".to_owned())]
    );
}

#[test]
fn frame_with_messages_separated_by_newlines_in_order() {
    let frame = [
        connect_with_room("r"),
        join_with("r", "Alice"),
        value(SEED_TRICKLE).to_string(),
        value(SEED_SDP).to_string(),
        value(SEED_LEAVE).to_string(),
    ]
    .join("\n");
    assert_eq!(
        frame_requests(&frame),
        vec![
            Ok("room/connect".to_owned()),
            Ok("conference/join".to_owned()),
            Ok("signal/trickle".to_owned()),
            Ok("signal/sdp".to_owned()),
            Ok("conference/leave".to_owned()),
        ]
    );
}

#[test]
fn frame_items_carry_their_own_fields() {
    let frame = format!(
        "{}\n{}",
        connect_with_room("first"),
        join_with("second", "Bob")
    );
    let requests: Vec<Request> = parse_frame(&frame).map(Result::unwrap).collect();
    assert_eq!(requests.len(), 2);
    assert!(matches!(&requests[0].command, Command::Connect { room } if room == "first"));
    assert!(
        matches!(&requests[1].command, Command::Join { room, name } if room == "second" && name == "Bob")
    );
}

#[test]
fn frame_with_crlf_blank_lines_and_surrounding_whitespace() {
    let frame = format!(
        "\r\n\n  {}  \r\n\r\n\t\n{}\r\n   \n{}\n\n",
        connect_with_room("r"),
        join_with("r", "A"),
        value(SEED_LEAVE)
    );
    assert_eq!(
        frame_requests(&frame),
        vec![
            Ok("room/connect".to_owned()),
            Ok("conference/join".to_owned()),
            Ok("conference/leave".to_owned()),
        ]
    );
}

#[test]
fn an_error_in_the_middle_does_not_hide_the_others() {
    let frame = [
        connect_with_room("r"),
        "this is not json".to_owned(),
        join_with("r", "A"),
        r#"{"type":"room","name":"connect","data":{"room":""}}"#.to_owned(),
        "42".to_owned(),
        value(SEED_LEAVE).to_string(),
    ]
    .join("\r\n");
    assert_eq!(
        frame_requests(&frame),
        vec![
            Ok("room/connect".to_owned()),
            Err(ErrorCode::InvalidJson),
            Ok("conference/join".to_owned()),
            Err(ErrorCode::InvalidRoom),
            Err(ErrorCode::InvalidMessage),
            Ok("conference/leave".to_owned()),
        ]
    );
}

#[test]
fn frame_errors_keep_their_request() {
    let frame = format!(
        "{}\n{}",
        r#"{"type":"conference","name":"join","data":{"room":"r"}}"#,
        SEED_VERAX_JOIN.replace('\n', "")
    );
    let errors: Vec<ProtocolError> = parse_frame(&frame).map(Result::unwrap_err).collect();
    assert_eq!(errors.len(), 2);
    assert_eq!(errors[0].code, ErrorCode::MissingField);
    assert_eq!(errors[0].request.as_deref(), Some("conference/join"));
    assert_eq!(errors[1].code, ErrorCode::Unsupported);
    assert_eq!(errors[1].request.as_deref(), Some("signal/join"));
}

#[test]
fn empty_and_blank_frames_hold_no_message() {
    for frame in ["", "\n", "\r\n", " \n\t\n\r\n  ", "\n\n\n"] {
        assert_eq!(frame_requests(frame), vec![], "frame {frame:?}");
    }
}

/// Messages are separated by any white space, or by none: two objects back to back are two
/// messages, in order.
#[test]
fn two_messages_on_one_line_are_both_read() {
    let line = format!("{}{}", connect_with_room("a"), connect_with_room("b"));
    assert_eq!(
        frame_requests(&line),
        vec![Ok("room/connect".to_owned()), Ok("room/connect".to_owned())]
    );
}

/// A frame holding one message written over several lines, as every message in seed 000 is
/// written, must be that one message.
#[test]
fn frame_holding_one_pretty_printed_seed_message_is_that_message() {
    assert_eq!(
        frame_requests(SEED_CONNECT),
        vec![Ok("room/connect".to_owned())]
    );
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

#[test]
fn invalid_json() {
    for text in [
        "{",
        "}",
        "not json",
        r#"{"type":}"#,
        r#"{"type":"room","name":"connect","data":{"room":"r"}"#,
        r#"{"type":"room","name":"connect","data":{"room":"r"}} trailing"#,
        r#"{'type':'room'}"#,
        r#"{"type":"room",}"#,
        "[1,2",
        "\"unterminated",
        "nul",
    ] {
        assert_refused(text, ErrorCode::InvalidJson, None);
    }
}

#[test]
fn invalid_message_for_scalars() {
    for text in [
        "42",
        "-1.5e3",
        "\"a string\"",
        "\"room/connect\"",
        "true",
        "null",
    ] {
        assert_refused(text, ErrorCode::InvalidMessage, None);
    }
}

/// serde can read a derived struct from a JSON array, by position: arrays must still be refused
/// as `invalid_message`, never read as a partial envelope.
#[test]
fn invalid_message_for_arrays() {
    for text in ["[]", "[1,2]", "[1,2,3,4,5,6]", r#"["room"]"#, "[{}]"] {
        assert_refused(text, ErrorCode::InvalidMessage, None);
    }
}

/// An array in the envelope's field order must not pass as a message (or a relayed signal).
#[test]
fn an_array_is_never_accepted_as_a_message() {
    for text in [
        r#"["room","connect",null,{"room":"r"}]"#,
        r#"["signal","trickle",null,{"room":"r"},{"ice":1}]"#,
    ] {
        assert_refused(text, ErrorCode::InvalidMessage, None);
    }
}

#[test]
fn missing_type() {
    assert_refused(
        r#"{"name":"connect","data":{"room":"r"}}"#,
        ErrorCode::MissingField,
        None,
    );
    assert_refused(
        r#"{"type":null,"name":"connect","data":{"room":"r"}}"#,
        ErrorCode::MissingField,
        None,
    );
    assert_refused("{}", ErrorCode::MissingField, None);
}

#[test]
fn missing_name() {
    assert_refused(
        r#"{"type":"room","data":{"room":"r"}}"#,
        ErrorCode::MissingField,
        None,
    );
    // type signal without name or method is not the SFU join.
    assert_refused(
        r#"{"type":"signal","data":{"room":"r"},"signal":{}}"#,
        ErrorCode::MissingField,
        None,
    );
}

#[test]
fn missing_data() {
    for (text, request) in [
        (r#"{"type":"room","name":"connect"}"#, "room/connect"),
        (r#"{"type":"conference","name":"join"}"#, "conference/join"),
        (
            r#"{"type":"conference","name":"leave"}"#,
            "conference/leave",
        ),
        (
            r#"{"type":"signal","name":"sdp","signal":{}}"#,
            "signal/sdp",
        ),
        (
            r#"{"type":"signal","name":"trickle","signal":{}}"#,
            "signal/trickle",
        ),
        (
            r#"{"type":"room","name":"connect","data":null}"#,
            "room/connect",
        ),
    ] {
        assert_refused(text, ErrorCode::MissingField, Some(request));
    }
}

#[test]
fn missing_room() {
    for (text, request) in [
        (
            r#"{"type":"room","name":"connect","data":{}}"#,
            "room/connect",
        ),
        (
            r#"{"type":"conference","name":"join","data":{"name":"A"}}"#,
            "conference/join",
        ),
        (
            r#"{"type":"conference","name":"leave","data":{"id":"x"}}"#,
            "conference/leave",
        ),
        (
            r#"{"type":"signal","name":"sdp","data":{"to":"t"},"signal":{}}"#,
            "signal/sdp",
        ),
        (
            r#"{"type":"signal","name":"trickle","data":{},"signal":{}}"#,
            "signal/trickle",
        ),
        (
            r#"{"type":"room","name":"connect","data":{"room":null}}"#,
            "room/connect",
        ),
    ] {
        assert_refused(text, ErrorCode::MissingField, Some(request));
    }
}

#[test]
fn missing_name_for_join() {
    assert_refused(
        r#"{"type":"conference","name":"join","data":{"room":"r"}}"#,
        ErrorCode::MissingField,
        Some("conference/join"),
    );
    assert_refused(
        r#"{"type":"conference","name":"join","data":{"room":"r","name":null}}"#,
        ErrorCode::MissingField,
        Some("conference/join"),
    );
}

#[test]
fn missing_to_for_sdp() {
    assert_refused(
        r#"{"type":"signal","name":"sdp","data":{"room":"r"},"signal":{"desc":{}}}"#,
        ErrorCode::MissingField,
        Some("signal/sdp"),
    );
}

#[test]
fn missing_signal() {
    for (text, request) in [
        (
            r#"{"type":"signal","name":"sdp","data":{"room":"r","to":"t"}}"#,
            "signal/sdp",
        ),
        (
            r#"{"type":"signal","name":"trickle","data":{"room":"r"}}"#,
            "signal/trickle",
        ),
        (
            r#"{"type":"signal","name":"trickle","data":{"room":"r"},"signal":null}"#,
            "signal/trickle",
        ),
    ] {
        assert_refused(text, ErrorCode::MissingField, Some(request));
    }
}

#[test]
fn invalid_type_field() {
    for text in [
        r#"{"type":1,"name":"connect","data":{"room":"r"}}"#,
        r#"{"type":{"a":1},"name":"connect","data":{"room":"r"}}"#,
        r#"{"type":["room"],"name":"connect","data":{"room":"r"}}"#,
        r#"{"type":true,"name":"connect","data":{"room":"r"}}"#,
    ] {
        assert_refused(text, ErrorCode::InvalidField, None);
    }
}

#[test]
fn invalid_name_field() {
    for text in [
        r#"{"type":"room","name":7,"data":{"room":"r"}}"#,
        r#"{"type":"room","name":{},"data":{"room":"r"}}"#,
    ] {
        assert_refused(text, ErrorCode::InvalidField, None);
    }
}

#[test]
fn data_not_an_object() {
    for data in ["[]", "[{\"room\":\"r\"}]", "\"r\"", "1", "true"] {
        let text = format!(r#"{{"type":"room","name":"connect","data":{data}}}"#);
        assert_refused(&text, ErrorCode::InvalidField, Some("room/connect"));
    }
}

#[test]
fn room_not_a_string() {
    for room in ["1", "1.5", "true", "[\"r\"]", "{\"r\":1}"] {
        let text = format!(r#"{{"type":"conference","name":"leave","data":{{"room":{room}}}}}"#);
        assert_refused(&text, ErrorCode::InvalidField, Some("conference/leave"));
    }
}

#[test]
fn id_not_a_string() {
    for id in ["1", "12345678901234567890", "{}", "[\"x\"]", "false"] {
        let text = format!(r#"{{"type":"room","name":"connect","data":{{"room":"r","id":{id}}}}}"#);
        assert_refused(&text, ErrorCode::InvalidField, Some("room/connect"));
    }
}

#[test]
fn to_not_a_string() {
    assert_refused(
        r#"{"type":"signal","name":"sdp","data":{"room":"r","to":5},"signal":{}}"#,
        ErrorCode::InvalidField,
        Some("signal/sdp"),
    );
    assert_refused(
        r#"{"type":"signal","name":"trickle","data":{"room":"r","to":["a"]},"signal":{}}"#,
        ErrorCode::InvalidField,
        Some("signal/trickle"),
    );
}

#[test]
fn join_name_not_a_string() {
    assert_refused(
        r#"{"type":"conference","name":"join","data":{"room":"r","name":42}}"#,
        ErrorCode::InvalidField,
        Some("conference/join"),
    );
}

#[test]
fn signal_not_an_object() {
    for signal in ["\"offer\"", "[]", "[{\"desc\":{}}]", "1", "true"] {
        for name in ["sdp", "trickle"] {
            let text = format!(
                r#"{{"type":"signal","name":"{name}","data":{{"room":"r","to":"t"}},"signal":{signal}}}"#
            );
            assert_refused(
                &text,
                ErrorCode::InvalidField,
                Some(&format!("signal/{name}")),
            );
        }
    }
}

#[test]
fn signal_with_whitespace_before_the_object_is_accepted() {
    let signal = signal_command(
        "{\"type\":\"signal\",\"name\":\"trickle\",\"data\":{\"room\":\"r\"},\"signal\":\n\t {\"ice\":1}\n}",
    );
    assert_eq!(signal.signal.get(), "{\"ice\":1}");
}

#[test]
fn join_name_length_is_measured_in_bytes() {
    assert!(parse_message(&join_with("r", &"n".repeat(MAX_DISPLAY_NAME_BYTES))).is_ok());
    assert_refused(
        &join_with("r", &"n".repeat(MAX_DISPLAY_NAME_BYTES + 1)),
        ErrorCode::InvalidField,
        Some("conference/join"),
    );
    // 2-byte characters: 128 are 256 bytes, 129 are 258 bytes (but only 129 chars).
    assert!(parse_message(&join_with("r", &"é".repeat(128))).is_ok());
    assert_refused(
        &join_with("r", &"é".repeat(129)),
        ErrorCode::InvalidField,
        Some("conference/join"),
    );
}

#[test]
fn unknown_message() {
    for (text, request) in [
        (
            r#"{"type":"room","name":"disconnect","data":{"room":"r"}}"#,
            "room/disconnect",
        ),
        (
            r#"{"type":"rooms","name":"connect","data":{"room":"r"}}"#,
            "rooms/connect",
        ),
        (
            r#"{"type":"conference","name":"connect","data":{"room":"r"}}"#,
            "conference/connect",
        ),
        (
            r#"{"type":"room","name":"join","data":{"room":"r"}}"#,
            "room/join",
        ),
        (
            r#"{"type":"signal","name":"offer","data":{"room":"r"}}"#,
            "signal/offer",
        ),
        (
            r#"{"type":"Room","name":"Connect","data":{"room":"r"}}"#,
            "Room/Connect",
        ),
        (r#"{"type":"","name":"","data":{"room":"r"}}"#, "/"),
        // Server-side names are not client messages.
        (
            r#"{"type":"room","name":"connectResponse","data":{"room":"r"}}"#,
            "room/connectResponse",
        ),
        (
            r#"{"type":"system","name":"error","data":{}}"#,
            "system/error",
        ),
        // The pair is checked before data.
        (r#"{"type":"nope","name":"nope"}"#, "nope/nope"),
    ] {
        assert_refused(text, ErrorCode::UnknownMessage, Some(request));
    }
}

#[test]
fn invalid_room_empty() {
    assert_refused(
        &connect_with_room(""),
        ErrorCode::InvalidRoom,
        Some("room/connect"),
    );
    assert_refused(
        r#"{"type":"signal","name":"sdp","data":{"room":"","to":"t"},"signal":{}}"#,
        ErrorCode::InvalidRoom,
        Some("signal/sdp"),
    );
}

#[test]
fn room_of_256_bytes_is_accepted_and_257_refused() {
    let room = "r".repeat(MAX_ROOM_NAME_BYTES);
    match parse_ok(&connect_with_room(&room)).command {
        Command::Connect { room: parsed } => assert_eq!(parsed, room),
        other => panic!("expected Connect, got {other:?}"),
    }
    assert_eq!(MAX_ROOM_NAME_BYTES, 256);
    for text in [
        connect_with_room(&"r".repeat(257)),
        join_with(&"r".repeat(257), "A"),
        json!({"type": "conference", "name": "leave", "data": {"room": "r".repeat(257)}})
            .to_string(),
        json!({"type": "signal", "name": "trickle", "data": {"room": "r".repeat(1000)},
               "signal": {}})
        .to_string(),
    ] {
        let err = parse_err(&text);
        assert_eq!(err.code, ErrorCode::InvalidRoom, "{}", err.message);
        assert!(err.request.is_some());
    }
}

#[test]
fn room_length_is_measured_in_utf8_bytes() {
    // 2-byte "é": 128 = 256 bytes ok; 129 = 258 bytes refused although only 129 chars.
    assert!(parse_message(&connect_with_room(&"é".repeat(128))).is_ok());
    assert_refused(
        &connect_with_room(&"é".repeat(129)),
        ErrorCode::InvalidRoom,
        Some("room/connect"),
    );
    // 4-byte emoji: 64 = 256 bytes ok; 65 = 260 bytes refused.
    assert!(parse_message(&connect_with_room(&"\u{1F600}".repeat(64))).is_ok());
    assert_refused(
        &connect_with_room(&"\u{1F600}".repeat(65)),
        ErrorCode::InvalidRoom,
        Some("room/connect"),
    );
    // 3-byte "€": 85 = 255 bytes + "r" = 256 ok; 86 = 258 refused.
    assert!(parse_message(&connect_with_room(&format!("{}r", "€".repeat(85)))).is_ok());
    assert_refused(
        &connect_with_room(&"€".repeat(86)),
        ErrorCode::InvalidRoom,
        Some("room/connect"),
    );
}

#[test]
fn room_length_is_measured_after_decoding_escapes() {
    // 128 × "\u00e9" is 768 bytes of JSON text but a 256-byte room.
    let escaped = "\\u00e9".repeat(128);
    let text = format!(r#"{{"type":"room","name":"connect","data":{{"room":"{escaped}"}}}}"#);
    match parse_ok(&text).command {
        Command::Connect { room } => assert_eq!(room, "é".repeat(128)),
        other => panic!("expected Connect, got {other:?}"),
    }
    let escaped = "\\u00e9".repeat(129);
    let text = format!(r#"{{"type":"room","name":"connect","data":{{"room":"{escaped}"}}}}"#);
    assert_refused(&text, ErrorCode::InvalidRoom, Some("room/connect"));
}

#[test]
fn unknown_fields_are_ignored() {
    let request = parse_ok(
        r#"{"type":"room","name":"connect","data":{"room":"r","extra":[1]},"extra":{"x":1},"signal":5}"#,
    );
    assert!(matches!(request.command, Command::Connect { .. }));
}

// ---------------------------------------------------------------------------------------------
// Odd inputs: an error (or a parse), never a panic or a stack overflow.
// ---------------------------------------------------------------------------------------------

#[test]
fn deep_nesting_does_not_overflow_the_stack() {
    let depth = 10_000;
    let open_arrays = "[".repeat(depth);
    let balanced_arrays = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    let open_objects = "{\"a\":".repeat(depth);
    let balanced_objects = format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth));

    assert_eq!(parse_err(&open_arrays).code, ErrorCode::InvalidJson);
    assert_eq!(parse_err(&open_objects).code, ErrorCode::InvalidJson);
    assert!(parse_message(&balanced_arrays).is_err());
    assert!(parse_message(&balanced_objects).is_err());
    assert_eq!(
        frame_requests(&open_arrays),
        vec![Err(ErrorCode::InvalidJson)]
    );

    for nested in [&balanced_arrays, &balanced_objects] {
        // Deep inside an ignored envelope field, inside data, as type.
        for text in [
            format!(r#"{{"type":"room","name":"connect","data":{{"room":"r"}},"x":{nested}}}"#),
            format!(r#"{{"type":"room","name":"connect","data":{{"room":"r","x":{nested}}}}}"#),
            format!(r#"{{"type":"room","name":"connect","data":{nested}}}"#),
            format!(r#"{{"type":{nested},"name":"connect","data":{{"room":"r"}}}}"#),
        ] {
            let _ = parse_message(&text);
        }
    }
    for text in [
        format!(r#"{{"type":"room","name":"connect","data":{{"room":"r","x":{open_arrays}"#),
        format!(r#"{{"type":"room","name":"connect","data":{open_objects}"#),
    ] {
        assert_eq!(parse_err(&text).code, ErrorCode::InvalidJson);
    }
}

#[test]
fn deeply_nested_signal_is_relayed_without_overflow() {
    let depth = 10_000;
    let raw = format!("{{\"x\":{}{}}}", "[".repeat(depth), "]".repeat(depth));
    let text =
        format!(r#"{{"type":"signal","name":"trickle","data":{{"room":"r"}},"signal":{raw}}}"#);
    let signal = signal_command(&text);
    assert_eq!(signal.signal.get(), raw);
    let out = render_relayed_signal(&signal, "s");
    assert!(out.contains(&format!("\"signal\":{raw}")));
}

#[test]
fn huge_numbers_do_not_panic() {
    for number in [
        "1e999999",
        "-1e999999",
        "123456789012345678901234567890123456789012345678901234567890",
        "0.000000000000000000000000000000000000000000000000000000000001",
        "1e-999999",
        &"9".repeat(10_000),
    ] {
        for text in [
            format!(r#"{{"type":{number},"name":"connect","data":{{"room":"r"}}}}"#),
            format!(r#"{{"type":"room","name":"connect","data":{{"room":{number}}}}}"#),
            format!(r#"{{"type":"room","name":"connect","data":{{"room":"r","id":{number}}}}}"#),
            format!(r#"{{"type":"room","name":"connect","data":{{"room":"r","n":{number}}}}}"#),
            format!(r#"{{"type":"room","name":"connect","data":{number}}}"#),
            format!(
                r#"{{"type":"signal","name":"trickle","data":{{"room":"r"}},"signal":{{"n":{number}}}}}"#
            ),
            number.to_owned(),
        ] {
            let _ = parse_message(&text);
        }
        assert_refused(
            &format!(r#"{{"type":{number},"name":"connect","data":{{"room":"r"}}}}"#),
            ErrorCode::InvalidField,
            None,
        );
    }
}

#[test]
fn huge_number_in_a_relayed_signal_is_kept_verbatim() {
    let raw = r#"{"n":123456789012345678901234567890e-5}"#;
    let text =
        format!(r#"{{"type":"signal","name":"trickle","data":{{"room":"r"}},"signal":{raw}}}"#);
    let signal = signal_command(&text);
    assert!(render_relayed_signal(&signal, "s").contains(raw));
}

#[test]
fn unicode_escapes_in_type_and_name() {
    let request = parse_ok(
        r#"{"type":"\u0072\u006F\u006f\u006d","name":"con\u006eect","data":{"room":"r"}}"#,
    );
    assert_eq!(request.request, "room/connect");
    assert!(matches!(request.command, Command::Connect { .. }));

    let request =
        parse_ok(r#"{"type":"\u0073ignal","name":"sdp","data":{"room":"r","to":"t"},"signal":{}}"#);
    assert_eq!(request.request, "signal/sdp");

    // The SFU join is recognised through escapes too.
    assert_refused(
        r#"{"type":"sign\u0061l","method":"\u006Aoin"}"#,
        ErrorCode::Unsupported,
        Some("signal/join"),
    );

    // Escapes that decode to something else are unknown messages, reported decoded.
    assert_refused(
        r#"{"type":"room\u0000","name":"connect","data":{"room":"r"}}"#,
        ErrorCode::UnknownMessage,
        Some("room\u{0}/connect"),
    );
    assert_refused(
        r#"{"type":"\u00e9","name":"\ud83d\ude00","data":{"room":"r"}}"#,
        ErrorCode::UnknownMessage,
        Some("é/\u{1F600}"),
    );
}

#[test]
fn broken_unicode_escapes_do_not_panic() {
    for ty in [
        r#""\ud800""#,
        r#""\udc00x""#,
        r#""\u12""#,
        r#""\uZZZZ""#,
        r#""\x""#,
    ] {
        for text in [
            format!(r#"{{"type":{ty},"name":"connect","data":{{"room":"r"}}}}"#),
            format!(r#"{{"type":"room","name":"connect","data":{{"room":{ty}}}}}"#),
            format!(r#"{{"type":"room","name":"connect","data":{{"room":"r","id":{ty}}}}}"#),
        ] {
            assert!(parse_message(&text).is_err(), "{text}");
        }
    }
}

#[test]
fn control_characters_and_odd_whitespace_do_not_panic() {
    for text in [
        "\u{0}",
        "{\"type\":\"room\u{1}\",\"name\":\"connect\",\"data\":{\"room\":\"r\"}}",
        "\u{FEFF}{\"type\":\"room\",\"name\":\"connect\",\"data\":{\"room\":\"r\"}}",
        "\u{a0}{}",
        "\r",
        "\t{}\t",
        "{\"type\":\"room\"\u{0}}",
    ] {
        let _ = parse_message(text);
        let _ = parse_frame(text).count();
    }
}

#[test]
fn duplicate_envelope_keys_are_refused_not_panicking() {
    let err = parse_err(r#"{"type":"room","type":"room","name":"connect","data":{"room":"r"}}"#);
    assert_eq!(err.request, None);
}

#[test]
fn very_long_frame_of_many_messages() {
    let line = connect_with_room("r");
    let frame = vec![line.as_str(); 1_000].join("\n");
    let results: Vec<_> = parse_frame(&frame).collect();
    assert_eq!(results.len(), 1_000);
    assert!(results.iter().all(Result::is_ok));
}

#[test]
fn relayed_signal_kind_reads_what_render_relayed_signal_wrote() {
    for (text, kind) in [
        (
            r#"{"type":"signal","name":"sdp","data":{"room":"r","to":"t"},"signal":{}}"#,
            SignalKind::Sdp,
        ),
        (
            r#"{"type":"signal","name":"trickle","data":{"room":"r"},"signal":{}}"#,
            SignalKind::Trickle,
        ),
    ] {
        let Ok(Request {
            command: Command::Signal(signal),
            ..
        }) = parse_message(text)
        else {
            panic!("{text} is a signal");
        };
        assert_eq!(
            relayed_signal_kind(&render_relayed_signal(&signal, "me")),
            Some(kind)
        );
    }
    assert_eq!(
        relayed_signal_kind(r#"{"type":"signal","name":"sdpx"}"#),
        None
    );
    assert_eq!(relayed_signal_kind("{}"), None);
}
