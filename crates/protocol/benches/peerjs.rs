//! Criterion benches of the `peerjs` dialect's hot path: every relayed CANDIDATE, OFFER and
//! ANSWER is parsed once from the sender's frame and rendered once for its receiver, so these
//! two steps bound what one core can relay. Also the WebSocket query read on every connect,
//! HEARTBEAT (the most frequent message of an idle client) and the server's own frames.
//!
//! Run with `cargo bench -p switchboard-protocol --bench peerjs`.

mod samples;

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use switchboard_protocol::peerjs::{
    ClientMessage, errors, parse_connect_query, parse_message, render_error, render_expire,
    render_id_taken, render_open, render_relay,
};

use samples::{SENDER, TARGET, check_size};

/// CANDIDATE as the `peerjs` client sends it (`JSON.stringify`, ~300 B).
fn candidate() -> String {
    let frame = format!(
        r#"{{"type":"CANDIDATE","payload":{{"candidate":{},"type":"data","connectionId":"dc_mgqsb2hzkbe"}},"dst":"{TARGET}"}}"#,
        samples::ICE_CANDIDATE
    );
    check_size("CANDIDATE", &frame, 250..=400);
    frame
}

/// OFFER for a media connection (~2 KiB).
fn offer() -> String {
    let frame = format!(
        r#"{{"type":"OFFER","payload":{{"sdp":{},"type":"media","connectionId":"mc_mgqsb2hzkbe","browser":"chrome","label":"call","metadata":{{}}}},"dst":"{TARGET}"}}"#,
        samples::session_description()
    );
    check_size("OFFER", &frame, 1800..=2600);
    frame
}

const HEARTBEAT: &str = r#"{"type":"HEARTBEAT"}"#;

/// The query of `new Peer(id, {key, token})`'s WebSocket URL.
fn connect_query() -> String {
    format!("key=peerjs&id={SENDER}&token=k3x9q2w7vb&version=1.5.4")
}

/// The relayed part of a parsed message.
fn relay_of(frame: &str) -> (String, Box<serde_json::value::RawValue>) {
    match parse_message(frame).expect("sample frames parse") {
        ClientMessage::Relay {
            kind,
            payload: Some(payload),
            ..
        } => (kind.as_str().to_owned(), payload),
        other => panic!("not a relayed message with a payload: {other:?}"),
    }
}

fn parsing(c: &mut Criterion) {
    let mut group = c.benchmark_group("peerjs/parse_message");
    for (name, frame) in [
        ("candidate", candidate()),
        ("offer", offer()),
        ("heartbeat", HEARTBEAT.to_owned()),
    ] {
        assert!(parse_message(&frame).is_ok(), "{name} must parse");
        group.throughput(Throughput::Bytes(frame.len() as u64));
        group.bench_function(name, |b| b.iter(|| parse_message(black_box(&frame)).ok()));
    }
    group.finish();

    let query = connect_query();
    assert!(parse_connect_query(&query).is_ok(), "the query must parse");
    let mut group = c.benchmark_group("peerjs/parse_connect_query");
    group.throughput(Throughput::Bytes(query.len() as u64));
    group.bench_function("key_id_token_version", |b| {
        b.iter(|| parse_connect_query(black_box(&query)).ok())
    });
    group.finish();
}

/// A frame the server renders on its own, with nothing from the client.
type Notice = fn() -> String;

fn rendering(c: &mut Criterion) {
    let mut group = c.benchmark_group("peerjs/render");
    for (name, frame) in [("relay_candidate", candidate()), ("relay_offer", offer())] {
        let (kind, payload) = relay_of(&frame);
        let rendered = render_relay(&kind, SENDER, TARGET, Some(&payload));
        group.throughput(Throughput::Bytes(rendered.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| {
                render_relay(
                    black_box(&kind),
                    black_box(SENDER),
                    black_box(TARGET),
                    Some(black_box(&payload)),
                )
            })
        });
    }

    let notices: [(&str, Notice); 4] = [
        ("open", render_open),
        ("id_taken", render_id_taken),
        ("error", || render_error(black_box(errors::INVALID_KEY))),
        ("expire", || {
            render_expire(black_box(TARGET), black_box(SENDER))
        }),
    ];
    for (name, render) in notices {
        group.throughput(Throughput::Bytes(render().len() as u64));
        group.bench_function(name, |b| b.iter(render));
    }
    group.finish();
}

criterion_group!(benches, parsing, rendering);
criterion_main!(benches);
