//! Messages with a missing or mistyped field, an unknown type/name, or a bad room name.

use serde_json::{Value, json};

use super::setup::{ROOM, Scene};

/// Sends each case and expects `code` with its `request`.
async fn check(scene: &mut Scene, code: &str, cases: &[(Value, Option<&str>)]) {
    for (message, request) in cases {
        scene
            .expect_error_for(&message.to_string(), code, *request)
            .await;
    }
}

#[tokio::test]
async fn missing_fields_are_reported() {
    let mut scene = Scene::new(&[]).await;
    let to = scene.bystander_id.clone();
    let ice = json!({"ice": {"candidate": "candidate:1", "sdpMid": "0", "sdpMLineIndex": 0}});
    let cases = [
        (
            json!({"name": "join", "data": {"room": ROOM, "name": "x"}}),
            None,
        ),
        (
            json!({"type": "conference", "data": {"room": ROOM, "name": "x"}}),
            None,
        ),
        (
            json!({"type": "conference", "name": "join"}),
            Some("conference/join"),
        ),
        (
            json!({"type": "conference", "name": "join", "data": {"name": "x"}}),
            Some("conference/join"),
        ),
        (
            json!({"type": "conference", "name": "join", "data": {"room": "elsewhere"}}),
            Some("conference/join"),
        ),
        (
            json!({"type": "conference", "name": "leave", "data": {}}),
            Some("conference/leave"),
        ),
        (
            json!({"type": "room", "name": "connect", "data": {}}),
            Some("room/connect"),
        ),
        (
            json!({"type": "signal", "name": "sdp", "data": {"room": ROOM}, "signal": {"desc": {}}}),
            Some("signal/sdp"),
        ),
        (
            json!({"type": "signal", "name": "sdp", "data": {"room": ROOM, "to": to}}),
            Some("signal/sdp"),
        ),
        (
            json!({"type": "signal", "name": "sdp", "data": {"to": to}, "signal": {"desc": {}}}),
            Some("signal/sdp"),
        ),
        (
            json!({"type": "signal", "name": "trickle", "data": {"room": ROOM}}),
            Some("signal/trickle"),
        ),
        (
            json!({"type": "signal", "name": "trickle", "data": {"to": to}, "signal": ice}),
            Some("signal/trickle"),
        ),
    ];
    check(&mut scene, "missing_field", &cases).await;
}

#[tokio::test]
async fn mistyped_fields_are_reported() {
    let mut scene = Scene::new(&[]).await;
    let to = scene.bystander_id.clone();
    let cases = [
        (
            json!({"type": "conference", "name": "join", "data": {"room": 7, "name": "x"}}),
            Some("conference/join"),
        ),
        (
            json!({"type": "conference", "name": "join", "data": {"room": "elsewhere", "name": 7}}),
            Some("conference/join"),
        ),
        (
            json!({"type": "conference", "name": "join", "data": "room"}),
            Some("conference/join"),
        ),
        (
            json!({"type": "conference", "name": "join", "data": ["room"]}),
            Some("conference/join"),
        ),
        (
            json!({"type": "conference", "name": "leave", "data": {"room": ["r"]}}),
            Some("conference/leave"),
        ),
        (
            json!({"type": "signal", "name": "sdp", "data": {"room": ROOM, "to": to}, "signal": "offer"}),
            Some("signal/sdp"),
        ),
        (
            json!({"type": "signal", "name": "sdp", "data": {"room": ROOM, "to": 12}, "signal": {}}),
            Some("signal/sdp"),
        ),
        (
            json!({"type": "signal", "name": "trickle", "data": {"room": ROOM}, "signal": [1]}),
            Some("signal/trickle"),
        ),
        (
            json!({"type": 5, "name": "join", "data": {"room": ROOM}}),
            None,
        ),
    ];
    check(&mut scene, "invalid_field", &cases).await;
}

#[tokio::test]
async fn unknown_messages_are_reported() {
    let mut scene = Scene::new(&[]).await;
    let cases = [
        (
            json!({"type": "conference", "name": "dance", "data": {"room": ROOM}}),
            Some("conference/dance"),
        ),
        (
            json!({"type": "video", "name": "join", "data": {"room": ROOM, "name": "x"}}),
            Some("video/join"),
        ),
        (
            json!({"type": "signal", "name": "offer", "data": {"room": ROOM}, "signal": {}}),
            Some("signal/offer"),
        ),
    ];
    check(&mut scene, "unknown_message", &cases).await;
}

#[tokio::test]
async fn bad_room_names_are_reported() {
    let mut scene = Scene::new(&[]).await;
    let long = "x".repeat(257);
    // 129 two-byte characters: 129 characters but 258 bytes, over the limit.
    let wide = "\u{e9}".repeat(129);
    let cases = [
        (
            json!({"type": "conference", "name": "join", "data": {"room": "", "name": "x"}}),
            Some("conference/join"),
        ),
        (
            json!({"type": "conference", "name": "join", "data": {"room": long, "name": "x"}}),
            Some("conference/join"),
        ),
        (
            json!({"type": "conference", "name": "join", "data": {"room": wide, "name": "x"}}),
            Some("conference/join"),
        ),
    ];
    check(&mut scene, "invalid_room", &cases).await;

    // Exactly 256 bytes is allowed.
    let longest = "y".repeat(256);
    let data = scene.offender.join(&longest, "Offender").await;
    assert_eq!(data["peers"], json!([]));
    scene.still_served().await;
}
