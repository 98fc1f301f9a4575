//! Free text typed by a person (a name, an address line): trimmed, non-empty, bounded, and
//! free of control characters, so that it prints safely on a label and in a log.
//!
//! The problems are reported without echoing the text: these fields are personal data, and
//! errors end up in logs.

/// What is wrong with a piece of free text; the owning value object adds the field name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TextProblem {
    #[error("is empty")]
    Empty,
    #[error("is longer than {max} characters")]
    TooLong { max: usize },
    #[error("contains a control character (such as a newline or a tab)")]
    ControlCharacter,
}

/// Trims `input` and checks it against the rules above; `chars_max` counts Unicode scalar
/// values, not bytes, so a name in any script gets the same room.
pub fn clean(input: &str, chars_max: usize) -> Result<String, TextProblem> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(TextProblem::Empty);
    }
    if trimmed.chars().any(char::is_control) {
        return Err(TextProblem::ControlCharacter);
    }
    if trimmed.chars().count() > chars_max {
        return Err(TextProblem::TooLong { max: chars_max });
    }
    Ok(trimmed.to_owned())
}

/// Shows an input in an error message when it is not personal data (a genre, a state
/// code), cut short so a pasted novel does not become the error.
pub fn shown(input: &str) -> String {
    const SHOWN_CHARS_MAX: usize = 24;
    let escaped: String = input.escape_debug().collect();
    if escaped.chars().count() <= SHOWN_CHARS_MAX {
        return escaped;
    }
    let mut cut: String = escaped.chars().take(SHOWN_CHARS_MAX).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_and_checked() {
        assert_eq!(clean("  Ada Lovelace \t", 50), Ok("Ada Lovelace".to_owned()));
        assert_eq!(clean("   ", 50), Err(TextProblem::Empty));
        assert_eq!(clean("a\nb", 50), Err(TextProblem::ControlCharacter));
        assert_eq!(clean("ééé", 3), Ok("ééé".to_owned()), "characters are counted, not bytes");
        assert_eq!(clean("éééé", 3), Err(TextProblem::TooLong { max: 3 }));
    }

    #[test]
    fn shown_input_is_escaped_and_cut_short() {
        assert_eq!(shown("cooking"), "cooking");
        assert_eq!(shown("a\nb"), "a\\nb");
        assert_eq!(shown(&"x".repeat(100)), format!("{}…", "x".repeat(24)));
    }
}
