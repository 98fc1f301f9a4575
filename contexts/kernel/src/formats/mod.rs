//! The formats of the published language: ISBN-13 with its check digit, `YYYY-MM` months,
//! USD cents, USPS state codes and the genre vocabulary, each written once.
//!
//! They live in the kernel because they are the language the contexts share on the wire, not
//! a domain type: every context keeps its own value object (no domain type crosses a
//! boundary) and delegates the parsing, checking and printing to these functions, so that a
//! producer and its consumers cannot drift apart on what a valid value is. Each function is
//! pure and total: it refuses bad input with a small typed error, which the context's own
//! error turns into a sentence in its own words.
//!
//! Every parser forgives surrounding whitespace (what a person who pastes a value expects)
//! and returns the canonical form, which is what is stored and published.

pub mod genre;
pub mod isbn;
pub mod money;
pub mod month;
pub mod us_state;
