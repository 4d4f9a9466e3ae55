//! Socket.IO packets, protocol 4 (first input byte even) and 5 (odd), the rest being the text
//! of an Engine.IO message; events are then read as `rooms` dialect commands.
//!
//! Proves that neither `sio::decode` nor `rooms::parse` panics, that decoded events, acks and
//! disconnects encoded by the server's encoders decode to the same namespace, name, ack id and
//! arguments (byte for byte), that a refusal the server encodes decodes to its message, and
//! that a parsed `rooms` command sent again as an event parses to the same command.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::value::RawValue;
use switchboard_protocol::rooms::{self, Command};
use switchboard_protocol::socketio::sio::{
    self, Body, Packet, Version, encode_ack, encode_connect_error, encode_disconnect, encode_event,
};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let version = if selector % 2 == 0 {
        Version::V4
    } else {
        Version::V5
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let refusal = encode_connect_error(version, "/", text);
    match sio::decode(version, &refusal).map(|packet| packet.body) {
        Ok(Body::ConnectError(raw)) => {
            let message = match version {
                Version::V4 => serde_json::from_str::<String>(raw.get()).ok(),
                Version::V5 => serde_json::from_str::<serde_json::Value>(raw.get())
                    .ok()
                    .and_then(|v| v["message"].as_str().map(str::to_owned)),
            };
            assert_eq!(message.as_deref(), Some(text));
        }
        other => panic!("{refusal:?} decoded as {other:?}"),
    }
    if let Ok(packet) = sio::decode(version, text) {
        check_round_trip(version, &packet);
    }
});

fn check_round_trip(version: Version, packet: &Packet) {
    let namespace = packet.namespace.as_str();
    match &packet.body {
        Body::Event(event) => {
            let encoded = encode_event(namespace, event.ack_id, &event.name, &event.args)
                .expect("raw arguments encode");
            let again = decode(version, &encoded);
            assert_eq!(again.namespace, namespace);
            let Body::Event(again) = again.body else {
                panic!("{encoded:?} is no longer an event");
            };
            assert_eq!(again.name, event.name);
            assert_eq!(again.ack_id, event.ack_id);
            assert_eq!(raw(&again.args), raw(&event.args));
            if let Ok(command) = rooms::parse(&event.name, &event.args) {
                check_command(version, &command);
            }
        }
        Body::Ack(ack) => {
            let encoded = encode_ack(namespace, ack.id, &ack.args).expect("raw arguments encode");
            let again = decode(version, &encoded);
            assert_eq!(again.namespace, namespace);
            let Body::Ack(again) = again.body else {
                panic!("{encoded:?} is no longer an ack");
            };
            assert_eq!(again.id, ack.id);
            assert_eq!(raw(&again.args), raw(&ack.args));
        }
        Body::Disconnect => {
            let encoded = encode_disconnect(namespace);
            let again = decode(version, &encoded);
            assert_eq!(again.namespace, namespace);
            assert!(matches!(again.body, Body::Disconnect));
        }
        _ => {}
    }
}

/// Decodes what the server encoded, which must decode.
fn decode(version: Version, encoded: &str) -> Packet {
    sio::decode(version, encoded).unwrap_or_else(|err| panic!("{encoded:?}: {err}"))
}

fn raw(args: &[Box<RawValue>]) -> Vec<&str> {
    args.iter().map(|arg| arg.get()).collect()
}

/// A `rooms` command sent as the client would (arguments re-serialized) parses the same.
fn check_command(version: Version, command: &Command) {
    let encoded = match command {
        Command::Create { room } => encode_event("/", None, "room-create", &(room,)),
        Command::Join { room } => encode_event("/", None, "room-join", &(room,)),
        Command::Leave { room } => encode_event("/", None, "room-leave", &(room,)),
        Command::Signal { room, target, data } => {
            encode_event("/", None, "signal-send", &(room, target, data))
        }
    }
    .expect("string arguments encode");
    let Body::Event(event) = decode(version, &encoded).body else {
        panic!("{encoded:?} is no longer an event");
    };
    let again = rooms::parse(&event.name, &event.args).expect("a re-sent command parses");
    match (command, &again) {
        (Command::Create { room: a }, Command::Create { room: b })
        | (Command::Join { room: a }, Command::Join { room: b })
        | (Command::Leave { room: a }, Command::Leave { room: b }) => assert_eq!(a, b),
        (
            Command::Signal { room, target, data },
            Command::Signal {
                room: room_again,
                target: target_again,
                data: data_again,
            },
        ) => {
            assert_eq!((room, target), (room_again, target_again));
            assert_eq!(data.get(), data_again.get());
        }
        (before, after) => panic!("{before:?} re-parsed as {after:?}"),
    }
}
