//! Test support shared by inventory's integration tests.

pub mod schema;
