//! Unit tests pinning the `peerjs` dialect to seed 004 and to peerjs-server (the reference
//! implementation): the WebSocket query, every client message of the seed, the relayed payload
//! kept byte for byte, the error texts clients match on, and the exact frames the server sends.

use serde_json::value::RawValue;
use serde_json::{Value, json};

use super::*;

// ---------------------------------------------------------------------------------------------
// The client messages of seed 004, verbatim (indentation included), plus the ones the seed only
// names, written as the `peerjs` client sends them (compact `JSON.stringify` output).
// ---------------------------------------------------------------------------------------------

const SEED_HEARTBEAT: &str = r#"{
    "type":"HEARTBEAT"
}"#;

const SEED_OFFER: &str = r#"{
  "type": "OFFER",
  "payload": {
    "sdp": {
      "type": "offer",
      "sdp": "..."
    },
    "type": "data",
    "connectionId": "dc_mgqsb2hzkbe",
    "label": "dc_mgqsb2hzkbe",
    "reliable": false,
    "serialization": "binary"
  },
  "dst": "6481452f-2c1d-4bf3-91b3-58d3c92080f0"
}"#;

const SEED_CANDIDATE: &str = r#"{
  "type": "CANDIDATE",
  "payload": {
    "candidate": {
      "candidate": "...",
      "sdpMLineIndex": 0,
      "sdpMid": "0",
      "usernameFragment": "..."
    },
    "type": "data",
    "connectionId": "dc_mgqsb2hzkbe"
  },
  "dst": "6481452f-2c1d-4bf3-91b3-58d3c92080f0"
}"#;

const SEED_DST: &str = "6481452f-2c1d-4bf3-91b3-58d3c92080f0";

const ANSWER: &str = r#"{"type":"ANSWER","payload":{"sdp":{"type":"answer","sdp":"v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\n"},"type":"media","connectionId":"mc_0x1f","browser":"firefox"},"dst":"6481452f-2c1d-4bf3-91b3-58d3c92080f0"}"#;

const LEAVE_TO_PEER: &str = r#"{"type":"LEAVE","dst":"6481452f-2c1d-4bf3-91b3-58d3c92080f0"}"#;

const LEAVE_SERVER: &str = r#"{"type":"LEAVE"}"#;

const EXPIRE: &str = r#"{"type":"EXPIRE","dst":"6481452f-2c1d-4bf3-91b3-58d3c92080f0"}"#;

const ALL_RELAY_KINDS: [RelayKind; 5] = [
    RelayKind::Offer,
    RelayKind::Answer,
    RelayKind::Candidate,
    RelayKind::Leave,
    RelayKind::Expire,
];

// ---------------------------------------------------------------------------------------------
// Helpers.
// ---------------------------------------------------------------------------------------------

/// A query that must be accepted.
fn accepted(query: &str) -> ConnectParams {
    parse_connect_query(query)
        .unwrap_or_else(|err| panic!("query {query:?} was refused with {err:?}"))
}

/// A query that must be refused.
fn refused_query(query: &str) -> ConnectError {
    match parse_connect_query(query) {
        Err(err) => err,
        Ok(params) => panic!("query {query:?} was accepted as {params:?}"),
    }
}

/// `key=k&token=t&id=<id>`, the id percent-encoded byte by byte.
fn query_with_id(id: &str) -> String {
    let encoded: String = id.bytes().map(|byte| format!("%{byte:02X}")).collect();
    format!("key=k&token=t&id={encoded}")
}

/// A message that must parse as a relay: kind, dst and the payload's raw text.
fn relay(text: &str) -> (RelayKind, String, Option<String>) {
    match parse_message(text) {
        Ok(ClientMessage::Relay { kind, dst, payload }) => {
            (kind, dst, payload.map(|raw| raw.get().to_owned()))
        }
        other => panic!("expected a relay from {text:?}, got {other:?}"),
    }
}

/// A message that must be refused; returns the ERROR text.
fn refused(text: &str) -> String {
    match parse_message(text) {
        Err(MessageError(message)) => {
            assert!(!message.trim().is_empty(), "empty refusal for {text:?}");
            message
        }
        Ok(message) => panic!("{text:?} was accepted as {message:?}"),
    }
}

/// Asserts that `message` holds every fragment (a refusal must say what is wrong).
#[track_caller]
fn assert_mentions(message: &str, fragments: &[&str]) {
    for fragment in fragments {
        assert!(
            message.contains(fragment),
            "refusal {message:?} does not mention {fragment:?}"
        );
    }
}

/// The exact text of the value of the first `"payload"` member in `text` (an object or array),
/// found by scanning brackets outside strings. Lets tests compare the payload byte for byte
/// with the text the client sent.
fn payload_text(text: &str) -> &str {
    let key = text.find("\"payload\"").expect("no payload key");
    let after_key = &text[key + "\"payload\"".len()..];
    let colon = after_key.find(':').expect("no colon after payload");
    let value = after_key[colon + 1..].trim_start();
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for (at, byte) in value.bytes().enumerate() {
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth -= 1;
                if depth == 0 {
                    return &value[..=at];
                }
            }
            _ => {}
        }
    }
    panic!("unterminated payload in {text:?}")
}

fn value(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|err| panic!("{text:?} is not JSON: {err}"))
}

fn raw(text: &str) -> Box<RawValue> {
    RawValue::from_string(text.to_owned()).expect("valid JSON")
}

/// A tiny deterministic generator for the no-panic sweeps (no dependency needed).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn pick<'a>(&mut self, choices: &[&'a str]) -> &'a str {
        choices[self.next() as usize % choices.len()]
    }
}

// ---------------------------------------------------------------------------------------------
// parse_connect_query: the WebSocket URL `/peerjs?key=<key>&id=<id>&token=<token>`.
// ---------------------------------------------------------------------------------------------

#[test]
fn connect_query_with_key_id_token_and_version() {
    let params =
        accepted("key=peerjs&id=6481452f-2c1d-4bf3-91b3-58d3c92080f0&token=x7k2&version=1.5.4");
    assert_eq!(
        params,
        ConnectParams {
            key: "peerjs".to_owned(),
            id: SEED_DST.to_owned(),
            token: "x7k2".to_owned(),
            version: Some("1.5.4".to_owned()),
        }
    );
}

#[test]
fn connect_query_in_any_order_without_version() {
    let params = accepted("token=t&id=me&key=peerjs");
    assert_eq!(params.key, "peerjs");
    assert_eq!(params.id, "me");
    assert_eq!(params.token, "t");
    assert_eq!(params.version, None);
}

#[test]
fn connect_query_empty_version_is_absent() {
    assert_eq!(accepted("key=k&id=i&token=t&version=").version, None);
    assert_eq!(accepted("key=k&id=i&token=t&version").version, None);
}

#[test]
fn connect_query_missing_or_empty_parameter_is_refused_with_the_peerjs_text() {
    let refusals = [
        "",
        "id=i&token=t",
        "key=k&token=t",
        "key=k&id=i",
        "key=&id=i&token=t",
        "key=k&id=&token=t",
        "key=k&id=i&token=",
        "key&id=i&token=t",
        "key=k&id&token=t",
        "key=k&id=i&token",
        "version=1.5.4",
        "KEY=k&ID=i&TOKEN=t",
    ];
    for query in refusals {
        assert_eq!(
            refused_query(query),
            ConnectError::MissingParameters,
            "query {query:?}"
        );
    }
    // The text clients match on, from peerjs-server's `Errors.INVALID_WS_PARAMETERS`.
    assert_eq!(
        ConnectError::MissingParameters.message(),
        "No id, token, or key supplied to websocket server"
    );
    assert_eq!(
        errors::INVALID_WS_PARAMETERS,
        ConnectError::MissingParameters.message()
    );
}

#[test]
fn connect_query_missing_parameters_is_checked_before_the_id() {
    // peerjs-server refuses missing parameters first; a bad id with no key is "missing".
    assert_eq!(refused_query("id=%00"), ConnectError::MissingParameters);
    let long = "a".repeat(MAX_ID_BYTES + 1);
    assert_eq!(
        refused_query(&format!("key=k&id={long}")),
        ConnectError::MissingParameters
    );
}

#[test]
fn connect_query_percent_and_plus_decoding() {
    let params = accepted("key=pe%65rjs&id=a%20b+c%2Bd&token=%E2%9C%93%26%3D&version=1%2E5");
    assert_eq!(params.key, "peerjs");
    assert_eq!(params.id, "a b c+d");
    assert_eq!(params.token, "✓&=");
    assert_eq!(params.version.as_deref(), Some("1.5"));

    // Lower-case hex, and names are decoded too (as URLSearchParams does).
    let params = accepted("%6Bey=k&i%64=%c3%a9&%74oken=t");
    assert_eq!(params.key, "k");
    assert_eq!(params.id, "é");
    assert_eq!(params.token, "t");

    // '+' in a name is a space, so "id+" is not "id".
    assert_eq!(
        refused_query("key=k&id+=x&token=t"),
        ConnectError::MissingParameters
    );

    // Only the first '=' splits name from value.
    assert_eq!(accepted("key=k&id=a=b=&token=t").id, "a=b=");
}

#[test]
fn connect_query_invalid_escapes_stay_as_written() {
    // WHATWG percent-decoding: a '%' not followed by two hex digits is kept.
    assert_eq!(accepted("key=k&token=t&id=100%").id, "100%");
    assert_eq!(accepted("key=k&token=t&id=%4").id, "%4");
    assert_eq!(accepted("key=k&token=t&id=%zz").id, "%zz");
    assert_eq!(accepted("key=k&token=t&id=%4g").id, "%4g");
    assert_eq!(accepted("key=k&token=t&id=%%41").id, "%A");
    assert_eq!(accepted("key=k&token=t&id=%é").id, "%é");
    assert_eq!(accepted("key=k&token=t&id=%4é").id, "%4é");
}

#[test]
fn connect_query_invalid_utf8_escapes_become_replacement_characters() {
    assert_eq!(accepted("key=k&token=t&id=%ff").id, "\u{FFFD}");
    assert_eq!(accepted("key=k&token=t&id=a%C3").id, "a\u{FFFD}");
    assert_eq!(accepted("key=k&token=t&id=%C3%28").id, "\u{FFFD}(");
    // A UTF-8 encoded surrogate is not UTF-8.
    assert!(
        accepted("key=k&token=t&id=%ED%A0%80")
            .id
            .contains('\u{FFFD}')
    );
}

#[test]
fn connect_query_repeated_parameter_takes_the_last_value_like_peerjs_server() {
    // peerjs-server reads the query with
    // `Object.fromEntries(new URL(req.url, ...).searchParams.entries())`, where a later entry
    // overwrites an earlier one: the LAST value of a repeated parameter wins (not the first,
    // as `URLSearchParams.get` would give, which is what connect.rs's comment assumes).
    let params = accepted("key=k&id=first&token=t&id=second");
    assert_eq!(params.id, "second");
    // So an empty first value followed by a real one is accepted there.
    assert_eq!(accepted("key=&key=k&id=i&token=t").key, "k");
    // ...and a real value followed by an empty one is missing.
    assert_eq!(
        refused_query("key=k&id=i&token=t&token="),
        ConnectError::MissingParameters
    );
}

#[test]
fn connect_query_unknown_parameters_are_ignored() {
    let params = accepted("foo=bar&key=k&x&id=i&=v&token=t&version=2&EXTRA=%ff&id2=j");
    assert_eq!(
        params,
        ConnectParams {
            key: "k".to_owned(),
            id: "i".to_owned(),
            token: "t".to_owned(),
            version: Some("2".to_owned()),
        }
    );
}

#[test]
fn connect_query_empty_pairs_are_skipped() {
    let params = accepted("&&key=k&&&id=i&token=t&");
    assert_eq!(params.id, "i");
}

#[test]
fn connect_query_id_length_limit_is_in_decoded_bytes() {
    assert_eq!(MAX_ID_BYTES, 256);
    let longest = "a".repeat(MAX_ID_BYTES);
    assert_eq!(accepted(&format!("key=k&token=t&id={longest}")).id, longest);
    let too_long = "a".repeat(MAX_ID_BYTES + 1);
    assert_eq!(
        refused_query(&format!("key=k&token=t&id={too_long}")),
        ConnectError::InvalidId
    );

    // Encoded: 256 escapes decode to 256 bytes, so the limit is on the decoded id.
    assert_eq!(accepted(&query_with_id(&longest)).id, longest);
    assert_eq!(
        refused_query(&query_with_id(&too_long)),
        ConnectError::InvalidId
    );

    // Multi-byte characters count in bytes: 128 × "é" is 256 bytes, 129 × "é" is 258.
    let accents = "é".repeat(128);
    assert_eq!(accepted(&query_with_id(&accents)).id, accents);
    assert_eq!(
        refused_query(&query_with_id(&"é".repeat(129))),
        ConnectError::InvalidId
    );
    // 255 bytes plus a 2-byte character crosses the limit.
    let crossing = format!("{}é", "a".repeat(255));
    assert_eq!(
        refused_query(&query_with_id(&crossing)),
        ConnectError::InvalidId
    );
}

#[test]
fn connect_query_id_with_control_characters_is_invalid() {
    for id in [
        "%00",
        "a%00b",
        "%01",
        "%09",
        "%0A",
        "line%0D%0A",
        "%1B[31m",
        "%1F",
        "%7F",
        "%C2%85",
        "%C2%9F",
    ] {
        assert_eq!(
            refused_query(&format!("key=k&token=t&id={id}")),
            ConnectError::InvalidId,
            "id {id:?}"
        );
    }
    // Raw (unencoded) control characters in the query text too.
    assert_eq!(
        refused_query("key=k&token=t&id=a\u{1}b"),
        ConnectError::InvalidId
    );
    assert_eq!(
        refused_query("key=k&token=t&id=a\tb"),
        ConnectError::InvalidId
    );

    // Spaces, '+' (a space), and other printable characters are fine.
    assert_eq!(accepted("key=k&token=t&id=a+b").id, "a b");
    assert_eq!(accepted("key=k&token=t&id=%E2%80%8B").id, "\u{200B}");
    assert_eq!(accepted("key=k&token=t&id=%F0%9F%98%80").id, "😀");

    let message = ConnectError::InvalidId.message();
    assert!(message.contains("id"), "{message:?}");
    assert!(message.contains("256"), "{message:?}");
}

#[test]
fn connect_query_key_and_token_are_not_limited_like_the_id() {
    let long = "k".repeat(10_000);
    let params = accepted(&format!("key={long}&id=i&token=%00{long}"));
    assert_eq!(params.key, long);
    assert_eq!(params.token, format!("\0{long}"));
}

#[test]
fn connect_query_odd_inputs_do_not_panic() {
    for query in [
        "%",
        "%%",
        "%%%",
        "%z",
        "%zz",
        "=",
        "==",
        "&",
        "&&",
        "&=&",
        "=&=",
        "%ff",
        "%FF%FE",
        "+",
        "++=++",
        "%2",
        "%%2",
        "key",
        "key=",
        "?key=k&id=i&token=t",
        "#",
        "%00=%00",
    ] {
        let result = parse_connect_query(query);
        if let Ok(params) = result {
            panic!("odd query {query:?} accepted as {params:?}");
        }
    }
    // A query with a leading '?' is not stripped: the name is "?key".
    assert_eq!(
        refused_query("?key=k&id=i&token=t"),
        ConnectError::MissingParameters
    );
    // But these odd ones are complete and valid.
    let params = accepted("key=%&id=%zz&token=%ff");
    assert_eq!((params.key.as_str(), params.id.as_str()), ("%", "%zz"));
    assert_eq!(params.token, "\u{FFFD}");
}

#[test]
fn connect_query_sweep_never_panics_and_accepted_ids_are_valid() {
    let pieces = [
        "key", "id", "token", "version", "=", "&", "%", "%4", "%41", "%ff", "%C3", "%A9", "%00",
        "%7f", "+", "a", "é", "\u{1}", "zz", "%2B", "%26", "%3D", "%%",
    ];
    let mut rng = Lcg(0x5eed_0004);
    for _ in 0..20_000 {
        let length = rng.next() % 24;
        let query: String = (0..length).map(|_| rng.pick(&pieces)).collect();
        if let Ok(params) = parse_connect_query(&query) {
            assert!(!params.key.is_empty(), "{query:?}");
            assert!(!params.token.is_empty(), "{query:?}");
            assert!(!params.id.is_empty(), "{query:?}");
            assert!(params.id.len() <= MAX_ID_BYTES, "{query:?}");
            assert!(!params.id.chars().any(char::is_control), "{query:?}");
            assert_ne!(params.version.as_deref(), Some(""), "{query:?}");
        }
    }
}

#[test]
fn connect_query_huge_input_does_not_panic() {
    let huge = "%".repeat(1 << 20);
    assert!(parse_connect_query(&huge).is_err());
    let huge_id = format!("key=k&token=t&id={}", "%41".repeat(1 << 18));
    assert_eq!(refused_query(&huge_id), ConnectError::InvalidId);
    let many_pairs = "a=b&".repeat(1 << 18) + "key=k&id=i&token=t";
    assert_eq!(accepted(&many_pairs).id, "i");
}

// ---------------------------------------------------------------------------------------------
// parse_message: every client message of the seed.
// ---------------------------------------------------------------------------------------------

#[test]
fn seed_heartbeat() {
    assert!(matches!(
        parse_message(SEED_HEARTBEAT),
        Ok(ClientMessage::Heartbeat)
    ));
    assert!(matches!(
        parse_message(r#"{"type":"HEARTBEAT"}"#),
        Ok(ClientMessage::Heartbeat)
    ));
    // Other members of a HEARTBEAT are irrelevant, whatever their shape.
    assert!(matches!(
        parse_message(r#"{"type":"HEARTBEAT","dst":5,"payload":"x","src":[]}"#),
        Ok(ClientMessage::Heartbeat)
    ));
}

#[test]
fn seed_offer_keeps_the_payload_byte_for_byte() {
    let (kind, dst, payload) = relay(SEED_OFFER);
    assert_eq!(kind, RelayKind::Offer);
    assert_eq!(dst, SEED_DST);
    let payload = payload.expect("OFFER payload");
    assert_eq!(payload, payload_text(SEED_OFFER));
    assert!(payload.starts_with("{\n    \"sdp\": {\n      \"type\": \"offer\""));
    assert!(payload.ends_with("\"serialization\": \"binary\"\n  }"));
    assert_eq!(
        value(&payload),
        json!({
            "sdp": {"type": "offer", "sdp": "..."},
            "type": "data",
            "connectionId": "dc_mgqsb2hzkbe",
            "label": "dc_mgqsb2hzkbe",
            "reliable": false,
            "serialization": "binary"
        })
    );
}

#[test]
fn seed_candidate_keeps_the_payload_byte_for_byte() {
    let (kind, dst, payload) = relay(SEED_CANDIDATE);
    assert_eq!(kind, RelayKind::Candidate);
    assert_eq!(dst, SEED_DST);
    let payload = payload.expect("CANDIDATE payload");
    assert_eq!(payload, payload_text(SEED_CANDIDATE));
    assert_eq!(
        value(&payload),
        json!({
            "candidate": {
                "candidate": "...",
                "sdpMLineIndex": 0,
                "sdpMid": "0",
                "usernameFragment": "..."
            },
            "type": "data",
            "connectionId": "dc_mgqsb2hzkbe"
        })
    );
}

#[test]
fn answer_keeps_the_payload_byte_for_byte() {
    let (kind, dst, payload) = relay(ANSWER);
    assert_eq!(kind, RelayKind::Answer);
    assert_eq!(dst, SEED_DST);
    let payload = payload.expect("ANSWER payload");
    assert_eq!(payload, payload_text(ANSWER));
    // The escapes of the SDP are not decoded and re-encoded.
    assert!(payload.contains(r#""v=0\r\no=- 4611731400430051336"#));
}

#[test]
fn leave_with_dst_is_relayed() {
    assert_eq!(
        relay(LEAVE_TO_PEER),
        (RelayKind::Leave, SEED_DST.to_owned(), None)
    );
    // A LEAVE may carry a payload; it goes along untouched.
    let text = r#"{"type":"LEAVE","dst":"p","payload":{ "why" : "bye" }}"#;
    assert_eq!(
        relay(text),
        (
            RelayKind::Leave,
            "p".to_owned(),
            Some(r#"{ "why" : "bye" }"#.to_owned())
        )
    );
}

#[test]
fn leave_without_dst_leaves_the_server() {
    for text in [
        LEAVE_SERVER,
        r#"{"type":"LEAVE","dst":null}"#,
        r#"{"type":"LEAVE","payload":{"a":1}}"#,
        r#"{"dst":null,"type":"LEAVE"}"#,
    ] {
        assert!(
            matches!(parse_message(text), Ok(ClientMessage::LeaveServer)),
            "{text:?} -> {:?}",
            parse_message(text)
        );
    }
}

#[test]
fn expire_from_a_client_is_relayed() {
    assert_eq!(
        relay(EXPIRE),
        (RelayKind::Expire, SEED_DST.to_owned(), None)
    );
}

#[test]
fn relay_kinds_names_and_queueing() {
    let names: Vec<&str> = ALL_RELAY_KINDS.iter().map(|kind| kind.as_str()).collect();
    assert_eq!(names, ["OFFER", "ANSWER", "CANDIDATE", "LEAVE", "EXPIRE"]);
    // peerjs-server queues everything but LEAVE and EXPIRE for an absent peer.
    let queued: Vec<bool> = ALL_RELAY_KINDS
        .iter()
        .map(|kind| kind.is_queued())
        .collect();
    assert_eq!(queued, [true, true, true, false, false]);
}

#[test]
fn every_relay_kind_parses_with_an_object_payload() {
    for kind in ALL_RELAY_KINDS {
        let text = format!(
            r#"{{"type":"{}","dst":"peer","payload":{{"k":[1,2.50,"\u00e9"]}}}}"#,
            kind.as_str()
        );
        assert_eq!(
            relay(&text),
            (
                kind,
                "peer".to_owned(),
                Some(r#"{"k":[1,2.50,"\u00e9"]}"#.to_owned())
            ),
            "{text}"
        );
    }
}

#[test]
fn client_src_is_ignored_and_member_order_does_not_matter() {
    let text =
        r#"{"src":"spoofed","payload":{"a":1},"dst":"peer","type":"OFFER","extra":[1,{"b":null}]}"#;
    assert_eq!(
        relay(text),
        (
            RelayKind::Offer,
            "peer".to_owned(),
            Some(r#"{"a":1}"#.to_owned())
        )
    );
}

#[test]
fn payload_whitespace_and_formatting_are_kept() {
    let payload = "{ \"sdp\" :\t\"a\\u0041\\/b\" ,\r\n \"n\": 1.0e3 , \"big\": 123456789012345678901234567890, \"z\":-0 }";
    let text =
        format!("{{ \"type\" : \"OFFER\" ,\n \"payload\" :\n\t {payload} \n, \"dst\" : \"p\" }}\n");
    let (_, _, parsed) = relay(&text);
    assert_eq!(parsed.as_deref(), Some(payload));
}

#[test]
fn escaped_type_and_dst_are_decoded() {
    let (kind, dst, _) =
        relay(r#"{"type":"OFF\u0045R","dst":"\ud83d\ude00 a\"b\\c","payload":{}}"#);
    assert_eq!(kind, RelayKind::Offer);
    assert_eq!(dst, "😀 a\"b\\c");
    assert!(matches!(
        parse_message(r#"{"typ\u0065":"HEARTBEAT"}"#),
        Ok(ClientMessage::Heartbeat)
    ));
}

#[test]
fn empty_payload_object_is_a_payload() {
    assert_eq!(
        relay(r#"{"type":"OFFER","dst":"p","payload":{}}"#),
        (RelayKind::Offer, "p".to_owned(), Some("{}".to_owned()))
    );
}

#[test]
fn null_payload_is_absent() {
    assert_eq!(
        relay(r#"{"type":"LEAVE","dst":"p","payload":null}"#),
        (RelayKind::Leave, "p".to_owned(), None)
    );
    let message = refused(r#"{"type":"OFFER","dst":"p","payload":null}"#);
    assert_mentions(&message, &["OFFER", "payload"]);
}

// ---------------------------------------------------------------------------------------------
// parse_message: unknown types and refusals.
// ---------------------------------------------------------------------------------------------

#[test]
fn unknown_types_are_unknown_not_errors() {
    for (text, expected) in [
        (r#"{"type":"PING"}"#, "PING"),
        (r#"{"type":"offer","dst":"p","payload":{}}"#, "offer"),
        (r#"{"type":"OPEN"}"#, "OPEN"),
        (r#"{"type":"ID-TAKEN"}"#, "ID-TAKEN"),
        (r#"{"type":"ERROR","payload":{"msg":"x"}}"#, "ERROR"),
        (r#"{"type":""}"#, ""),
        (r#"{"type":" OFFER"}"#, " OFFER"),
        // An unknown type is dropped before its other members are looked at.
        (r#"{"type":"FUTURE","dst":5,"payload":"text"}"#, "FUTURE"),
        (r#"{"type":"\u00e9"}"#, "é"),
    ] {
        match parse_message(text) {
            Ok(ClientMessage::Unknown { kind }) => assert_eq!(kind, expected, "{text}"),
            other => panic!("{text:?} -> {other:?}, expected Unknown"),
        }
    }
}

#[test]
fn invalid_json_is_refused_with_the_parser_position() {
    for text in [
        "",
        " ",
        "not json",
        "{",
        "{\"type\":\"OFFER\",",
        "{\"type\":\"HEARTBEAT\"",
        "{type:\"HEARTBEAT\"}",
        "{'type':'HEARTBEAT'}",
        "{\"type\":\"HEARTBEAT\",}",
        "{\"type\":\"HEARTBEAT\"} trailing",
        "{\"type\":\"HEARTBEAT\"}{\"type\":\"HEARTBEAT\"}",
        "{\"type\":\"HEARTBEAT\"}\n{\"type\":\"HEARTBEAT\"}",
        "{\"type\":\"OFFER\",\"dst\":\"p\",\"payload\":{\"a\":}}",
        "{\"type\":\"OFFER\",\"dst\":\"p\",\"payload\":{\"a\":1}",
        "\u{feff}{\"type\":\"HEARTBEAT\"}",
        "[1,",
        "nul",
    ] {
        let message = refused(text);
        assert!(message.starts_with("Invalid"), "{text:?} -> {message:?}");
        assert_mentions(&message, &["line ", "column "]);
    }
}

#[test]
fn trailing_and_leading_json_whitespace_is_fine() {
    assert!(matches!(
        parse_message(" \t\r\n{\"type\":\"HEARTBEAT\"} \n"),
        Ok(ClientMessage::Heartbeat)
    ));
}

#[test]
fn arrays_and_scalars_are_refused_as_not_objects() {
    for text in [
        "[]",
        r#"["OFFER","peer",{}]"#,
        r#"["HEARTBEAT"]"#,
        " [\"LEAVE\"]",
        "42",
        "-1.5e3",
        r#""HEARTBEAT""#,
        "null",
        "true",
        "false",
    ] {
        let message = refused(text);
        assert_mentions(&message, &["object"]);
    }
}

#[test]
fn missing_type_is_refused() {
    for text in [
        "{}",
        r#"{"dst":"p","payload":{}}"#,
        r#"{"type":null}"#,
        r#"{"Type":"OFFER"}"#,
    ] {
        let message = refused(text);
        assert_mentions(&message, &["type"]);
    }
}

#[test]
fn non_string_type_is_refused() {
    for text in [
        r#"{"type":1}"#,
        r#"{"type":true}"#,
        r#"{"type":["OFFER"]}"#,
        r#"{"type":{"name":"OFFER"}}"#,
        r#"{"type":"\ud800"}"#,
    ] {
        let message = refused(text);
        assert_mentions(&message, &["type", "string"]);
    }
}

#[test]
fn duplicate_members_do_not_panic() {
    // JSON.parse would keep the last one; refusing is acceptable, panicking is not.
    for text in [
        r#"{"type":"OFFER","type":"ANSWER","dst":"p","payload":{}}"#,
        r#"{"type":"OFFER","dst":"a","dst":"b","payload":{}}"#,
        r#"{"type":"OFFER","dst":"p","payload":{},"payload":{}}"#,
    ] {
        if let Err(MessageError(message)) = parse_message(text) {
            assert!(!message.is_empty());
        }
    }
}

#[test]
fn non_string_dst_is_refused_for_every_relay_kind() {
    for kind in ALL_RELAY_KINDS {
        for dst in ["1", "true", "[\"p\"]", "{\"id\":\"p\"}", "\"\\ud800\""] {
            let text = format!(
                r#"{{"type":"{}","dst":{dst},"payload":{{}}}}"#,
                kind.as_str()
            );
            let message = refused(&text);
            assert_mentions(&message, &[kind.as_str(), "dst", "string"]);
        }
    }
}

#[test]
fn non_object_payload_is_refused_for_every_relay_kind() {
    for kind in ALL_RELAY_KINDS {
        for payload in ["\"text\"", "1", "true", "false", "[]", "[{\"a\":1}]", "-0"] {
            let text = format!(
                r#"{{"type":"{}","dst":"p","payload":{payload}}}"#,
                kind.as_str()
            );
            let message = refused(&text);
            assert_mentions(&message, &[kind.as_str(), "payload", "object"]);
        }
    }
}

#[test]
fn offer_answer_candidate_without_payload_are_refused() {
    for kind in [RelayKind::Offer, RelayKind::Answer, RelayKind::Candidate] {
        let text = format!(r#"{{"type":"{}","dst":"p"}}"#, kind.as_str());
        let message = refused(&text);
        assert_mentions(&message, &[kind.as_str(), "payload"]);
    }
}

#[test]
fn relay_without_dst_is_refused() {
    for kind in [
        RelayKind::Offer,
        RelayKind::Answer,
        RelayKind::Candidate,
        RelayKind::Expire,
    ] {
        for text in [
            format!(r#"{{"type":"{}","payload":{{}}}}"#, kind.as_str()),
            format!(
                r#"{{"type":"{}","dst":null,"payload":{{}}}}"#,
                kind.as_str()
            ),
            format!(r#"{{"type":"{}"}}"#, kind.as_str()),
        ] {
            let message = refused(&text);
            assert_mentions(&message, &[kind.as_str(), "dst"]);
        }
    }
}

#[test]
fn leave_with_empty_dst_leaves_the_server_like_peerjs_server() {
    // peerjs-server tests `dst` for truthiness: `type === LEAVE && !dstId` removes the sender,
    // and no peer can hold the empty id (the connect query refuses it). So a LEAVE with
    // `"dst":""` gives up the id there; relaying it to "" (nobody) leaves the sender registered.
    let text = r#"{"type":"LEAVE","dst":""}"#;
    assert!(
        matches!(parse_message(text), Ok(ClientMessage::LeaveServer)),
        "{text} -> {:?}",
        parse_message(text)
    );
}

#[test]
fn relay_with_empty_dst_is_refused() {
    // peerjs-server only queues `&& dstId`, so OFFER/ANSWER/CANDIDATE to "" are dropped there
    // (and EXPIRE to an absent peer is ignored). Accepting them would queue messages for an id
    // nobody can hold, and later send the sender an EXPIRE with `"src":""`.
    for kind in [
        RelayKind::Offer,
        RelayKind::Answer,
        RelayKind::Candidate,
        RelayKind::Expire,
    ] {
        let text = format!(r#"{{"type":"{}","dst":"","payload":{{}}}}"#, kind.as_str());
        let message = refused(&text);
        assert_mentions(&message, &[kind.as_str(), "dst"]);
    }
}

// ---------------------------------------------------------------------------------------------
// Rendering: exactly the frames of peerjs-server.
// ---------------------------------------------------------------------------------------------

#[test]
fn open_frame() {
    // `JSON.stringify({ type: MessageType.OPEN })`
    assert_eq!(render_open(), r#"{"type":"OPEN"}"#);
    assert_eq!(value(&render_open()), json!({"type": "OPEN"}));
}

#[test]
fn id_taken_frame() {
    // `JSON.stringify({ type: MessageType.ID_TAKEN, payload: { msg: "ID is taken" } })`
    assert_eq!(
        render_id_taken(),
        r#"{"type":"ID-TAKEN","payload":{"msg":"ID is taken"}}"#
    );
    assert_eq!(
        value(&render_id_taken()),
        json!({"type": "ID-TAKEN", "payload": {"msg": "ID is taken"}})
    );
}

#[test]
fn error_frames_with_the_peerjs_texts() {
    // `JSON.stringify({ type: MessageType.ERROR, payload: { msg } })`, texts from `Errors`.
    for (message, expected) in [
        (
            errors::INVALID_WS_PARAMETERS,
            r#"{"type":"ERROR","payload":{"msg":"No id, token, or key supplied to websocket server"}}"#,
        ),
        (
            errors::INVALID_KEY,
            r#"{"type":"ERROR","payload":{"msg":"Invalid key provided"}}"#,
        ),
        (
            errors::CONNECTION_LIMIT_EXCEED,
            r#"{"type":"ERROR","payload":{"msg":"Server has reached its concurrent user limit"}}"#,
        ),
    ] {
        assert_eq!(render_error(message), expected);
        assert_eq!(
            value(&render_error(message)),
            json!({"type": "ERROR", "payload": {"msg": message}})
        );
    }
    assert_eq!(
        render_error(ConnectError::MissingParameters.message()),
        render_error(errors::INVALID_WS_PARAMETERS)
    );
}

#[test]
fn error_frame_escapes_any_text() {
    for message in [
        "",
        "quote \" backslash \\ slash /",
        "line\nbreak\r\ttab\u{0}nul\u{1f}",
        "Invalid OFFER: payload must be an object",
        "é 😀 \u{2028}\u{FFFD}",
    ] {
        let frame = render_error(message);
        assert_eq!(
            value(&frame),
            json!({"type": "ERROR", "payload": {"msg": message}})
        );
        assert!(!frame.contains('\n'), "one line per frame: {frame:?}");
    }
}

#[test]
fn error_frame_from_a_parse_refusal_is_valid_json() {
    let message = refused("{\"type\":\"OFFER\",\"dst\":\"p\",\"payload\":\"\\\"x\"}");
    assert_eq!(
        value(&render_error(&message)),
        json!({"type": "ERROR", "payload": {"msg": message}})
    );
}

#[test]
fn expire_frame_has_no_payload() {
    // messagesExpire: `{ type: EXPIRE, src: message.dst, dst: message.src }`, relayed as
    // `JSON.stringify({type, src, dst, payload: undefined})`, which drops `payload`.
    let frame = render_expire("unreachable-peer", "sender");
    assert_eq!(
        value(&frame),
        json!({"type": "EXPIRE", "src": "unreachable-peer", "dst": "sender"})
    );
    assert_eq!(
        frame,
        r#"{"type":"EXPIRE","src":"unreachable-peer","dst":"sender"}"#
    );
    assert!(!frame.contains("payload"));
}

#[test]
fn relay_frame_with_payload() {
    let payload = raw(r#"{"sdp":{"type":"offer","sdp":"v=0\r\n"},"type":"data"}"#);
    let frame = render_relay("OFFER", "me", "you", Some(&payload));
    assert_eq!(
        value(&frame),
        json!({
            "type": "OFFER",
            "src": "me",
            "dst": "you",
            "payload": {"sdp": {"type": "offer", "sdp": "v=0\r\n"}, "type": "data"}
        })
    );
    assert!(frame.contains(payload.get()), "{frame}");
    // The field order of `JSON.stringify({type, src, dst, payload})`.
    assert_eq!(
        frame,
        format!(
            r#"{{"type":"OFFER","src":"me","dst":"you","payload":{}}}"#,
            payload.get()
        )
    );
}

#[test]
fn relay_frame_without_payload_has_no_payload_key() {
    let frame = render_relay("LEAVE", "me", "you", None);
    assert_eq!(
        value(&frame),
        json!({"type": "LEAVE", "src": "me", "dst": "you"})
    );
    assert!(!frame.contains("payload"));
}

#[test]
fn relay_frame_escapes_ids() {
    let (src, dst) = ("a\"b\\c\n", "😀\u{0}\u{7f}");
    let frame = render_relay("ANSWER", src, dst, Some(&raw("{}")));
    assert_eq!(
        value(&frame),
        json!({"type": "ANSWER", "src": src, "dst": dst, "payload": {}})
    );
}

#[test]
fn seed_messages_relay_end_to_end_with_the_payload_untouched() {
    for text in [SEED_OFFER, SEED_CANDIDATE, ANSWER] {
        let Ok(ClientMessage::Relay { kind, dst, payload }) = parse_message(text) else {
            panic!("{text:?} is not a relay");
        };
        let frame = render_relay(kind.as_str(), "sender-id", &dst, payload.as_deref());
        let original = value(text);
        assert_eq!(
            value(&frame),
            json!({
                "type": original["type"],
                "src": "sender-id",
                "dst": SEED_DST,
                "payload": original["payload"],
            })
        );
        // Byte for byte: the payload text of the client is inside the frame as it came.
        assert!(frame.contains(payload_text(text)), "{frame}");
    }
}

#[test]
fn relay_overwrites_a_client_src() {
    let text = r#"{"type":"CANDIDATE","src":"spoofed","dst":"p","payload":{"candidate":{}}}"#;
    let Ok(ClientMessage::Relay { kind, dst, payload }) = parse_message(text) else {
        panic!("not a relay");
    };
    let frame = render_relay(kind.as_str(), "real-sender", &dst, payload.as_deref());
    assert_eq!(value(&frame)["src"], "real-sender");
    assert!(!frame.contains("spoofed"));
}

// ---------------------------------------------------------------------------------------------
// No panics: deep nesting, huge strings, unicode escapes, random junk.
// ---------------------------------------------------------------------------------------------

#[test]
fn deep_nesting_in_the_payload_is_relayed_untouched() {
    // JSON.parse in peerjs-server takes this; the payload is skipped over, not built, so no
    // recursion limit applies and the stack must survive.
    let depth = 100_000;
    let payload = format!("{{\"a\":{}{}}}", "[".repeat(depth), "]".repeat(depth));
    let text = format!(r#"{{"type":"OFFER","dst":"p","payload":{payload}}}"#);
    let (kind, dst, parsed) = relay(&text);
    assert_eq!((kind, dst.as_str()), (RelayKind::Offer, "p"));
    let parsed = parsed.expect("payload");
    assert_eq!(parsed, payload);
    let frame = render_relay("OFFER", "s", "p", Some(&raw(&parsed)));
    assert!(frame.contains(&payload));
}

#[test]
fn deep_nesting_elsewhere_does_not_panic() {
    let depth = 100_000;
    let arrays = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    let objects = format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth));
    let unclosed = "[".repeat(depth);
    let unclosed_objects = "{\"a\":".repeat(depth);
    for text in [
        arrays.clone(),
        objects.clone(),
        unclosed.clone(),
        unclosed_objects,
        format!(r#"{{"type":"HEARTBEAT","x":{arrays}}}"#),
        format!(r#"{{"type":{arrays}}}"#),
        format!(r#"{{"type":"OFFER","dst":{objects},"payload":{{}}}}"#),
        format!(r#"{{"type":"OFFER","dst":"p","payload":{objects}}}"#),
        format!(r#"{{"type":"OFFER","dst":"p","payload":{{"a":{unclosed}}}}}"#),
    ] {
        let _ = parse_message(&text);
    }
    assert!(parse_message(&arrays).is_err());
    assert!(parse_message(&objects).is_err());
}

#[test]
fn huge_strings_do_not_panic() {
    let big = "x".repeat(16 << 20);
    let text = format!(r#"{{"type":"OFFER","dst":"{big}","payload":{{"sdp":"{big}"}}}}"#);
    let (kind, dst, payload) = relay(&text);
    assert_eq!(kind, RelayKind::Offer);
    assert_eq!(dst.len(), big.len());
    let payload = payload.expect("payload");
    assert_eq!(payload.len(), big.len() + r#"{"sdp":""}"#.len());

    let frame = render_relay("OFFER", "s", &dst, Some(&raw(&payload)));
    assert!(frame.len() > 2 * big.len());

    let huge_type = format!(r#"{{"type":"{big}"}}"#);
    assert!(matches!(
        parse_message(&huge_type),
        Ok(ClientMessage::Unknown { kind }) if kind.len() == big.len()
    ));
    let frame = render_error(&big);
    assert_eq!(frame.len(), big.len() + render_error("").len());
}

#[test]
fn unicode_escapes_in_the_payload_are_kept_as_written() {
    // JSON.parse accepts lone surrogates and peerjs-server relays them; here the payload is
    // never decoded, so every escape goes through as the client wrote it.
    for payload in [
        r#"{"s":"\u00e9\u20AC\uD83D\uDE00"}"#,
        r#"{"s":"\ud800"}"#,
        r#"{"s":"\udc00\ud800"}"#,
        r#"{"s":"\u0000\u001f"}"#,
        r#"{"\u0070ayload":"key escaped"}"#,
        "{\"s\":\"raw é 😀 \u{2028}\"}",
    ] {
        let text = format!(r#"{{"type":"CANDIDATE","dst":"p","payload":{payload}}}"#);
        let (kind, _, parsed) = relay(&text);
        assert_eq!(kind, RelayKind::Candidate);
        assert_eq!(parsed.as_deref(), Some(payload), "{text}");
        let frame = render_relay("CANDIDATE", "s", "p", Some(&raw(payload)));
        assert!(frame.contains(payload), "{frame}");
    }
}

#[test]
fn bad_unicode_escapes_are_refused_without_panic() {
    for text in [
        r#"{"type":"OFFER","dst":"\u12","payload":{}}"#,
        r#"{"type":"OFFER","dst":"\uZZZZ","payload":{}}"#,
        r#"{"type":"OFFER","dst":"p","payload":{"s":"\u12"}}"#,
        r#"{"type":"OFFER","dst":"p","payload":{"s":"\x41"}}"#,
        "{\"type\":\"OFFER\",\"dst\":\"p\",\"payload\":{\"s\":\"raw\ncontrol\"}}",
        r#"{"type":"\u"}"#,
    ] {
        refused(text);
    }
}

#[test]
fn message_sweep_never_panics_and_relays_render_valid_json() {
    let pieces = [
        "{",
        "}",
        "[",
        "]",
        ":",
        ",",
        " ",
        "\"",
        "\\",
        "\"type\"",
        "\"dst\"",
        "\"payload\"",
        "\"src\"",
        "\"OFFER\"",
        "\"ANSWER\"",
        "\"CANDIDATE\"",
        "\"LEAVE\"",
        "\"EXPIRE\"",
        "\"HEARTBEAT\"",
        "\"p\"",
        "\"\"",
        "null",
        "true",
        "1",
        "-2.5e3",
        "\\u00e9",
        "\\ud800",
        "é",
        "\n",
    ];
    let mut rng = Lcg(0x5eed_0400);
    let mut relays = 0;
    for _ in 0..50_000 {
        let length = 1 + rng.next() % 16;
        let mut text: String = (0..length).map(|_| rng.pick(&pieces)).collect();
        if rng.next().is_multiple_of(2) {
            // Bias towards well-formed envelopes so the relay path is exercised.
            text = format!(
                "{{\"type\":{},\"dst\":{},\"payload\":{}}}",
                rng.pick(&pieces[13..20]),
                rng.pick(&["\"p\"", "null", "1", "\"\""]),
                rng.pick(&[
                    "{}",
                    "{\"a\":[1,{\"b\":\"\\u00e9\"}]}",
                    "null",
                    "[]",
                    "\"s\"",
                    &text
                ])
            );
        }
        if let Ok(ClientMessage::Relay { kind, dst, payload }) = parse_message(&text) {
            relays += 1;
            let frame = render_relay(kind.as_str(), "s", &dst, payload.as_deref());
            let rendered = value(&frame);
            assert_eq!(rendered["type"], kind.as_str(), "{text:?}");
            assert_eq!(rendered["dst"], dst.as_str(), "{text:?}");
            if let Some(payload) = payload {
                assert!(payload.get().starts_with('{'), "{text:?}");
                assert!(frame.contains(payload.get()), "{text:?}");
            }
        }
    }
    assert!(
        relays > 1_000,
        "the sweep reached the relay path only {relays} times"
    );
}
