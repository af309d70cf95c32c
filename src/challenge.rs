//! Opaque challenge state and verification of entered codes.
//!
//! The state is an ASCII string that the Keycloak side stores as one authentication-session note:
//!
//! ```text
//! v1.<nonce>.<expiresAtMillis>.<attempts>.<maxAttempts>.<codeLength>.<codeMac>.<stateMac>
//! ```
//!
//! `nonce` is 16 random bytes, `codeMac` is HMAC-SHA-256(key, CODE_LABEL || nonce || code) and
//! `stateMac` is HMAC-SHA-256(key, STATE_LABEL || every character before `.<stateMac>`), all three
//! in unpadded base64url. The code itself is never stored. The state MAC keeps the attempt counter
//! and the expiry from being changed without the key.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use rand::TryRng;
use rand::rngs::SysRng;
use serde::Serialize;
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::error::{Error, Result};

/// Shortest HMAC key accepted, in bytes.
pub const MIN_KEY_LENGTH: usize = 16;

const STATE_VERSION: &str = "v1";
/// Domain-separation label of the code MAC, so it can never equal a MAC made elsewhere with the
/// same realm key.
const CODE_LABEL: &[u8] = b"sms2fa/v1/code\0";
/// Domain-separation label of the state MAC.
const STATE_LABEL: &[u8] = b"sms2fa/v1/state\0";
const NONCE_LENGTH: usize = 16;
const MAC_LENGTH: usize = 32;
const STATE_FIELD_COUNT: usize = 8;

type HmacSha256 = Hmac<Sha256>;

/// Secret key for the code and state MACs, at least [`MIN_KEY_LENGTH`] bytes long.
pub struct HmacKey<'a> {
    bytes: &'a [u8],
}

impl<'a> HmacKey<'a> {
    /// Wraps `bytes` as a key, or fails with [`Error::KeyTooShort`].
    pub fn new(bytes: &'a [u8]) -> Result<Self> {
        if bytes.len() < MIN_KEY_LENGTH {
            return Err(Error::KeyTooShort {
                actual: bytes.len(),
                minimum: MIN_KEY_LENGTH,
            });
        }
        Ok(HmacKey { bytes })
    }

    fn mac(&self, label: &[u8], parts: &[&[u8]]) -> [u8; MAC_LENGTH] {
        // HMAC accepts keys of any length (RFC 2104 hashes longer ones), so this cannot fail.
        let mut mac = <HmacSha256 as KeyInit>::new_from_slice(self.bytes)
            .expect("HMAC-SHA-256 accepts keys of every length");
        mac.update(label);
        for part in parts {
            mac.update(part);
        }
        mac.finalize().into_bytes().into()
    }

    fn code_mac(&self, nonce: &[u8; NONCE_LENGTH], code: &str) -> [u8; MAC_LENGTH] {
        self.mac(CODE_LABEL, &[nonce, code.as_bytes()])
    }

    fn state_mac(&self, body: &str) -> [u8; MAC_LENGTH] {
        self.mac(STATE_LABEL, &[body.as_bytes()])
    }
}

impl std::fmt::Debug for HmacKey<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "HmacKey({} bytes)", self.bytes.len())
    }
}

/// A new challenge: the state to store and the moment it expires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedChallenge {
    pub state: String,
    pub expires_at_millis: i64,
}

/// Result of comparing an entered code with a challenge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// The code matches. The caller must discard the state so it cannot be used again.
    Accepted,
    /// The code does not match and attempts are left.
    Wrong,
    /// The challenge expired before this entry. The entry was not compared or counted.
    Expired,
    /// No attempts are left, either before this entry or because this wrong entry used the last one.
    Exhausted,
}

/// Verification result with the updated state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    pub outcome: Outcome,
    pub state: String,
    pub attempts_left: u32,
}

/// Decoded challenge state.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ChallengeState {
    nonce: [u8; NONCE_LENGTH],
    expires_at_millis: i64,
    attempts: u32,
    max_attempts: u32,
    code_length: usize,
    code_mac: [u8; MAC_LENGTH],
}

impl ChallengeState {
    fn encode(&self, key: &HmacKey) -> String {
        let body = format!(
            "{STATE_VERSION}.{}.{}.{}.{}.{}.{}",
            URL_SAFE_NO_PAD.encode(self.nonce),
            self.expires_at_millis,
            self.attempts,
            self.max_attempts,
            self.code_length,
            URL_SAFE_NO_PAD.encode(self.code_mac),
        );
        let state_mac = URL_SAFE_NO_PAD.encode(key.state_mac(&body));
        format!("{body}.{state_mac}")
    }

    fn decode(key: &HmacKey, state: &str) -> Result<Self> {
        let fields: Vec<&str> = state.split('.').collect();
        if fields.len() != STATE_FIELD_COUNT {
            return Err(invalid_state(
                "it does not have the expected number of fields",
            ));
        }
        if fields[0] != STATE_VERSION {
            return Err(invalid_state("its version is not supported"));
        }

        let (body, state_mac_text) = state
            .rsplit_once('.')
            .ok_or_else(|| invalid_state("it does not have the expected number of fields"))?;
        let state_mac: [u8; MAC_LENGTH] = decode_fixed(state_mac_text)?;
        if !bool::from(key.state_mac(body).ct_eq(&state_mac)) {
            return Err(invalid_state(
                "its integrity check failed (changed, or made with another key)",
            ));
        }

        Ok(ChallengeState {
            nonce: decode_fixed(fields[1])?,
            expires_at_millis: parse_number(fields[2])?,
            attempts: parse_number(fields[3])?,
            max_attempts: parse_number(fields[4])?,
            code_length: parse_number(fields[5])?,
            code_mac: decode_fixed(fields[6])?,
        })
    }

    fn attempts_left(&self) -> u32 {
        self.max_attempts.saturating_sub(self.attempts)
    }
}

fn invalid_state(reason: &str) -> Error {
    Error::InvalidChallenge(format!("the SMS code challenge state is invalid: {reason}"))
}

fn decode_fixed<const N: usize>(text: &str) -> Result<[u8; N]> {
    let bytes = URL_SAFE_NO_PAD
        .decode(text)
        .map_err(|_| invalid_state("a field is not valid base64url"))?;
    bytes
        .try_into()
        .map_err(|_| invalid_state("a field has the wrong length"))
}

fn parse_number<T: std::str::FromStr>(text: &str) -> Result<T> {
    text.parse()
        .map_err(|_| invalid_state("a number field is not a valid number"))
}

/// Creates the state for a code that was just generated.
///
/// The challenge expires at `now_millis + ttl_seconds * 1000` and allows `max_attempts` wrong
/// entries.
pub fn issue_challenge(
    key: &HmacKey,
    code: &str,
    now_millis: i64,
    ttl_seconds: u32,
    max_attempts: u32,
) -> Result<IssuedChallenge> {
    let mut nonce = [0u8; NONCE_LENGTH];
    SysRng
        .try_fill_bytes(&mut nonce)
        .map_err(|error| Error::RandomUnavailable(error.to_string()))?;
    Ok(issue_with_nonce(
        key,
        code,
        nonce,
        now_millis,
        ttl_seconds,
        max_attempts,
    ))
}

fn issue_with_nonce(
    key: &HmacKey,
    code: &str,
    nonce: [u8; NONCE_LENGTH],
    now_millis: i64,
    ttl_seconds: u32,
    max_attempts: u32,
) -> IssuedChallenge {
    let expires_at_millis = now_millis.saturating_add(i64::from(ttl_seconds) * 1000);
    let challenge = ChallengeState {
        nonce,
        expires_at_millis,
        attempts: 0,
        max_attempts,
        code_length: code.len(),
        code_mac: key.code_mac(&nonce, code),
    };
    IssuedChallenge {
        state: challenge.encode(key),
        expires_at_millis,
    }
}

/// Checks `entered` against the challenge in `state`.
///
/// Order of checks: no attempts left gives [`Outcome::Exhausted`] and the expiry gives
/// [`Outcome::Expired`], both without comparing. Otherwise the attempt counter goes up before the
/// comparison, so every compared entry is counted, the accepted one included. Whitespace
/// anywhere in `entered` is ignored. An entry that is not all digits or has the wrong length counts
/// as a wrong attempt and is not compared.
pub fn verify_code(
    key: &HmacKey,
    state: &str,
    entered: &str,
    now_millis: i64,
) -> Result<Verification> {
    let mut challenge = ChallengeState::decode(key, state)?;

    if challenge.attempts >= challenge.max_attempts {
        return Ok(Verification {
            outcome: Outcome::Exhausted,
            state: state.to_owned(),
            attempts_left: 0,
        });
    }
    if now_millis >= challenge.expires_at_millis {
        return Ok(Verification {
            outcome: Outcome::Expired,
            state: state.to_owned(),
            attempts_left: challenge.attempts_left(),
        });
    }

    challenge.attempts += 1;
    let entered: String = entered.chars().filter(|c| !c.is_whitespace()).collect();
    let well_formed =
        entered.len() == challenge.code_length && entered.bytes().all(|b| b.is_ascii_digit());
    let matches = well_formed
        && bool::from(
            key.code_mac(&challenge.nonce, &entered)
                .ct_eq(&challenge.code_mac),
        );

    let outcome = if matches {
        Outcome::Accepted
    } else if challenge.attempts >= challenge.max_attempts {
        Outcome::Exhausted
    } else {
        Outcome::Wrong
    };
    Ok(Verification {
        outcome,
        state: challenge.encode(key),
        attempts_left: challenge.attempts_left(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"0123456789abcdef0123456789abcdef";
    const NOW: i64 = 1_700_000_000_000;

    fn key() -> HmacKey<'static> {
        HmacKey::new(KEY).unwrap()
    }

    fn nonce() -> [u8; NONCE_LENGTH] {
        std::array::from_fn(|i| i as u8)
    }

    fn issue(max_attempts: u32) -> IssuedChallenge {
        issue_with_nonce(&key(), "123456", nonce(), NOW, 300, max_attempts)
    }

    #[test]
    fn code_mac_known_answer() {
        // Computed independently with Python:
        // hmac.new(KEY, b"sms2fa/v1/code\0" + bytes(range(16)) + b"123456", sha256).hexdigest()
        let expected = "813db15a8de1c3333ff0333703d305bbfeb522e8a2f1d45d3d56ec753092b0dd";
        let mac = key().code_mac(&nonce(), "123456");
        let hex: String = mac.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, expected);
    }

    #[test]
    fn hmac_sha256_matches_rfc4231_case_2() {
        let mut mac = <HmacSha256 as KeyInit>::new_from_slice(b"Jefe").unwrap();
        mac.update(b"what do ya want for nothing?");
        let hex: String = mac
            .finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(
            hex,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn state_is_ascii_versioned_and_hides_code() {
        let issued = issue(5);
        assert!(issued.state.starts_with("v1."), "{}", issued.state);
        assert!(issued.state.is_ascii());
        assert!(!issued.state.contains("123456"));
        assert_eq!(issued.expires_at_millis, NOW + 300_000);
    }

    #[test]
    fn state_round_trips() {
        let issued = issue(5);
        let decoded = ChallengeState::decode(&key(), &issued.state).unwrap();
        assert_eq!(decoded.nonce, nonce());
        assert_eq!(decoded.expires_at_millis, NOW + 300_000);
        assert_eq!(decoded.attempts, 0);
        assert_eq!(decoded.max_attempts, 5);
        assert_eq!(decoded.code_length, 6);
        assert_eq!(decoded.encode(&key()), issued.state);
    }

    #[test]
    fn issued_nonces_differ() {
        let first = issue_challenge(&key(), "123456", NOW, 300, 5).unwrap();
        let second = issue_challenge(&key(), "123456", NOW, 300, 5).unwrap();
        assert_ne!(first.state, second.state);
    }

    #[test]
    fn correct_code_is_accepted() {
        let issued = issue(5);
        let result = verify_code(&key(), &issued.state, "123456", NOW + 1).unwrap();
        assert_eq!(result.outcome, Outcome::Accepted);
        assert_eq!(result.attempts_left, 4);
    }

    #[test]
    fn spaces_in_entry_are_ignored() {
        let issued = issue(5);
        let result = verify_code(&key(), &issued.state, " 123 456\t\n", NOW + 1).unwrap();
        assert_eq!(result.outcome, Outcome::Accepted);
    }

    #[test]
    fn wrong_code_counts_an_attempt() {
        let issued = issue(5);
        let result = verify_code(&key(), &issued.state, "654321", NOW + 1).unwrap();
        assert_eq!(result.outcome, Outcome::Wrong);
        assert_eq!(result.attempts_left, 4);
        let decoded = ChallengeState::decode(&key(), &result.state).unwrap();
        assert_eq!(decoded.attempts, 1);
    }

    #[test]
    fn malformed_entries_count_as_wrong() {
        for entered in ["", "12345", "1234567", "12345a", "１２３４５６", "123-456"] {
            let issued = issue(5);
            let result = verify_code(&key(), &issued.state, entered, NOW + 1).unwrap();
            assert_eq!(result.outcome, Outcome::Wrong, "entry {entered:?}");
            assert_eq!(result.attempts_left, 4, "entry {entered:?}");
        }
    }

    #[test]
    fn last_wrong_attempt_exhausts() {
        let mut state = issue(3).state;
        let outcomes: Vec<Outcome> = (0..3)
            .map(|_| {
                let result = verify_code(&key(), &state, "000000", NOW + 1).unwrap();
                state = result.state;
                result.outcome
            })
            .collect();
        assert_eq!(
            outcomes,
            [Outcome::Wrong, Outcome::Wrong, Outcome::Exhausted]
        );
    }

    #[test]
    fn exhausted_state_rejects_correct_code() {
        let mut state = issue(2).state;
        for _ in 0..2 {
            state = verify_code(&key(), &state, "000000", NOW + 1)
                .unwrap()
                .state;
        }
        let result = verify_code(&key(), &state, "123456", NOW + 1).unwrap();
        assert_eq!(result.outcome, Outcome::Exhausted);
        assert_eq!(result.attempts_left, 0);
        assert_eq!(
            result.state, state,
            "an exhausted state is returned unchanged"
        );
    }

    #[test]
    fn code_at_expiry_is_expired() {
        let issued = issue(5);
        let result =
            verify_code(&key(), &issued.state, "123456", issued.expires_at_millis).unwrap();
        assert_eq!(result.outcome, Outcome::Expired);
        assert_eq!(result.attempts_left, 5);
        assert_eq!(result.state, issued.state);
    }

    #[test]
    fn code_before_expiry_is_accepted() {
        let issued = issue(5);
        let result = verify_code(
            &key(),
            &issued.state,
            "123456",
            issued.expires_at_millis - 1,
        )
        .unwrap();
        assert_eq!(result.outcome, Outcome::Accepted);
    }

    #[test]
    fn tampered_attempt_counter_is_invalid() {
        let issued = issue(5);
        let wrong = verify_code(&key(), &issued.state, "000000", NOW + 1).unwrap();
        let mut fields: Vec<&str> = wrong.state.split('.').collect();
        assert_eq!(fields[3], "1");
        fields[3] = "0";
        let tampered = fields.join(".");
        let error = verify_code(&key(), &tampered, "123456", NOW + 1).unwrap_err();
        assert!(matches!(error, Error::InvalidChallenge(_)), "{error:?}");
    }

    #[test]
    fn malformed_states_are_invalid() {
        let issued = issue(5);
        let other_version = issued.state.replacen("v1.", "v2.", 1);
        let truncated = &issued.state[..issued.state.len() - 4];
        let cases = [
            "",
            "v1",
            "not a state",
            other_version.as_str(),
            truncated,
            "v1.a.b.c.d.e.f.g",
        ];
        for state in cases {
            let error = verify_code(&key(), state, "123456", NOW + 1).unwrap_err();
            assert!(
                matches!(error, Error::InvalidChallenge(_)),
                "state {state:?}: {error:?}"
            );
        }
    }

    #[test]
    fn state_from_other_key_is_invalid() {
        let issued = issue(5);
        let other_key = HmacKey::new(b"another key of sixteen bytes or more").unwrap();
        let error = verify_code(&other_key, &issued.state, "123456", NOW + 1).unwrap_err();
        assert!(matches!(error, Error::InvalidChallenge(_)), "{error:?}");
    }

    #[test]
    fn short_key_is_rejected() {
        let error = HmacKey::new(b"fifteen bytes!!").unwrap_err();
        assert!(
            matches!(
                error,
                Error::KeyTooShort {
                    actual: 15,
                    minimum: 16
                }
            ),
            "{error:?}"
        );
        assert!(HmacKey::new(b"sixteen bytes!!!").is_ok());
    }

    #[test]
    fn outcome_serializes_lowercase() {
        assert_eq!(
            serde_json::to_string(&Outcome::Accepted).unwrap(),
            "\"accepted\""
        );
        assert_eq!(
            serde_json::to_string(&Outcome::Exhausted).unwrap(),
            "\"exhausted\""
        );
    }
}
