//! Opaque challenge state: the code of one login, its send budget and its wrong-attempt counter.
//!
//! The state is an ASCII string that the Keycloak side stores as one authentication-session note:
//!
//! ```text
//! v2.<challengeId>.<codeId>.<sendNumber>.<maxSends>.<nextSendAtMillis>.<expiresAtMillis>
//!   .<attemptsUsed>.<maxAttempts>.<burned>.<codeLength>.<codeMac>.<stateMac>
//! ```
//!
//! `challengeId` (one per login, kept across resends) and `codeId` (one per code) are 16 random
//! bytes in lower-case hex. `burned` is `0` or `1`. `codeMac` is
//! HMAC-SHA-256(key, CODE_LABEL || challengeId || codeId || code) and `stateMac` is
//! HMAC-SHA-256(key, STATE_LABEL || every character before `.<stateMac>`), both in unpadded
//! base64url. The code itself is never stored. The state MAC keeps the counters, the send
//! schedule and the expiry from being changed without the key.
//!
//! Rules: a login gets at most `maxSends` codes. Send number `n` opens the next send after
//! `cooldown × 2^(n-1)`, so with 30 s the waits are 30 s, 60 s, 120 s. A new code inherits the
//! wrong attempts of the previous one unless that one was burned (all attempts used), in which
//! case it starts at 0. Single use after success is enforced by the caller, which discards the
//! state and claims a cluster-wide marker for the code id.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use rand::TryRng;
use rand::rngs::SysRng;
use serde::Serialize;
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::error::{Error, Result, SendBlock};

/// Shortest HMAC key accepted, in bytes.
pub const MIN_KEY_LENGTH: usize = 16;

const STATE_VERSION: &str = "v2";
/// Domain-separation label of the code MAC, so it can never equal a MAC made elsewhere with the
/// same realm key.
const CODE_LABEL: &[u8] = b"sms2fa/v2/code\0";
/// Domain-separation label of the state MAC.
const STATE_LABEL: &[u8] = b"sms2fa/v2/state\0";
const ID_LENGTH: usize = 16;
const MAC_LENGTH: usize = 32;
const STATE_FIELD_COUNT: usize = 13;

type HmacSha256 = Hmac<Sha256>;
type Id = [u8; ID_LENGTH];

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

    fn code_mac(&self, challenge_id: &Id, code_id: &Id, code: &str) -> [u8; MAC_LENGTH] {
        self.mac(CODE_LABEL, &[challenge_id, code_id, code.as_bytes()])
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

/// Settings from the execution config that shape a new code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodePolicy {
    pub ttl_seconds: u32,
    pub max_attempts: u32,
    /// Sends per login; only the first send of a login reads it, later codes keep the login's.
    pub max_sends: u32,
    pub resend_cooldown_seconds: u32,
}

/// Public, non-secret fields of a challenge, as Java receives them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChallengeSummary {
    /// Id of the login's challenge, kept across resends (hex).
    pub challenge_id: String,
    /// Id of the current code (hex).
    pub code_id: String,
    /// 1-based number of the send that delivered the current code.
    pub send_number: u32,
    pub sends_left: u32,
    /// Earliest moment for the next send, whether or not sends are left.
    pub next_send_at_millis: i64,
    pub expires_at_millis: i64,
    /// Wrong attempts counted against the current code, inherited ones included.
    pub attempts_used: u32,
    pub max_attempts: u32,
}

/// Public view of a stored state, with the flags derived from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChallengeDescription {
    #[serde(flatten)]
    pub summary: ChallengeSummary,
    /// All attempts of the current code are used; the code can no longer be accepted.
    pub burned: bool,
    /// The current code's validity has ended.
    pub expired: bool,
}

/// A new code's state and its public fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedChallenge {
    pub state: String,
    pub summary: ChallengeSummary,
}

/// Result of comparing an entered code with a challenge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// The code matches. The caller must discard the state so it cannot be used again.
    Accepted,
    /// The code does not match and attempts are left.
    Wrong,
    /// The code expired before this entry. The entry was not compared or counted.
    Expired,
    /// The code is burned: no attempts were left before this entry, or this wrong entry used the
    /// last one.
    Exhausted,
}

/// Verification result with the updated state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    pub outcome: Outcome,
    pub state: String,
    pub attempts_left: u32,
    /// Id of the code the entry was checked against (hex).
    pub code_id: String,
}

/// Decoded and authenticated challenge state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    challenge_id: Id,
    code_id: Id,
    send_number: u32,
    max_sends: u32,
    next_send_at_millis: i64,
    expires_at_millis: i64,
    attempts_used: u32,
    max_attempts: u32,
    burned: bool,
    code_length: usize,
    code_mac: [u8; MAC_LENGTH],
}

impl Challenge {
    /// Decodes `state` and checks its MAC with `key`.
    pub fn decode(key: &HmacKey, state: &str) -> Result<Self> {
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
        let state_mac: [u8; MAC_LENGTH] = decode_base64(state_mac_text)?;
        if !bool::from(key.state_mac(body).ct_eq(&state_mac)) {
            return Err(invalid_state(
                "its integrity check failed (changed, or made with another key)",
            ));
        }

        Ok(Challenge {
            challenge_id: decode_hex_id(fields[1])?,
            code_id: decode_hex_id(fields[2])?,
            send_number: parse_number(fields[3])?,
            max_sends: parse_number(fields[4])?,
            next_send_at_millis: parse_number(fields[5])?,
            expires_at_millis: parse_number(fields[6])?,
            attempts_used: parse_number(fields[7])?,
            max_attempts: parse_number(fields[8])?,
            burned: match fields[9] {
                "0" => false,
                "1" => true,
                _ => return Err(invalid_state("the burned flag is not 0 or 1")),
            },
            code_length: parse_number(fields[10])?,
            code_mac: decode_base64(fields[11])?,
        })
    }

    fn encode(&self, key: &HmacKey) -> String {
        let body = format!(
            "{STATE_VERSION}.{}.{}.{}.{}.{}.{}.{}.{}.{}.{}.{}",
            hex(&self.challenge_id),
            hex(&self.code_id),
            self.send_number,
            self.max_sends,
            self.next_send_at_millis,
            self.expires_at_millis,
            self.attempts_used,
            self.max_attempts,
            u8::from(self.burned),
            self.code_length,
            URL_SAFE_NO_PAD.encode(self.code_mac),
        );
        let state_mac = URL_SAFE_NO_PAD.encode(key.state_mac(&body));
        format!("{body}.{state_mac}")
    }

    fn attempts_left(&self) -> u32 {
        self.max_attempts.saturating_sub(self.attempts_used)
    }

    fn is_burned(&self) -> bool {
        self.burned || self.attempts_used >= self.max_attempts
    }

    fn is_expired(&self, now_millis: i64) -> bool {
        now_millis >= self.expires_at_millis
    }

    pub fn summary(&self) -> ChallengeSummary {
        ChallengeSummary {
            challenge_id: hex(&self.challenge_id),
            code_id: hex(&self.code_id),
            send_number: self.send_number,
            sends_left: self.max_sends.saturating_sub(self.send_number),
            next_send_at_millis: self.next_send_at_millis,
            expires_at_millis: self.expires_at_millis,
            attempts_used: self.attempts_used,
            max_attempts: self.max_attempts,
        }
    }

    pub fn describe(&self, now_millis: i64) -> ChallengeDescription {
        ChallengeDescription {
            summary: self.summary(),
            burned: self.is_burned(),
            expired: self.is_expired(now_millis),
        }
    }

    /// Fails with [`Error::SendNotAllowed`] unless the login may get another code at
    /// `now_millis`. Neither the expiry nor the burned flag matter here, so a burned or expired
    /// code can be replaced once the cooldown has passed.
    pub fn check_next_send(&self, now_millis: i64) -> Result<()> {
        if self.send_number >= self.max_sends {
            return Err(Error::SendNotAllowed {
                message: "No more codes can be sent for this sign-in. Start the sign-in again to \
                          get a new code."
                    .to_owned(),
                retry_after_seconds: 0,
                reason: SendBlock::Limit,
            });
        }
        if now_millis < self.next_send_at_millis {
            let wait_millis = self.next_send_at_millis.saturating_sub(now_millis);
            let retry_after_seconds = wait_millis.unsigned_abs().div_ceil(1000);
            return Err(Error::SendNotAllowed {
                message: format!("A new code can be requested in {retry_after_seconds} seconds."),
                retry_after_seconds,
                reason: SendBlock::Cooldown,
            });
        }
        Ok(())
    }
}

fn invalid_state(reason: &str) -> Error {
    Error::InvalidChallenge(format!("the SMS code challenge state is invalid: {reason}"))
}

fn decode_base64<const N: usize>(text: &str) -> Result<[u8; N]> {
    let bytes = URL_SAFE_NO_PAD
        .decode(text)
        .map_err(|_| invalid_state("a field is not valid base64url"))?;
    bytes
        .try_into()
        .map_err(|_| invalid_state("a field has the wrong length"))
}

fn decode_hex_id(text: &str) -> Result<Id> {
    let invalid = || invalid_state("an id field is not 32 lower-case hex digits");
    if text.len() != ID_LENGTH * 2 || !text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    {
        return Err(invalid());
    }
    let mut id = [0u8; ID_LENGTH];
    for (slot, pair) in id.iter_mut().zip(text.as_bytes().chunks_exact(2)) {
        let pair = std::str::from_utf8(pair).map_err(|_| invalid())?;
        *slot = u8::from_str_radix(pair, 16).map_err(|_| invalid())?;
    }
    Ok(id)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn parse_number<T: std::str::FromStr>(text: &str) -> Result<T> {
    text.parse()
        .map_err(|_| invalid_state("a number field is not a valid number"))
}

fn random_id() -> Result<Id> {
    let mut id = [0u8; ID_LENGTH];
    SysRng
        .try_fill_bytes(&mut id)
        .map_err(|error| Error::RandomUnavailable(error.to_string()))?;
    Ok(id)
}

/// Wait after send number `send_number` before the next send: `cooldown × 2^(send_number-1)`.
fn cooldown_millis(cooldown_seconds: u32, send_number: u32) -> i64 {
    let factor = 2u64.saturating_pow(send_number.saturating_sub(1));
    let millis = u64::from(cooldown_seconds)
        .saturating_mul(1000)
        .saturating_mul(factor);
    i64::try_from(millis).unwrap_or(i64::MAX)
}

/// Creates the state for a code that was just generated.
///
/// `previous` is the login's current challenge, or `None` for its first send. With a previous
/// challenge the send rules are checked first (see [`Challenge::check_next_send`]), the
/// challenge id and the send budget carry over, and the wrong attempts carry over unless the
/// previous code was burned.
pub fn issue_challenge(
    key: &HmacKey,
    code: &str,
    previous: Option<&Challenge>,
    policy: &CodePolicy,
    now_millis: i64,
) -> Result<IssuedChallenge> {
    if let Some(previous) = previous {
        previous.check_next_send(now_millis)?;
    }
    let challenge_id = match previous {
        Some(previous) => previous.challenge_id,
        None => random_id()?,
    };
    let code_id = random_id()?;
    Ok(issue_with_ids(
        key,
        code,
        challenge_id,
        code_id,
        previous,
        policy,
        now_millis,
    ))
}

fn issue_with_ids(
    key: &HmacKey,
    code: &str,
    challenge_id: Id,
    code_id: Id,
    previous: Option<&Challenge>,
    policy: &CodePolicy,
    now_millis: i64,
) -> IssuedChallenge {
    let (send_number, max_sends, attempts_used) = match previous {
        None => (1, policy.max_sends, 0),
        Some(previous) => {
            let inherited = if previous.is_burned() {
                0
            } else {
                // A lowered maxAttempts in the config must not give a code that is burned from
                // the start, so at least one attempt stays.
                previous
                    .attempts_used
                    .min(policy.max_attempts.saturating_sub(1))
            };
            (previous.send_number + 1, previous.max_sends, inherited)
        }
    };
    let challenge = Challenge {
        challenge_id,
        code_id,
        send_number,
        max_sends,
        next_send_at_millis: now_millis
            .saturating_add(cooldown_millis(policy.resend_cooldown_seconds, send_number)),
        expires_at_millis: now_millis.saturating_add(i64::from(policy.ttl_seconds) * 1000),
        attempts_used,
        max_attempts: policy.max_attempts,
        burned: false,
        code_length: code.len(),
        code_mac: key.code_mac(&challenge_id, &code_id, code),
    };
    IssuedChallenge {
        state: challenge.encode(key),
        summary: challenge.summary(),
    }
}

/// Checks `entered` against the challenge in `state`.
///
/// A burned code gives [`Outcome::Exhausted`] and an expired code [`Outcome::Expired`], both
/// without comparing. Otherwise this entry is counted as attempt
/// `max(attemptsUsed + 1, attempt_number)` before the comparison, so every compared entry is
/// counted, the accepted one included. `attempt_number` is the slot that the caller claimed
/// cluster-wide for this code id, which may be ahead of the state when parallel requests used
/// other slots; 0 or less means no claim. An attempt beyond `maxAttempts` burns the code without
/// comparing. Whitespace anywhere in `entered` is ignored, and an entry that is not all digits or
/// has the wrong length counts as a wrong attempt.
pub fn verify_code(
    key: &HmacKey,
    state: &str,
    entered: &str,
    now_millis: i64,
    attempt_number: i32,
) -> Result<Verification> {
    let mut challenge = Challenge::decode(key, state)?;
    let code_id = hex(&challenge.code_id);

    if challenge.is_burned() {
        return Ok(Verification {
            outcome: Outcome::Exhausted,
            state: state.to_owned(),
            attempts_left: 0,
            code_id,
        });
    }
    if challenge.is_expired(now_millis) {
        return Ok(Verification {
            outcome: Outcome::Expired,
            state: state.to_owned(),
            attempts_left: challenge.attempts_left(),
            code_id,
        });
    }

    let claimed = u32::try_from(attempt_number).unwrap_or(0);
    let attempt = (challenge.attempts_used + 1).max(claimed);
    if attempt > challenge.max_attempts {
        challenge.attempts_used = challenge.max_attempts;
        challenge.burned = true;
        return Ok(Verification {
            outcome: Outcome::Exhausted,
            state: challenge.encode(key),
            attempts_left: 0,
            code_id,
        });
    }

    challenge.attempts_used = attempt;
    let entered: String = entered.chars().filter(|c| !c.is_whitespace()).collect();
    let well_formed =
        entered.len() == challenge.code_length && entered.bytes().all(|b| b.is_ascii_digit());
    let matches = well_formed
        && bool::from(
            key.code_mac(&challenge.challenge_id, &challenge.code_id, &entered)
                .ct_eq(&challenge.code_mac),
        );

    let outcome = if matches {
        Outcome::Accepted
    } else if attempt >= challenge.max_attempts {
        challenge.burned = true;
        Outcome::Exhausted
    } else {
        Outcome::Wrong
    };
    Ok(Verification {
        outcome,
        state: challenge.encode(key),
        attempts_left: challenge.attempts_left(),
        code_id,
    })
}

/// Returns the public view of `state` at `now_millis`.
pub fn describe_challenge(
    key: &HmacKey,
    state: &str,
    now_millis: i64,
) -> Result<ChallengeDescription> {
    Ok(Challenge::decode(key, state)?.describe(now_millis))
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"0123456789abcdef0123456789abcdef";
    const NOW: i64 = 1_700_000_000_000;
    const CODE: &str = "123456";
    const POLICY: CodePolicy = CodePolicy {
        ttl_seconds: 300,
        max_attempts: 5,
        max_sends: 3,
        resend_cooldown_seconds: 30,
    };

    fn key() -> HmacKey<'static> {
        HmacKey::new(KEY).unwrap()
    }

    fn challenge_id() -> Id {
        std::array::from_fn(|i| i as u8)
    }

    fn code_id(seed: u8) -> Id {
        std::array::from_fn(|i| seed.wrapping_add(i as u8))
    }

    fn first(policy: &CodePolicy) -> IssuedChallenge {
        issue_with_ids(
            &key(),
            CODE,
            challenge_id(),
            code_id(100),
            None,
            policy,
            NOW,
        )
    }

    fn decode(state: &str) -> Challenge {
        Challenge::decode(&key(), state).unwrap()
    }

    /// Issues the next code after `previous` at `now`, checking the send rules like
    /// [`issue_challenge`] does.
    fn resend(previous: &str, now: i64) -> Result<IssuedChallenge> {
        let previous = decode(previous);
        previous.check_next_send(now)?;
        let seed = 100 + previous.send_number as u8;
        Ok(issue_with_ids(
            &key(),
            CODE,
            previous.challenge_id,
            code_id(seed),
            Some(&previous),
            &POLICY,
            now,
        ))
    }

    fn wrong(state: &str, now: i64) -> Verification {
        verify_code(&key(), state, "000000", now, 0).unwrap()
    }

    #[test]
    fn code_mac_known_answer() {
        // Computed independently with Python:
        // hmac.new(KEY, b"sms2fa/v2/code\0" + bytes(range(16)) + bytes(range(100, 116))
        //          + b"123456", sha256).hexdigest()
        let expected = "f728e834fafbeaa0167a403e40532bcb49c0b3cbe3f01ba14cf29bfae7ddb8cd";
        let mac = key().code_mac(&challenge_id(), &code_id(100), CODE);
        assert_eq!(hex(&mac), expected);
    }

    #[test]
    fn hmac_sha256_matches_rfc4231_case_2() {
        let mut mac = <HmacSha256 as KeyInit>::new_from_slice(b"Jefe").unwrap();
        mac.update(b"what do ya want for nothing?");
        assert_eq!(
            hex(&mac.finalize().into_bytes()),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn state_is_ascii_versioned_and_hides_code() {
        let issued = first(&POLICY);
        assert!(issued.state.starts_with("v2."), "{}", issued.state);
        assert!(issued.state.is_ascii());
        assert!(!issued.state.contains(CODE));
        assert_eq!(issued.state.split('.').count(), STATE_FIELD_COUNT);
    }

    #[test]
    fn first_send_summary() {
        let summary = first(&POLICY).summary;
        assert_eq!(summary.challenge_id, "000102030405060708090a0b0c0d0e0f");
        assert_eq!(summary.code_id, hex(&code_id(100)));
        assert_eq!(summary.send_number, 1);
        assert_eq!(summary.sends_left, 2);
        assert_eq!(summary.next_send_at_millis, NOW + 30_000);
        assert_eq!(summary.expires_at_millis, NOW + 300_000);
        assert_eq!(summary.attempts_used, 0);
        assert_eq!(summary.max_attempts, 5);
    }

    #[test]
    fn state_round_trips() {
        let issued = first(&POLICY);
        let decoded = decode(&issued.state);
        assert_eq!(decoded.challenge_id, challenge_id());
        assert_eq!(decoded.code_id, code_id(100));
        assert_eq!(decoded.send_number, 1);
        assert_eq!(decoded.max_sends, 3);
        assert_eq!(decoded.code_length, 6);
        assert!(!decoded.burned);
        assert_eq!(decoded.encode(&key()), issued.state);
        assert_eq!(decoded.summary(), issued.summary);
    }

    #[test]
    fn challenge_id_kept_across_resends() {
        let first = issue_challenge(&key(), CODE, None, &POLICY, NOW).unwrap();
        let other_login = issue_challenge(&key(), CODE, None, &POLICY, NOW).unwrap();
        assert_ne!(first.summary.challenge_id, other_login.summary.challenge_id);
        assert_ne!(first.summary.code_id, other_login.summary.code_id);

        let previous = decode(&first.state);
        let second = issue_challenge(&key(), CODE, Some(&previous), &POLICY, NOW + 30_000).unwrap();
        assert_eq!(second.summary.challenge_id, first.summary.challenge_id);
        assert_ne!(second.summary.code_id, first.summary.code_id);
        assert_eq!(second.summary.send_number, 2);
    }

    #[test]
    fn cooldown_doubles_per_send() {
        let policy = CodePolicy {
            max_sends: 5,
            ..POLICY
        };
        let mut issued = first(&policy);
        let mut now = NOW;
        let mut waits = Vec::new();
        for _ in 0..4 {
            let wait = issued.summary.next_send_at_millis - now;
            waits.push(wait);
            now += wait;
            let previous = decode(&issued.state);
            issued = issue_with_ids(
                &key(),
                CODE,
                previous.challenge_id,
                code_id(1),
                Some(&previous),
                &policy,
                now,
            );
        }
        assert_eq!(waits, [30_000, 60_000, 120_000, 240_000]);
        assert_eq!(issued.summary.send_number, 5);
        assert_eq!(issued.summary.sends_left, 0);
    }

    #[test]
    fn cooldown_of_zero_allows_immediate_resend() {
        let policy = CodePolicy {
            resend_cooldown_seconds: 0,
            ..POLICY
        };
        let issued = first(&policy);
        assert_eq!(issued.summary.next_send_at_millis, NOW);
        decode(&issued.state).check_next_send(NOW).unwrap();
    }

    #[test]
    fn early_resend_reports_rounded_wait() {
        let issued = first(&POLICY);
        let cases = [
            (NOW, 30),
            (NOW + 1, 30),
            (NOW + 29_000, 1),
            (NOW + 29_999, 1),
        ];
        for (now, expected_seconds) in cases {
            match resend(&issued.state, now) {
                Err(Error::SendNotAllowed {
                    retry_after_seconds,
                    reason,
                    message,
                }) => {
                    assert_eq!(reason, SendBlock::Cooldown, "at {now}");
                    assert_eq!(retry_after_seconds, expected_seconds, "at {now}");
                    assert!(
                        message.contains(&format!("{expected_seconds} seconds")),
                        "{message}"
                    );
                }
                other => panic!("expected a cooldown error at {now}, got {other:?}"),
            }
        }
        resend(&issued.state, NOW + 30_000).unwrap();
    }

    #[test]
    fn sends_stop_at_max_sends() {
        let first = first(&POLICY);
        let second = resend(&first.state, NOW + 30_000).unwrap();
        let third = resend(&second.state, NOW + 90_000).unwrap();
        assert_eq!(third.summary.send_number, 3);
        assert_eq!(third.summary.sends_left, 0);

        // Long after every cooldown, the limit still applies.
        match resend(&third.state, NOW + 3_600_000) {
            Err(Error::SendNotAllowed {
                retry_after_seconds,
                reason,
                ..
            }) => {
                assert_eq!(reason, SendBlock::Limit);
                assert_eq!(retry_after_seconds, 0);
            }
            other => panic!("expected the send limit, got {other:?}"),
        }
    }

    #[test]
    fn max_sends_of_the_login_is_kept() {
        // The budget is fixed by the first send even if later calls pass another policy.
        let issued = first(&CodePolicy {
            max_sends: 2,
            ..POLICY
        });
        let previous = decode(&issued.state);
        let bigger = CodePolicy {
            max_sends: 10,
            ..POLICY
        };
        let second = issue_challenge(&key(), CODE, Some(&previous), &bigger, NOW + 30_000).unwrap();
        assert_eq!(second.summary.sends_left, 0);
    }

    #[test]
    fn new_code_inherits_wrong_attempts() {
        let issued = first(&POLICY);
        let once = wrong(&issued.state, NOW + 1);
        let twice = wrong(&once.state, NOW + 2);
        let resent = resend(&twice.state, NOW + 30_000).unwrap();
        assert_eq!(resent.summary.attempts_used, 2);

        let after = wrong(&resent.state, NOW + 30_001);
        assert_eq!(after.outcome, Outcome::Wrong);
        assert_eq!(after.attempts_left, 2);
    }

    #[test]
    fn expired_code_is_replaced_and_inherits() {
        let issued = first(&POLICY);
        let once = wrong(&issued.state, NOW + 1);
        let later = NOW + 400_000;
        assert!(decode(&once.state).describe(later).expired);
        let resent = resend(&once.state, later).unwrap();
        assert_eq!(resent.summary.attempts_used, 1);
        assert_eq!(resent.summary.expires_at_millis, later + 300_000);
    }

    #[test]
    fn burn_then_new_code_starts_at_zero() {
        let mut state = first(&POLICY).state;
        for _ in 0..5 {
            state = wrong(&state, NOW + 1).state;
        }
        let description = describe_challenge(&key(), &state, NOW + 2).unwrap();
        assert!(description.burned);
        assert_eq!(description.summary.attempts_used, 5);

        // A burned code may be replaced as soon as the cooldown has passed.
        let resent = resend(&state, NOW + 30_000).unwrap();
        assert_eq!(resent.summary.attempts_used, 0);
        assert_eq!(resent.summary.send_number, 2);
        let accepted = verify_code(&key(), &resent.state, CODE, NOW + 30_001, 0).unwrap();
        assert_eq!(accepted.outcome, Outcome::Accepted);
    }

    #[test]
    fn inherited_attempts_leave_one_attempt() {
        let mut state = first(&POLICY).state;
        for _ in 0..4 {
            state = wrong(&state, NOW + 1).state;
        }
        let previous = decode(&state);
        let stricter = CodePolicy {
            max_attempts: 2,
            ..POLICY
        };
        let resent = issue_with_ids(
            &key(),
            CODE,
            previous.challenge_id,
            code_id(7),
            Some(&previous),
            &stricter,
            NOW + 30_000,
        );
        assert_eq!(resent.summary.attempts_used, 1);
        assert_eq!(resent.summary.max_attempts, 2);
    }

    #[test]
    fn correct_code_is_accepted() {
        let issued = first(&POLICY);
        let result = verify_code(&key(), &issued.state, CODE, NOW + 1, 1).unwrap();
        assert_eq!(result.outcome, Outcome::Accepted);
        assert_eq!(result.attempts_left, 4);
        assert_eq!(result.code_id, issued.summary.code_id);
    }

    #[test]
    fn spaces_in_entry_are_ignored() {
        let issued = first(&POLICY);
        let result = verify_code(&key(), &issued.state, " 123 456\t\n", NOW + 1, 0).unwrap();
        assert_eq!(result.outcome, Outcome::Accepted);
    }

    #[test]
    fn wrong_code_counts_an_attempt() {
        let issued = first(&POLICY);
        let result = wrong(&issued.state, NOW + 1);
        assert_eq!(result.outcome, Outcome::Wrong);
        assert_eq!(result.attempts_left, 4);
        assert_eq!(decode(&result.state).attempts_used, 1);
    }

    #[test]
    fn malformed_entries_count_as_wrong() {
        for entered in ["", "12345", "1234567", "12345a", "１２３４５６", "123-456"] {
            let issued = first(&POLICY);
            let result = verify_code(&key(), &issued.state, entered, NOW + 1, 0).unwrap();
            assert_eq!(result.outcome, Outcome::Wrong, "entry {entered:?}");
            assert_eq!(result.attempts_left, 4, "entry {entered:?}");
        }
    }

    #[test]
    fn last_wrong_attempt_burns() {
        let mut state = first(&CodePolicy {
            max_attempts: 3,
            ..POLICY
        })
        .state;
        let mut outcomes = Vec::new();
        for _ in 0..3 {
            let result = wrong(&state, NOW + 1);
            state = result.state;
            outcomes.push(result.outcome);
        }
        assert_eq!(
            outcomes,
            [Outcome::Wrong, Outcome::Wrong, Outcome::Exhausted]
        );
        assert!(decode(&state).burned);
    }

    #[test]
    fn burned_state_rejects_correct_code_unchanged() {
        let mut state = first(&CodePolicy {
            max_attempts: 2,
            ..POLICY
        })
        .state;
        for _ in 0..2 {
            state = wrong(&state, NOW + 1).state;
        }
        let result = verify_code(&key(), &state, CODE, NOW + 1, 0).unwrap();
        assert_eq!(result.outcome, Outcome::Exhausted);
        assert_eq!(result.attempts_left, 0);
        assert_eq!(result.state, state, "a burned state is returned unchanged");
    }

    #[test]
    fn claimed_attempt_ahead_of_state_is_used() {
        // Two parallel requests claimed slots 1 and 2; the second arrives with the state that
        // still shows 0 attempts, and its attempt counts as number 2.
        let issued = first(&POLICY);
        let result = verify_code(&key(), &issued.state, "000000", NOW + 1, 2).unwrap();
        assert_eq!(result.outcome, Outcome::Wrong);
        assert_eq!(result.attempts_left, 3);
        assert_eq!(decode(&result.state).attempts_used, 2);
    }

    #[test]
    fn claimed_last_attempt_can_still_succeed() {
        let issued = first(&POLICY);
        let result = verify_code(&key(), &issued.state, CODE, NOW + 1, 5).unwrap();
        assert_eq!(result.outcome, Outcome::Accepted);
        assert_eq!(result.attempts_left, 0);
    }

    #[test]
    fn claimed_last_attempt_wrong_burns() {
        let issued = first(&POLICY);
        let result = verify_code(&key(), &issued.state, "000000", NOW + 1, 5).unwrap();
        assert_eq!(result.outcome, Outcome::Exhausted);
        assert!(decode(&result.state).burned);
    }

    #[test]
    fn claimed_attempt_beyond_max_burns_without_comparing() {
        let issued = first(&POLICY);
        let result = verify_code(&key(), &issued.state, CODE, NOW + 1, 6).unwrap();
        assert_eq!(result.outcome, Outcome::Exhausted);
        assert_eq!(result.attempts_left, 0);
        let decoded = decode(&result.state);
        assert!(decoded.burned);
        assert_eq!(decoded.attempts_used, 5);
    }

    #[test]
    fn claimed_attempt_behind_state_counts_next() {
        let issued = first(&POLICY);
        let once = wrong(&issued.state, NOW + 1);
        let result = verify_code(&key(), &once.state, "000000", NOW + 2, 1).unwrap();
        assert_eq!(decode(&result.state).attempts_used, 2);
        let negative = verify_code(&key(), &once.state, "000000", NOW + 2, -3).unwrap();
        assert_eq!(decode(&negative.state).attempts_used, 2);
    }

    #[test]
    fn code_at_expiry_is_expired() {
        let issued = first(&POLICY);
        let expires = issued.summary.expires_at_millis;
        let result = verify_code(&key(), &issued.state, CODE, expires, 0).unwrap();
        assert_eq!(result.outcome, Outcome::Expired);
        assert_eq!(result.attempts_left, 5);
        assert_eq!(result.state, issued.state);

        let before = verify_code(&key(), &issued.state, CODE, expires - 1, 0).unwrap();
        assert_eq!(before.outcome, Outcome::Accepted);
    }

    #[test]
    fn describe_reports_flags() {
        let issued = first(&POLICY);
        let fresh = describe_challenge(&key(), &issued.state, NOW + 1).unwrap();
        assert!(!fresh.burned);
        assert!(!fresh.expired);
        assert_eq!(fresh.summary, issued.summary);

        let late = describe_challenge(&key(), &issued.state, NOW + 300_000).unwrap();
        assert!(late.expired);
    }

    #[test]
    fn description_serializes_flat() {
        let description = first(&POLICY).summary;
        let json = serde_json::to_value(ChallengeDescription {
            summary: description,
            burned: false,
            expired: true,
        })
        .unwrap();
        let mut names: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        names.sort_unstable();
        assert_eq!(
            names,
            [
                "attemptsUsed",
                "burned",
                "challengeId",
                "codeId",
                "expired",
                "expiresAtMillis",
                "maxAttempts",
                "nextSendAtMillis",
                "sendNumber",
                "sendsLeft"
            ]
        );
    }

    #[test]
    fn tampered_fields_are_invalid() {
        let issued = first(&POLICY);
        let once = wrong(&issued.state, NOW + 1);
        // attemptsUsed, sendNumber, nextSendAtMillis and the burned flag.
        for (index, replacement) in [(7, "0"), (3, "0"), (5, "0"), (9, "1")] {
            let mut fields: Vec<&str> = once.state.split('.').collect();
            fields[index] = replacement;
            let tampered = fields.join(".");
            assert_ne!(tampered, once.state);
            let error = verify_code(&key(), &tampered, CODE, NOW + 1, 0).unwrap_err();
            assert!(
                matches!(error, Error::InvalidChallenge(_)),
                "field {index}: {error:?}"
            );
        }
    }

    #[test]
    fn malformed_states_are_invalid() {
        let issued = first(&POLICY);
        let other_version = issued.state.replacen("v2.", "v3.", 1);
        let truncated = &issued.state[..issued.state.len() - 4];
        let v1_state = "v1.AAECAwQFBgcICQoLDA0ODw.1700000300000.0.5.6.gT2xWo3hwzM_8DM3A9MFu_61Iuii8dRdPVbsdTCSsN0.xxxx";
        let cases = [
            "",
            "v2",
            "not a state",
            other_version.as_str(),
            truncated,
            v1_state,
            "v2.a.b.c.d.e.f.g.h.i.j.k.l",
        ];
        for state in cases {
            let error = verify_code(&key(), state, CODE, NOW + 1, 0).unwrap_err();
            assert!(
                matches!(error, Error::InvalidChallenge(_)),
                "state {state:?}: {error:?}"
            );
            let error = describe_challenge(&key(), state, NOW).unwrap_err();
            assert!(matches!(error, Error::InvalidChallenge(_)), "{error:?}");
        }
    }

    #[test]
    fn state_from_other_key_is_invalid() {
        let issued = first(&POLICY);
        let other_key = HmacKey::new(b"another key of sixteen bytes or more").unwrap();
        let error = verify_code(&other_key, &issued.state, CODE, NOW + 1, 0).unwrap_err();
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
