//! PeerJS protocol tests (being written).
