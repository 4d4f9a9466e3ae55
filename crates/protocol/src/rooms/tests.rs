use serde_json::value::RawValue;

use super::render;
use super::*;

fn args(json: &str) -> Vec<Box<RawValue>> {
    serde_json::from_str(json).unwrap()
}

#[test]
fn parses_the_four_events() {
    assert!(matches!(
        parse("room-create", &args(r#"["r1"]"#)),
        Ok(Command::Create { room }) if room == "r1"
    ));
    assert!(matches!(
        parse("room-join", &args(r#"["r1"]"#)),
        Ok(Command::Join { room }) if room == "r1"
    ));
    assert!(matches!(
        parse("room-leave", &args(r#"["r1"]"#)),
        Ok(Command::Leave { room }) if room == "r1"
    ));
    match parse(
        "signal-send",
        &args(r#"["r1","abc",{"description":{"type":"offer","sdp":"v=0\r\n"}, "x" : [1, 2.50]}]"#),
    )
    .unwrap()
    {
        Command::Signal { room, target, data } => {
            assert_eq!(room, "r1");
            assert_eq!(target, "abc");
            // Untouched, spacing included.
            assert_eq!(
                data.get(),
                r#"{"description":{"type":"offer","sdp":"v=0\r\n"}, "x" : [1, 2.50]}"#
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn data_may_be_any_json() {
    for data in ["null", "1", "\"s\"", "[]", "true"] {
        let parsed = parse("signal-send", &args(&format!(r#"["r","t",{data}]"#))).unwrap();
        assert!(matches!(parsed, Command::Signal { data: d, .. } if d.get() == data));
    }
}

#[test]
fn refuses_unknown_events_counts_and_types() {
    assert_eq!(
        parse("hello", &args("[]")).unwrap_err().to_string(),
        "unknown event: hello"
    );
    assert_eq!(
        parse("room-create", &args("[]")).unwrap_err(),
        ParseError::ArgumentCount {
            event: "room-create",
            expected: 1,
            got: 0
        }
    );
    assert!(matches!(
        parse("room-join", &args(r#"["a","b"]"#)),
        Err(ParseError::ArgumentCount { got: 2, .. })
    ));
    assert!(matches!(
        parse("signal-send", &args(r#"["a","b"]"#)),
        Err(ParseError::ArgumentCount { expected: 3, .. })
    ));
    for bad in ["1", "null", "{}", "[\"r\"]", "true"] {
        assert!(matches!(
            parse("room-leave", &args(&format!("[{bad}]"))),
            Err(ParseError::NotAString { position: 1, .. })
        ));
    }
    assert!(matches!(
        parse("signal-send", &args(r#"["r",5,{}]"#)),
        Err(ParseError::NotAString {
            position: 2,
            name: "targetId",
            ..
        })
    ));
    assert!(matches!(
        parse("room-create", &args(r#"[""]"#)),
        Err(ParseError::BadLength { .. })
    ));
    let long = "x".repeat(MAX_ROOM_NAME + 1);
    assert!(matches!(
        parse("room-create", &args(&format!(r#"["{long}"]"#))),
        Err(ParseError::BadLength { .. })
    ));
    let longest = "x".repeat(MAX_ROOM_NAME);
    assert!(parse("room-create", &args(&format!(r#"["{longest}"]"#))).is_ok());
    // Escapes count as what they stand for.
    assert!(matches!(
        parse("room-join", &args(r#"["\u00e9t\u00e9"]"#)),
        Ok(Command::Join { room }) if room == "été"
    ));
}

#[test]
fn renders_argument_lists() {
    fn json<T: serde::Serialize>(value: T) -> String {
        serde_json::to_string(&value).unwrap()
    }
    assert_eq!(json(render::room_only("r")), r#"["r"]"#);
    assert_eq!(
        json(render::room_joined("r", "o", &["o", "p"])),
        r#"["r","o",["o","p"]]"#
    );
    assert_eq!(json(render::room_joined("r", "o", &[])), r#"["r","o",[]]"#);
    assert_eq!(json(render::client("r", "p")), r#"["r","p"]"#);
    assert_eq!(json(render::room_left("r", true)), r#"["r",true]"#);
    assert_eq!(json(render::room_left("r", false)), r#"["r",false]"#);
    assert_eq!(json(render::target_not_found("r", "t")), r#"["r","t"]"#);
    assert_eq!(
        json(render::signal_receive("r", "s", r#"{"a" : 1}"#).unwrap()),
        r#"["r","s",{"a" : 1}]"#
    );
    assert!(render::signal_receive("r", "s", "{not json").is_none());
}
