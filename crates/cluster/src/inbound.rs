//! The inbound task: turns Redis pushes (pub/sub messages, and the client's own disconnection
//! notice) into events for this node's rooms.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use redis::{PushInfo, PushKind, Value};
use switchboard_core::bridge::FromCluster;
use tokio::sync::mpsc;

use crate::bridge::{Shared, lock};
use crate::wire::Envelope;

pub(crate) async fn run(shared: Arc<Shared>, mut pushes: mpsc::UnboundedReceiver<PushInfo>) {
    while let Some(push) = pushes.recv().await {
        match push.kind {
            PushKind::Message => {
                if let Some(payload) = push.data.get(1) {
                    dispatch(&shared, payload);
                }
            }
            PushKind::Disconnection if shared.connected.swap(false, Ordering::SeqCst) => {
                log::warn!("cluster: lost the connection to Redis");
                metrics::gauge!("switchboard_redis_connected").set(0.0);
            }
            _ => {}
        }
    }
}

fn dispatch(shared: &Shared, payload: &Value) {
    let bytes = match payload {
        Value::BulkString(bytes) => bytes.as_slice(),
        Value::SimpleString(text) => text.as_bytes(),
        _ => return,
    };
    let envelope: Envelope = match serde_json::from_slice(bytes) {
        Ok(envelope) => envelope,
        Err(err) => {
            log::warn!("cluster: unreadable message ignored: {err}");
            return;
        }
    };
    // A node hears its own room messages back from Redis; it already applied them.
    if envelope.origin == shared.node.as_str() {
        return;
    }
    metrics::counter!("switchboard_cluster_received_total").increment(1);
    let event = envelope.into_event(&shared.node);
    if let Some(room) = lock(&shared.watched).get(event.room()) {
        room.do_send(FromCluster(event));
    }
}
