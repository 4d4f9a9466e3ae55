//! The bounded write side of a WebSocket.
//!
//! The session actor never awaits the socket: it queues frames here and a writer task feeds
//! them to actix-ws. The bytes waiting in the queue are counted; once they pass the bound the
//! client is a slow consumer, and the session drops it instead of letting the node's memory
//! grow (actix-web-actors had no such bound).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use actix_ws::{CloseReason, Session};
use bytestring::ByteString;
use tokio::sync::mpsc;

pub use actix_ws::CloseCode;

/// How long a close frame may take to reach a client before the socket is dropped anyway.
const CLOSE_GRACE: Duration = Duration::from_secs(1);

enum Outgoing {
    Text(ByteString),
    Ping,
    Pong(bytes::Bytes),
    Close(CloseReason),
}

/// The client reads too slowly: its queue is over the bound.
#[derive(Debug)]
pub struct SlowConsumer;

pub struct Outbox {
    queue: mpsc::UnboundedSender<Outgoing>,
    queued_bytes: Arc<AtomicUsize>,
    limit: usize,
    /// Kept to close a socket whose queue is stuck behind a slow client.
    session: Session,
    writer: tokio::task::JoinHandle<()>,
}

impl Outbox {
    /// Starts the writer task; `limit` 0 means unbounded.
    pub fn start(session: Session, limit: usize) -> Self {
        let (queue, receiver) = mpsc::unbounded_channel();
        let queued_bytes = Arc::new(AtomicUsize::new(0));
        let writer = actix_rt::spawn(write(session.clone(), receiver, queued_bytes.clone()));
        Self {
            queue,
            queued_bytes,
            limit,
            session,
            writer,
        }
    }

    /// Queues a text frame, or reports that the client is too slow to take it.
    pub fn text(&self, text: impl Into<ByteString>) -> Result<(), SlowConsumer> {
        let text = text.into();
        let queued = self.queued_bytes.fetch_add(text.len(), Ordering::Relaxed) + text.len();
        if self.limit > 0 && queued > self.limit {
            return Err(SlowConsumer);
        }
        let _ = self.queue.send(Outgoing::Text(text));
        Ok(())
    }

    pub fn ping(&self) {
        let _ = self.queue.send(Outgoing::Ping);
    }

    pub fn pong(&self, payload: bytes::Bytes) {
        let _ = self.queue.send(Outgoing::Pong(payload));
    }

    /// Closes after every queued frame is written.
    pub fn close(&self, code: CloseCode, description: &str) {
        let _ = self.queue.send(Outgoing::Close(reason(code, description)));
    }

    /// Closes now, dropping what is queued: for clients that do not read.
    pub fn close_now(self, code: CloseCode, description: &str) {
        self.writer.abort();
        let reason = reason(code, description);
        let session = self.session;
        actix_rt::spawn(async move {
            let _ = tokio::time::timeout(CLOSE_GRACE, session.close(Some(reason))).await;
        });
    }
}

fn reason(code: CloseCode, description: &str) -> CloseReason {
    CloseReason {
        code,
        description: Some(description.to_owned()),
    }
}

async fn write(
    mut session: Session,
    mut queue: mpsc::UnboundedReceiver<Outgoing>,
    queued_bytes: Arc<AtomicUsize>,
) {
    while let Some(frame) = queue.recv().await {
        let written = match frame {
            Outgoing::Text(text) => {
                let len = text.len();
                let written = session.text(text).await;
                queued_bytes.fetch_sub(len, Ordering::Relaxed);
                written
            }
            Outgoing::Ping => session.ping(b"").await,
            Outgoing::Pong(payload) => session.pong(&payload).await,
            Outgoing::Close(reason) => {
                let _ = tokio::time::timeout(CLOSE_GRACE, session.close(Some(reason))).await;
                return;
            }
        };
        if written.is_err() {
            return;
        }
    }
}
