//! Raw Engine.IO clients for the tests: HTTP long-polling over a plain TcpStream (one request
//! per connection, so a GET can be held while a POST goes out) and WebSockets through
//! tokio-tungstenite, each speaking the wire format by hand so the tests pin the bytes.

use std::net::SocketAddr;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;

use crate::harness::http::{self, Response};

pub const TIMEOUT: Duration = Duration::from_secs(5);

/// The path of a request with this query.
pub fn path(query: &str) -> String {
    format!("/socket.io/?{query}")
}

/// One HTTP/1.1 request with `Connection: close`; the whole response.
pub async fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[&str],
    body: &[u8],
) -> Response {
    let exchange = async {
        let mut stream = TcpStream::connect(addr).await?;
        let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\n");
        for line in headers {
            head.push_str(line);
            head.push_str("\r\n");
        }
        if method == "POST" {
            head.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        head.push_str("Connection: close\r\n\r\n");
        stream.write_all(head.as_bytes()).await?;
        stream.write_all(body).await?;
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).await?;
        http::parse(&raw)
    };
    tokio::time::timeout(TIMEOUT * 2, exchange)
        .await
        .unwrap_or_else(|_| panic!("{method} {path} timed out"))
        .unwrap_or_else(|err| panic!("{method} {path}: {err}"))
}

pub async fn get(addr: SocketAddr, path: &str) -> Response {
    request(addr, "GET", path, &[], b"").await
}

pub async fn post(addr: SocketAddr, path: &str, body: &str) -> Response {
    request(
        addr,
        "POST",
        path,
        &["Content-Type: text/plain;charset=UTF-8"],
        body.as_bytes(),
    )
    .await
}

/// The JSON error body of a refused request, checked against its status.
pub fn engine_error(response: &Response, status: u16, code: u8, message: &str) {
    assert_eq!(response.status, status, "{response:?}");
    let body: Value = serde_json::from_str(&response.body)
        .unwrap_or_else(|err| panic!("error body is not JSON ({err}): {response:?}"));
    assert_eq!(
        body,
        serde_json::json!({"code": code, "message": message}),
        "{response:?}"
    );
}

/// Splits a polling body into its packets: v3 `<len>:<packet>` records (lengths in UTF-16
/// units), v4 records separated by `\x1e`.
pub fn packets(eio: u8, body: &str) -> Vec<String> {
    if eio == 4 {
        return body.split('\x1e').map(str::to_string).collect();
    }
    let mut out = Vec::new();
    let mut rest = body;
    while !rest.is_empty() {
        let (len, after) = rest.split_once(':').expect("v3 record length");
        let len: usize = len.parse().expect("v3 record length digits");
        let mut units = 0;
        let end = after
            .char_indices()
            .find(|(_, c)| {
                let done = units >= len;
                units += c.len_utf16();
                done
            })
            .map_or(after.len(), |(at, _)| at);
        out.push(after[..end].to_string());
        rest = &after[end..];
    }
    out
}

/// Encodes packets as a polling body for `eio`.
pub fn payload(eio: u8, packets: &[&str]) -> String {
    if eio == 4 {
        return packets.join("\x1e");
    }
    packets
        .iter()
        .map(|packet| format!("{}:{packet}", packet.encode_utf16().count()))
        .collect()
}

/// A polling session: its node, version and sid.
pub struct Polling {
    pub addr: SocketAddr,
    pub eio: u8,
    pub sid: String,
    /// The `open` packet's JSON.
    pub open: Value,
}

impl Polling {
    /// The handshake GET; returns the session and the packets after `open`.
    pub async fn open(addr: SocketAddr, eio: u8) -> (Polling, Vec<String>) {
        let response = get(addr, &path(&format!("EIO={eio}&transport=polling&t=abc"))).await;
        assert_eq!(response.status, 200, "handshake: {response:?}");
        assert_eq!(
            response.header("content-type"),
            Some("text/plain; charset=UTF-8")
        );
        let mut packets = packets(eio, &response.body);
        let open = packets.remove(0);
        let json = open
            .strip_prefix('0')
            .unwrap_or_else(|| panic!("first packet is not open: {open:?}"));
        let open: Value = serde_json::from_str(json).expect("open JSON");
        let sid = open["sid"].as_str().expect("sid").to_string();
        (
            Polling {
                addr,
                eio,
                sid,
                open,
            },
            packets,
        )
    }

    /// A v4 session connected to `/` (CONNECT sent, `0{"sid"}` read); v3 sessions are
    /// connected by the server with `40` in the handshake.
    pub async fn connected(addr: SocketAddr, eio: u8) -> Polling {
        let (session, rest) = Self::open(addr, eio).await;
        if eio == 3 {
            assert_eq!(rest, ["40"], "v3 handshake carries the CONNECT");
            return session;
        }
        assert!(rest.is_empty(), "v4 handshake is open alone: {rest:?}");
        session.send(&["40"]).await;
        let reply = session.poll().await;
        assert_eq!(reply.len(), 1, "{reply:?}");
        assert!(reply[0].starts_with("40{\"sid\":\""), "{reply:?}");
        session
    }

    pub fn path(&self) -> String {
        path(&format!(
            "EIO={}&transport=polling&sid={}",
            self.eio, self.sid
        ))
    }

    pub async fn get(&self) -> Response {
        get(self.addr, &self.path()).await
    }

    /// A GET that must answer 200: its packets.
    pub async fn poll(&self) -> Vec<String> {
        let response = self.get().await;
        assert_eq!(response.status, 200, "poll: {response:?}");
        packets(self.eio, &response.body)
    }

    pub async fn post(&self, body: &str) -> Response {
        post(self.addr, &self.path(), body).await
    }

    /// POSTs packets, which must be answered `ok`.
    pub async fn send(&self, packets: &[&str]) {
        let response = self.post(&payload(self.eio, packets)).await;
        assert_eq!(response.status, 200, "post: {response:?}");
        assert_eq!(response.body, "ok");
    }
}

pub type Ws = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<TcpStream>>;

/// A WebSocket to `/socket.io/` with this query.
pub async fn websocket(addr: SocketAddr, query: &str) -> Ws {
    let url = format!("ws://{addr}{}", path(query));
    let (ws, _) = tokio::time::timeout(TIMEOUT, tokio_tungstenite::connect_async(&url))
        .await
        .expect("websocket connect in time")
        .unwrap_or_else(|err| panic!("websocket {url}: {err}"));
    ws
}

/// The next text frame; `None` when the socket closes (or on timeout).
pub async fn next_text(ws: &mut Ws) -> Option<String> {
    loop {
        match tokio::time::timeout(TIMEOUT, ws.next()).await {
            Ok(Some(Ok(Message::Text(text)))) => return Some(text.to_string()),
            Ok(Some(Ok(Message::Ping(_) | Message::Pong(_)))) => continue,
            _ => return None,
        }
    }
}

/// The next text frame, which must come.
pub async fn expect_text(ws: &mut Ws) -> String {
    next_text(ws).await.expect("a text frame")
}

pub async fn send_text(ws: &mut Ws, text: &str) {
    ws.send(Message::text(text)).await.expect("websocket send");
}

pub async fn send_binary(ws: &mut Ws, bytes: &[u8]) {
    ws.send(Message::binary(bytes.to_vec()))
        .await
        .expect("websocket send");
}

/// Reads until the socket closes; the close code, if a close frame came.
pub async fn close_code(ws: &mut Ws) -> Option<u16> {
    loop {
        match tokio::time::timeout(TIMEOUT, ws.next()).await {
            Ok(Some(Ok(Message::Close(frame)))) => return frame.map(|frame| frame.code.into()),
            Ok(Some(Ok(_))) => continue,
            _ => return None,
        }
    }
}
