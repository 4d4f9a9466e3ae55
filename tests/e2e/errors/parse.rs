//! Frames that are not messages: not JSON, JSON but not an object, binary; and a bad line
//! between good lines of one frame.

use serde_json::json;

use super::setup::{ROOM, Scene};
use crate::harness::frames;

#[tokio::test]
async fn invalid_json_is_reported() {
    let mut scene = Scene::new(&[]).await;
    for text in [
        "not json",
        "{\"type\":\"room\",",
        "{'type':'room'}",
        "\u{1}",
    ] {
        scene.expect_error_for(text, "invalid_json", None).await;
    }
}

#[tokio::test]
async fn invalid_message_is_reported() {
    let mut scene = Scene::new(&[]).await;
    for text in ["[1,2]", "42", "\"join\"", "null", "true"] {
        scene.expect_error_for(text, "invalid_message", None).await;
    }
}

#[tokio::test]
async fn binary_frame_is_unsupported() {
    let mut scene = Scene::new(&[]).await;
    let join = frames::join("by-binary", "Offender").to_string();
    scene.offender.send_binary(join.into_bytes()).await;
    let message = scene.offender.expect_next("system", "error").await;
    assert_eq!(message["data"]["code"], "binary_unsupported", "{message}");
    assert!(message["data"]["message"].is_string(), "{message}");
    scene.still_served().await;
}

#[tokio::test]
async fn a_bad_line_does_not_stop_the_next_lines() {
    let mut scene = Scene::new(&[]).await;
    let frame = format!(
        "{}\nnot json\n{}",
        frames::join("first", "Offender"),
        frames::join("second", "Offender")
    );
    scene.offender.send_text(&frame).await;
    let first = scene
        .offender
        .expect_next("conference", "joinResponse")
        .await;
    assert_eq!(first["data"]["room"], "first");
    let error = scene.offender.expect_next("system", "error").await;
    assert_eq!(error["data"]["code"], "invalid_json", "{error}");
    let second = scene
        .offender
        .expect_next("conference", "joinResponse")
        .await;
    assert_eq!(second["data"]["room"], "second");
    scene.still_served().await;
}

#[tokio::test]
async fn verax_sfu_join_is_unsupported() {
    let mut scene = Scene::new(&[]).await;
    let verax = json!({"type": "signal", "method": "join",
        "data": {"sid": ROOM, "uid": "uid:string", "offer": "v=0\r\n"}});
    scene.offender.send_json(verax).await;
    let message = scene.offender.expect_next("system", "error").await;
    assert_eq!(message["data"]["code"], "unsupported", "{message}");
    assert!(message["data"]["message"].is_string(), "{message}");
    scene.still_served().await;
}
