//! The `bookbox` crate: the composition root and the adapters. It hosts the bounded
//! contexts (pure crates under `contexts/`) and gives them what they cannot have
//! themselves: storage, time, a bus and a process.

pub mod contexts;
