//! ISBNs as the published language writes them: the canonical ISBN-13, 13 ASCII digits
//! without separators, prefix 978 or 979, weights 1, 3, 1, 3, ... summing to a multiple of
//! ten. ISBN-10 check digits are here too, for the one context that converts them.

/// Why a string is not a canonical ISBN-13.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Isbn13Error {
    #[error("has a character other than a digit")]
    NotDigits,
    #[error("has {digits} characters, not 13")]
    Length { digits: usize },
    #[error("does not start with 978 or 979")]
    Prefix,
    #[error("fails its check digit: expected {expected}, found {found}")]
    CheckDigit { expected: char, found: char },
}

impl Isbn13Error {
    /// Whether the input is not even shaped like an ISBN-13 (as opposed to a wrong check digit).
    pub fn is_shape(self) -> bool {
        !matches!(self, Self::CheckDigit { .. })
    }
}

/// Checks a canonical ISBN-13 (surrounding whitespace forgiven) and returns it trimmed.
pub fn parse_isbn13(input: &str) -> Result<&str, Isbn13Error> {
    let isbn = input.trim();
    if !isbn.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Isbn13Error::NotDigits);
    }
    if isbn.len() != 13 {
        return Err(Isbn13Error::Length { digits: isbn.len() });
    }
    if !(isbn.starts_with("978") || isbn.starts_with("979")) {
        return Err(Isbn13Error::Prefix);
    }
    let expected = isbn13_check_digit(&isbn[..12]).ok_or(Isbn13Error::NotDigits)?;
    let found = char::from(isbn.as_bytes()[12]);
    if expected != found {
        return Err(Isbn13Error::CheckDigit { expected, found });
    }
    Ok(isbn)
}

/// The check digit completing the first twelve digits of an ISBN-13; `None` unless `twelve`
/// is exactly twelve ASCII digits.
pub fn isbn13_check_digit(twelve: &str) -> Option<char> {
    if twelve.len() != 12 || !twelve.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let weighted: u32 =
        twelve.bytes().enumerate().map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 1 } else { 3 }).sum();
    Some(digit((10 - weighted % 10) % 10))
}

/// The check digit completing the first nine digits of an ISBN-10 (`X` stands for ten);
/// `None` unless `nine` is exactly nine ASCII digits.
pub fn isbn10_check_digit(nine: &str) -> Option<char> {
    if nine.len() != 9 || !nine.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let weighted: u32 = nine.bytes().zip((2..=10).rev()).map(|(b, w)| u32::from(b - b'0') * w).sum();
    Some(match (11 - weighted % 11) % 11 {
        10 => 'X',
        n => digit(n),
    })
}

/// The ISBN-13 of the book whose ISBN-10 starts with `nine` (prefix 978, its own check
/// digit); `None` unless `nine` is exactly nine ASCII digits.
pub fn isbn13_of_isbn10(nine: &str) -> Option<String> {
    let twelve = format!("978{nine}");
    let check = isbn13_check_digit(&twelve)?;
    Some(format!("{twelve}{check}"))
}

fn digit(n: u32) -> char {
    char::from_digit(n, 10).unwrap_or('0')
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn canonical_isbn13s_are_accepted_and_trimmed() {
        assert_eq!(parse_isbn13("9780306406157"), Ok("9780306406157"));
        assert_eq!(parse_isbn13(" 9791090636071\n"), Ok("9791090636071"));
    }

    #[test]
    fn each_kind_of_bad_isbn13_is_named() {
        assert_eq!(parse_isbn13("978-0306406157"), Err(Isbn13Error::NotDigits));
        assert_eq!(parse_isbn13("97803064061５7"), Err(Isbn13Error::NotDigits));
        assert_eq!(parse_isbn13("0306406152"), Err(Isbn13Error::Length { digits: 10 }));
        assert_eq!(parse_isbn13(""), Err(Isbn13Error::Length { digits: 0 }));
        assert_eq!(parse_isbn13("1230306406157"), Err(Isbn13Error::Prefix));
        let wrong = parse_isbn13("9780306406158").unwrap_err();
        assert_eq!(wrong, Isbn13Error::CheckDigit { expected: '7', found: '8' });
        assert_eq!(wrong.to_string(), "fails its check digit: expected 7, found 8");
        assert!(!wrong.is_shape() && Isbn13Error::Prefix.is_shape());
    }

    #[test]
    fn isbn10s_have_their_own_check_digit_and_an_isbn13() {
        assert_eq!(isbn10_check_digit("030640615"), Some('2'));
        assert_eq!(isbn10_check_digit("080442957"), Some('X'));
        assert_eq!(isbn10_check_digit("08044295"), None);
        assert_eq!(isbn13_of_isbn10("030640615").as_deref(), Some("9780306406157"));
        assert_eq!(isbn13_check_digit("97803064061"), None);
        assert_eq!(isbn13_check_digit("97803064061x"), None);
    }

    proptest! {
        #[test]
        fn every_valid_isbn13_round_trips(twelve in "97[89][0-9]{9}") {
            let isbn = format!("{twelve}{}", isbn13_check_digit(&twelve).unwrap());
            prop_assert_eq!(parse_isbn13(&isbn), Ok(isbn.as_str()));
        }

        #[test]
        fn a_changed_digit_is_refused(twelve in "97[89][0-9]{9}", position in 3usize..13, delta in 1u8..10) {
            let mut digits = format!("{twelve}{}", isbn13_check_digit(&twelve).unwrap()).into_bytes();
            digits[position] = b'0' + (digits[position] - b'0' + delta) % 10;
            let changed = String::from_utf8(digits).unwrap();
            prop_assert!(parse_isbn13(&changed).is_err());
        }

        #[test]
        fn any_string_is_parsed_or_refused_without_panicking(input in any::<String>()) {
            if let Ok(isbn) = parse_isbn13(&input) {
                prop_assert_eq!(isbn, input.trim());
                prop_assert_eq!(parse_isbn13(isbn), Ok(isbn));
            }
        }

        #[test]
        fn an_isbn10s_isbn13_is_valid(nine in "[0-9]{9}") {
            let isbn13 = isbn13_of_isbn10(&nine).unwrap();
            prop_assert_eq!(parse_isbn13(&isbn13), Ok(isbn13.as_str()));
        }
    }
}
