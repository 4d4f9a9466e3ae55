//! The open WebSocket sessions of this node: counted for /readyz and told to close on drain.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use actix::{Message, Recipient};

/// Tells a session the node is draining: leave every room, close with 1001, stop.
#[derive(Message, Clone, Copy)]
#[rtype(result = "()")]
pub struct Shutdown;

#[derive(Default)]
pub struct Connections {
    next_key: AtomicU64,
    open: Mutex<HashMap<u64, Recipient<Shutdown>>>,
}

impl Connections {
    /// Registers a session; the key unregisters it.
    pub fn add(&self, session: Recipient<Shutdown>) -> u64 {
        let key = self.next_key.fetch_add(1, Ordering::Relaxed);
        self.lock().insert(key, session);
        key
    }

    pub fn remove(&self, key: u64) {
        self.lock().remove(&key);
    }

    pub fn count(&self) -> usize {
        self.lock().len()
    }

    /// Tells every open session to close.
    pub fn shutdown_all(&self) {
        for session in self.lock().values() {
            session.do_send(Shutdown);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Recipient<Shutdown>>> {
        self.open
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
