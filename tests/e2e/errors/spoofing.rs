//! A client may not speak for another: any message whose data.id is not the sender's own id
//! is refused with id_mismatch, and nothing of it reaches anyone.

use serde_json::json;

use super::setup::{ROOM, Scene};
use crate::harness::frames;

#[tokio::test]
async fn spoofed_ids_are_refused_and_not_relayed() {
    let mut scene = Scene::new(&[]).await;
    let victim = scene.bystander_id.clone();
    let mut spoofed_sdp = frames::sdp(ROOM, &victim, frames::offer("spoof"));
    spoofed_sdp["data"]["id"] = json!(victim);
    let mut spoofed_trickle = frames::trickle(ROOM, None, frames::candidate("spoof"));
    spoofed_trickle["data"]["id"] = json!(victim);
    let mut spoofed_leave = frames::leave(ROOM);
    spoofed_leave["data"]["id"] = json!(victim);
    let mut spoofed_join = frames::join("fresh", "Mallory");
    spoofed_join["data"]["id"] = json!(victim);
    let mut spoofed_connect = frames::connect(ROOM);
    spoofed_connect["data"]["id"] = json!("0e5c3f4a-1b2c-4d3e-8f9a-0b1c2d3e4f5a");
    let cases = [
        (spoofed_sdp, "signal/sdp"),
        (spoofed_trickle, "signal/trickle"),
        (spoofed_leave, "conference/leave"),
        (spoofed_join, "conference/join"),
        (spoofed_connect, "room/connect"),
    ];
    for (message, request) in cases {
        scene
            .expect_error_for(&message.to_string(), "id_mismatch", Some(request))
            .await;
    }

    // The spoofed leave did not remove anyone: the offender still reaches the bystander
    // through "r", and the spoofed join did not make a member of "fresh".
    let offer = frames::sdp(ROOM, &victim, frames::offer("genuine"));
    scene.offender.send_json(offer.clone()).await;
    let got = scene.bystander.expect_next("signal", "sdp").await;
    assert_eq!(got, frames::relayed(&offer, &scene.offender_id));
    let fresh = scene.offender.join("fresh", "Offender").await;
    assert_eq!(fresh["peers"], json!([]), "the spoofed join made a member");
}
