//! Architecture rules of Bookbox, run by `cargo test`.
