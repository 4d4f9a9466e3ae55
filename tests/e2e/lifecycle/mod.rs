//! How connections end: a client that vanishes, closes, or stops answering pings is
//! announced to its rooms; SIGTERM/SIGINT drain the node and exit 0.

mod disconnect;
mod drain;
mod ping;
