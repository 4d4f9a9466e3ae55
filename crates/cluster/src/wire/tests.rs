//! Both wire formats round-trip what crosses nodes, and each reader takes either format, as
//! nodes of two releases need during a rolling upgrade.

use std::time::Duration;

use bytes::Bytes;
use switchboard_core::bridge::{ClusterEvent, PeerAddress, PeerMessage, Queued};
use switchboard_core::{NodeId, PeerId, RoomId};

use super::*;

/// A frame with everything JSON would escape.
const FRAME: &str = "{\"type\":\"OFFER\",\"payload\":{\"sdp\":\"v=0\\r\\n\\\"q\\\" é😀\"}}\n";

fn signal(to: Option<&str>) -> ClusterEvent {
    ClusterEvent::Signal {
        room: RoomId::new("conference", "a room"),
        from: PeerId::new("p1"),
        to: to.map(|peer| (PeerId::new(peer), NodeId::new("n2"))),
        payload: FRAME.into(),
    }
}

fn peer() -> PeerAddress {
    PeerAddress::new("peerjs", PeerId::new("b"))
}

fn direct() -> PeerMessage {
    PeerMessage::Direct {
        from: PeerId::new("a"),
        payload: FRAME.into(),
    }
}

#[test]
fn a_signal_reads_back_the_same_in_both_formats() {
    let here = NodeId::new("n2");
    for compact in [false, true] {
        for to in [Some("p2"), None] {
            let bytes = Bytes::from(encode_event("n1", &signal(to), compact).unwrap());
            assert_eq!(bytes.starts_with(b"#2"), compact);
            let (origin, event) = read_event(&bytes, &here).unwrap();
            assert_eq!(origin, "n1");
            assert_eq!(format!("{event:?}"), format!("{:?}", signal(to)));
        }
    }
}

#[test]
fn events_without_a_frame_stay_in_format_one() {
    let left = ClusterEvent::PeerLeft {
        room: RoomId::new("conference", "r"),
        peer: PeerId::new("p1"),
        reason: switchboard_core::LeaveReason::Disconnected,
    };
    let bytes = Bytes::from(encode_event("n1", &left, true).unwrap());
    assert!(bytes.starts_with(b"{"));
    let (_, event) = read_event(&bytes, &NodeId::new("n2")).unwrap();
    assert_eq!(format!("{event:?}"), format!("{left:?}"));
}

#[test]
fn a_direct_message_reads_back_the_same_in_both_formats() {
    for compact in [false, true] {
        for keep in [None, Some(Duration::from_millis(5000))] {
            let bytes = Bytes::from(encode_peer_message(&peer(), &direct(), keep, compact));
            assert_eq!(bytes.starts_with(b"#2"), compact);
            let read = read_peer_message(&bytes).unwrap();
            assert_eq!(read.peer, peer());
            assert_eq!(format!("{:?}", read.message), format!("{:?}", direct()));
            assert_eq!(read.keep, keep);
        }
    }
}

#[test]
fn control_messages_to_a_peer_stay_in_format_one() {
    for message in [
        PeerMessage::Replaced,
        PeerMessage::Expired {
            peer: PeerId::new("c"),
        },
    ] {
        let bytes = Bytes::from(encode_peer_message(&peer(), &message, None, true));
        assert!(bytes.starts_with(b"{"));
        let read = read_peer_message(&bytes).unwrap();
        assert_eq!(format!("{:?}", read.message), format!("{message:?}"));
    }
}

#[test]
fn a_queued_message_reads_back_from_either_stored_form() {
    let queued = Queued {
        from: PeerId::new("a"),
        payload: FRAME.into(),
    };
    // Format 1 stores its own JSON; format 2 stores the direct envelope as published.
    let stored_one = encode_queued(&queued, false).unwrap();
    assert_eq!(encode_queued(&queued, true), None);
    let stored_two = encode_peer_message(&peer(), &direct(), Some(Duration::from_secs(5)), true);
    for stored in [stored_one, stored_two] {
        let read = read_queued(&Bytes::from(stored)).unwrap();
        assert_eq!(read.from, queued.from);
        assert_eq!(read.payload, queued.payload);
    }
}

#[test]
fn unreadable_messages_are_errors_not_panics() {
    let here = NodeId::new("n1");
    for input in [
        &b""[..],
        b"#2",
        b"#2{}\n",
        b"{\"origin\":1}",
        b"\xff\xfe",
        b"#2{\"space\":\"s\"}",
    ] {
        let bytes = Bytes::copy_from_slice(input);
        assert!(read_event(&bytes, &here).is_err(), "{input:?}");
        assert!(read_peer_message(&bytes).is_err(), "{input:?}");
        assert!(read_queued(&bytes).is_none(), "{input:?}");
    }
}
