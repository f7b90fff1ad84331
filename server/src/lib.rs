//! Duet's chat server.
pub mod storage;
