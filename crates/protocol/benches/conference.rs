//! Criterion benches of the `conference` dialect's hot path: every relayed signal is parsed
//! once from the sender's frame and rendered once for its receivers, so these two steps bound
//! what one core can relay. Also the handshake frames (connect, join) and an error, which a
//! misbehaving client can make the server render at the rate it sends.
//!
//! Run with `cargo bench -p switchboard-protocol --bench conference`.

mod samples;

use std::hint::black_box;

use criterion::{BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main};
use switchboard_protocol::conference::{
    Command, ErrorCode, PeerEntry, ProtocolError, ServerMessage, SignalCommand, parse_frame,
    parse_message, render, render_relayed_signal,
};

use samples::{SENDER, TARGET, check_size};

const ROOM: &str = "standup-7f3a";

/// `signal/trickle` to one peer, with a candidate (~300 B).
fn trickle() -> String {
    let frame = format!(
        r#"{{"type":"signal","name":"trickle","data":{{"room":"{ROOM}","to":"{TARGET}","id":"{SENDER}"}},"signal":{{"ice":{}}}}}"#,
        samples::ICE_CANDIDATE
    );
    check_size("trickle", &frame, 250..=400);
    frame
}

/// `signal/sdp` to one peer, with an offer (~2 KiB).
fn sdp() -> String {
    let frame = format!(
        r#"{{"type":"signal","name":"sdp","data":{{"room":"{ROOM}","to":"{TARGET}","id":"{SENDER}"}},"signal":{{"desc":{}}}}}"#,
        samples::session_description()
    );
    check_size("sdp", &frame, 1800..=2600);
    frame
}

fn connect() -> String {
    format!(r#"{{"type":"room","name":"connect","data":{{"room":"{ROOM}"}}}}"#)
}

fn join() -> String {
    format!(
        r#"{{"type":"conference","name":"join","data":{{"room":"{ROOM}","name":"Ada Lovelace","id":"{SENDER}"}}}}"#
    )
}

fn signal_of(frame: &str) -> SignalCommand {
    match parse_message(frame).expect("sample frames parse").command {
        Command::Signal(signal) => signal,
        other => panic!("not a signal: {other:?}"),
    }
}

/// Benches `render` of `message`, with its output size as the throughput.
fn bench_render(
    group: &mut BenchmarkGroup<'_, criterion::measurement::WallTime>,
    name: &str,
    message: &ServerMessage,
) {
    group.throughput(Throughput::Bytes(render(message).len() as u64));
    group.bench_function(name, |b| b.iter(|| render(black_box(message))));
}

fn parsing(c: &mut Criterion) {
    let trickle = trickle();
    // The original clients packed several messages in one frame, one per line.
    let trickles = [trickle.as_str(); 4].join("\n");
    let frames = [
        ("trickle", trickle.clone()),
        ("sdp", sdp()),
        ("connect", connect()),
        ("join", join()),
        ("trickle_x4_one_frame", trickles),
    ];

    let mut group = c.benchmark_group("conference/parse_frame");
    for (name, frame) in &frames {
        assert!(
            parse_frame(frame).all(|request| request.is_ok()),
            "{name} must parse"
        );
        group.throughput(Throughput::Bytes(frame.len() as u64));
        group.bench_function(*name, |b| {
            b.iter(|| {
                for request in parse_frame(black_box(frame)) {
                    black_box(request).ok();
                }
            })
        });
    }
    group.finish();

    // `parse_frame` first finds where each message ends, then `parse_message` reads it: the
    // difference between the two groups is the cost of the splitting.
    let mut group = c.benchmark_group("conference/parse_message");
    for (name, frame) in &frames[..2] {
        group.throughput(Throughput::Bytes(frame.len() as u64));
        group.bench_function(*name, |b| b.iter(|| parse_message(black_box(frame)).ok()));
    }
    group.finish();
}

fn rendering(c: &mut Criterion) {
    let mut group = c.benchmark_group("conference/render");
    for (name, frame) in [("relayed_trickle", trickle()), ("relayed_sdp", sdp())] {
        let signal = signal_of(&frame);
        let rendered = render_relayed_signal(&signal, SENDER);
        group.throughput(Throughput::Bytes(rendered.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| render_relayed_signal(black_box(&signal), black_box(SENDER)))
        });
    }

    let connect = ServerMessage::ConnectResponse {
        room: ROOM,
        id: SENDER,
        node: "switchboard-0",
    };
    bench_render(&mut group, "connect_response", &connect);

    let ids: Vec<String> = (0..5)
        .map(|n| format!("{n:08x}-2c1d-4bf3-91b3-58d3c92080f0"))
        .collect();
    let names = ["Ada", "Grace", "Edsger", "Barbara", "Donald"];
    let peers: Vec<PeerEntry> = ids
        .iter()
        .zip(names)
        .map(|(id, name)| PeerEntry { id, name })
        .collect();
    let join_response = ServerMessage::JoinResponse {
        id: SENDER,
        room: ROOM,
        peers: &peers,
    };
    bench_render(&mut group, "join_response_5_peers", &join_response);

    let peer_join = ServerMessage::PeerJoin {
        id: TARGET,
        room: ROOM,
        name: "Ada Lovelace",
    };
    bench_render(&mut group, "peer_join", &peer_join);

    let error = ProtocolError::new(
        ErrorCode::UnknownTarget,
        format!("peer {TARGET} is not in room {ROOM}"),
    )
    .for_request("signal/sdp");
    bench_render(&mut group, "error", &ServerMessage::Error(&error));
    group.finish();
}

criterion_group!(benches, parsing, rendering);
criterion_main!(benches);
