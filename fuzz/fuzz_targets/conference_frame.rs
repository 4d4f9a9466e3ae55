//! `conference` dialect: any text frame, split by `parse_frame` and each message parsed.
//!
//! Proves that no frame panics the parser, that every error renders as a valid
//! `system/error` frame, and that what parses survives the server's own rendering: a relayed
//! signal re-parses as the same signal (kind, room, `to`, `signal` byte for byte) with the
//! sender's id, and connect/join/leave rebuilt as JSON re-parse as the same command.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};
use switchboard_protocol::conference::{
    Command, Request, ServerMessage, parse_frame, parse_message, relayed_signal_kind, render,
    render_relayed_signal,
};

fuzz_target!(|data: &[u8]| {
    let Ok(frame) = std::str::from_utf8(data) else {
        return;
    };
    for parsed in parse_frame(frame) {
        match parsed {
            Ok(request) => check_round_trip(&request),
            Err(err) => {
                let rendered = render(&ServerMessage::Error(&err));
                serde_json::from_str::<Value>(&rendered).expect("error frames are JSON");
            }
        }
    }
});

fn check_round_trip(request: &Request) {
    let rebuilt = match &request.command {
        Command::Signal(signal) => {
            let frame = render_relayed_signal(signal, "sender");
            assert_eq!(relayed_signal_kind(&frame), Some(signal.kind));
            let again = parse_message(&frame).expect("a relayed signal re-parses");
            assert_eq!(again.claimed_id.as_deref(), Some("sender"));
            let Command::Signal(again) = again.command else {
                panic!("a relayed signal re-parses as another command: {frame}");
            };
            assert_eq!(again.kind, signal.kind);
            assert_eq!(again.room, signal.room);
            assert_eq!(again.to, signal.to);
            assert_eq!(again.signal.get(), signal.signal.get());
            return;
        }
        Command::Connect { room } => {
            json!({"type": "room", "name": "connect", "data": {"room": room}})
        }
        Command::Join { room, name } => {
            json!({"type": "conference", "name": "join", "data": {"room": room, "name": name}})
        }
        Command::Leave { room } => {
            json!({"type": "conference", "name": "leave", "data": {"room": room}})
        }
    };
    let again = parse_message(&rebuilt.to_string()).expect("a rebuilt command re-parses");
    match (&request.command, &again.command) {
        (Command::Connect { room: a }, Command::Connect { room: b })
        | (Command::Leave { room: a }, Command::Leave { room: b }) => assert_eq!(a, b),
        (Command::Join { room: a, name: x }, Command::Join { room: b, name: y }) => {
            assert_eq!((a, x), (b, y))
        }
        (before, after) => panic!("{before:?} re-parsed as {after:?}"),
    }
}
