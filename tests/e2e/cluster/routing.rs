//! Room traffic goes only to the nodes hosting members of the room: a node subscribes to a
//! room's channel while it has a member there and unsubscribes after its last one leaves.
//! Checked in Redis (PUBSUB NUMSUB / CHANNELS) and by what each node receives
//! (`switchboard_cluster_received_total`, which counts every message a node gets from other
//! nodes, whether or not it hosts the room).

use super::harness::util::wait_until;
use super::harness::{Cluster, Peer, quiet};
use crate::harness::{Server, frames, prom};

/// Messages `node` received from other nodes so far.
async fn received(node: &Server) -> f64 {
    let text = node.metrics().await;
    prom::value(&text, "switchboard_cluster_received_total", &[]).unwrap_or(0.0)
}

#[tokio::test]
async fn only_nodes_hosting_a_room_get_its_traffic() {
    let cluster = Cluster::start(3).await;
    // r: a@n1, b@n2. s: a@n1, b@n2, c@n3 (s is the probe: its traffic follows r's on every
    // node's Redis connection, so once c got it, n3 got whatever r traffic came before).
    let mut a = Peer::on(cluster.node(0), "a@n1", "r").await;
    let mut b = Peer::on(cluster.node(1), "b@n2", "r").await;
    let mut c = Peer::on(cluster.node(2), "c@n3", "s").await;
    a.join("r", &mut []).await;
    b.join("r", &mut [&mut a]).await;
    c.join("s", &mut []).await;
    a.join("s", &mut [&mut c]).await;
    b.join("s", &mut [&mut c, &mut a]).await;

    let (r, s) = (Cluster::room_channel("r"), Cluster::room_channel("s"));
    assert_eq!(cluster.room_subscribers("r"), 2, "r is hosted by n1 and n2");
    assert_eq!(
        cluster.room_subscribers("s"),
        3,
        "s is hosted by every node"
    );
    assert_eq!(cluster.subscribed_room_channels(), [r.clone(), s.clone()]);

    // Phase 1: r traffic of every kind; n3 hosts no member of r and must receive none of it.
    let n3_before = received(cluster.node(2)).await;
    let to_all = frames::trickle("r", None, frames::candidate("a-r-all"));
    a.relay(to_all, &mut [&mut b]).await;
    let offer = frames::sdp("r", &b.id, frames::offer("a-to-b"));
    a.relay(offer, &mut [&mut b]).await;
    let to_all = frames::trickle("r", None, frames::candidate("b-r-all"));
    b.relay(to_all, &mut [&mut a]).await;
    let probe = frames::trickle("s", None, frames::candidate("probe-1"));
    a.relay(probe, &mut [&mut b, &mut c]).await;
    quiet(&mut [&mut a, &mut b, &mut c]).await;
    assert_eq!(
        received(cluster.node(2)).await,
        n3_before + 1.0,
        "n3 got r traffic (or missed the probe in s)\n{}",
        cluster.all_logs()
    );

    // Phase 2: n2's last member of r leaves: n2 unsubscribes and gets no more r traffic,
    // while n3, now hosting d in r, subscribes.
    b.leave("r", &mut [&mut a]).await;
    wait_until(
        "n2 unsubscribes from r",
        cluster.lease_wait(),
        async || match cluster.room_subscribers("r") {
            1 => Ok(()),
            other => Err(format!("{other} subscribers")),
        },
    )
    .await;
    let mut d = Peer::on(cluster.node(2), "d@n3", "r").await;
    let n2_before = received(cluster.node(1)).await;
    d.join("r", &mut [&mut a]).await;
    assert_eq!(cluster.room_subscribers("r"), 2, "r is hosted by n1 and n3");
    let offer = frames::sdp("r", &d.id, frames::offer("a-to-d"));
    a.relay(offer, &mut [&mut d]).await;
    let to_all = frames::trickle("r", None, frames::candidate("d-r-all"));
    d.relay(to_all, &mut [&mut a]).await;
    let to_all = frames::trickle("r", None, frames::candidate("a-r-all-2"));
    a.relay(to_all, &mut [&mut d]).await;
    let probe = frames::trickle("s", None, frames::candidate("probe-2"));
    a.relay(probe, &mut [&mut b, &mut c]).await;
    quiet(&mut [&mut a, &mut b, &mut c, &mut d]).await;
    assert_eq!(
        received(cluster.node(1)).await,
        n2_before + 1.0,
        "n2 got r traffic after its last member left (or missed the probe in s)\n{}",
        cluster.all_logs()
    );

    // Phase 3: r empties: nobody subscribes to its channel any more.
    a.leave("r", &mut [&mut d]).await;
    d.leave("r", &mut []).await;
    wait_until(
        "nobody subscribes to r",
        cluster.lease_wait(),
        async || match cluster.subscribed_room_channels() {
            channels if channels == [s.clone()] => Ok(()),
            channels => Err(format!("{channels:?}")),
        },
    )
    .await;
    assert_eq!(cluster.room_subscribers("r"), 0);
    assert!(
        cluster.room_hash("r").is_empty(),
        "r left behind in Redis: {:?}",
        cluster.room_hash("r")
    );
    quiet(&mut [&mut a, &mut b, &mut c, &mut d]).await;
}
