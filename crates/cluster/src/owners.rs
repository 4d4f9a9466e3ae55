//! Owners of owned rooms (the `rooms` dialect's `room-create`): one key per room naming the
//! owner and its node, claimed atomically (`scripts::CLAIM_ROOM`), so of two nodes racing to
//! create a room one wins. The claim writes the owner's membership too; an owner who is no
//! longer a member (it left, or its node died and was cleaned up) holds nothing.

use switchboard_core::bridge::BridgeError;
use switchboard_core::{PeerId, PeerInfo, RoomId};

use crate::bridge::{Shared, lock};
use crate::lease::timed;
use crate::scripts;
use crate::wire::{self, Member};

/// Runs on the writer task, so it is in order with the owner's join and leave.
pub(crate) async fn claim(
    shared: &Shared,
    room: &RoomId,
    owner: &PeerInfo,
) -> Result<bool, BridgeError> {
    let keys = &shared.keys;
    let mut redis = shared.redis.clone();
    let claimed: i64 = timed(
        shared,
        redis::cmd("EVAL")
            .arg(scripts::CLAIM_ROOM)
            .arg(3)
            .arg(keys.room_owner(room))
            .arg(keys.room(room))
            .arg(keys.node_members(shared.node.as_str()))
            .arg(shared.node.as_str())
            .arg(owner.id.as_str())
            .arg(serde_json::to_string(&Member::from(owner)).expect("members serialize"))
            .arg(wire::membership(room, owner.id.as_str()))
            .query_async(&mut redis),
    )
    .await?;
    if claimed == 1 {
        lock(&shared.local_owners).insert(room.clone(), owner.clone());
    }
    Ok(claimed == 1)
}

/// Runs on the writer task.
pub(crate) async fn release(
    shared: &Shared,
    room: &RoomId,
    owner: &PeerId,
) -> Result<(), BridgeError> {
    {
        let mut owners = lock(&shared.local_owners);
        if owners.get(room).is_some_and(|held| held.id == *owner) {
            owners.remove(room);
        }
    }
    let mut redis = shared.redis.clone();
    let _: i64 = timed(
        shared,
        redis::cmd("EVAL")
            .arg(scripts::RELEASE_ROOM)
            .arg(1)
            .arg(shared.keys.room_owner(room))
            .arg(shared.node.as_str())
            .arg(owner.as_str())
            .query_async(&mut redis),
    )
    .await?;
    Ok(())
}

/// The owner key of each room owned on this node, for `lease::reassert` after Redis lost
/// its data: set unless another owner took the room meanwhile.
pub(crate) fn reassert(shared: &Shared, pipe: &mut redis::Pipeline) {
    for (room, owner) in lock(&shared.local_owners).iter() {
        let value = serde_json::json!({ "node": shared.node.as_str(), "peer": owner.id.as_str() });
        pipe.cmd("SET")
            .arg(shared.keys.room_owner(room))
            .arg(value.to_string())
            .arg("NX")
            .ignore();
    }
}

#[derive(serde::Deserialize)]
struct Owner {
    peer: String,
}

pub(crate) async fn owner(shared: &Shared, room: &RoomId) -> Result<Option<PeerId>, BridgeError> {
    let mut redis = shared.redis.clone();
    let held: Option<String> = timed(
        shared,
        redis::cmd("GET")
            .arg(shared.keys.room_owner(room))
            .query_async(&mut redis),
    )
    .await?;
    Ok(held
        .and_then(|held| serde_json::from_str::<Owner>(&held).ok())
        .map(|owner| PeerId::new(owner.peer)))
}
