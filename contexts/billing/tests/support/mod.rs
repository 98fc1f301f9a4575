//! Test support shared by billing's integration tests.

#![allow(dead_code)] // Each test binary uses its own part of the support.

pub mod gateway;
