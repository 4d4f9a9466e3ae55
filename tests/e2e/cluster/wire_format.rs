//! Relayed frames cross nodes in wire format 2 (`#2`, a JSON header line, the frame as it
//! is) while every live node reads it, and in format 1 (JSON) while a node of the previous
//! release is alive: one whose lease has no `wire`. Checked on the Redis channels
//! themselves, with every frame delivered untouched in both formats (docs/cluster.md, "Wire
//! formats").

use std::sync::Mutex;
use std::time::Duration;

use super::harness::peer::exchange;
use super::harness::util::wait_until;
use super::harness::{Cluster, Peer, quiet};
use crate::harness::redis::Subscription;
use crate::harness::server::live_nodes;

/// Signals in one `exchange`: offer, answer, three candidates each way, end-of-candidates.
const SIGNALS: usize = 9;
/// How a format-1 signal shows on a channel.
const FORMAT_1_SIGNAL: &str = r#""t":"signal""#;
/// How a format-2 envelope begins.
const FORMAT_2: &str = "#2{";

/// Runs an exchange between `a` and `b` and returns what crossed Redis meanwhile, once the
/// `SIGNALS` envelopes of the expected format have shown (so none is still on its way).
async fn exchange_seen(
    a: &mut Peer,
    b: &mut Peer,
    channels: &Subscription,
    expected: &str,
) -> Vec<String> {
    exchange(a, b, "w").await;
    quiet(&mut [&mut *a, &mut *b]).await;
    let seen = Mutex::new(Vec::new());
    let what = format!("{SIGNALS} signals beginning with {expected} on the channels");
    wait_until(&what, Duration::from_secs(5), async || {
        let mut seen = seen.lock().unwrap();
        seen.extend(channels.take());
        let count = seen.iter().filter(|line| line.contains(expected)).count();
        if count >= SIGNALS {
            Ok(())
        } else {
            Err(format!("{count} so far: {seen:?}"))
        }
    })
    .await;
    seen.into_inner().unwrap()
}

/// Waits until both nodes' /readyz list exactly `nodes`: their last heartbeat read those
/// leases, and with them the wire format to write.
async fn wait_live(cluster: &Cluster, nodes: &[&str]) {
    for node in &cluster.nodes {
        wait_until(
            &format!("live nodes {nodes:?}"),
            Duration::from_secs(10),
            async || {
                let (_, body) = node.readyz().await;
                let live = live_nodes(&body);
                if live == nodes {
                    Ok(())
                } else {
                    Err(format!("{live:?}"))
                }
            },
        )
        .await;
    }
}

#[tokio::test]
async fn frames_cross_in_format_2_and_in_format_1_while_an_old_node_lives() {
    let cluster = Cluster::start(2).await;
    let channels = cluster.redis.psubscribe(&Cluster::key("ch:*"));
    let mut a = Peer::on(cluster.node(0), "a@n1", "w").await;
    let mut b = Peer::on(cluster.node(1), "b@n2", "w").await;
    a.join("w", &mut []).await;
    b.join("w", &mut [&mut a]).await;

    let seen = exchange_seen(&mut a, &mut b, &channels, FORMAT_2).await;
    assert!(
        !seen.iter().any(|line| line.contains(FORMAT_1_SIGNAL)),
        "every node reads format 2, yet a signal crossed in format 1: {seen:?}"
    );

    // A node of the previous release: its lease names no wire format.
    let old_lease = r#"{"node":"old","advertise":null}"#;
    cluster
        .redis
        .cli(&["SET", &Cluster::key("lease:old"), old_lease, "PX", "60000"]);
    cluster.redis.cli(&["SADD", &Cluster::key("nodes"), "old"]);
    wait_live(&cluster, &["n1", "n2", "old"]).await;
    channels.take();
    let seen = exchange_seen(&mut a, &mut b, &channels, FORMAT_1_SIGNAL).await;
    assert!(
        !seen.iter().any(|line| line.starts_with(FORMAT_2)),
        "a node reads format 1 only, yet a signal crossed in format 2: {seen:?}"
    );

    // It is gone: back to format 2.
    cluster.redis.cli(&["DEL", &Cluster::key("lease:old")]);
    wait_live(&cluster, &["n1", "n2"]).await;
    channels.take();
    let seen = exchange_seen(&mut a, &mut b, &channels, FORMAT_2).await;
    assert!(
        !seen.iter().any(|line| line.contains(FORMAT_1_SIGNAL)),
        "the old node is gone, yet a signal crossed in format 1: {seen:?}"
    );
}
