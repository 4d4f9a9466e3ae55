//! Whole signaling sessions: a three-way offer/answer/candidate exchange, and two rooms
//! running side by side without leaking into each other.

mod isolation;
mod mesh;
