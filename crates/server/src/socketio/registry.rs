//! The node's Engine.IO sessions by `sid`: a polling session is one HTTP request per round
//! trip, and each must find the actor that holds the session.
//!
//! A sid is 32 random hex characters (122 bits, URL-safe). The codec accepts up to 128
//! printable bytes, which leaves room for the node prefix a cluster will add to route a
//! request to the node holding its session.

use std::collections::HashMap;
use std::sync::Mutex;

use actix::Addr;

use super::session::EngineSession;

#[derive(Default)]
pub struct Sessions {
    open: Mutex<HashMap<String, Addr<EngineSession>>>,
}

impl Sessions {
    /// A new random sid.
    pub fn new_sid() -> String {
        uuid::Uuid::new_v4().simple().to_string()
    }

    pub fn insert(&self, sid: String, session: Addr<EngineSession>) {
        self.lock().insert(sid, session);
    }

    pub fn get(&self, sid: &str) -> Option<Addr<EngineSession>> {
        self.lock().get(sid).cloned()
    }

    pub fn remove(&self, sid: &str) {
        self.lock().remove(sid);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Addr<EngineSession>>> {
        self.open
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
