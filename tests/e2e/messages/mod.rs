//! Every message of seed 000 (conference dialect) with its exact fields, as the contract
//! shapes them: connect, join/leave, sdp/trickle relay, several messages in one frame.

mod connect;
mod framing;
mod join_leave;
mod signals;
mod two_rooms;
