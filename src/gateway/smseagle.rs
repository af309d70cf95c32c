//! SMSEagle HTTP API v2 client.

use reqwest::Url;
use reqwest::blocking::Client;
use serde_json::{Value, json};

use super::{
    DeviceFailure, OutgoingSms, classify_request_error, classify_status, describe_unqueued,
    excerpt, excerpt_without_sms_text, location, queued_message_id, read_body,
};
use crate::config::{Config, SmsEaglePath, display_url, keys, smseagle_path};
use crate::error::{Error, Result};
use crate::text::is_gsm7;

/// Header that carries the API token, the vendor's recommended token location.
pub(super) const TOKEN_HEADER: &str = "access-token";

/// Request field that carries the SMS text.
const TEXT_FIELD: &str = "text";

/// Validity periods that SMSEagle API v2 accepts, shortest first, with their length in seconds.
const VALIDITY_STEPS: [(&str, u32); 13] = [
    ("5m", 5 * 60),
    ("10m", 10 * 60),
    ("30m", 30 * 60),
    ("1h", 3_600),
    ("2h", 2 * 3_600),
    ("4h", 4 * 3_600),
    ("12h", 12 * 3_600),
    ("1d", 86_400),
    ("2d", 2 * 86_400),
    ("5d", 5 * 86_400),
    ("1w", 7 * 86_400),
    ("2w", 14 * 86_400),
    ("4w", 28 * 86_400),
];

/// Handling of a send request on the device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SendMode {
    /// Queue the SMS for sending.
    Queue,
    /// Validate the request only (`"test": true`): nothing is queued and the id is 0.
    ValidateOnly,
}

/// Sends one SMS to the device at `device_url` and returns the device's message id.
pub(super) fn send(
    client: &Client,
    config: &Config,
    device_url: &Url,
    sms: OutgoingSms,
) -> std::result::Result<String, DeviceFailure> {
    send_with_mode(client, config, device_url, sms, SendMode::Queue)
}

/// Sends one send request in `mode` and returns the device's message id, "0" in
/// [`SendMode::ValidateOnly`]. A failure caused by an HTTP response carries its status.
pub(super) fn send_with_mode(
    client: &Client,
    config: &Config,
    device_url: &Url,
    sms: OutgoingSms,
    mode: SendMode,
) -> std::result::Result<String, DeviceFailure> {
    let (url, path) = send_url(device_url)?;
    let mut body = request_body(path, sms, config);
    if mode == SendMode::ValidateOnly {
        body["test"] = json!(true);
    }

    let response = client
        .post(url.clone())
        .header(TOKEN_HEADER, &config.api_token)
        .json(&body)
        .send()
        .map_err(|error| classify_request_error(error, &url, config))?;

    let status = response.status();
    let location = location(&response);
    if let Some(error) = classify_status(status, location.as_deref(), &url) {
        return Err(DeviceFailure::http(error, status));
    }
    let body = read_body(response, &url)?;

    if !status.is_success() {
        let error = describe_client_error(status.as_u16(), path, &body, &url, sms.text);
        return Err(DeviceFailure::http(error, status));
    }

    let answer: Value = serde_json::from_slice(&body).map_err(|_| {
        Error::GatewayUnavailable(format!(
            "{} responded with {status} and a body that is not JSON",
            display_url(&url)
        ))
    })?;
    match queued_message_id(&answer) {
        Some(message_id) => Ok(message_id),
        None => Err(Error::GatewayRejected(format!(
            "the SMSEagle gateway did not queue the SMS: {}",
            describe_unqueued(&answer, sms.text)
        ))
        .into()),
    }
}

/// Resolves the configured URL to a send URL. A device base URL gets `/messages/sms_single`, the
/// path that the vendor's Keycloak manual uses.
pub(super) fn send_url(configured: &Url) -> Result<(Url, SmsEaglePath)> {
    match smseagle_path(configured) {
        Some(SmsEaglePath::Sms) => Ok((configured.clone(), SmsEaglePath::Sms)),
        Some(SmsEaglePath::SmsSingle) => Ok((configured.clone(), SmsEaglePath::SmsSingle)),
        Some(SmsEaglePath::Base) => {
            let mut url = configured.clone();
            let base = url.path().trim_end_matches('/').to_owned();
            url.set_path(&format!("{base}/messages/sms_single"));
            Ok((url, SmsEaglePath::SmsSingle))
        }
        None => Err(Error::invalid_config(
            keys::API_URL,
            format!(
                "{} is not an SMSEagle API v2 URL; enter https://<device>/api/v2 or a send URL \
                 such as https://<device>/api/v2/messages/sms_single",
                display_url(configured)
            ),
        )),
    }
}

/// Returns the device's API base URL (`.../api/v2`, with `/index.php` when the configured URL has
/// it) for the health routes, from a base or send URL.
pub(super) fn api_base_url(configured: &Url) -> Result<Url> {
    let (send_url, _) = send_url(configured)?;
    let mut base = send_url.clone();
    let path = send_url.path().trim_end_matches('/');
    let base_path = path
        .strip_suffix("/messages/sms_single")
        .or_else(|| path.strip_suffix("/messages/sms"))
        .unwrap_or(path);
    base.set_path(base_path);
    Ok(base)
}

fn request_body(path: SmsEaglePath, sms: OutgoingSms, config: &Config) -> Value {
    let to = match path {
        SmsEaglePath::Sms => json!([sms.to]),
        SmsEaglePath::SmsSingle | SmsEaglePath::Base => json!(sms.to),
    };
    let mut body = json!({
        "to": to,
        TEXT_FIELD: sms.text,
        "priority": config.priority,
        "validity": validity_for(config.ttl_seconds),
    });
    if let Some(modem_no) = config.modem_no {
        body["modem_no"] = json!(modem_no);
    }
    // "standard" (GSM 03.38) is the device's default, so only unicode is named. The check runs
    // on the whole text, origin-bound line included.
    if !is_gsm7(sms.text) {
        body["encoding"] = json!("unicode");
    }
    body
}

/// Picks the shortest SMSEagle validity period that covers the code's lifetime, so the mobile
/// network drops an SMS that could only arrive after the code expired.
fn validity_for(ttl_seconds: u32) -> &'static str {
    VALIDITY_STEPS
        .iter()
        .find(|(_, seconds)| ttl_seconds <= *seconds)
        .map_or("max", |(name, _)| name)
}

/// Describes a 4xx response. `sms_text` is the text that was sent, which a 400 body may repeat
/// and which is never quoted.
fn describe_client_error(
    status: u16,
    path: SmsEaglePath,
    body: &[u8],
    url: &Url,
    sms_text: &str,
) -> Error {
    let target = display_url(url);
    let message = match status {
        400 => format!(
            "the SMSEagle gateway rejected the request as invalid (400): {}",
            summarize_field_errors(body, sms_text)
        ),
        401 => "the SMSEagle gateway did not accept the API token (401 Invalid API key); \
                enter a valid token in apitoken"
            .to_owned(),
        403 => {
            let permission = match path {
                SmsEaglePath::Sms => "Send SMS",
                SmsEaglePath::SmsSingle | SmsEaglePath::Base => "Send SMS (single recipient)",
            };
            format!(
                "the SMSEagle API token has no access to {target} (403); on the device, grant \
                 the token the permission \"{permission}\""
            )
        }
        404 => format!(
            "the SMSEagle gateway has no API at {target} (404); check apiurl and that API v2 is \
             enabled on the device (software 5.0 or later)"
        ),
        405 => format!(
            "the SMSEagle gateway does not know the method at {target} (405); check the path in \
             apiurl, such as https://<device>/api/v2/messages/sms_single"
        ),
        _ => format!(
            "the SMSEagle gateway answered HTTP {status} for {target}; check apiurl and apitoken"
        ),
    };
    Error::GatewayConfig(message)
}

/// Summarises a 400 body `{"message": {"field": "error", ...}}` as `field: error; ...`. The
/// device's message for the `text` field is left out, because it may repeat the SMS text.
fn summarize_field_errors(body: &[u8], sms_text: &str) -> String {
    let Ok(answer) = serde_json::from_slice::<Value>(body) else {
        return "no details given".to_owned();
    };
    match answer.get("message") {
        Some(Value::Object(fields)) => fields
            .iter()
            .map(|(field, error)| {
                if field == TEXT_FIELD {
                    return format!("{TEXT_FIELD} (the device's message is not shown)");
                }
                let error = error
                    .as_str()
                    .map(str::to_owned)
                    .unwrap_or_else(|| error.to_string());
                format!(
                    "{}: {}",
                    excerpt(field),
                    excerpt_without_sms_text(&error, sms_text)
                )
            })
            .collect::<Vec<_>>()
            .join("; "),
        Some(Value::String(message)) => excerpt_without_sms_text(message, sms_text),
        _ => "no details given".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMS: OutgoingSms = OutgoingSms {
        to: "+48500100200",
        text: "Code 123456",
    };

    fn config(entries: &[(&str, &str)]) -> Config {
        let mut map: std::collections::BTreeMap<String, String> = [
            ("apiurl", "https://gw/api/v2/messages/sms_single"),
            ("apitoken", "t"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        for (key, value) in entries {
            map.insert(key.to_string(), value.to_string());
        }
        Config::from_map(&map).unwrap()
    }

    #[test]
    fn send_url_from_each_form() {
        let cases = [
            (
                "https://gw/api/v2",
                "https://gw/api/v2/messages/sms_single",
                SmsEaglePath::SmsSingle,
            ),
            (
                "https://gw/index.php/api/v2/",
                "https://gw/index.php/api/v2/messages/sms_single",
                SmsEaglePath::SmsSingle,
            ),
            (
                "https://gw/api/v2/messages/sms",
                "https://gw/api/v2/messages/sms",
                SmsEaglePath::Sms,
            ),
            (
                "https://gw/index.php/api/v2/messages/sms_single",
                "https://gw/index.php/api/v2/messages/sms_single",
                SmsEaglePath::SmsSingle,
            ),
        ];
        for (configured, expected, expected_path) in cases {
            let (url, path) = send_url(&Url::parse(configured).unwrap()).unwrap();
            assert_eq!(url.as_str(), expected);
            assert_eq!(path, expected_path);
        }
    }

    #[test]
    fn api_base_from_each_form() {
        let cases = [
            ("https://gw/api/v2", "https://gw/api/v2"),
            ("https://gw/api/v2/", "https://gw/api/v2"),
            (
                "https://gw:8443/index.php/api/v2/messages/sms_single",
                "https://gw:8443/index.php/api/v2",
            ),
            ("https://gw/api/v2/messages/sms/", "https://gw/api/v2"),
            (
                "http://gw/api/v2/messages/sms?access_token=t",
                "http://gw/api/v2?access_token=t",
            ),
        ];
        for (configured, expected) in cases {
            let base = api_base_url(&Url::parse(configured).unwrap()).unwrap();
            assert_eq!(base.as_str(), expected, "{configured}");
        }
    }

    #[test]
    fn to_field_shape_per_path() {
        let body = request_body(SmsEaglePath::Sms, SMS, &config(&[]));
        assert_eq!(body["to"], json!(["+48500100200"]));
        let body = request_body(SmsEaglePath::SmsSingle, SMS, &config(&[]));
        assert_eq!(body["to"], json!("+48500100200"));
        assert_eq!(body["text"], json!("Code 123456"));
        assert_eq!(body["validity"], json!("5m"));
        assert_eq!(body["priority"], json!(9));
        assert!(body.get("modem_no").is_none());
    }

    #[test]
    fn priority_modem_and_validity_from_config() {
        let settings = config(&[("priority", "3"), ("modemNo", "2"), ("ttl", "420")]);
        let body = request_body(SmsEaglePath::SmsSingle, SMS, &settings);
        assert_eq!(body["priority"], json!(3));
        assert_eq!(body["modem_no"], json!(2));
        assert_eq!(body["validity"], json!("10m"));
    }

    #[test]
    fn encoding_covers_origin_bound_line() {
        let text =
            crate::text::append_origin_bound_line("Kod: 123456", "login.example.com", "123456");
        let gsm = OutgoingSms {
            to: SMS.to,
            text: &text,
        };
        let body = request_body(SmsEaglePath::SmsSingle, gsm, &config(&[]));
        assert!(body.get("encoding").is_none(), "{body}");
        assert_eq!(
            body["text"],
            json!("Kod: 123456\n\n@login.example.com #123456")
        );

        let text = crate::text::append_origin_bound_line(
            "Kod: 123456 — ważny",
            "login.example.com",
            "123456",
        );
        let unicode = OutgoingSms {
            to: SMS.to,
            text: &text,
        };
        let body = request_body(SmsEaglePath::SmsSingle, unicode, &config(&[]));
        assert_eq!(body["encoding"], json!("unicode"));
    }

    #[test]
    fn encoding_unicode_only_for_non_gsm_text() {
        let body = request_body(SmsEaglePath::SmsSingle, SMS, &config(&[]));
        assert!(body.get("encoding").is_none());
        let unicode = OutgoingSms {
            to: "+48500100200",
            text: "Kod 123456 — zażółć",
        };
        let body = request_body(SmsEaglePath::SmsSingle, unicode, &config(&[]));
        assert_eq!(body["encoding"], json!("unicode"));
    }

    #[test]
    fn text_with_quotes_is_valid_json() {
        let tricky = OutgoingSms {
            to: "+48500100200",
            text: "He said \"hi\" \\ it's\nnew line {0}",
        };
        let body = request_body(SmsEaglePath::SmsSingle, tricky, &config(&[]));
        let reparsed: Value = serde_json::from_str(&body.to_string()).unwrap();
        assert_eq!(reparsed["text"], json!(tricky.text));
    }

    #[test]
    fn validity_covers_ttl() {
        assert_eq!(validity_for(60), "5m");
        assert_eq!(validity_for(300), "5m");
        assert_eq!(validity_for(301), "10m");
        assert_eq!(validity_for(600), "10m");
        assert_eq!(validity_for(601), "30m");
        assert_eq!(validity_for(3_600), "1h");
        assert_eq!(validity_for(3_601), "2h");
        assert_eq!(validity_for(28 * 86_400), "4w");
        assert_eq!(validity_for(28 * 86_400 + 1), "max");
    }

    #[test]
    fn field_errors_are_summarized() {
        let body = br#"{"message":{"to":"The type of the attribute must be one of array (string given)."}}"#;
        assert_eq!(
            summarize_field_errors(body, SMS.text),
            "to: The type of the attribute must be one of array (string given)."
        );
        assert_eq!(summarize_field_errors(b"", SMS.text), "no details given");
    }

    #[test]
    fn field_errors_hide_code_text_and_number() {
        let body = json!({"message": {
            "text": "Code 123456 is too long",
            "to": "+48 500 100 200 is not a valid number",
            "modem_no": "modem 3 is not connected",
            "priority": "Code 123456 has an invalid priority",
        }})
        .to_string();
        let url = Url::parse("https://gw/api/v2/messages/sms_single").unwrap();

        let error = describe_client_error(
            400,
            SmsEaglePath::SmsSingle,
            body.as_bytes(),
            &url,
            SMS.text,
        );
        let message = error.to_string();
        assert!(matches!(error, Error::GatewayConfig(_)), "{error:?}");

        // Neither the code, the SMS text nor the number is quoted.
        assert!(!message.contains("123"), "{message}");
        assert!(!message.contains("Code"), "{message}");
        assert!(!message.contains("500"), "{message}");
        assert!(!message.contains("too long"), "{message}");

        // Each field is named, with the device's message except for the text.
        assert!(
            message.contains("text (the device's message is not shown)"),
            "{message}"
        );
        assert!(
            message.contains("to: +** *** *** *** is not a valid number"),
            "{message}"
        );
        assert!(
            message.contains("modem_no: modem 3 is not connected"),
            "{message}"
        );
        assert!(
            message.contains("priority: <SMS text> has an invalid priority"),
            "{message}"
        );
    }

    #[test]
    fn string_message_hides_echoed_text() {
        let body = br#"{"message":"Invalid request: Code 123456"}"#;
        assert_eq!(
            summarize_field_errors(body, SMS.text),
            "Invalid request: <SMS text>"
        );
        assert_eq!(
            summarize_field_errors(br#"{"message":"code 12345678 refused"}"#, "other"),
            "code ******** refused"
        );
    }

    #[test]
    fn forbidden_names_the_permission() {
        let url = Url::parse("https://gw/api/v2/messages/sms_single").unwrap();
        let message =
            describe_client_error(403, SmsEaglePath::SmsSingle, b"", &url, SMS.text).to_string();
        assert!(
            message.contains("\"Send SMS (single recipient)\""),
            "{message}"
        );
        let message =
            describe_client_error(403, SmsEaglePath::Sms, b"", &url, SMS.text).to_string();
        assert!(message.contains("\"Send SMS\""), "{message}");
    }
}
