//! Operations behind the native methods, one function per method and named alike, in plain Rust
//! types. The `jni` module only converts arguments and results.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::challenge::{self, HmacKey, Outcome};
use crate::code::generate_code;
use crate::config::Config;
use crate::error::Result;
use crate::gateway::{OutgoingSms, send_sms};
use crate::phone::{mask_phone, normalize_phone};
use crate::text::{TextArguments, format_text, validity_minutes};

/// Crate version, compared by the Java loader with its own version.
pub fn library_version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

/// Version, target triple and build profile, stamped by build.rs.
pub fn build_info() -> &'static str {
    env!("SMS2FA_BUILD_INFO")
}

/// Validates an execution config and returns every key with its effective value.
pub fn validate_config(config_json: &str) -> Result<BTreeMap<String, String>> {
    Ok(Config::from_json(config_json)?.to_normalized_map())
}

/// Result of [`send_code`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SentCode {
    /// Opaque challenge state for [`verify_code`].
    pub state: String,
    pub message_id: String,
    pub masked_phone: String,
    pub expires_at_millis: i64,
}

/// Generates a code, sends it in an SMS formatted from `text_template` and returns the challenge
/// state. The code is never returned: it leaves only in the SMS.
///
/// The key and the phone number are checked before anything is sent.
pub fn send_code(
    config_json: &str,
    hmac_key: &[u8],
    phone: &str,
    text_template: &str,
    realm_name: &str,
    now_millis: i64,
) -> Result<SentCode> {
    let config = Config::from_json(config_json)?;
    let key = HmacKey::new(hmac_key)?;
    let phone = normalize_phone(phone)?;

    let code = generate_code(config.code_length)?;
    let text = format_text(
        text_template,
        &TextArguments {
            code: &code,
            validity_minutes: validity_minutes(config.ttl_seconds),
            realm_name,
        },
    );
    let challenge = challenge::issue_challenge(
        &key,
        &code,
        now_millis,
        config.ttl_seconds,
        config.max_attempts,
    )?;

    let receipt = send_sms(
        &config,
        OutgoingSms {
            to: &phone,
            text: &text,
        },
    )?;
    Ok(SentCode {
        state: challenge.state,
        message_id: receipt.message_id,
        masked_phone: mask_phone(&phone),
        expires_at_millis: challenge.expires_at_millis,
    })
}

/// Result of [`verify_code`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifiedCode {
    pub outcome: Outcome,
    /// Updated state to store in place of the old one (discard it after `accepted`).
    pub state: String,
    pub attempts_left: u32,
}

/// Checks an entered code against `state`; see [`challenge::verify_code`] for the rules.
pub fn verify_code(
    state: &str,
    hmac_key: &[u8],
    entered_code: &str,
    now_millis: i64,
) -> Result<VerifiedCode> {
    let key = HmacKey::new(hmac_key)?;
    let verification = challenge::verify_code(&key, state, entered_code, now_millis)?;
    Ok(VerifiedCode {
        outcome: verification.outcome,
        state: verification.state,
        attempts_left: verification.attempts_left,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;

    const KEY: &[u8] = b"0123456789abcdef";

    #[test]
    fn build_info_names_version_and_profile() {
        let info = build_info();
        assert!(info.starts_with("0.1.0 "), "{info}");
        assert!(
            info.ends_with(" debug") || info.ends_with(" release"),
            "{info}"
        );
        assert_eq!(library_version(), "0.1.0");
    }

    #[test]
    fn validate_config_returns_normalized_map() {
        let normalized = validate_config(r#"{"apiurl":"https://sms.example/send"}"#).unwrap();
        assert_eq!(normalized["ttl"], "300");
        assert_eq!(normalized["gatewayType"], "auto");
    }

    #[test]
    fn send_code_checks_key_before_sending() {
        // The URL points at a closed port; a short key must fail before any connection.
        let config = r#"{"apiurl":"http://127.0.0.1:9/send"}"#;
        let error = send_code(config, b"short", "+48500100200", "{0}", "demo", 0).unwrap_err();
        assert!(matches!(error, Error::KeyTooShort { .. }), "{error:?}");
    }

    #[test]
    fn send_code_checks_phone_before_sending() {
        let config = r#"{"apiurl":"http://127.0.0.1:9/send"}"#;
        let error = send_code(config, KEY, "12345", "{0}", "demo", 0).unwrap_err();
        assert!(matches!(error, Error::InvalidPhoneNumber(_)), "{error:?}");
    }

    #[test]
    fn verified_code_serializes_as_contract() {
        let result = VerifiedCode {
            outcome: Outcome::Wrong,
            state: "v1.x".to_owned(),
            attempts_left: 4,
        };
        assert_eq!(
            serde_json::to_string(&result).unwrap(),
            r#"{"outcome":"wrong","state":"v1.x","attemptsLeft":4}"#
        );
    }

    #[test]
    fn sent_code_serializes_as_contract() {
        let result = SentCode {
            state: "v1.x".to_owned(),
            message_id: "1821".to_owned(),
            masked_phone: "+48******200".to_owned(),
            expires_at_millis: 123,
        };
        assert_eq!(
            serde_json::to_string(&result).unwrap(),
            r#"{"state":"v1.x","messageId":"1821","maskedPhone":"+48******200","expiresAtMillis":123}"#
        );
    }
}
