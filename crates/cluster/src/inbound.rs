//! The inbound task: turns Redis pushes (pub/sub messages, and the client's own disconnection
//! notice) into events for this node's rooms.

use std::sync::atomic::Ordering;
use std::sync::{Arc, Weak};

use bytes::Bytes;
use redis::{PushInfo, PushKind, Value};
use switchboard_core::bridge::{FromCluster, PeerMessage, Queued};
use tokio::sync::mpsc;

use crate::bridge::{Shared, lock};
use crate::wire::{self, ToPeer};
use crate::writer::Op;

pub(crate) async fn run(shared: Arc<Shared>, mut pushes: mpsc::UnboundedReceiver<PushInfo>) {
    while let Some(push) = pushes.recv().await {
        match push.kind {
            PushKind::Message => {
                let mut data = push.data.into_iter();
                if let (Some(channel), Some(payload)) = (data.next(), data.next()) {
                    let is_peer = bytes_of(&channel).is_some_and(|channel| {
                        channel.starts_with(shared.peer_channel_prefix.as_bytes())
                    });
                    let Some(payload) = into_bytes(payload) else {
                        continue;
                    };
                    if is_peer {
                        dispatch_to_peer(&shared, &payload);
                    } else {
                        dispatch(&shared, &payload);
                    }
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

fn bytes_of(value: &Value) -> Option<&[u8]> {
    match value {
        Value::BulkString(bytes) => Some(bytes.as_slice()),
        Value::SimpleString(text) => Some(text.as_bytes()),
        _ => None,
    }
}

/// The message's bytes, taken over without a copy: a relayed frame is a slice of them.
fn into_bytes(value: Value) -> Option<Bytes> {
    match value {
        Value::BulkString(bytes) => Some(Bytes::from(bytes)),
        Value::SimpleString(text) => Some(Bytes::from(text)),
        _ => None,
    }
}

fn dispatch_to_peer(shared: &Shared, bytes: &Bytes) {
    let ToPeer {
        peer,
        message,
        keep,
    } = match wire::read_peer_message(bytes) {
        Ok(read) => read,
        Err(err) => {
            log::warn!("cluster: unreadable peer message ignored: {err}");
            return;
        }
    };
    metrics::counter!("switchboard_cluster_received_total").increment(1);
    let requeue = match (&message, keep) {
        (PeerMessage::Direct { from, payload }, Some(expires_in)) => Some((
            Queued {
                from: from.clone(),
                payload: payload.clone(),
            },
            expires_in,
        )),
        _ => None,
    };
    let sink = lock(&shared.peer_sink).as_ref().and_then(Weak::upgrade);
    let delivered = sink.is_some_and(|sink| sink.deliver(&peer, message));
    // Subscribed, but the session is not in the directory (yet, or any more): keep the
    // message for the peer's next claim instead of losing it.
    if let (false, Some((message, expires_in))) = (delivered, requeue) {
        let _ = shared.ops.send(Op::Requeue {
            peer,
            message,
            expires_in,
        });
    }
}

fn dispatch(shared: &Shared, bytes: &Bytes) {
    let (origin, event) = match wire::read_event(bytes, &shared.node) {
        Ok(read) => read,
        Err(err) => {
            log::warn!("cluster: unreadable message ignored: {err}");
            return;
        }
    };
    // A node hears its own room messages back from Redis; it already applied them.
    if origin == shared.node.as_str() {
        return;
    }
    metrics::counter!("switchboard_cluster_received_total").increment(1);
    if let Some(room) = lock(&shared.watched).get(event.room()) {
        room.do_send(FromCluster(event));
    }
}
