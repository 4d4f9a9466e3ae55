//! Redis goes away and comes back empty: meanwhile each node still relays between its own
//! clients, says it is not ready, and refuses signals to other nodes with `unavailable`;
//! once Redis is back every node re-asserts its members, and the same connections signal
//! across nodes again, with nothing delivered twice and no member listed twice.

use std::time::Duration;

use serde_json::json;

use super::harness::util::wait_until;
use super::harness::{Cluster, Peer, placement, quiet};
use crate::harness::frames;

/// Bound for the nodes to notice Redis left or came back (only so a broken server cannot
/// hang the test; the bridge retries at least every 2 s).
const NOTICE: Duration = Duration::from_secs(10);

#[tokio::test]
async fn nodes_ride_out_a_redis_restart() {
    redis_restart(Duration::ZERO).await;
}

/// Redis stays away a few seconds: the nodes are deep in their retry backoff by then, so
/// they find it back at different moments, not together.
#[tokio::test]
async fn nodes_ride_out_a_longer_redis_outage() {
    redis_restart(Duration::from_secs(4)).await;
}

/// The scenario, with Redis kept down for `extra` after the checks made while it is away.
async fn redis_restart(extra: Duration) {
    let mut cluster = Cluster::start(3).await;
    let mut a1 = Peer::on(cluster.node(0), "a1@n1", "r").await;
    let mut a2 = Peer::on(cluster.node(0), "a2@n1", "r").await;
    let mut b = Peer::on(cluster.node(1), "b@n2", "r").await;
    a1.join("r", &mut []).await;
    a2.join("r", &mut [&mut a1]).await;
    b.join("r", &mut [&mut a1, &mut a2]).await;
    quiet(&mut [&mut a1, &mut a2, &mut b]).await;

    cluster.redis.kill();

    // Every node reports it is not ready, in cluster mode, without Redis.
    for index in 0..3 {
        let node = cluster.node(index);
        let what = format!("{} reports Redis unreachable", Cluster::id(index));
        let body = wait_until(&what, NOTICE, async || {
            let (status, body) = node.readyz().await;
            if status == 503 && body["redis_connected"] == false {
                Ok(body)
            } else {
                Err(format!("{status} {body}"))
            }
        })
        .await;
        assert_eq!(body["mode"], "cluster", "{body}");
        assert_eq!(body["draining"], false, "{body}");
        assert_ne!(body["status"], "ready", "{body}");
    }

    // Between two clients of one node, signaling goes on.
    let offer = frames::sdp("r", &a2.id, frames::offer("a1-to-a2-offline"));
    a1.relay(offer, &mut [&mut a2]).await;
    let candidate = frames::trickle("r", Some(&a1.id), frames::candidate("a2-to-a1-offline"));
    a2.relay(candidate, &mut [&mut a1]).await;
    quiet(&mut [&mut a1, &mut a2, &mut b]).await;

    // To a peer on another node: refused at once, in both directions.
    a1.client
        .send_json(frames::sdp("r", &b.id, frames::offer("a1-to-b-offline")))
        .await;
    a1.client
        .expect_error("unavailable", Some("signal/sdp"))
        .await;
    b.client
        .send_json(frames::sdp("r", &a1.id, frames::answer("b-to-a1-offline")))
        .await;
    b.client
        .expect_error("unavailable", Some("signal/sdp"))
        .await;
    quiet(&mut [&mut a1, &mut a2, &mut b]).await;

    // Redis is back, empty, on the same port.
    tokio::time::sleep(extra).await;
    cluster.redis.restart();
    let all = [0, 1, 2];
    wait_until("every node ready again", NOTICE, async || {
        for index in all {
            let (status, body) = cluster.node(index).readyz().await;
            if status != 200 || body["redis_connected"] != true {
                return Err(format!("{}: {status} {body}", Cluster::id(index)));
            }
        }
        Ok(())
    })
    .await;
    cluster.wait_ready(&all, &all).await;
    let expected = placement(&[&a1, &a2, &b]);
    wait_until(
        "the room's members are back in Redis",
        NOTICE,
        async || match cluster.room_placement("r") {
            found if found == expected => Ok(()),
            found => Err(format!("{found:?}")),
        },
    )
    .await;
    let entry = |peer: &Peer| json!(["conference", "r", peer.id]).to_string();
    let mut n1_members = cluster
        .redis
        .cli(&["SMEMBERS", &Cluster::key("members:n1")]);
    n1_members.sort();
    let mut expected_n1 = vec![entry(&a1), entry(&a2)];
    expected_n1.sort();
    assert_eq!(n1_members, expected_n1, "members:n1");
    assert_eq!(
        cluster
            .redis
            .cli(&["SMEMBERS", &Cluster::key("members:n2")]),
        [entry(&b)]
    );

    // The same connections signal across nodes again, each message once.
    let offer = frames::sdp("r", &b.id, frames::offer("a1-to-b"));
    a1.relay(offer, &mut [&mut b]).await;
    quiet(&mut [&mut a1, &mut a2, &mut b]).await;
    let answer = frames::sdp("r", &a1.id, frames::answer("b-to-a1"));
    b.relay(answer, &mut [&mut a1]).await;
    quiet(&mut [&mut a1, &mut a2, &mut b]).await;
    let to_all = frames::trickle("r", None, frames::candidate("b-to-all"));
    b.relay(to_all, &mut [&mut a1, &mut a2]).await;
    quiet(&mut [&mut a1, &mut a2, &mut b]).await;

    // A newcomer on the third node (its room is read from Redis) sees each member once.
    let mut e = Peer::on(cluster.node(2), "e@n3", "r").await;
    e.join("r", &mut [&mut a1, &mut a2, &mut b]).await;
    let to_all = frames::trickle("r", None, frames::candidate("e-to-all"));
    e.relay(to_all, &mut [&mut a1, &mut a2, &mut b]).await;
    quiet(&mut [&mut a1, &mut a2, &mut b, &mut e]).await;
    assert_eq!(cluster.room_placement("r"), placement(&[&a1, &a2, &b, &e]));
}
