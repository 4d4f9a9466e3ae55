//! The `rooms` dialect across a Redis cluster: two nodes racing `room-create` make one room,
//! the stock clients run the whole seed flow with the owner on one node and the others on
//! another, and an owner's node dying closes the room for the members on the survivors.

use super::harness::Cluster;
use crate::rooms::raw::Peer;
use crate::rooms::stock_client::flow;

#[tokio::test]
async fn nodes_racing_room_create_make_exactly_one_room() {
    let cluster = Cluster::start(2).await;
    for round in 0..10 {
        let room = format!("race-{round}");
        let mut a = Peer::websocket(cluster.node(0).addr(), 4).await;
        let mut b = Peer::websocket(cluster.node(1).addr(), 3).await;
        let create = format!(r#"["room-create","{room}"]"#);
        futures_util::join!(a.emit(&create), b.emit(&create));
        let (got_a, got_b) = futures_util::join!(a.next(), b.next());
        let created = format!(r#"42["room-created","{room}"]"#);
        let exists = format!(r#"42["room-exists","{room}"]"#);
        let mut got = [got_a.clone(), got_b.clone()];
        got.sort();
        let mut want = [created.clone(), exists];
        want.sort();
        assert_eq!(got, want, "round {round}\n{}", cluster.all_logs());
        // The loser joins the winner's room across nodes and sees its owner.
        let (winner, loser) = if got_a == created {
            (&mut a, &mut b)
        } else {
            (&mut b, &mut a)
        };
        loser.emit(&format!(r#"["room-join","{room}"]"#)).await;
        let owner = winner.id.clone();
        loser
            .expect(&format!(
                r#"["room-joined","{room}","{owner}",["{owner}"]]"#
            ))
            .await;
        let joiner = loser.id.clone();
        winner
            .expect(&format!(r#"["client-joined","{room}","{joiner}"]"#))
            .await;
    }
}

#[tokio::test]
async fn the_seed_flow_with_clients_on_two_nodes() {
    let cluster = Cluster::start(2).await;
    let urls = (
        format!("http://{}", cluster.node(0).addr()),
        format!("http://{}", cluster.node(1).addr()),
    );
    for (client, transports) in [("4", "websocket"), ("2", "polling"), ("4", "default")] {
        flow(cluster.node(0), urls.clone(), client, transports).await;
    }
}

#[tokio::test]
async fn an_owners_node_dying_closes_the_room_on_the_survivors() {
    let mut cluster = Cluster::start(2).await;
    let mut owner = Peer::websocket(cluster.node(0).addr(), 4).await;
    let mut member = Peer::websocket(cluster.node(1).addr(), 3).await;
    let mut other = Peer::websocket(cluster.node(1).addr(), 4).await;
    owner.emit(r#"["room-create","doomed"]"#).await;
    owner.expect(r#"["room-created","doomed"]"#).await;
    let io = owner.id.clone();
    member.emit(r#"["room-join","doomed"]"#).await;
    member
        .expect(&format!(r#"["room-joined","doomed","{io}",["{io}"]]"#))
        .await;
    other.emit(r#"["room-join","doomed"]"#).await;
    other.next().await;
    member
        .expect(&format!(r#"["client-joined","doomed","{}"]"#, other.id))
        .await;

    cluster.nodes[0].kill9().expect("kill -9 n1");
    let wait = cluster.lease_wait();
    for peer in [&mut member, &mut other] {
        assert_eq!(
            peer.next_within(wait).await,
            r#"42["room-left","doomed",true]"#,
            "{}",
            cluster.all_logs()
        );
    }
    other.emit(r#"["room-join","doomed"]"#).await;
    other.expect(r#"["room-not-exists","doomed"]"#).await;
    // The dead owner holds the name no longer.
    member.emit(r#"["room-create","doomed"]"#).await;
    member.expect(r#"["room-created","doomed"]"#).await;
}

#[tokio::test]
async fn the_owner_is_known_again_after_redis_restarts_empty() {
    let mut cluster = Cluster::start(2).await;
    let mut owner = Peer::websocket(cluster.node(0).addr(), 4).await;
    owner.emit(r#"["room-create","kept"]"#).await;
    owner.expect(r#"["room-created","kept"]"#).await;

    cluster.redis.kill();
    cluster.redis.restart();
    let all = [0, 1];
    cluster.wait_ready(&all, &all).await;
    let key = Cluster::key("owner:rooms:kept");
    super::harness::util::wait_until(
        "the owner key is back",
        std::time::Duration::from_secs(20),
        async || match cluster.redis.cli(&["GET", &key]).as_slice() {
            [value] if value.contains(&owner.id) => Ok(()),
            other => Err(format!("{other:?}")),
        },
    )
    .await;

    // A joiner on the other node is told who owns the room, and the owner's leave closes it.
    let mut member = Peer::websocket(cluster.node(1).addr(), 4).await;
    member.emit(r#"["room-join","kept"]"#).await;
    let io = owner.id.clone();
    member
        .expect(&format!(r#"["room-joined","kept","{io}",["{io}"]]"#))
        .await;
    owner
        .expect(&format!(r#"["client-joined","kept","{}"]"#, member.id))
        .await;
    owner.emit(r#"["room-leave","kept"]"#).await;
    owner.expect(r#"["room-left","kept",false]"#).await;
    member.expect(r#"["room-left","kept",true]"#).await;
}
