//! A PeerJS-flavoured WebSocket client: it connects to `<path>peerjs?key&id&token`, keeps
//! every text frame the server sends (its raw text and its JSON) in arrival order, and
//! reports the server's close code. Its expectations are about the *next* frame, so a test
//! also proves that nothing else came first. Plus builders of the frames the server sends.

use std::collections::{BTreeMap, VecDeque};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::value::RawValue;
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async};

use crate::harness::is_cluster;

/// The default `--peerjs-key`.
pub const KEY: &str = "peerjs";
/// How long a test waits for a frame before failing: only a guard against hanging, never a
/// latency requirement (EXPIRE takes an expire timeout plus a sweep to come).
pub const RECV_TIMEOUT: Duration = Duration::from_secs(10);

/// The error texts of peerjs-server, which clients match on.
pub const NO_PARAMS: &str = "No id, token, or key supplied to websocket server";
pub const INVALID_KEY: &str = "Invalid key provided";
pub const LIMIT: &str = "Server has reached its concurrent user limit";

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// How long `expect_none` listens: whatever should not arrive would come at once on one
/// node, and through Redis and another node in a cluster.
pub fn quiet() -> Duration {
    if is_cluster() {
        Duration::from_millis(500)
    } else {
        Duration::from_millis(300)
    }
}

/// One text frame from the server.
#[derive(Debug, Clone)]
pub struct Frame {
    pub text: String,
    pub json: Value,
}

impl Frame {
    /// The text of the frame's `payload` exactly as the server wrote it.
    pub fn raw_payload(&self) -> Option<String> {
        let fields: BTreeMap<String, Box<RawValue>> = serde_json::from_str(&self.text)
            .unwrap_or_else(|err| panic!("frame is not a JSON object ({err}): {}", self.text));
        fields.get("payload").map(|raw| raw.get().to_string())
    }
}

/// How the socket finished.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum End {
    /// The server's close frame, with its code (1005: none).
    Closed(u16),
    /// The TCP stream ended or failed without a close frame.
    Ended(String),
}

pub struct PeerClient {
    ws: Ws,
    label: String,
    addr: SocketAddr,
    /// The node that accepted the upgrade, as its `x-switchboard-node` header says.
    pub node: Option<String>,
    queue: VecDeque<Frame>,
    end: Option<End>,
}

/// `ws://ADDR<path>peerjs?<query>`; `path` starts and ends with `/`.
pub fn ws_url(addr: SocketAddr, path: &str, query: &str) -> String {
    format!("ws://{addr}{path}peerjs?{query}")
}

/// The query of a PeerJS client (as the npm client sends it, with `version`).
pub fn query(key: &str, id: &str, token: &str) -> String {
    format!("key={key}&id={id}&token={token}&version=1.5.4")
}

/// Tries the upgrade; `Err(status)` when the server answers it with an HTTP status.
pub async fn try_upgrade(url: &str) -> Result<Ws, u16> {
    try_upgrade_served(url).await.map(|(ws, _)| ws)
}

/// Tries the upgrade, and names the node that accepted it (`x-switchboard-node`).
async fn try_upgrade_served(url: &str) -> Result<(Ws, Option<String>), u16> {
    let request = url.into_client_request().expect("a valid ws:// url");
    match tokio::time::timeout(RECV_TIMEOUT, connect_async(request)).await {
        Err(_) => panic!("upgrade to {url} timed out"),
        Ok(Ok((ws, response))) => {
            let node = response
                .headers()
                .get("x-switchboard-node")
                .and_then(|value| value.to_str().ok())
                .map(str::to_owned);
            Ok((ws, node))
        }
        Ok(Err(tokio_tungstenite::tungstenite::Error::Http(response))) => {
            Err(response.status().as_u16())
        }
        Ok(Err(err)) => panic!("upgrade to {url} failed: {err}"),
    }
}

impl PeerClient {
    /// Opens `ws://ADDR<path>peerjs?<query>` (any query, also a malformed one).
    pub async fn connect_url(addr: SocketAddr, path: &str, query: &str, label: &str) -> Self {
        let url = ws_url(addr, path, query);
        let (ws, node) = try_upgrade_served(&url)
            .await
            .unwrap_or_else(|status| panic!("{label}: upgrade to {url} refused with {status}"));
        PeerClient {
            ws,
            label: label.to_string(),
            addr,
            node,
            queue: VecDeque::new(),
            end: None,
        }
    }

    /// Opens the socket of id `id` with `token` and the default key and path; does not
    /// wait for anything.
    pub async fn connect(addr: SocketAddr, id: &str, token: &str) -> Self {
        Self::connect_url(addr, "/", &query(KEY, id, token), &format!("{id}/{token}")).await
    }

    /// Connects and expects OPEN as the very first frame.
    pub async fn open(addr: SocketAddr, id: &str, token: &str) -> Self {
        let mut client = Self::connect(addr, id, token).await;
        client.expect_next(&open()).await;
        client
    }

    /// Renames the client in failure messages.
    pub fn named(mut self, label: &str) -> Self {
        self.label = label.to_string();
        self
    }

    /// The node this client is connected to.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub async fn send_json(&mut self, message: &Value) {
        self.send(Message::text(message.to_string())).await;
    }

    pub async fn send_text(&mut self, text: &str) {
        self.send(Message::text(text)).await;
    }

    pub async fn send_binary(&mut self, bytes: Vec<u8>) {
        self.send(Message::binary(bytes)).await;
    }

    pub async fn heartbeat(&mut self) {
        self.send_json(&json!({"type": "HEARTBEAT"})).await;
    }

    async fn send(&mut self, message: Message) {
        let label = &self.label;
        self.ws
            .send(message)
            .await
            .unwrap_or_else(|err| panic!("{label}: send failed: {err}"));
    }

    /// The next frame; fails when none comes or the socket finishes first.
    pub async fn recv(&mut self) -> Frame {
        let deadline = Instant::now() + RECV_TIMEOUT;
        loop {
            if let Some(frame) = self.queue.pop_front() {
                return frame;
            }
            if !self.pull(deadline).await {
                panic!(
                    "{}: no frame within {RECV_TIMEOUT:?}{}",
                    self.label,
                    self.state()
                );
            }
        }
    }

    /// The next frame must equal `expected` (compared as JSON values).
    pub async fn expect_next(&mut self, expected: &Value) -> Frame {
        let frame = self.recv().await;
        assert_eq!(
            frame.json,
            *expected,
            "{}: unexpected frame {}{}",
            self.label,
            frame.text,
            self.state()
        );
        frame
    }

    /// The next `expected.len()` frames must be these, in any order.
    pub async fn expect_unordered(&mut self, expected: &[Value]) {
        let mut got = Vec::new();
        for _ in expected {
            got.push(self.recv().await.json.to_string());
        }
        let mut wanted: Vec<String> = expected.iter().map(Value::to_string).collect();
        got.sort();
        wanted.sort();
        assert_eq!(got, wanted, "{}: frames (in any order)", self.label);
    }

    /// The next frame must be an ERROR `{"type":"ERROR","payload":{"msg":<non-empty>}}`;
    /// returns its message.
    pub async fn expect_error(&mut self) -> String {
        let frame = self.recv().await;
        let msg = frame.json["payload"]["msg"].as_str().unwrap_or_default();
        assert!(
            !msg.is_empty() && frame.json == error(msg),
            "{}: expected an ERROR with a message, got {}",
            self.label,
            frame.text
        );
        msg.to_string()
    }

    /// The server must close the socket with a close frame, with no frame before it;
    /// returns the close code (1005: none given).
    pub async fn expect_close(&mut self) -> u16 {
        let deadline = Instant::now() + RECV_TIMEOUT;
        while self.end.is_none() && self.queue.is_empty() {
            if !self.pull(deadline).await && self.end.is_none() {
                panic!("{}: not closed within {RECV_TIMEOUT:?}", self.label);
            }
        }
        assert!(
            self.queue.is_empty(),
            "{}: expected the close, frames came first{}",
            self.label,
            self.state()
        );
        match self.end.clone() {
            Some(End::Closed(code)) => code,
            other => panic!(
                "{}: socket ended without a close frame: {other:?}",
                self.label
            ),
        }
    }

    /// Nothing may be queued, arrive within `quiet()`, or end the socket.
    pub async fn expect_none(&mut self) {
        assert!(
            self.queue.is_empty() && self.end.is_none(),
            "{}: expected nothing{}",
            self.label,
            self.state()
        );
        let deadline = Instant::now() + quiet();
        let got = self.pull(deadline).await;
        assert!(
            !got && self.end.is_none(),
            "{}: expected nothing for {:?}{}",
            self.label,
            quiet(),
            self.state()
        );
    }

    /// Reads whatever arrives within `window` into the queue.
    pub async fn poll(&mut self, window: Duration) {
        let deadline = Instant::now() + window;
        while self.pull(deadline).await {}
    }

    /// How the socket finished, if it did (as far as read so far).
    pub fn end(&self) -> Option<&End> {
        self.end.as_ref()
    }

    /// Frames received and not yet consumed.
    pub fn queued(&self) -> Vec<Value> {
        self.queue.iter().map(|frame| frame.json.clone()).collect()
    }

    /// Closes politely and waits for the server's answer.
    pub async fn close(mut self) {
        let _ = self.ws.close(None).await;
        let deadline = Instant::now() + RECV_TIMEOUT;
        while self.end.is_none() && self.pull(deadline).await {}
    }

    /// Reads one frame into the queue; false on timeout or once the socket is finished.
    async fn pull(&mut self, deadline: Instant) -> bool {
        if self.end.is_some() {
            return false;
        }
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let next = match tokio::time::timeout(left, self.ws.next()).await {
                Err(_) => return false,
                Ok(next) => next,
            };
            match next {
                None => {
                    self.end = Some(End::Ended("stream ended".into()));
                    return false;
                }
                Some(Err(err)) => {
                    self.end = Some(End::Ended(err.to_string()));
                    return false;
                }
                Some(Ok(Message::Close(frame))) => {
                    self.end = Some(End::Closed(frame.map_or(1005, |f| f.code.into())));
                    return false;
                }
                Some(Ok(Message::Text(text))) => {
                    let text = text.to_string();
                    let json = serde_json::from_str(&text).unwrap_or_else(|err| {
                        panic!(
                            "{}: server sent non-JSON text ({err}): {text:?}",
                            self.label
                        )
                    });
                    self.queue.push_back(Frame { text, json });
                    return true;
                }
                Some(Ok(Message::Binary(bytes))) => {
                    panic!("{}: server sent a binary frame: {bytes:?}", self.label)
                }
                Some(Ok(_)) => continue,
            }
        }
    }

    fn state(&self) -> String {
        let mut out = String::new();
        if self.queue.is_empty() {
            out.push_str("; nothing queued");
        } else {
            out.push_str("; queued:");
            for frame in &self.queue {
                out.push_str("\n  ");
                out.push_str(&frame.text);
            }
        }
        if let Some(end) = &self.end {
            out.push_str(&format!("; then {end:?}"));
        }
        out
    }
}

/// Receives `sent.len()` frames and asserts they are `sent`, in that order; on failure
/// says in which order they came, as indexes into `sent`.
pub async fn expect_in_order(client: &mut PeerClient, sent: &[Value]) {
    let mut got = Vec::new();
    for _ in sent {
        got.push(client.recv().await.json);
    }
    let order: Vec<Option<usize>> = got
        .iter()
        .map(|frame| sent.iter().position(|one| one == frame))
        .collect();
    let expected: Vec<Option<usize>> = (0..sent.len()).map(Some).collect();
    assert_eq!(
        order, expected,
        "{}: frames in the wrong order (indexes into what was sent; None: not sent)",
        client.label
    );
}

// --- frames ------------------------------------------------------------------------------

pub fn open() -> Value {
    json!({"type": "OPEN"})
}

pub fn error(msg: &str) -> Value {
    json!({"type": "ERROR", "payload": {"msg": msg}})
}

pub fn id_taken() -> Value {
    json!({"type": "ID-TAKEN", "payload": {"msg": "ID is taken"}})
}

/// What the server sends the sender of messages that waited for `absent` too long.
pub fn expire(absent: &str, sender: &str) -> Value {
    json!({"type": "EXPIRE", "src": absent, "dst": sender})
}

/// A relayed message, as the server must rebuild it.
pub fn relayed(kind: &str, src: &str, dst: &str, payload: Option<&Value>) -> Value {
    let mut message = json!({"type": kind, "src": src, "dst": dst});
    if let Some(payload) = payload {
        message["payload"] = payload.clone();
    }
    message
}

/// What a PeerJS client sends: `{type, dst, payload}`.
pub fn message(kind: &str, dst: &str, payload: &Value) -> Value {
    json!({"type": kind, "dst": dst, "payload": payload})
}

/// An OFFER payload as the npm client sends it for a data connection.
pub fn offer_payload(tag: &str) -> Value {
    json!({
        "sdp": {"type": "offer", "sdp": sdp(tag)},
        "type": "data",
        "connectionId": format!("dc_{tag}"),
        "label": format!("dc_{tag}"),
        "reliable": false,
        "serialization": "binary"
    })
}

/// An ANSWER payload as the npm client sends it.
pub fn answer_payload(tag: &str) -> Value {
    json!({
        "sdp": {"type": "answer", "sdp": sdp(tag)},
        "type": "data",
        "connectionId": format!("dc_{tag}"),
        "browser": "node"
    })
}

/// A CANDIDATE payload as the npm client sends it.
pub fn candidate_payload(tag: &str, n: usize) -> Value {
    json!({
        "candidate": {
            "candidate": format!("candidate:842163049 1 udp 1677729535 192.0.2.{n} 5{n:04} typ srflx raddr 0.0.0.0 rport 0 generation 0 ufrag {tag}"),
            "sdpMLineIndex": 0,
            "sdpMid": "0",
            "usernameFragment": tag
        },
        "type": "data",
        "connectionId": format!("dc_{tag}")
    })
}

fn sdp(tag: &str) -> String {
    format!(
        "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n\
         a=group:BUNDLE 0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n\
         a=ice-ufrag:{tag}\r\na=fingerprint:sha-256 AB:CD:EF \u{e9}\u{1f600}\r\n"
    )
}
