//! Operations behind the native methods, one function per method and named alike, in plain Rust
//! types. The `jni` module only converts arguments and results.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::challenge::{
    self, Challenge, ChallengeDescription, ChallengeSummary, CodePolicy, HmacKey, Outcome,
};
use crate::code::generate_code;
use crate::config::Config;
use crate::error::Result;
use crate::gateway::check::{self, CheckRequest, GatewayReport};
use crate::gateway::{OutgoingSms, send_sms};
use crate::phone::{self, check_e164, mask_phone};
use crate::text::{
    TextArguments, append_origin_bound_line, format_text, origin_bound_host, validity_minutes,
};

/// `messageId` of a code that simulation mode did not send.
pub const SIMULATED_MESSAGE_ID: &str = "simulated";

/// Crate version, compared by the Java loader with its own version.
pub fn library_version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

/// Version, target triple and build profile, stamped by build.rs.
pub fn build_info() -> &'static str {
    env!("SMS2FA_BUILD_INFO")
}

/// Result of [`validate_config`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValidatedConfig {
    /// Every config key with its effective value.
    pub config: BTreeMap<String, String>,
    /// Texts for the administrator, each starting with the config key, that the caller logs.
    pub warnings: Vec<String>,
}

/// Validates an execution config and returns every key with its effective value, plus warnings.
pub fn validate_config(config_json: &str) -> Result<ValidatedConfig> {
    let config = Config::from_json(config_json)?;
    Ok(ValidatedConfig {
        config: config.to_normalized_map(),
        warnings: config.warnings(),
    })
}

/// Result of [`send_code`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SentCode {
    /// Opaque challenge state for [`verify_code`], [`describe_challenge`] and the next send.
    pub state: String,
    #[serde(flatten)]
    pub summary: ChallengeSummary,
    /// The gateway's message id, [`SIMULATED_MESSAGE_ID`] in simulation mode.
    pub message_id: String,
    pub masked_phone: String,
    /// Simulation mode was on, so no SMS was sent.
    pub simulated: bool,
    /// `scheme://host:port` of the device that accepted the SMS; empty in simulation mode.
    pub device_url: String,
}

/// Generates a code, sends it in an SMS formatted from `text_template` and returns the new
/// challenge state. The code is never returned: it leaves only in the SMS.
///
/// `previous_state` is the login's current state, or `None` for its first send; with it the
/// resend rules apply and a blocked send fails with
/// [`Error::SendNotAllowed`](crate::Error::SendNotAllowed). `origin_host` is used only when
/// `originBoundLine` is on. When it is `None` or not a domain name (see [`origin_bound_host`]),
/// the SMS goes out without the origin-bound line. `phone` must already be in E.164 form (see
/// [`normalize_phone`]); it is only checked for that shape. Everything is checked before
/// anything is sent, and a failed send returns the error and no state, so the caller keeps the
/// previous one.
#[allow(clippy::too_many_arguments)]
pub fn send_code(
    config_json: &str,
    hmac_key: &[u8],
    phone: &str,
    text_template: &str,
    realm_name: &str,
    origin_host: Option<&str>,
    previous_state: Option<&str>,
    now_millis: i64,
) -> Result<SentCode> {
    let config = Config::from_json(config_json)?;
    let key = HmacKey::new(hmac_key)?;
    check_e164(phone)?;
    let previous = previous_state
        .map(|state| Challenge::decode(&key, state))
        .transpose()?;
    if let Some(previous) = &previous {
        previous.check_next_send(now_millis)?;
    }
    let origin_host = if config.origin_bound_line {
        origin_host.and_then(origin_bound_host)
    } else {
        None
    };

    let code = generate_code(config.code_length)?;
    let arguments = TextArguments {
        code: &code,
        validity_minutes: validity_minutes(config.ttl_seconds),
        realm_name,
    };
    let text = sms_text(text_template, &arguments, origin_host.as_deref());
    let policy = CodePolicy {
        ttl_seconds: config.ttl_seconds,
        max_attempts: config.max_attempts,
        max_sends: config.max_sends_per_login,
        resend_cooldown_seconds: config.resend_cooldown_seconds,
    };
    let issued = challenge::issue_challenge(&key, &code, previous.as_ref(), &policy, now_millis)?;

    let (message_id, device_url) = if config.simulation {
        (SIMULATED_MESSAGE_ID.to_owned(), String::new())
    } else {
        let receipt = send_sms(
            &config,
            OutgoingSms {
                to: phone,
                text: &text,
            },
        )?;
        (receipt.message_id, receipt.device_url)
    };
    Ok(SentCode {
        state: issued.state,
        summary: issued.summary,
        message_id,
        masked_phone: mask_phone(phone),
        simulated: config.simulation,
        device_url,
    })
}

/// Formats the SMS text and appends the origin-bound line when `origin_host` is a normalized
/// host name.
fn sms_text(template: &str, arguments: &TextArguments, origin_host: Option<&str>) -> String {
    let text = format_text(template, arguments);
    match origin_host {
        Some(host) => append_origin_bound_line(&text, host, arguments.code),
        None => text,
    }
}

/// Returns the public view of a challenge state; see [`ChallengeDescription`].
pub fn describe_challenge(
    state: &str,
    hmac_key: &[u8],
    now_millis: i64,
) -> Result<ChallengeDescription> {
    let key = HmacKey::new(hmac_key)?;
    challenge::describe_challenge(&key, state, now_millis)
}

/// Result of [`verify_code`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifiedCode {
    pub outcome: Outcome,
    /// Updated state to store in place of the old one (discard it after `accepted`).
    pub state: String,
    pub attempts_left: u32,
    /// Id of the code that was checked (hex).
    pub code_id: String,
}

/// Checks an entered code against `state`; see [`challenge::verify_code`] for the rules and for
/// `attempt_number`.
pub fn verify_code(
    state: &str,
    hmac_key: &[u8],
    entered_code: &str,
    now_millis: i64,
    attempt_number: i32,
) -> Result<VerifiedCode> {
    let key = HmacKey::new(hmac_key)?;
    let verification =
        challenge::verify_code(&key, state, entered_code, now_millis, attempt_number)?;
    Ok(VerifiedCode {
        outcome: verification.outcome,
        state: verification.state,
        attempts_left: verification.attempts_left,
        code_id: verification.code_id,
    })
}

/// Checks the gateway that an execution config names and returns the report; see
/// [`check::check_gateway`]. `phone` is the test recipient in E.164 form (see
/// [`normalize_phone`]) or `None`. With `send`, a real test SMS goes to `phone`.
///
/// Fails only for an invalid config or a `phone` that is not in E.164 form; every gateway
/// failure is a check in the report.
pub fn check_gateway(config_json: &str, phone: Option<&str>, send: bool) -> Result<GatewayReport> {
    let config = Config::from_json(config_json)?;
    if let Some(phone) = phone {
        check_e164(phone)?;
    }
    Ok(check::check_gateway(&config, CheckRequest { phone, send }))
}

/// Parses a phone number that a user entered to E.164; see [`phone::PhonePolicy::normalize`].
/// `default_region` and `allowed_countries` take the values of the config keys of those names.
pub fn normalize_phone(
    input: &str,
    default_region: &str,
    allowed_countries: &str,
) -> Result<String> {
    phone::normalize_phone(input, default_region, allowed_countries)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{Error, PhoneRejection, SendBlock};

    const KEY: &[u8] = b"0123456789abcdef";
    const NOW: i64 = 1_700_000_000_000;
    /// Returns a send URL on a local port that nothing listens on, so a real send fails with a
    /// refused connection while simulation never connects.
    fn closed_url() -> String {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        format!("http://127.0.0.1:{port}/send")
    }

    fn config_json(extra: &[(&str, &str)]) -> String {
        let mut map: BTreeMap<String, String> = BTreeMap::new();
        map.insert("apiurl".to_owned(), closed_url());
        for (key, value) in extra {
            map.insert((*key).to_owned(), (*value).to_owned());
        }
        serde_json::to_string(&map).unwrap()
    }

    fn simulated(extra: &[(&str, &str)], previous: Option<&str>, now: i64) -> Result<SentCode> {
        let mut entries = vec![("simulation", "true")];
        entries.extend_from_slice(extra);
        send_code(
            &config_json(&entries),
            KEY,
            "+48500100200",
            "Code {0}",
            "demo",
            Some("login.example.com"),
            previous,
            now,
        )
    }

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
    fn validate_config_returns_map_and_warnings() {
        let validated = validate_config(r#"{"apiurl":"https://sms.example/send"}"#).unwrap();
        assert_eq!(validated.config["ttl"], "300");
        assert_eq!(validated.config["gatewayType"], "auto");
        assert!(validated.warnings.is_empty());

        let json = serde_json::to_value(&validated).unwrap();
        assert!(json["config"].is_object(), "{json}");
        assert_eq!(json["warnings"], serde_json::json!([]));

        let skipping =
            validate_config(r#"{"apiurl":"https://sms.example/send","tlsSkipVerify":"true"}"#)
                .unwrap();
        assert_eq!(skipping.warnings.len(), 1);
        assert!(skipping.warnings[0].starts_with("tlsSkipVerify: "));
    }

    #[test]
    fn send_code_checks_key_before_sending() {
        let error = send_code(
            &config_json(&[]),
            b"short",
            "+48500100200",
            "{0}",
            "demo",
            None,
            None,
            0,
        )
        .unwrap_err();
        assert!(matches!(error, Error::KeyTooShort { .. }), "{error:?}");
    }

    #[test]
    fn send_code_checks_e164_shape_only() {
        for phone in ["12345", "+48 500 100 200", "0048500100200", "+0123456789"] {
            let error =
                send_code(&config_json(&[]), KEY, phone, "{0}", "demo", None, None, 0).unwrap_err();
            assert!(
                matches!(
                    error,
                    Error::InvalidPhoneNumber {
                        reason: PhoneRejection::Invalid,
                        ..
                    }
                ),
                "{phone}: {error:?}"
            );
            assert!(!error.to_string().contains("500"), "{error}");
        }
        // A premium-rate number that passed an older check is still sent as stored.
        let sent = send_code(
            &config_json(&[("simulation", "true")]),
            KEY,
            "+4990012345678",
            "{0}",
            "demo",
            None,
            None,
            0,
        )
        .unwrap();
        assert_eq!(sent.masked_phone, "+49********678");
    }

    #[test]
    fn simulation_sends_nothing() {
        // The URL points at a closed port, so a real send would fail.
        let sent = simulated(&[], None, NOW).unwrap();
        assert!(sent.simulated);
        assert_eq!(sent.message_id, SIMULATED_MESSAGE_ID);
        assert_eq!(sent.device_url, "");
        assert_eq!(sent.masked_phone, "+48******200");
        assert_eq!(sent.summary.send_number, 1);
        assert_eq!(sent.summary.expires_at_millis, NOW + 300_000);
    }

    #[test]
    fn send_without_simulation_reaches_gateway() {
        let error = send_code(
            &config_json(&[]),
            KEY,
            "+48500100200",
            "{0}",
            "demo",
            None,
            None,
            NOW,
        )
        .unwrap_err();
        assert!(matches!(error, Error::GatewayUnavailable(_)), "{error:?}");
    }

    #[test]
    fn resend_rules_apply_through_send_code() {
        let first = simulated(&[], None, NOW).unwrap();
        let error = simulated(&[], Some(&first.state), NOW + 10_000).unwrap_err();
        match error {
            Error::SendNotAllowed {
                retry_after_seconds,
                reason,
                ..
            } => {
                assert_eq!(reason, SendBlock::Cooldown);
                assert_eq!(retry_after_seconds, 20);
            }
            other => panic!("expected a cooldown error, got {other:?}"),
        }

        let second = simulated(&[], Some(&first.state), NOW + 30_000).unwrap();
        assert_eq!(second.summary.challenge_id, first.summary.challenge_id);
        assert_eq!(second.summary.send_number, 2);
        assert_eq!(second.summary.next_send_at_millis, NOW + 30_000 + 60_000);
    }

    #[test]
    fn blocked_resend_skips_gateway() {
        let first = simulated(&[], None, NOW).unwrap();
        // Without simulation the gateway is unreachable, but the cooldown is checked first.
        let error = send_code(
            &config_json(&[]),
            KEY,
            "+48500100200",
            "{0}",
            "demo",
            None,
            Some(&first.state),
            NOW + 1,
        )
        .unwrap_err();
        assert!(matches!(error, Error::SendNotAllowed { .. }), "{error:?}");
    }

    #[test]
    fn tampered_previous_state_is_invalid() {
        let first = simulated(&[], None, NOW).unwrap();
        let tampered = first.state.replacen(".1.3.", ".0.3.", 1);
        assert_ne!(tampered, first.state);
        let error = simulated(&[], Some(&tampered), NOW + 60_000).unwrap_err();
        assert!(matches!(error, Error::InvalidChallenge(_)), "{error:?}");
    }

    #[test]
    fn origin_bound_line_never_fails_the_send() {
        let config = config_json(&[("simulation", "true"), ("originBoundLine", "true")]);
        let send = |host: Option<&str>| {
            send_code(&config, KEY, "+48500100200", "{0}", "demo", host, None, NOW)
        };
        for host in [
            Some("login.example.com"),
            Some("Login.Example.com."),
            None,
            Some("[::1]"),
            Some("127.0.0.1"),
            Some("login_host.example.com"),
            Some("https://login.example.com"),
            Some("evil.example #1"),
        ] {
            send(host).unwrap_or_else(|error| panic!("{host:?}: {error:?}"));
        }
        // With the line off, the host is ignored.
        let off = config_json(&[("simulation", "true")]);
        send_code(
            &off,
            KEY,
            "+48500100200",
            "{0}",
            "demo",
            Some("not a host"),
            None,
            NOW,
        )
        .unwrap();
    }

    #[test]
    fn sms_text_appends_origin_bound_line() {
        let arguments = TextArguments {
            code: "123456",
            validity_minutes: 5,
            realm_name: "demo",
        };
        assert_eq!(
            sms_text("Code {0}", &arguments, Some("login.example.com")),
            "Code 123456\n\n@login.example.com #123456"
        );
        assert_eq!(sms_text("Code {0}", &arguments, None), "Code 123456");
    }

    #[test]
    fn describe_and_verify_after_simulated_send() {
        let sent = simulated(&[], None, NOW).unwrap();
        let description = describe_challenge(&sent.state, KEY, NOW + 1).unwrap();
        assert_eq!(description.summary, sent.summary);
        assert!(!description.burned);
        assert!(!description.expired);

        let verified = verify_code(&sent.state, KEY, "no code", NOW + 1, 1).unwrap();
        assert_eq!(verified.outcome, Outcome::Wrong);
        assert_eq!(verified.code_id, sent.summary.code_id);
        assert_eq!(verified.attempts_left, 4);
    }

    #[test]
    fn check_gateway_rejects_invalid_input() {
        let error = check_gateway("{}", None, false).unwrap_err();
        assert!(matches!(error, Error::InvalidConfig { .. }), "{error:?}");

        let error = check_gateway(&config_json(&[]), Some("500100200"), false).unwrap_err();
        assert!(
            matches!(error, Error::InvalidPhoneNumber { .. }),
            "{error:?}"
        );
    }

    #[test]
    fn check_gateway_reports_refused_connection() {
        let report = check_gateway(&config_json(&[]), Some("+48500100200"), true).unwrap();
        assert!(!report.ok);
        assert_eq!(report.gateway_type, "generic");
        assert_eq!(report.masked_phone.as_deref(), Some("+48******200"));
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["checks"][0]["name"], "connection");
        assert_eq!(json["checks"][0]["problem"], "unreachable");
        assert_eq!(json["checks"][1]["result"], "skipped");
        assert!(!json.to_string().contains("500100200"), "{json}");
    }

    #[test]
    fn verified_code_serializes_as_contract() {
        let result = VerifiedCode {
            outcome: Outcome::Wrong,
            state: "v2.x".to_owned(),
            attempts_left: 4,
            code_id: "ab".to_owned(),
        };
        assert_eq!(
            serde_json::to_string(&result).unwrap(),
            r#"{"outcome":"wrong","state":"v2.x","attemptsLeft":4,"codeId":"ab"}"#
        );
    }

    #[test]
    fn sent_code_serializes_as_contract() {
        let result = SentCode {
            state: "v2.x".to_owned(),
            summary: ChallengeSummary {
                challenge_id: "c1".to_owned(),
                code_id: "d2".to_owned(),
                send_number: 1,
                sends_left: 2,
                next_send_at_millis: 30,
                expires_at_millis: 300,
                attempts_used: 0,
                max_attempts: 5,
            },
            message_id: "1821".to_owned(),
            masked_phone: "+48******200".to_owned(),
            simulated: false,
            device_url: "https://10.0.0.5:443".to_owned(),
        };
        assert_eq!(
            serde_json::to_string(&result).unwrap(),
            concat!(
                r#"{"state":"v2.x","challengeId":"c1","codeId":"d2","sendNumber":1,"sendsLeft":2,"#,
                r#""nextSendAtMillis":30,"expiresAtMillis":300,"attemptsUsed":0,"maxAttempts":5,"#,
                r#""messageId":"1821","maskedPhone":"+48******200","simulated":false,"#,
                r#""deviceUrl":"https://10.0.0.5:443"}"#
            )
        );
    }
}
