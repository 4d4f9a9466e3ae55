//! The inbound task: turns Redis pushes (pub/sub messages, and the client's own disconnection
//! notice) into events for this node's rooms.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use redis::{PushInfo, PushKind, Value};
use switchboard_core::bridge::FromCluster;
use tokio::sync::mpsc;

use crate::bridge::{Shared, lock};
use crate::wire::{Envelope, PeerEnvelope, PeerWire};
use crate::writer::Op;
use std::sync::Weak;
use switchboard_core::PeerId;
use switchboard_core::bridge::PeerAddress;
use switchboard_core::bridge::Queued;

pub(crate) async fn run(shared: Arc<Shared>, mut pushes: mpsc::UnboundedReceiver<PushInfo>) {
    while let Some(push) = pushes.recv().await {
        match push.kind {
            PushKind::Message => {
                if let [channel, payload, ..] = push.data.as_slice() {
                    let is_peer = text(channel)
                        .is_some_and(|channel| channel.starts_with(&shared.peer_channel_prefix()));
                    if is_peer {
                        dispatch_to_peer(&shared, payload);
                    } else {
                        dispatch(&shared, payload);
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

fn bytes(value: &Value) -> Option<&[u8]> {
    match value {
        Value::BulkString(bytes) => Some(bytes.as_slice()),
        Value::SimpleString(text) => Some(text.as_bytes()),
        _ => None,
    }
}

fn text(value: &Value) -> Option<&str> {
    bytes(value).and_then(|bytes| std::str::from_utf8(bytes).ok())
}

fn dispatch_to_peer(shared: &Shared, payload: &Value) {
    let Some(bytes) = bytes(payload) else { return };
    let envelope: PeerEnvelope = match serde_json::from_slice(bytes) {
        Ok(envelope) => envelope,
        Err(err) => {
            log::warn!("cluster: unreadable peer message ignored: {err}");
            return;
        }
    };
    metrics::counter!("switchboard_cluster_received_total").increment(1);
    let peer = PeerAddress::new(envelope.space, PeerId::new(envelope.to));
    let requeue = match &envelope.body {
        PeerWire::Direct {
            from,
            payload,
            keep_ms: Some(keep_ms),
        } => Some((
            Queued {
                from: PeerId::new(from.clone()),
                payload: payload.clone().into(),
            },
            std::time::Duration::from_millis(*keep_ms),
        )),
        _ => None,
    };
    let sink = lock(&shared.peer_sink).as_ref().and_then(Weak::upgrade);
    let delivered = sink.is_some_and(|sink| sink.deliver(&peer, envelope.body.into()));
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

fn dispatch(shared: &Shared, payload: &Value) {
    let Some(bytes) = bytes(payload) else { return };
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
