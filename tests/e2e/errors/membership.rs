//! Errors about room membership: leave or signal outside one's rooms, a second join, and a
//! signal to a peer that is not in the room.

use serde_json::json;

use super::setup::{ROOM, Scene};
use crate::harness::{Client, frames};

#[tokio::test]
async fn not_in_room_is_reported() {
    let mut scene = Scene::new(&[]).await;
    // A member of "other", which the offender has not joined.
    let mut outsider = Client::connect_labelled(&scene.server, "outsider").await;
    let outsider_id = outsider.join_id("other", "Outsider").await;
    let cases = [
        (frames::leave("other"), "conference/leave"),
        (frames::leave("never-made"), "conference/leave"),
        (
            frames::sdp("other", &outsider_id, frames::offer("x")),
            "signal/sdp",
        ),
        (
            frames::trickle("other", Some(&outsider_id), frames::candidate("x")),
            "signal/trickle",
        ),
        (
            frames::trickle("other", None, frames::candidate("x")),
            "signal/trickle",
        ),
    ];
    for (message, request) in cases {
        scene
            .expect_error_for(&message.to_string(), "not_in_room", Some(request))
            .await;
        outsider
            .expect_none(std::time::Duration::from_millis(100))
            .await;
    }
}

#[tokio::test]
async fn already_in_room_is_reported() {
    let mut scene = Scene::new(&[]).await;
    let again = frames::join(ROOM, "Offender again");
    scene
        .expect_error_for(
            &again.to_string(),
            "already_in_room",
            Some("conference/join"),
        )
        .await;
    // Still a member exactly once: the bystander sees one peerLeave when it leaves.
    scene.offender.leave(ROOM).await;
    let leave = scene.bystander.expect_next("conference", "peerLeave").await;
    assert_eq!(
        leave["data"],
        json!({"id": scene.offender_id, "room": ROOM})
    );
}

#[tokio::test]
async fn unknown_target_is_reported() {
    let mut scene = Scene::new(&[]).await;
    let stranger = "5b1f0c52-3d2e-4a7b-9c1d-2e3f4a5b6c7d";
    let mut elsewhere = Client::connect_labelled(&scene.server, "elsewhere").await;
    let elsewhere_id = elsewhere.join_id("other", "Elsewhere").await;
    let cases = [
        (
            frames::sdp(ROOM, stranger, frames::offer("x")),
            "signal/sdp",
        ),
        (
            frames::sdp(ROOM, &elsewhere_id, frames::offer("x")),
            "signal/sdp",
        ),
        (
            frames::trickle(ROOM, Some(stranger), frames::candidate("x")),
            "signal/trickle",
        ),
        (
            frames::sdp(ROOM, "not-a-uuid", frames::offer("x")),
            "signal/sdp",
        ),
    ];
    for (message, request) in cases {
        scene
            .expect_error_for(&message.to_string(), "unknown_target", Some(request))
            .await;
        elsewhere
            .expect_none(std::time::Duration::from_millis(100))
            .await;
    }
}
