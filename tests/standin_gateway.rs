//! Sends through the real HTTP clients to the SMSEagle stand-in over HTTPS with a test CA.

mod common;

use common::{SMS_ONLY_TOKEN, StandIn, TOKEN, closed_port, config, smseagle_config};
use serde_json::{Value, json};
use sms2fa::config::GatewayKind;
use sms2fa::gateway::{OutgoingSms, send_sms};
use sms2fa::{Config, Error};

const PHONE: &str = "+48500100200";
const GSM_TEXT: &str = "Your code is 123456";

fn send(config: &std::collections::BTreeMap<String, String>, text: &str) -> sms2fa::Result<String> {
    let config = Config::from_map(config)?;
    send_sms(&config, OutgoingSms { to: PHONE, text }).map(|receipt| receipt.message_id)
}

fn only_message(standin: &StandIn) -> Value {
    let messages = standin.messages();
    assert_eq!(messages.len(), 1, "{messages:?}");
    messages[0].clone()
}

#[test]
fn sms_single_path() {
    let standin = StandIn::start();
    let url = format!("{}/api/v2/messages/sms_single", standin.https_base);
    let id = send(&smseagle_config(&standin, &url), GSM_TEXT).unwrap();

    let message = only_message(&standin);
    assert_eq!(message["id"].to_string(), id);
    assert_eq!(message["to"], json!(PHONE));
    assert_eq!(message["text"], json!(GSM_TEXT));
    assert_eq!(message["path"], json!("/api/v2/messages/sms_single"));
    assert_eq!(message["token_location"], json!("header"));
    assert_eq!(message["encoding"], json!("standard"));
    assert_eq!(message["priority"], json!(9));
    assert_eq!(message["validity"], json!("5m"));
}

#[test]
fn sms_path_sends_array() {
    let standin = StandIn::start();
    let url = format!("{}/api/v2/messages/sms", standin.https_base);
    let id = send(&smseagle_config(&standin, &url), GSM_TEXT).unwrap();

    let message = only_message(&standin);
    assert_eq!(message["id"].to_string(), id);
    assert_eq!(message["path"], json!("/api/v2/messages/sms"));
    let to = message["to"].clone();
    assert!(to == json!(PHONE) || to == json!([PHONE]), "{to}");
}

#[test]
fn index_php_paths() {
    let standin = StandIn::start();
    for path in [
        "/index.php/api/v2/messages/sms_single",
        "/index.php/api/v2/messages/sms",
    ] {
        let url = format!("{}{path}", standin.https_base);
        send(&smseagle_config(&standin, &url), GSM_TEXT).unwrap();
    }
    let paths: Vec<Value> = standin
        .messages()
        .iter()
        .map(|m| m["path"].clone())
        .collect();
    assert_eq!(
        paths,
        [
            json!("/index.php/api/v2/messages/sms_single"),
            json!("/index.php/api/v2/messages/sms")
        ]
    );
}

#[test]
fn device_base_url_uses_sms_single() {
    let standin = StandIn::start();
    for base in ["/api/v2", "/index.php/api/v2/"] {
        let url = format!("{}{base}", standin.https_base);
        let mut settings = smseagle_config(&standin, &url);
        settings.insert("gatewayType".to_owned(), "smseagle".to_owned());
        send(&settings, GSM_TEXT).unwrap();
    }
    let paths: Vec<Value> = standin
        .messages()
        .iter()
        .map(|m| m["path"].clone())
        .collect();
    assert_eq!(
        paths,
        [
            json!("/api/v2/messages/sms_single"),
            json!("/index.php/api/v2/messages/sms_single")
        ]
    );
}

#[test]
fn vendor_manual_generic_config() {
    // The vendor's Keycloak manual: sms_single URL, URL encoding off, the token in the body as
    // access_token, message attribute text, receiver to, sender from.
    let standin = StandIn::start();
    let url = format!("{}/api/v2/messages/sms_single", standin.https_base);
    let settings = config(&[
        ("apiurl", &url),
        ("gatewayType", "generic"),
        ("urlencode", "false"),
        ("apitokenattribute", "access_token"),
        ("apitoken", TOKEN),
        ("messageattribute", "text"),
        ("receiverattribute", "to"),
        ("senderattribute", "from"),
        ("senderId", "Keycloak"),
        ("tlsCaFile", standin.ca_file.to_str().unwrap()),
    ]);
    assert_eq!(
        Config::from_map(&settings).unwrap().gateway,
        GatewayKind::Generic
    );
    let id = send(&settings, GSM_TEXT).unwrap();

    let message = only_message(&standin);
    assert_eq!(message["id"].to_string(), id);
    assert_eq!(message["to"], json!(PHONE));
    assert_eq!(message["text"], json!(GSM_TEXT));
    assert_eq!(message["token_location"], json!("body"));
}

#[test]
fn wrong_token_is_config_error() {
    let standin = StandIn::start();
    let url = format!("{}/api/v2/messages/sms_single", standin.https_base);
    let mut settings = smseagle_config(&standin, &url);
    settings.insert("apitoken".to_owned(), "wrong-token".to_owned());
    let error = send(&settings, GSM_TEXT).unwrap_err();
    let message = error.to_string();
    assert!(matches!(error, Error::GatewayConfig(_)), "{error:?}");
    assert!(message.contains("401"), "{message}");
    assert!(!message.contains("wrong-token"), "{message}");
}

#[test]
fn token_without_sms_single_is_config_error() {
    let standin = StandIn::start();
    let url = format!("{}/api/v2/messages/sms_single", standin.https_base);
    let mut settings = smseagle_config(&standin, &url);
    settings.insert("apitoken".to_owned(), SMS_ONLY_TOKEN.to_owned());
    let error = send(&settings, GSM_TEXT).unwrap_err();
    let message = error.to_string();
    assert!(matches!(error, Error::GatewayConfig(_)), "{error:?}");
    assert!(message.contains("403"), "{message}");
    assert!(message.contains("Send SMS (single recipient)"), "{message}");

    // The same token may use /messages/sms.
    let url = format!("{}/api/v2/messages/sms", standin.https_base);
    settings.insert("apiurl".to_owned(), url);
    send(&settings, GSM_TEXT).unwrap();
}

#[test]
fn blank_text_is_config_error_with_field() {
    let standin = StandIn::start();
    let url = format!("{}/api/v2/messages/sms_single", standin.https_base);
    let error = send(&smseagle_config(&standin, &url), " ").unwrap_err();
    let message = error.to_string();
    assert!(matches!(error, Error::GatewayConfig(_)), "{error:?}");
    assert!(message.contains("(400)"), "{message}");
    // The field is named, but the device's message for it may repeat the SMS text.
    assert!(
        message.contains("text (the device's message is not shown)"),
        "{message}"
    );
}

#[test]
fn unknown_path_is_config_error() {
    let standin = StandIn::start();
    let url = format!("{}/api/v2/messages/unknown", standin.https_base);
    let settings = config(&[
        ("apiurl", &url),
        ("apitokenattribute", "access_token"),
        ("apitoken", TOKEN),
        ("tlsCaFile", standin.ca_file.to_str().unwrap()),
    ]);
    let error = send(&settings, GSM_TEXT).unwrap_err();
    let message = error.to_string();
    assert!(matches!(error, Error::GatewayConfig(_)), "{error:?}");
    assert!(message.contains("HTTP 405"), "{message}");
}

#[test]
fn rejected_fault_is_rejected() {
    let standin = StandIn::start();
    standin.set_fault("reject");
    let url = format!("{}/api/v2/messages/sms_single", standin.https_base);
    let error = send(&smseagle_config(&standin, &url), GSM_TEXT).unwrap_err();
    let message = error.to_string();
    assert!(matches!(error, Error::GatewayRejected(_)), "{error:?}");
    assert!(message.contains("REJECTED"), "{message}");
    assert!(!message.contains(PHONE), "{message}");
    assert!(standin.messages().is_empty());
}

#[test]
fn server_error_is_unavailable() {
    let standin = StandIn::start();
    standin.set_fault("error500");
    let url = format!("{}/api/v2/messages/sms_single", standin.https_base);
    let error = send(&smseagle_config(&standin, &url), GSM_TEXT).unwrap_err();
    assert!(matches!(error, Error::GatewayUnavailable(_)), "{error:?}");
    assert!(error.to_string().contains("500"), "{error}");
}

#[test]
fn hang_times_out_as_unavailable() {
    let standin = StandIn::start();
    standin.set_fault("hang");
    let url = format!("{}/api/v2/messages/sms_single", standin.https_base);
    let mut settings = smseagle_config(&standin, &url);
    settings.insert("connectTimeoutMs".to_owned(), "500".to_owned());
    settings.insert("requestTimeoutMs".to_owned(), "500".to_owned());
    let error = send(&settings, GSM_TEXT).unwrap_err();
    assert!(matches!(error, Error::GatewayUnavailable(_)), "{error:?}");
    assert!(
        error.to_string().contains("did not respond within 500 ms"),
        "{error}"
    );
}

#[test]
fn redirect_is_config_error() {
    let standin = StandIn::start_with_http();
    standin.set_fault("redirect");
    let http_base = standin.http_base.clone().unwrap();
    let url = format!("{http_base}/api/v2/messages/sms_single");
    let error = send(&smseagle_config(&standin, &url), GSM_TEXT).unwrap_err();
    let message = error.to_string();
    assert!(matches!(error, Error::GatewayConfig(_)), "{error:?}");
    assert!(message.contains("301"), "{message}");
    assert!(
        message.contains(&format!(
            "redirects to {}/api/v2/messages/sms_single",
            standin.https_base
        )),
        "{message}"
    );
    assert!(standin.messages().is_empty());
}

#[test]
fn connection_refused_is_unavailable() {
    let url = format!(
        "http://127.0.0.1:{}/api/v2/messages/sms_single",
        closed_port()
    );
    let settings = config(&[("apiurl", &url), ("apitoken", TOKEN)]);
    let error = send(&settings, GSM_TEXT).unwrap_err();
    assert!(matches!(error, Error::GatewayUnavailable(_)), "{error:?}");
    assert!(error.to_string().contains("refused"), "{error}");
}

#[test]
fn untrusted_certificate_is_config_error() {
    let standin = StandIn::start();
    let url = format!("{}/api/v2/messages/sms_single", standin.https_base);
    let settings = config(&[("apiurl", &url), ("apitoken", TOKEN)]);
    let error = send(&settings, GSM_TEXT).unwrap_err();
    let message = error.to_string();
    assert!(matches!(error, Error::GatewayConfig(_)), "{error:?}");
    assert!(message.contains("TLS"), "{message}");
    assert!(message.contains("tlsCaFile"), "{message}");
    assert!(message.contains("tlsPinSha256"), "{message}");
}

#[test]
fn non_gsm_text_is_sent_as_unicode() {
    let standin = StandIn::start();
    let url = format!("{}/api/v2/messages/sms_single", standin.https_base);
    let text = "Kod: 123456 — zażółć gęślą jaźń «日本»";
    send(&smseagle_config(&standin, &url), text).unwrap();

    let message = only_message(&standin);
    assert_eq!(message["encoding"], json!("unicode"));
    assert_eq!(message["text"], json!(text));
}

#[test]
fn receipt_names_the_device() {
    let standin = StandIn::start();
    let url = format!("{}/api/v2/messages/sms_single", standin.https_base);
    let config = Config::from_map(&smseagle_config(&standin, &url)).unwrap();
    let receipt = send_sms(
        &config,
        OutgoingSms {
            to: PHONE,
            text: GSM_TEXT,
        },
    )
    .unwrap();
    assert_eq!(receipt.device_url, standin.https_base);
}

#[test]
fn priority_modem_and_validity_reach_device() {
    let standin = StandIn::start();
    let url = format!("{}/api/v2/messages/sms_single", standin.https_base);
    let mut settings = smseagle_config(&standin, &url);
    settings.insert("priority".to_owned(), "4".to_owned());
    settings.insert("modemNo".to_owned(), "2".to_owned());
    settings.insert("ttl".to_owned(), "540".to_owned());
    send(&settings, GSM_TEXT).unwrap();

    let message = only_message(&standin);
    assert_eq!(message["priority"], json!(4));
    assert_eq!(message["modem_no"], json!(2));
    assert_eq!(message["validity"], json!("10m"));
    assert_eq!(message["encoding"], json!("standard"));
}

#[test]
fn send_code_then_verify_code() {
    let standin = StandIn::start();
    let url = format!("{}/api/v2/messages/sms_single", standin.https_base);
    let settings = smseagle_config(&standin, &url);
    let config_json = serde_json::to_string(&settings).unwrap();
    let key = b"an HMAC key of at least sixteen bytes";
    let now = 1_700_000_000_000;

    let sent = sms2fa::send_code(
        &config_json,
        key,
        PHONE,
        "Your {2} code: {0}. Valid {1} min. Don''t share it.",
        "demo",
        None,
        None,
        now,
    )
    .unwrap();
    assert_eq!(sent.masked_phone, "+48******200");
    assert_eq!(sent.summary.expires_at_millis, now + 300_000);
    assert_eq!(sent.summary.send_number, 1);
    assert!(!sent.simulated);
    assert_eq!(sent.device_url, standin.https_base);
    assert!(sent.state.starts_with("v2."));

    let message = only_message(&standin);
    assert_eq!(message["id"].to_string(), sent.message_id);
    let text = message["text"].as_str().unwrap();
    let code = text
        .strip_prefix("Your demo code: ")
        .and_then(|rest| rest.split('.').next())
        .unwrap();
    assert_eq!(code.len(), 6);
    assert_eq!(
        text,
        format!("Your demo code: {code}. Valid 5 min. Don't share it.")
    );
    assert!(!sent.state.contains(code));

    let wrong_code = if code == "000000" { "111111" } else { "000000" };
    let wrong = sms2fa::verify_code(&sent.state, key, wrong_code, now + 1_000, 1).unwrap();
    assert_eq!(wrong.outcome, sms2fa::Outcome::Wrong);
    assert_eq!(wrong.attempts_left, 4);
    assert_eq!(wrong.code_id, sent.summary.code_id);

    let accepted = sms2fa::verify_code(&wrong.state, key, code, now + 2_000, 2).unwrap();
    assert_eq!(accepted.outcome, sms2fa::Outcome::Accepted);
}

#[test]
fn origin_bound_line_ends_the_sms() {
    let standin = StandIn::start();
    let url = format!("{}/api/v2/messages/sms_single", standin.https_base);
    let mut settings = smseagle_config(&standin, &url);
    settings.insert("originBoundLine".to_owned(), "true".to_owned());
    let config_json = serde_json::to_string(&settings).unwrap();

    sms2fa::send_code(
        &config_json,
        b"an HMAC key of at least sixteen bytes",
        PHONE,
        "Your code: {0}",
        "demo",
        Some("Login.Example.com"),
        None,
        1_700_000_000_000,
    )
    .unwrap();

    let message = only_message(&standin);
    let text = message["text"].as_str().unwrap();
    let code = text
        .strip_prefix("Your code: ")
        .and_then(|rest| rest.split('\n').next())
        .unwrap();
    assert_eq!(
        text,
        format!("Your code: {code}\n\n@login.example.com #{code}")
    );
    assert_eq!(message["encoding"], json!("standard"));
}

#[test]
fn resend_after_cooldown_reaches_device() {
    let standin = StandIn::start();
    let url = format!("{}/api/v2/messages/sms_single", standin.https_base);
    let config_json = serde_json::to_string(&smseagle_config(&standin, &url)).unwrap();
    let key = b"an HMAC key of at least sixteen bytes";
    let now = 1_700_000_000_000;
    let send = |previous: Option<&str>, at: i64| {
        sms2fa::send_code(&config_json, key, PHONE, "{0}", "demo", None, previous, at)
    };

    let first = send(None, now).unwrap();
    let blocked = send(Some(&first.state), now + 29_000).unwrap_err();
    assert!(
        matches!(blocked, Error::SendNotAllowed { .. }),
        "{blocked:?}"
    );
    assert_eq!(
        standin.messages().len(),
        1,
        "a blocked resend sends nothing"
    );

    let second = send(Some(&first.state), now + 30_000).unwrap();
    assert_eq!(second.summary.challenge_id, first.summary.challenge_id);
    assert_eq!(second.summary.send_number, 2);
    assert_eq!(standin.messages().len(), 2);
}

#[test]
fn simulation_reaches_no_device() {
    let standin = StandIn::start();
    let url = format!("{}/api/v2/messages/sms_single", standin.https_base);
    let mut settings = smseagle_config(&standin, &url);
    settings.insert("simulation".to_owned(), "true".to_owned());
    let config_json = serde_json::to_string(&settings).unwrap();

    let sent = sms2fa::send_code(
        &config_json,
        b"an HMAC key of at least sixteen bytes",
        PHONE,
        "{0}",
        "demo",
        None,
        None,
        1_700_000_000_000,
    )
    .unwrap();
    assert!(sent.simulated);
    assert_eq!(sent.message_id, "simulated");
    assert_eq!(sent.device_url, "");
    assert!(standin.messages().is_empty());
}
