//! A node killed with -9 says nothing: the survivors notice its lease expired, exactly one
//! of them removes its members from Redis and announces their departure, and the members on
//! the survivors get `peerDisconnected` for each of them, once.

use super::harness::peer::disconnected;
use super::harness::util::{as_sorted_texts, gather, wait_until};
use super::harness::{Cluster, Peer, placement, quiet};
use crate::harness::frames;

#[tokio::test]
async fn a_killed_node_is_cleaned_up_by_one_survivor() {
    let mut cluster = Cluster::start(3).await;
    let mut a = Peer::on(cluster.node(0), "a@n1", "r").await;
    let mut b = Peer::on(cluster.node(1), "b@n2", "r").await;
    let mut c = Peer::on(cluster.node(2), "c@n3", "r").await;
    let mut b2 = Peer::on(cluster.node(1), "b2@n2", "r").await;
    a.join("r", &mut []).await;
    b.join("r", &mut [&mut a]).await;
    c.join("r", &mut [&mut a, &mut b]).await;
    b2.join("r", &mut [&mut a, &mut b, &mut c]).await;
    a.join("s", &mut []).await;
    b.join("s", &mut [&mut a]).await;
    quiet(&mut [&mut a, &mut b, &mut c, &mut b2]).await;

    cluster.nodes[1].kill9().expect("kill -9 n2");
    let wait = cluster.lease_wait();

    let got = gather(&mut a.client, "a@n1", 3, wait).await;
    let expected = [
        disconnected(&b, "r"),
        disconnected(&b2, "r"),
        disconnected(&b, "s"),
    ];
    assert_eq!(
        as_sorted_texts(&got),
        as_sorted_texts(&expected),
        "a@n1 after n2 died"
    );
    let got = gather(&mut c.client, "c@n3", 2, wait).await;
    let expected = [disconnected(&b, "r"), disconnected(&b2, "r")];
    assert_eq!(
        as_sorted_texts(&got),
        as_sorted_texts(&expected),
        "c@n3 after n2 died"
    );

    // Redis forgot n2 and everything it held.
    assert_eq!(cluster.room_placement("r"), placement(&[&a, &c]), "room r");
    assert_eq!(cluster.room_placement("s"), placement(&[&a]), "room s");
    assert_eq!(
        cluster
            .redis
            .cli_int(&["EXISTS", &Cluster::key("members:n2")]),
        0
    );
    assert_eq!(
        cluster
            .redis
            .cli_int(&["EXISTS", &Cluster::key("lease:n2")]),
        0
    );
    assert_eq!(
        cluster
            .redis
            .cli_int(&["SISMEMBER", &Cluster::key("nodes"), "n2"]),
        0
    );
    cluster.wait_ready(&[0, 2], &[0, 2]).await;

    // Exactly one survivor cleaned up.
    let cleaned = |cluster: &Cluster| {
        [0, 2]
            .iter()
            .map(|&i| cluster.node(i).logs().matches("node n2 is gone").count())
            .sum::<usize>()
    };
    wait_until(
        "a survivor logs the cleanup",
        wait,
        async || match cleaned(&cluster) {
            0 => Err("no survivor logged `node n2 is gone`".to_string()),
            _ => Ok(()),
        },
    )
    .await;

    // The survivors still talk to each other, and nothing else arrived.
    let offer = frames::sdp("r", &c.id, frames::offer("a-to-c"));
    a.relay(offer, &mut [&mut c]).await;
    let to_all = frames::trickle("r", None, frames::candidate("c-to-all"));
    c.relay(to_all, &mut [&mut a]).await;
    quiet(&mut [&mut a, &mut c]).await;
    assert_eq!(
        cleaned(&cluster),
        1,
        "cleanups logged by the survivors:\n{}",
        cluster.all_logs()
    );
}
