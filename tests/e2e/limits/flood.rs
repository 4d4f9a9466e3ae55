//! A raw WebSocket client that floods: it sends a message on every tick until the server
//! closes the socket or it gives up, and keeps every text frame it got. Reading and writing
//! run side by side, so the flooder is never a slow consumer itself.

use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Message;

pub struct Flooded {
    /// The close code, if the server closed with a close frame.
    pub close: Option<u16>,
    pub texts: Vec<String>,
    /// From the first flood message to the end.
    pub elapsed: Duration,
}

/// A flood: `batch` copies of `message` every `every`, after the `setup` messages.
pub struct Flood<'a> {
    pub url: String,
    pub setup: &'a [String],
    pub message: String,
    pub every: Duration,
    pub batch: usize,
    pub give_up: Duration,
}

impl Flood<'_> {
    pub async fn run(&self) -> Flooded {
        self.run_until(std::future::pending()).await
    }

    /// Floods until the server closes, `give_up` passes, or `stop` completes.
    pub async fn run_until(&self, stop: impl std::future::Future<Output = ()>) -> Flooded {
        let (ws, _) = tokio_tungstenite::connect_async(self.url.as_str())
            .await
            .unwrap_or_else(|err| panic!("flood: connect {}: {err}", self.url));
        let (mut sink, mut stream) = ws.split();
        for text in self.setup {
            sink.send(Message::text(text.as_str()))
                .await
                .expect("setup");
        }
        let started = Instant::now();
        let deadline = tokio::time::sleep(self.give_up);
        let mut tick = tokio::time::interval(self.every);
        let mut texts = Vec::new();
        let mut writable = true;
        tokio::pin!(deadline, stop);
        let close = loop {
            tokio::select! {
                _ = tick.tick(), if writable => {
                    for _ in 0..self.batch {
                        if sink.feed(Message::text(self.message.as_str())).await.is_err() {
                            writable = false;
                        }
                    }
                    writable &= sink.flush().await.is_ok();
                }
                frame = stream.next() => match frame {
                    Some(Ok(Message::Text(text))) => texts.push(text.to_string()),
                    Some(Ok(Message::Close(frame))) => break frame.map(|f| f.code.into()),
                    Some(Ok(_)) => {}
                    Some(Err(_)) | None => break None,
                },
                _ = &mut deadline => break None,
                _ = &mut stop => break None,
            }
        };
        Flooded {
            close,
            texts,
            elapsed: started.elapsed(),
        }
    }
}
