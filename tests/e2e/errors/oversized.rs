//! The frame-size limit: a frame over --max-frame-size (or its env twin) closes that
//! socket with 1009; a frame under it is served; other clients are unaffected.

use std::time::Duration;

use serde_json::json;

use crate::harness::{Client, Server, frames};

/// A join of room "r" padded with an extra field to exactly `size` bytes.
fn padded_join(size: usize) -> String {
    let empty = json!({"type": "conference", "name": "join",
        "data": {"room": "r", "name": "Big", "pad": ""}})
    .to_string();
    let pad = "p".repeat(size - empty.len());
    let text = json!({"type": "conference", "name": "join",
        "data": {"room": "r", "name": "Big", "pad": pad}})
    .to_string();
    assert_eq!(text.len(), size);
    text
}

async fn oversized_closes_with_1009(server: Server) {
    let mut bystander = Client::connect_labelled(&server, "bystander").await;
    let bystander_id = bystander.join_id("r", "Bystander").await;

    // Under the limit: served normally.
    let mut fine = Client::connect_labelled(&server, "under the limit").await;
    fine.send_text(&padded_join(1000)).await;
    let joined = fine.expect_next("conference", "joinResponse").await;
    let fine_id = joined["data"]["id"].as_str().unwrap().to_string();
    bystander.expect_next("conference", "peerJoin").await;

    let mut big = Client::connect_labelled(&server, "over the limit").await;
    let big_id = big.join_id("r", "Big").await;
    bystander.expect_next("conference", "peerJoin").await;
    fine.expect_next("conference", "peerJoin").await;
    big.send_text(&padded_join(4096)).await;
    assert_eq!(
        big.expect_close().await,
        1009,
        "close code for a 4 KiB frame"
    );

    // The others lose that peer like any disconnected one, and keep working.
    let gone = json!({"type": "system", "name": "peerDisconnected",
        "data": {"id": big_id, "room": "r"}});
    bystander.expect_exact(gone.clone()).await;
    fine.expect_exact(gone).await;
    let offer = frames::sdp("r", &fine_id, frames::offer("after"));
    bystander.send_json(offer.clone()).await;
    fine.expect_exact(frames::relayed(&offer, &bystander_id))
        .await;
    bystander.expect_none(Duration::from_millis(200)).await;
    fine.expect_none(Duration::from_millis(200)).await;
}

#[tokio::test]
async fn oversized_frame_closes_with_1009() {
    oversized_closes_with_1009(Server::start(&["--max-frame-size", "1024"])).await;
}

#[tokio::test]
async fn max_frame_size_env_twin_works() {
    let server = Server::start_with_env(&[], &[("SWITCHBOARD_MAX_FRAME_SIZE", "1024")]);
    oversized_closes_with_1009(server).await;
}
