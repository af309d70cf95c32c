//! Sending SMS through an HTTP gateway: the shared client cache, error classification and the
//! dispatch to the SMSEagle or generic client.

mod generic;
mod smseagle;

use std::collections::HashMap;
use std::error::Error as StdError;
use std::io::Read as _;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use once_cell::sync::Lazy;
use reqwest::StatusCode;
use reqwest::blocking::{Client, Response};

use crate::config::{Config, GatewayKind, display_url};
use crate::error::{Error, Result};

/// One SMS to send.
#[derive(Clone, Copy)]
pub struct OutgoingSms<'a> {
    /// Recipient in E.164 form.
    pub to: &'a str,
    pub text: &'a str,
}

/// Confirmation that the gateway accepted an SMS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendReceipt {
    /// The gateway's id of the message, empty when a generic gateway returns none.
    pub message_id: String,
}

/// Sends `sms` with the gateway that `config` selects.
pub fn send_sms(config: &Config, sms: OutgoingSms) -> Result<SendReceipt> {
    let client = shared_client(&ClientSettings::from_config(config))?;
    match config.gateway {
        GatewayKind::SmsEagle => smseagle::send(&client, config, sms),
        GatewayKind::Generic => generic::send(&client, config, sms),
    }
}

/// Settings that need a separate HTTP client. Everything else is set per request.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct ClientSettings {
    connect_timeout_ms: u64,
    request_timeout_ms: u64,
    ca_file: Option<PathBuf>,
}

impl ClientSettings {
    fn from_config(config: &Config) -> Self {
        ClientSettings {
            connect_timeout_ms: config.connect_timeout_ms,
            request_timeout_ms: config.request_timeout_ms,
            ca_file: config.tls_ca_file.clone(),
        }
    }
}

/// Pooled clients, one per distinct settings, so connections and TLS sessions are reused across
/// messages and threads.
///
/// NOTE: a client keeps the CA certificates it was built with, so a changed tlsCaFile content
/// under the same path takes effect only after a restart.
static CLIENTS: Lazy<Mutex<HashMap<ClientSettings, Client>>> =
    Lazy::new(|| Mutex::new(HashMap::new()));

fn shared_client(settings: &ClientSettings) -> Result<Client> {
    // A panic while the lock was held cannot leave the map half-updated, so a poisoned lock is
    // still usable.
    let mut clients = CLIENTS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(client) = clients.get(settings) {
        return Ok(client.clone());
    }
    let client = build_client(settings)?;
    clients.insert(settings.clone(), client.clone());
    Ok(client)
}

fn build_client(settings: &ClientSettings) -> Result<Client> {
    let mut builder = Client::builder()
        .connect_timeout(Duration::from_millis(settings.connect_timeout_ms))
        .timeout(Duration::from_millis(settings.request_timeout_ms))
        // A redirected POST may lose its body or reach another host, so a 3xx is reported.
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("keycloak-sms2fa/", env!("CARGO_PKG_VERSION")))
        .pool_idle_timeout(Duration::from_secs(60));

    if let Some(path) = &settings.ca_file {
        let pem = std::fs::read(path).map_err(|error| {
            Error::invalid_config(
                "tlsCaFile",
                format!("cannot read {path:?} ({error}); enter the path of a readable PEM file"),
            )
        })?;
        let certificates = reqwest::Certificate::from_pem_bundle(&pem).map_err(|error| {
            Error::invalid_config(
                "tlsCaFile",
                format!("{path:?} is not a valid PEM certificate file ({error})"),
            )
        })?;
        // Added to the system trust store, not in place of it.
        builder = builder.tls_certs_merge(certificates);
    }

    builder.build().map_err(|error| {
        Error::GatewayUnavailable(format!(
            "cannot set up the HTTP client: {}",
            root_cause(&error)
        ))
    })
}

/// Largest response body read. SMSEagle responses are a few hundred bytes.
const MAX_BODY_BYTES: u64 = 64 * 1024;

/// Reads at most [`MAX_BODY_BYTES`] of the body.
fn read_body(response: Response, url: &reqwest::Url) -> Result<Vec<u8>> {
    let mut body = Vec::new();
    response
        .take(MAX_BODY_BYTES)
        .read_to_end(&mut body)
        .map_err(|error| {
            Error::GatewayUnavailable(format!(
                "reading the response from {} failed: {}",
                display_url(url),
                root_cause(&error)
            ))
        })?;
    Ok(body)
}

/// Turns a failed request (no HTTP response) into a core error.
fn classify_request_error(error: &reqwest::Error, url: &reqwest::Url, config: &Config) -> Error {
    let target = display_url(url);

    if let Some(tls_error) = find_tls_error(error) {
        let hint = match tls_error {
            rustls::Error::InvalidCertificate(_) => {
                "set tlsCaFile to the PEM file of the CA that signed the gateway's certificate, \
                 and check that the URL's host name is in the certificate"
            }
            _ => "check that the URL's scheme and port are right for this gateway",
        };
        return Error::GatewayConfig(format!(
            "the TLS connection to {target} failed: {tls_error}; {hint}"
        ));
    }
    if error.is_timeout() {
        if error.is_connect() {
            return Error::GatewayUnavailable(format!(
                "connecting to {target} timed out after {} ms",
                config.connect_timeout_ms
            ));
        }
        return Error::GatewayUnavailable(format!(
            "{target} did not respond within {} ms",
            config.request_timeout_ms
        ));
    }
    if has_io_kind(error, std::io::ErrorKind::ConnectionRefused) {
        return Error::GatewayUnavailable(format!("{target} refused the connection"));
    }
    if error.is_connect() {
        return Error::GatewayUnavailable(format!(
            "connecting to {target} failed: {}",
            root_cause(error)
        ));
    }
    Error::GatewayUnavailable(format!(
        "the request to {target} failed: {}",
        root_cause(error)
    ))
}

/// Classifies the statuses that both clients treat alike: a 3xx becomes a configuration error and
/// a 5xx an unavailable gateway. Returns `None` for every other status, which the caller handles.
fn classify_status(
    status: StatusCode,
    response_location: Option<&str>,
    url: &reqwest::Url,
) -> Option<Error> {
    let target = display_url(url);
    if status.is_redirection() {
        let location = response_location
            .and_then(|location| url.join(location).ok())
            .map(|location| display_url(&location))
            .unwrap_or_else(|| "an unnamed location".to_owned());
        return Some(Error::GatewayConfig(format!(
            "{target} responded with {status} and redirects to {location}. The SMS was not \
             sent there, so enter the final URL in apiurl"
        )));
    }
    if status.is_server_error() {
        return Some(Error::GatewayUnavailable(format!(
            "{target} responded with {status}, a failure on the gateway's side"
        )));
    }
    None
}

fn find_tls_error<'e>(error: &'e (dyn StdError + 'static)) -> Option<&'e rustls::Error> {
    causes(error).find_map(|cause| cause.downcast_ref::<rustls::Error>())
}

fn has_io_kind(error: &(dyn StdError + 'static), kind: std::io::ErrorKind) -> bool {
    causes(error).any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io_error| io_error.kind() == kind)
    })
}

/// Returns the innermost error message, which names the failure without the request URL.
fn root_cause(error: &(dyn StdError + 'static)) -> String {
    causes(error)
        .last()
        .map(|cause| cause.to_string())
        .unwrap_or_default()
}

/// Walks an error and its causes. An `io::Error` wrapping another error is followed into that
/// error, because `io::Error::source` skips it (rustls errors arrive as io::Error in io::Error).
fn causes<'e>(
    error: &'e (dyn StdError + 'static),
) -> impl Iterator<Item = &'e (dyn StdError + 'static)> {
    std::iter::successors(Some(error), |&current| {
        match current.downcast_ref::<std::io::Error>() {
            Some(io_error) => io_error
                .get_ref()
                .map(|inner| inner as &(dyn StdError + 'static)),
            None => current.source(),
        }
    })
}

/// Shortens text from a gateway response before it goes into a message. Runs of 6 or more
/// digits are masked, because a device message could repeat the phone number or the code.
fn excerpt(text: &str) -> String {
    const MAX_CHARS: usize = 120;
    const MIN_MASKED_DIGITS: usize = 6;

    let mut shortened = String::new();
    let mut digits = String::new();
    let flush_digits = |digits: &mut String, output: &mut String| {
        if digits.len() >= MIN_MASKED_DIGITS {
            output.extend(std::iter::repeat_n('*', digits.len()));
        } else {
            output.push_str(digits);
        }
        digits.clear();
    };
    for c in text.chars().take(MAX_CHARS) {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            flush_digits(&mut digits, &mut shortened);
            shortened.push(c);
        }
    }
    flush_digits(&mut digits, &mut shortened);

    if text.chars().count() > MAX_CHARS {
        shortened.push_str("...");
    }
    shortened
}

/// Finds the id of a queued message in an SMSEagle-style response: a JSON array with an item whose
/// `status` is `queued` and whose `id` is an integer.
fn queued_message_id(answer: &serde_json::Value) -> Option<String> {
    answer.as_array()?.iter().find_map(|item| {
        let queued = item.get("status")?.as_str()? == "queued";
        let id = item.get("id")?;
        let id = id
            .as_u64()
            .map(|n| n.to_string())
            .or_else(|| id.as_i64().map(|n| n.to_string()))?;
        queued.then_some(id)
    })
}

/// Describes why an SMSEagle-style response contains no queued message, naming the first item's status
/// and message (never its number).
fn describe_unqueued(answer: &serde_json::Value) -> String {
    let first = answer.as_array().and_then(|items| items.first());
    match first {
        Some(item) => {
            let status = item
                .get("status")
                .and_then(|s| s.as_str())
                .unwrap_or("(none)");
            let message = item
                .get("message")
                .and_then(|m| m.as_str())
                .unwrap_or("(none)");
            format!("status {}, message {:?}", excerpt(status), excerpt(message))
        }
        None => "a response without a queued message".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn queued_id_requires_status_and_integer_id() {
        assert_eq!(
            queued_message_id(
                &json!([{"status":"queued","message":"OK","number":"+48500100200","id":1821}])
            ),
            Some("1821".to_owned())
        );
        assert_eq!(
            queued_message_id(&json!([{"status":"queued","id":0}])),
            Some("0".to_owned())
        );
        assert_eq!(
            queued_message_id(&json!([{"status":"queued","id":"1821"}])),
            None
        );
        assert_eq!(queued_message_id(&json!([{"status":"queued"}])), None);
        assert_eq!(
            queued_message_id(&json!([{"status":"REJECTED","message":"x","id":5}])),
            None
        );
        assert_eq!(queued_message_id(&json!({"status":"queued","id":5})), None);
        assert_eq!(queued_message_id(&json!([])), None);
        assert_eq!(
            queued_message_id(&json!([{"status":"REJECTED"},{"status":"queued","id":7}])),
            Some("7".to_owned())
        );
    }

    #[test]
    fn unqueued_description_omits_number() {
        let text = describe_unqueued(&json!([
            {"status":"REJECTED","message":"Invalid number","number":"+48500100200"}
        ]));
        assert_eq!(text, "status REJECTED, message \"Invalid number\"");
    }

    #[test]
    fn redirect_names_target_without_query() {
        let url = reqwest::Url::parse("http://gw/api/v2/messages/sms_single").unwrap();
        let error = classify_status(
            StatusCode::MOVED_PERMANENTLY,
            Some("https://gw/api/v2/messages/sms_single?access_token=x"),
            &url,
        )
        .unwrap();
        let message = error.to_string();
        assert!(matches!(error, Error::GatewayConfig(_)));
        assert!(
            message.contains("redirects to https://gw/api/v2/messages/sms_single?..."),
            "{message}"
        );
    }

    #[test]
    fn server_error_is_unavailable() {
        let url = reqwest::Url::parse("http://gw/send").unwrap();
        let error = classify_status(StatusCode::INTERNAL_SERVER_ERROR, None, &url).unwrap();
        assert!(matches!(error, Error::GatewayUnavailable(_)));
        assert!(classify_status(StatusCode::OK, None, &url).is_none());
    }

    #[test]
    fn excerpt_masks_long_digit_runs() {
        assert_eq!(
            excerpt("Invalid number +48500100200"),
            "Invalid number +***********"
        );
        assert_eq!(excerpt("code 123456 id 12345"), "code ****** id 12345");
    }

    #[test]
    fn excerpt_shortens_long_text() {
        let long = "x".repeat(500);
        assert_eq!(excerpt(&long).chars().count(), 123);
        assert_eq!(excerpt("short"), "short");
    }
}
