//! The node's Engine.IO sessions by `sid`: a polling session is one HTTP request per round
//! trip, and each must find the actor that holds the session.
//! Sids are made by [`super::sid`].

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use actix::Addr;

use super::session::EngineSession;

#[derive(Default)]
pub struct Sessions {
    open: Mutex<HashMap<String, Entry>>,
}

/// A session, and whether a POST of it is being read: one at a time, as in engine.io (a
/// client sends its next POST when the previous one is answered), so a client cannot make
/// the node buffer many bodies at once.
#[derive(Clone)]
pub struct Entry {
    pub session: Addr<EngineSession>,
    posting: Arc<AtomicBool>,
}

impl Entry {
    /// Marks a POST in flight until the guard drops; `None` when one already is.
    pub fn start_post(&self) -> Option<PostGuard> {
        (!self.posting.swap(true, Ordering::AcqRel)).then(|| PostGuard(self.posting.clone()))
    }
}

pub struct PostGuard(Arc<AtomicBool>);

impl Drop for PostGuard {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

impl Sessions {
    pub fn insert(&self, sid: String, session: Addr<EngineSession>) {
        let entry = Entry {
            session,
            posting: Arc::default(),
        };
        self.lock().insert(sid, entry);
    }

    pub fn get(&self, sid: &str) -> Option<Entry> {
        self.lock().get(sid).cloned()
    }

    pub fn remove(&self, sid: &str) {
        self.lock().remove(sid);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        self.open
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
