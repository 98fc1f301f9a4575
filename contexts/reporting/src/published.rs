//! Reporting's published language: empty. Reporting is the read side; it publishes no message
//! (its descriptor's `publishes` is empty) and is downstream of everyone it listens to. What it
//! knows it offers through its query port (`crate::ports::queries`), not as messages: a report
//! is asked for, not broadcast.
