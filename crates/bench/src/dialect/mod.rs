//! The two wire dialects a scenario can speak, behind one interface: open one connection up
//! to the server's greeting, or open a pair of peers that can reach each other and get, for
//! each, the pre-rendered frame it sends to the other.

mod conference;
mod peerjs;

use std::net::SocketAddr;
use std::time::Duration;

use clap::ValueEnum;
use futures_util::StreamExt;
use serde::Serialize;
use tokio_tungstenite::tungstenite::Message;

use crate::net::{Dialer, Ws};
use crate::payload::Size;
use crate::template::Template;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Dialect {
    /// The PeerJS server protocol (Switchboard, or peerjs-server itself).
    Peerjs,
    /// Switchboard's JSON rooms at `/conference`.
    Conference,
}

/// A dialect and where the server serves it.
#[derive(Clone, Debug)]
pub struct Protocol {
    pub dialect: Dialect,
    /// The PeerJS key (`--peerjs-key` of Switchboard, `key` of peerjs-server).
    pub key: String,
    /// The PeerJS path, starting and ending with `/`.
    pub path: String,
    /// The conference endpoint.
    pub conference_path: String,
}

impl Protocol {
    /// PeerJS with the default key and path, or conference at `/conference`.
    pub fn new(dialect: Dialect) -> Protocol {
        Protocol {
            dialect,
            key: "peerjs".into(),
            path: "/".into(),
            conference_path: "/conference".into(),
        }
    }

    /// Opens connection `n` of run `run`, and waits for the server's greeting: `OPEN`
    /// (peerjs) or the answer to `room/connect` (conference).
    pub async fn open_one(
        &self,
        dialer: &Dialer,
        addr: SocketAddr,
        run: &str,
        n: usize,
    ) -> Result<Ws, String> {
        match self.dialect {
            Dialect::Peerjs => peerjs::open(self, dialer, addr, &format!("{run}-{n}")).await,
            Dialect::Conference => conference::connect(self, dialer, addr).await,
        }
    }

    /// Opens pair `index` of run `run`: peer A on `a`, peer B on `b`, each able to reach the
    /// other, each with the frame it sends to the other.
    pub async fn open_pair(
        &self,
        dialer: &Dialer,
        (a, b): (SocketAddr, SocketAddr),
        run: &str,
        index: usize,
        size: Size,
    ) -> Result<(Link, Link), String> {
        let name = format!("{run}-{index}");
        match self.dialect {
            Dialect::Peerjs => peerjs::open_pair(self, dialer, (a, b), &name, size).await,
            Dialect::Conference => conference::open_pair(self, dialer, (a, b), &name, size).await,
        }
    }

    /// The application-level keep-alive, if the dialect has one (peerjs `HEARTBEAT`).
    pub fn heartbeat(&self) -> Option<Message> {
        match self.dialect {
            Dialect::Peerjs => Some(Message::text(r#"{"type":"HEARTBEAT"}"#)),
            Dialect::Conference => None,
        }
    }
}

/// A connected peer and the frame it sends to its partner.
pub struct Link {
    pub ws: Ws,
    pub out: Template,
}

/// A name for this run, unique enough that runs against one server do not share ids.
pub fn run_id() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("sb{:x}{:x}", std::process::id(), nanos & 0xff_ffff_ffff)
}

/// The next text frame, skipping pings and pongs; an error for anything else or silence.
async fn next_text(ws: &mut Ws, timeout: Duration) -> Result<String, String> {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let next = tokio::time::timeout_at(deadline, ws.next())
            .await
            .map_err(|_| format!("no frame within {timeout:?}"))?;
        match next {
            Some(Ok(Message::Text(text))) => return Ok(text.to_string()),
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
            Some(Ok(Message::Close(frame))) => {
                return Err(format!("closed by the server: {frame:?}"));
            }
            Some(Ok(other)) => return Err(format!("unexpected frame: {other:?}")),
            Some(Err(err)) => return Err(format!("socket error: {err}")),
            None => return Err("socket ended".into()),
        }
    }
}
