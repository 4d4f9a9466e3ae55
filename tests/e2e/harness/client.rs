//! A conference client over tokio-tungstenite. Frames that arrive while a test waits for
//! something else are kept in a queue, never dropped, so `expect_none` can still report them:
//! tests check what each peer received, in content, and that nothing else arrived. Each
//! client connects to the server's next node (round-robin) and remembers which.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async};

use super::Server;
use super::frames;

/// How long a test waits for a frame before failing (only to avoid hanging).
pub const RECV_TIMEOUT: Duration = Duration::from_secs(5);
/// In the cluster topology no `expect_none` window is shorter: whatever should not arrive
/// would come through Redis and another node, and must still be caught when it is late.
pub const CLUSTER_QUIET: Duration = Duration::from_millis(400);

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// What one read from the socket produced.
enum Incoming {
    Json(Vec<Value>),
    Close(u16),
    Ended(String),
}

pub struct Client {
    ws: Ws,
    label: String,
    /// The index of the server's node this client is connected to (`None` via a proxy).
    node: Option<usize>,
    queue: VecDeque<Value>,
    /// Set once the socket delivered a close frame or ended.
    finished: Option<String>,
}

impl Client {
    /// Opens ws://ADDR/conference on the server's next node.
    pub async fn connect(server: &Server) -> Client {
        Self::connect_labelled(server, "client").await
    }

    /// Like `connect`, naming the client in failure messages (with its node, in a cluster).
    pub async fn connect_labelled(server: &Server, label: &str) -> Client {
        let node = server.next_node();
        let label = if server.is_cluster() {
            format!("{label}@{}", server.node(node).id())
        } else {
            label.to_string()
        };
        let mut client = Self::connect_addr(server.node(node).addr(), &label).await;
        client.node = Some(node);
        client
    }

    /// Opens ws://ADDR/conference on any address (a proxy in front of the nodes).
    pub async fn connect_addr(addr: std::net::SocketAddr, label: &str) -> Client {
        Self::connect_path(addr, "/conference", label).await
    }

    /// Opens ws://ADDR<path> (`/conference?token=...`).
    pub async fn connect_path(addr: std::net::SocketAddr, path: &str, label: &str) -> Client {
        let url = format!("ws://{addr}{path}");
        let (ws, _) = tokio::time::timeout(RECV_TIMEOUT, connect_async(url.as_str()))
            .await
            .unwrap_or_else(|_| panic!("{label}: upgrade to {url} timed out"))
            .unwrap_or_else(|err| panic!("{label}: upgrade to {url} failed: {err}"));
        Client {
            ws,
            label: label.to_string(),
            node: None,
            queue: VecDeque::new(),
            finished: None,
        }
    }

    /// The index of the server's node this client is on (always 0 in the single topology).
    pub fn node(&self) -> usize {
        self.node
            .unwrap_or_else(|| panic!("{}: connected through a proxy, node unknown", self.label))
    }

    pub async fn send_json(&mut self, message: Value) {
        self.send(Message::text(message.to_string())).await;
    }

    pub async fn send_text(&mut self, text: &str) {
        self.send(Message::text(text)).await;
    }

    pub async fn send_binary(&mut self, bytes: Vec<u8>) {
        self.send(Message::binary(bytes)).await;
    }

    async fn send(&mut self, message: Message) {
        let label = &self.label;
        self.ws
            .send(message)
            .await
            .unwrap_or_else(|err| panic!("{label}: send failed: {err}"));
    }

    /// The next JSON message (queued first), waiting up to `RECV_TIMEOUT`.
    pub async fn recv_json(&mut self) -> Value {
        self.recv_json_within(RECV_TIMEOUT).await
    }

    pub async fn recv_json_within(&mut self, timeout: Duration) -> Value {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(message) = self.queue.pop_front() {
                return message;
            }
            if !self.pull(deadline).await {
                panic!(
                    "{}: no message within {timeout:?}{}",
                    self.label,
                    self.state()
                );
            }
        }
    }

    /// Receives until a message with this type and name arrives and returns it whole; other
    /// messages stay queued.
    pub async fn expect(&mut self, kind: &str, name: &str) -> Value {
        let what = format!("{kind}/{name}");
        self.expect_where(&what, |m| m["type"] == kind && m["name"] == name)
            .await
    }

    /// Receives until a message equal to `expected` (whole frame) arrives.
    pub async fn expect_exact(&mut self, expected: Value) -> Value {
        let what = expected.to_string();
        self.expect_where(&what, |m| *m == expected).await
    }

    /// Receives until a message satisfying `matches` arrives; others stay queued.
    pub async fn expect_where(&mut self, what: &str, matches: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + RECV_TIMEOUT;
        let mut seen = 0;
        loop {
            if let Some(at) = self.queue.iter().skip(seen).position(&matches) {
                return self
                    .queue
                    .remove(seen + at)
                    .expect("position is in the queue");
            }
            seen = self.queue.len();
            if !self.pull(deadline).await {
                panic!(
                    "{}: expected {what}; it did not arrive within {RECV_TIMEOUT:?}{}",
                    self.label,
                    self.state()
                );
            }
        }
    }

    /// The next message must be this type/name: anything else first fails the test.
    pub async fn expect_next(&mut self, kind: &str, name: &str) -> Value {
        let message = self.recv_json().await;
        assert!(
            message["type"] == kind && message["name"] == name,
            "{}: expected {kind}/{name} next, got {message}{}",
            self.label,
            self.state()
        );
        message
    }

    /// Expects a `system/error` with this code and `request` (`None`: null); returns its data.
    pub async fn expect_error(&mut self, code: &str, request: Option<&str>) -> Value {
        let message = self.expect("system", "error").await;
        let data = &message["data"];
        assert_eq!(
            data["code"], code,
            "{}: error code in {message}",
            self.label
        );
        let wanted = request.map_or(Value::Null, |r| json!(r));
        assert_eq!(
            data["request"], wanted,
            "{}: request in {message}",
            self.label
        );
        assert!(
            data["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{}: error without a message text: {message}",
            self.label
        );
        let keys = object_keys(data);
        assert_eq!(
            keys,
            ["code", "message", "request"],
            "{}: {message}",
            self.label
        );
        data.clone()
    }

    /// Asserts that nothing but ping/pong is queued or arrives during `window` (at least
    /// `CLUSTER_QUIET` in the cluster topology).
    pub async fn expect_none(&mut self, window: Duration) {
        let window = if super::is_cluster() {
            window.max(CLUSTER_QUIET)
        } else {
            window
        };
        assert!(
            self.queue.is_empty(),
            "{}: expected nothing, but these arrived: {:?}",
            self.label,
            self.queue
        );
        let deadline = Instant::now() + window;
        let got_something = self.pull(deadline).await;
        assert!(
            !got_something && self.finished.is_none(),
            "{}: expected nothing for {window:?}{}",
            self.label,
            self.state()
        );
    }

    /// Receives (queueing any messages) until the server's close frame; returns its code
    /// (1005 when the frame had none). Fails when the socket ends without a close frame.
    pub async fn expect_close(&mut self) -> u16 {
        self.expect_close_within(RECV_TIMEOUT).await
    }

    pub async fn expect_close_within(&mut self, timeout: Duration) -> u16 {
        let deadline = Instant::now() + timeout;
        loop {
            match self.read(deadline).await {
                Some(Incoming::Json(messages)) => self.queue.extend(messages),
                Some(Incoming::Close(code)) => {
                    self.finished = Some(format!("closed with {code}"));
                    return code;
                }
                Some(Incoming::Ended(why)) => panic!(
                    "{}: socket ended without a close frame ({why}); queued: {:?}",
                    self.label, self.queue
                ),
                None => panic!(
                    "{}: no close frame within {timeout:?}; queued: {:?}",
                    self.label, self.queue
                ),
            }
        }
    }

    /// Messages received but not yet consumed, left in the queue.
    pub fn queued(&self) -> impl Iterator<Item = &Value> {
        self.queue.iter()
    }

    /// Messages received but not yet consumed by an expectation.
    pub fn take_queued(&mut self) -> Vec<Value> {
        self.queue.drain(..).collect()
    }

    /// Reads whatever arrives within `window` into the queue (also answers pings).
    pub async fn poll_incoming(&mut self, window: Duration) {
        let deadline = Instant::now() + window;
        while self.pull(deadline).await {}
    }

    /// Drops the TCP connection without a close frame, as a crashed client would.
    pub fn abort(self) {
        drop(self.ws);
    }

    /// Closes politely (close frame 1000) and waits for the server's answer.
    pub async fn close(mut self) {
        let _ = self.ws.close(None).await;
        let deadline = Instant::now() + RECV_TIMEOUT;
        while let Some(Incoming::Json(_)) = self.read(deadline).await {}
    }

    // --- conference helpers -------------------------------------------------------------

    /// `room/connect`; returns the id from `connectResponse`.
    pub async fn connect_id(&mut self, room: &str) -> String {
        self.send_json(frames::connect(room)).await;
        let response = self.expect("room", "connectResponse").await;
        id_of(&response)
    }

    /// `conference/join`; returns the `joinResponse` data.
    pub async fn join(&mut self, room: &str, name: &str) -> Value {
        self.send_json(frames::join(room, name)).await;
        let response = self.expect("conference", "joinResponse").await;
        assert_eq!(response["data"]["room"], room, "{}: {response}", self.label);
        response["data"].clone()
    }

    /// Joins and returns this client's id.
    pub async fn join_id(&mut self, room: &str, name: &str) -> String {
        let data = self.join(room, name).await;
        data["id"]
            .as_str()
            .expect("joinResponse data.id")
            .to_string()
    }

    /// `conference/leave`; returns the `leaveResponse` data.
    pub async fn leave(&mut self, room: &str) -> Value {
        self.send_json(frames::leave(room)).await;
        let response = self.expect("conference", "leaveResponse").await;
        response["data"].clone()
    }

    // --- plumbing ------------------------------------------------------------------------

    /// Reads once into the queue; false on timeout or when the socket is finished.
    async fn pull(&mut self, deadline: Instant) -> bool {
        if self.finished.is_some() {
            return false;
        }
        match self.read(deadline).await {
            Some(Incoming::Json(messages)) => {
                self.queue.extend(messages);
                true
            }
            Some(Incoming::Close(code)) => {
                self.finished = Some(format!("closed by the server with {code}"));
                false
            }
            Some(Incoming::Ended(why)) => {
                self.finished = Some(format!("socket ended: {why}"));
                false
            }
            None => false,
        }
    }

    async fn read(&mut self, deadline: Instant) -> Option<Incoming> {
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let next = match tokio::time::timeout(left, self.ws.next()).await {
                Err(_) => return None,
                Ok(next) => next,
            };
            let message = match next {
                None => return Some(Incoming::Ended("stream ended".into())),
                Some(Err(err)) => return Some(Incoming::Ended(err.to_string())),
                Some(Ok(message)) => message,
            };
            match message {
                Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => continue,
                Message::Close(frame) => {
                    return Some(Incoming::Close(frame.map_or(1005, |f| f.code.into())));
                }
                Message::Text(text) => {
                    return Some(Incoming::Json(parse_lines(&self.label, &text)));
                }
                Message::Binary(bytes) => {
                    panic!("{}: server sent a binary frame: {bytes:?}", self.label)
                }
            }
        }
    }

    fn state(&self) -> String {
        let mut out = String::new();
        if self.queue.is_empty() {
            out.push_str("; nothing else arrived");
        } else {
            out.push_str("; arrived instead:");
            for message in &self.queue {
                out.push_str("\n  ");
                out.push_str(&message.to_string());
            }
        }
        if let Some(finished) = &self.finished {
            out.push_str("; then ");
            out.push_str(finished);
        }
        out
    }
}

/// A server text frame may hold several JSON messages separated by "\n".
fn parse_lines(label: &str, text: &str) -> Vec<Value> {
    text.split('\n')
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            serde_json::from_str(line).unwrap_or_else(|err| {
                panic!("{label}: server sent non-JSON text ({err}): {line:?}")
            })
        })
        .collect()
}

/// `data.id` of a server message.
pub fn id_of(message: &Value) -> String {
    message["data"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no string data.id in {message}"))
        .to_string()
}

/// The sorted keys of a JSON object (empty for anything else).
pub fn object_keys(value: &Value) -> Vec<String> {
    let mut keys: Vec<String> = value
        .as_object()
        .map(|object| object.keys().cloned().collect())
        .unwrap_or_default();
    keys.sort();
    keys
}
