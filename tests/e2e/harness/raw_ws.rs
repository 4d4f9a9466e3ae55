//! A WebSocket client written by hand over a TcpStream: it can finish the handshake, send a
//! message and then go silent (never read, so never pong), which tungstenite cannot do. It
//! also reports the HTTP status of a refused upgrade.

use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::http;

const TIMEOUT: Duration = Duration::from_secs(5);

pub struct RawWs {
    stream: TcpStream,
    buffer: Vec<u8>,
    /// The 101 response's head.
    pub head: http::Response,
}

/// The outcome of an upgrade request.
pub enum Upgrade {
    Accepted(RawWs),
    Refused(http::Response),
}

/// Sends the upgrade request for /conference and reads the response head.
pub async fn upgrade(addr: SocketAddr) -> io::Result<Upgrade> {
    let mut stream = TcpStream::connect(addr).await?;
    let request = format!(
        "GET /conference HTTP/1.1\r\nHost: {addr}\r\nUpgrade: websocket\r\n\
         Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
         Sec-WebSocket-Version: 13\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await?;
    let mut buffer = Vec::new();
    let deadline = Instant::now() + TIMEOUT;
    let head_end = loop {
        if let Some(end) = http::find(&buffer, b"\r\n\r\n") {
            break end;
        }
        if read_more(&mut stream, &mut buffer, deadline).await? == 0 {
            // Closed after a refusal without a complete head (or nothing at all).
            return Ok(Upgrade::Refused(http::parse(&buffer)?));
        }
    };
    let head = http::parse(&buffer[..head_end + 4])?;
    if head.status != 101 {
        // Read the rest so the body is available to the test.
        let _ = tokio::time::timeout(TIMEOUT, stream.read_to_end(&mut buffer)).await;
        return Ok(Upgrade::Refused(http::parse(&buffer)?));
    }
    buffer.drain(..head_end + 4);
    Ok(Upgrade::Accepted(RawWs {
        stream,
        buffer,
        head,
    }))
}

/// Upgrades, failing the test unless the server answers 101.
pub async fn connect(addr: SocketAddr) -> RawWs {
    match upgrade(addr).await.expect("raw upgrade") {
        Upgrade::Accepted(ws) => ws,
        Upgrade::Refused(response) => panic!("raw upgrade refused: {response:?}"),
    }
}

async fn read_more(
    stream: &mut TcpStream,
    buffer: &mut Vec<u8>,
    deadline: Instant,
) -> io::Result<usize> {
    let mut chunk = [0u8; 8192];
    let left = deadline.saturating_duration_since(Instant::now());
    let n = tokio::time::timeout(left, stream.read(&mut chunk))
        .await
        .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "raw read timed out"))??;
    buffer.extend_from_slice(&chunk[..n]);
    Ok(n)
}

impl RawWs {
    /// Sends one masked text frame.
    pub async fn send_text(&mut self, text: &str) {
        let payload = text.as_bytes();
        let mask = [0x37u8, 0xfa, 0x21, 0x3d];
        let mut frame = vec![0x81u8];
        match payload.len() {
            len @ 0..=125 => frame.push(0x80 | len as u8),
            len @ 126..=0xffff => {
                frame.push(0x80 | 126);
                frame.extend_from_slice(&(len as u16).to_be_bytes());
            }
            len => {
                frame.push(0x80 | 127);
                frame.extend_from_slice(&(len as u64).to_be_bytes());
            }
        }
        frame.extend_from_slice(&mask);
        frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
        self.stream.write_all(&frame).await.expect("raw send");
    }

    /// Reads the next frame as (opcode, payload); `None` on EOF, error or timeout.
    pub async fn read_frame(&mut self, deadline: Instant) -> Option<(u8, Vec<u8>)> {
        loop {
            if let Some((frame, used)) = decode(&self.buffer) {
                self.buffer.drain(..used);
                return Some(frame);
            }
            match read_more(&mut self.stream, &mut self.buffer, deadline).await {
                Ok(0) | Err(_) => return None,
                Ok(_) => {}
            }
        }
    }

    /// Reads past text and ping frames up to the close frame; returns its code, or `None`
    /// when the socket ends (or the timeout passes) without one.
    pub async fn close_code(&mut self, timeout: Duration) -> Option<u16> {
        let deadline = Instant::now() + timeout;
        while let Some((opcode, payload)) = self.read_frame(deadline).await {
            if opcode == 0x8 {
                return Some(match payload.get(..2) {
                    Some(code) => u16::from_be_bytes([code[0], code[1]]),
                    None => 1005,
                });
            }
        }
        None
    }
}

/// Decodes one whole frame at the start of `buffer`: ((opcode, payload), bytes used).
fn decode(buffer: &[u8]) -> Option<((u8, Vec<u8>), usize)> {
    let (&first, &second) = (buffer.first()?, buffer.get(1)?);
    let masked = second & 0x80 != 0;
    let (len, mut at) = match second & 0x7f {
        126 => (
            u16::from_be_bytes(buffer.get(2..4)?.try_into().ok()?) as usize,
            4,
        ),
        127 => (
            u64::from_be_bytes(buffer.get(2..10)?.try_into().ok()?) as usize,
            10,
        ),
        len => (len as usize, 2),
    };
    let mask: Option<[u8; 4]> = if masked {
        let key = buffer.get(at..at + 4)?.try_into().ok()?;
        at += 4;
        Some(key)
    } else {
        None
    };
    let mut payload = buffer.get(at..at + len)?.to_vec();
    if let Some(mask) = mask {
        payload
            .iter_mut()
            .enumerate()
            .for_each(|(i, b)| *b ^= mask[i % 4]);
    }
    Some(((first & 0x0f, payload), at + len))
}
