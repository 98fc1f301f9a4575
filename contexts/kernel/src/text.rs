//! How a rejected input is quoted back in an error message, for every context's value
//! objects alike.

/// How much of a rejected input an error message repeats: enough to recognise it, never a
/// megabyte of it, and with control characters escaped so a log line stays one line.
pub fn excerpt(input: &str) -> String {
    excerpt_of(input, 40)
}

/// [`excerpt`], showing at most `shown_chars_max` characters.
pub fn excerpt_of(input: &str, shown_chars_max: usize) -> String {
    let mut shown = String::new();
    for (n, c) in input.chars().enumerate() {
        if n == shown_chars_max {
            shown.push('…');
            break;
        }
        if c.is_control() {
            shown.extend(c.escape_default());
        } else {
            shown.push(c);
        }
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_are_short_and_printable() {
        assert_eq!(excerpt("abc"), "abc");
        assert_eq!(excerpt("a\nb"), "a\\nb");
        assert_eq!(excerpt(&"x".repeat(100)), format!("{}…", "x".repeat(40)));
        assert_eq!(excerpt_of("abcdef", 3), "abc…");
    }
}
