//! The scene of every error test: an offender and a bystander in room "r"; after each bad
//! message the offender must still be served and the bystander must have received nothing.

use std::time::Duration;

use serde_json::Value;

use crate::harness::{Client, Server};

pub const ROOM: &str = "r";
const QUIET: Duration = Duration::from_millis(200);

pub struct Scene {
    pub server: Server,
    pub offender: Client,
    pub offender_id: String,
    pub bystander: Client,
    pub bystander_id: String,
    checks: usize,
}

impl Scene {
    pub async fn new(args: &[&str]) -> Scene {
        let server = Server::start(args);
        let mut bystander = Client::connect_labelled(&server, "bystander").await;
        let bystander_id = bystander.join_id(ROOM, "Bystander").await;
        let mut offender = Client::connect_labelled(&server, "offender").await;
        let offender_id = offender.join_id(ROOM, "Offender").await;
        bystander.expect_next("conference", "peerJoin").await;
        Scene {
            server,
            offender,
            offender_id,
            bystander,
            bystander_id,
            checks: 0,
        }
    }

    /// Sends `text` as one frame and expects exactly this error back, then checks that the
    /// offender is still served and that the bystander got nothing.
    pub async fn expect_error_for(&mut self, text: &str, code: &str, request: Option<&str>) {
        self.offender.send_text(text).await;
        let message = self.offender.expect_next("system", "error").await;
        let data = &message["data"];
        assert_eq!(data["code"], code, "sent {text}\ngot {message}");
        let wanted = request.map_or(Value::Null, |r| Value::String(r.into()));
        assert_eq!(data["request"], wanted, "sent {text}\ngot {message}");
        assert!(
            data["message"].as_str().is_some_and(|m| !m.is_empty()),
            "sent {text}\nerror has no message text: {message}"
        );
        assert_eq!(
            message,
            serde_json::json!({"type": "system", "name": "error",
                "data": {"code": code, "message": data["message"], "request": wanted}}),
            "sent {text}: error frame has other fields"
        );
        self.still_served().await;
    }

    /// The offender's connection still works (a fresh join succeeds), and the bystander
    /// received nothing.
    pub async fn still_served(&mut self) {
        self.checks += 1;
        let room = format!("after-{}", self.checks);
        let data = self.offender.join(&room, "Offender").await;
        assert_eq!(
            data["id"],
            self.offender_id.as_str(),
            "id changed after an error"
        );
        tokio::join!(
            self.offender.expect_none(QUIET),
            self.bystander.expect_none(QUIET)
        );
    }
}
