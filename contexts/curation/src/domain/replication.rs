//! The one rule every replica follows: when does a state transferred from another context
//! replace the one held?
//!
//! Messages can arrive out of order (a retry overtakes a later message) and twice. Where the
//! producer numbers its states (`version`), a replica takes only a higher number than it
//! holds: an older or equal one is stale or a duplicate. Where it does not, the replica can only
//! take what comes (last writer wins) and records nothing when nothing changed.

/// Whether an incoming state replaces the held one.
pub fn supersedes(held_version: Option<u64>, incoming_version: Option<u64>, content_differs: bool) -> bool {
    match (held_version, incoming_version) {
        (Some(held), Some(incoming)) => incoming > held,
        (None, Some(_)) => true,
        (_, None) => content_differs,
    }
}

#[cfg(test)]
mod tests {
    use super::supersedes;

    #[test]
    fn a_numbered_state_supersedes_only_a_lower_number() {
        assert!(supersedes(Some(3), Some(4), false));
        assert!(!supersedes(Some(4), Some(4), true), "a duplicate");
        assert!(!supersedes(Some(5), Some(4), true), "stale");
        assert!(supersedes(None, Some(1), false), "the first number is worth recording");
    }

    #[test]
    fn an_unnumbered_state_supersedes_when_it_says_something_new() {
        assert!(supersedes(Some(3), None, true));
        assert!(!supersedes(None, None, false));
    }
}
