//! Generation of one-time codes.

use rand::TryRng;
use rand::rngs::SysRng;

use crate::error::{Error, Result};

/// Minimum code length an administrator can configure.
pub const MIN_CODE_LENGTH: usize = 6;
/// Maximum code length an administrator can configure.
pub const MAX_CODE_LENGTH: usize = 10;
/// Code length when the configuration does not set one.
pub const DEFAULT_CODE_LENGTH: usize = 6;

/// Bytes at or above this value are discarded, because 250 is the largest multiple of 10 that
/// fits in a byte. Every accepted byte maps to a digit with probability exactly 1/10.
const REJECTION_LIMIT: u8 = 250;

/// Generates a code of `length` decimal digits from the operating system's random generator.
///
/// Each digit is uniform over 0..=9 with no modulo bias (rejection sampling over single bytes).
pub fn generate_code(length: usize) -> Result<String> {
    if !(MIN_CODE_LENGTH..=MAX_CODE_LENGTH).contains(&length) {
        return Err(Error::invalid_config(
            "length",
            format!(
                "{length} is out of range; enter a whole number from {MIN_CODE_LENGTH} to {MAX_CODE_LENGTH}"
            ),
        ));
    }
    digits_from(&mut SysRng, length).map_err(|error| Error::RandomUnavailable(error.to_string()))
}

/// Draws `length` unbiased decimal digits from `rng`.
fn digits_from<R: TryRng>(rng: &mut R, length: usize) -> std::result::Result<String, R::Error> {
    let mut code = String::with_capacity(length);
    let mut buffer = [0u8; 32];
    while code.len() < length {
        rng.try_fill_bytes(&mut buffer)?;
        for &byte in buffer.iter().filter(|&&byte| byte < REJECTION_LIMIT) {
            if code.len() == length {
                break;
            }
            code.push(char::from(b'0' + byte % 10));
        }
    }
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::convert::Infallible;

    #[test]
    fn code_has_requested_length_and_only_digits() {
        for length in MIN_CODE_LENGTH..=MAX_CODE_LENGTH {
            let code = generate_code(length).unwrap();
            assert_eq!(code.len(), length);
            assert!(code.bytes().all(|b| b.is_ascii_digit()), "{code}");
        }
    }

    #[test]
    fn code_length_out_of_range_is_rejected() {
        for length in [0, 5, 11] {
            let error = generate_code(length).unwrap_err();
            assert!(matches!(error, Error::InvalidConfig { ref field, .. } if field == "length"));
        }
    }

    /// Replays fixed bytes so the rejection step can be checked exactly.
    struct ReplayRng {
        bytes: Vec<u8>,
        position: usize,
    }

    impl TryRng for ReplayRng {
        type Error = Infallible;

        fn try_next_u32(&mut self) -> std::result::Result<u32, Infallible> {
            let mut word = [0u8; 4];
            self.try_fill_bytes(&mut word)?;
            Ok(u32::from_le_bytes(word))
        }

        fn try_next_u64(&mut self) -> std::result::Result<u64, Infallible> {
            let mut word = [0u8; 8];
            self.try_fill_bytes(&mut word)?;
            Ok(u64::from_le_bytes(word))
        }

        fn try_fill_bytes(&mut self, dst: &mut [u8]) -> std::result::Result<(), Infallible> {
            for slot in dst {
                *slot = self.bytes[self.position % self.bytes.len()];
                self.position += 1;
            }
            Ok(())
        }
    }

    #[test]
    fn bytes_from_250_up_are_discarded() {
        // 250..=255 would give digits 0..=5 a higher weight if they were used.
        let mut rng = ReplayRng {
            bytes: vec![255, 250, 249, 0, 253, 17, 251, 123, 9, 252, 200, 99],
            position: 0,
        };
        let code = digits_from(&mut rng, 6).unwrap();
        assert_eq!(code, "907390");
    }

    #[test]
    fn digits_are_uniform_chi_square() {
        // One million digits: the chi-square statistic has 9 degrees of freedom and mean 9. A
        // correct generator exceeds 60 with probability about 1e-9. Plain `byte % 10` without the
        // rejection step (digits 0..=5 at 26/256, 6..=9 at 25/256) scores about 370.
        let mut counts = [0u64; 10];
        for _ in 0..1_000 {
            let digits = digits_from(&mut SysRng, 1_000).unwrap();
            for digit in digits.bytes() {
                counts[usize::from(digit - b'0')] += 1;
            }
        }
        let drawn: u64 = counts.iter().sum();
        assert_eq!(drawn, 1_000_000);
        let expected = drawn as f64 / 10.0;
        let chi_square: f64 = counts
            .iter()
            .map(|&count| {
                let difference = count as f64 - expected;
                difference * difference / expected
            })
            .sum();
        assert!(
            chi_square < 60.0,
            "chi-square {chi_square} for counts {counts:?}"
        );
    }
}
