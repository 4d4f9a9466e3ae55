//! A node told to stop (SIGTERM) leaves the cluster itself: its clients' departures reach
//! the other nodes at once, not after a lease expires (the lease here is far longer than the
//! test waits), its keys are gone when it exits, and it exits 0.

use std::time::Duration;

use super::harness::peer::disconnected;
use super::harness::util::{as_sorted_texts, gather};
use super::harness::{Cluster, Peer, placement, quiet};
use crate::harness::frames;

/// Far longer than anything below waits: a departure seen in the test came from the drain.
const LONG_LEASE: Duration = Duration::from_secs(60);
/// Generous bound for the drain's messages (only so a broken server cannot hang the test).
const WAIT: Duration = Duration::from_secs(10);

#[tokio::test]
async fn a_draining_node_announces_its_departures_and_leaves_no_keys() {
    let mut cluster = Cluster::start_with_lease(3, LONG_LEASE).await;
    let mut a = Peer::on(cluster.node(0), "a@n1", "r").await;
    let mut b = Peer::on(cluster.node(1), "b@n2", "r").await;
    let mut c = Peer::on(cluster.node(2), "c@n3", "r").await;
    a.join("r", &mut []).await;
    b.join("r", &mut [&mut a]).await;
    c.join("r", &mut [&mut a, &mut b]).await;
    a.join("s", &mut []).await;
    b.join("s", &mut [&mut a]).await;
    quiet(&mut [&mut a, &mut b, &mut c]).await;

    cluster.node(1).sigterm();
    let code = b.client.expect_close_within(WAIT).await;
    assert_eq!(code, 1001, "b@n2 is closed as going away");

    let got = gather(&mut a.client, "a@n1", 2, WAIT).await;
    let expected = [disconnected(&b, "r"), disconnected(&b, "s")];
    assert_eq!(
        as_sorted_texts(&got),
        as_sorted_texts(&expected),
        "a@n1 during n2's drain"
    );
    let got = gather(&mut c.client, "c@n3", 1, WAIT).await;
    assert_eq!(got, [disconnected(&b, "r")], "c@n3 during n2's drain");

    let status = cluster.nodes[1].wait_exit(WAIT).await;
    let logs = cluster.node(1).logs();
    let status = status.unwrap_or_else(|| panic!("n2 still runs after its drain; log:\n{logs}"));
    assert!(status.success(), "n2 exited with {status}; log:\n{logs}");

    // Right after the exit: nothing of n2 in Redis, though its lease would still run long.
    let redis = &cluster.redis;
    let leftovers = [
        (
            "lease:n2",
            redis.cli_int(&["EXISTS", &Cluster::key("lease:n2")]),
        ),
        (
            "members:n2",
            redis.cli_int(&["EXISTS", &Cluster::key("members:n2")]),
        ),
        (
            "n2 in nodes",
            redis.cli_int(&["SISMEMBER", &Cluster::key("nodes"), "n2"]),
        ),
    ];
    let ttl = redis.cli(&["PTTL", &Cluster::key("lease:n2")]);
    assert_eq!(
        leftovers.map(|(_, count)| count),
        [0, 0, 0],
        "n2 left keys behind after exiting: {leftovers:?}, lease PTTL {ttl:?} ms; n2 log:\n{logs}"
    );
    assert_eq!(cluster.room_placement("r"), placement(&[&a, &c]), "room r");
    assert_eq!(cluster.room_placement("s"), placement(&[&a]), "room s");
    cluster.wait_ready(&[0, 2], &[0, 2]).await;

    // Nobody had to clean up after n2, and the others still talk.
    for index in [0, 2] {
        let logs = cluster.node(index).logs();
        assert!(
            !logs.contains("node n2 is gone"),
            "{} cleaned up after n2:\n{logs}",
            Cluster::id(index)
        );
    }
    let offer = frames::sdp("r", &c.id, frames::offer("a-to-c"));
    a.relay(offer, &mut [&mut c]).await;
    quiet(&mut [&mut a, &mut c]).await;
}
