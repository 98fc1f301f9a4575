//! Test support shared by curation's integration tests.

pub mod schema;
