//! Phone number normalisation to E.164 and masking for display and logs.
//!
//! NOTE: this accepts any '+' or '00' number with 8 to 15 digits. It does not know national
//! formats (a leading trunk '0'), per-country lengths or number types; libphonenumber-grade
//! parsing is planned to replace it.

use crate::error::{Error, Result};

/// Minimum number of digits after the '+'.
pub const MIN_DIGITS: usize = 8;
/// Maximum number of digits in an E.164 number.
pub const MAX_DIGITS: usize = 15;

/// Characters that people type between digit groups.
fn is_separator(c: char) -> bool {
    c.is_whitespace() || matches!(c, '-' | '.' | '(' | ')' | '/')
}

/// Normalises user input such as `+48 500-100-200` or `0048500100200` to `+48500100200`.
///
/// Error messages describe the problem without repeating the number.
pub fn normalize_phone(input: &str) -> Result<String> {
    let compact: String = input.chars().filter(|&c| !is_separator(c)).collect();
    if compact.is_empty() {
        return Err(invalid("the phone number is empty"));
    }

    let digits = if let Some(rest) = compact.strip_prefix('+') {
        rest
    } else if let Some(rest) = compact.strip_prefix("00") {
        rest
    } else {
        return Err(invalid(
            "the phone number must start with + or 00 and the country code, for example +49 30 1234567",
        ));
    };

    if let Some(position) = digits.chars().position(|c| !c.is_ascii_digit()) {
        return Err(invalid(&format!(
            "the phone number contains a character that is not a digit (at digit position {})",
            position + 1
        )));
    }
    if !(MIN_DIGITS..=MAX_DIGITS).contains(&digits.len()) {
        return Err(invalid(&format!(
            "the phone number has {} digits after the +; an international number has {MIN_DIGITS} to {MAX_DIGITS}",
            digits.len()
        )));
    }
    if digits.starts_with('0') {
        return Err(invalid(
            "the country code cannot start with 0; enter the number as + or 00 followed by the country code",
        ));
    }
    Ok(format!("+{digits}"))
}

fn invalid(message: &str) -> Error {
    Error::InvalidPhoneNumber(message.to_owned())
}

/// Masks a phone number, keeping a leading '+', the first 2 and the last 3 digits:
/// `+48500100200` becomes `+48******200`.
///
/// Characters other than digits are kept in place. Input with fewer than [`MIN_DIGITS`] digits has
/// every digit masked, so a short or malformed value never shows most of its digits.
pub fn mask_phone(phone: &str) -> String {
    let digit_count = phone.chars().filter(char::is_ascii_digit).count();
    let keep_all_masked = digit_count < MIN_DIGITS;
    let mut index = 0;
    phone
        .chars()
        .map(|c| {
            if !c.is_ascii_digit() {
                return c;
            }
            let visible = !keep_all_masked && (index < 2 || index + 3 >= digit_count);
            index += 1;
            if visible { c } else { '*' }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_common_formats() {
        let cases = [
            ("+48 500-100-200", "+48500100200"),
            ("0048500100200", "+48500100200"),
            ("+48 (500) 100.200", "+48500100200"),
            ("+49 30/1234567", "+49301234567"),
            ("  +1 202 555 0143 ", "+12025550143"),
            ("+12345678", "+12345678"),
            ("+123456789012345", "+123456789012345"),
            ("+48\u{a0}500\u{a0}100\u{a0}200", "+48500100200"),
        ];
        for (input, expected) in cases {
            assert_eq!(normalize_phone(input).unwrap(), expected, "input {input:?}");
        }
    }

    #[test]
    fn normalized_number_is_unchanged() {
        assert_eq!(normalize_phone("+48500100200").unwrap(), "+48500100200");
    }

    #[test]
    fn rejects_invalid_numbers() {
        let cases = [
            ("", "empty"),
            ("   ", "empty"),
            ("500100200", "must start with"),
            ("0500100200", "must start with"),
            ("+48 500 1OO 200", "not a digit"),
            ("+48+500100200", "not a digit"),
            ("+1234567", "7 digits"),
            ("+1234567890123456", "16 digits"),
            ("+0048500100200", "cannot start with 0"),
            ("000048500100", "cannot start with 0"),
        ];
        for (input, expected) in cases {
            let error = normalize_phone(input).unwrap_err();
            let message = error.to_string();
            assert!(
                matches!(error, Error::InvalidPhoneNumber(_)),
                "input {input:?}"
            );
            assert!(message.contains(expected), "input {input:?}: {message}");
        }
    }

    #[test]
    fn error_does_not_echo_number() {
        for input in ["+48 500 1OO 200", "+4850010020012345", "500100200"] {
            let message = normalize_phone(input).unwrap_err().to_string();
            assert!(!message.contains("500"), "input {input:?}: {message}");
        }
    }

    #[test]
    fn masks_e164_numbers() {
        assert_eq!(mask_phone("+48500100200"), "+48******200");
        assert_eq!(mask_phone("+12345678"), "+12***678");
        assert_eq!(mask_phone("+123456789012345"), "+12**********345");
    }

    #[test]
    fn masks_short_or_formatted_input() {
        assert_eq!(mask_phone("+1234567"), "+*******");
        assert_eq!(mask_phone("+48 500 100 200"), "+48 *** *** 200");
        assert_eq!(mask_phone(""), "");
    }
}
