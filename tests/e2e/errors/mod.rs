//! Every error code of the contract: the right code and `request`, nothing relayed to
//! anyone, and the connection still working afterwards. Also the id-spoofing guard, the
//! frame-size limit (close 1009) and the slow-consumer bound (close 1008).

mod fields;
mod membership;
mod oversized;
mod parse;
mod setup;
mod slow_consumer;
mod spoofing;
