//! Sending SMS through an HTTP gateway: the shared client cache, error classification and the
//! dispatch to the SMSEagle or generic client.

mod generic;
mod smseagle;
pub mod tls;

use std::collections::HashMap;
use std::error::Error as StdError;
use std::io::Read as _;
use std::sync::Mutex;
use std::time::Duration;

use once_cell::sync::Lazy;
use reqwest::blocking::{Client, Response};
use reqwest::{StatusCode, Url};

use crate::config::{Config, GatewayKind, TlsTrust, display_url, keys};
use crate::error::{Error, Result};

/// One SMS to send.
#[derive(Clone, Copy)]
pub struct OutgoingSms<'a> {
    /// Recipient in E.164 form.
    pub to: &'a str,
    pub text: &'a str,
}

/// Confirmation that a gateway accepted an SMS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendReceipt {
    /// The gateway's id of the message, empty when a generic gateway returns none.
    pub message_id: String,
    /// `scheme://host:port` of the device that accepted the SMS.
    pub device_url: String,
}

/// Failed send to one device.
#[derive(Debug)]
struct DeviceFailure {
    error: Error,
    /// The device certainly did not receive the request: the connection was refused or the TLS
    /// handshake failed, both before any byte of the request was sent.
    not_received: bool,
}

impl From<Error> for DeviceFailure {
    fn from(error: Error) -> Self {
        DeviceFailure {
            error,
            not_received: false,
        }
    }
}

/// Sends `sms` with the gateway that `config` selects.
///
/// When the device at `apiurl` certainly did not receive the request and `fallbackApiUrl` is
/// set, the same request goes to that second device. After a timeout or any HTTP response the
/// first device may have queued the SMS, so it is not sent again, because a duplicate code
/// message confuses the user more than a failed send.
pub fn send_sms(config: &Config, sms: OutgoingSms) -> Result<SendReceipt> {
    let client = shared_client(&ClientSettings::from_config(config))?;
    let first = match send_to_device(&client, config, &config.api_url, sms) {
        Ok(receipt) => return Ok(receipt),
        Err(failure) => failure,
    };
    match &config.fallback_api_url {
        Some(fallback) if first.not_received => send_to_device(&client, config, fallback, sms)
            .map_err(|second| after_first_failure(&first.error, second.error)),
        _ => Err(first.error),
    }
}

fn send_to_device(
    client: &Client,
    config: &Config,
    url: &Url,
    sms: OutgoingSms,
) -> std::result::Result<SendReceipt, DeviceFailure> {
    let message_id = match config.gateway {
        GatewayKind::SmsEagle => smseagle::send(client, config, url, sms)?,
        GatewayKind::Generic => generic::send(client, config, url, sms)?,
    };
    Ok(SendReceipt {
        message_id,
        device_url: device_origin(url),
    })
}

/// Returns `scheme://host:port` of `url`, with the scheme's default port filled in.
pub fn device_origin(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port_or_known_default() {
        Some(port) => format!("{}://{host}:{port}", url.scheme()),
        None => format!("{}://{host}", url.scheme()),
    }
}

/// Error for a failed send to the second device that also names the first device's failure.
/// The kind is the second device's, because that is the failure the administrator acts on last.
fn after_first_failure(first: &Error, second: Error) -> Error {
    let combine = |message: String| format!("{first}; the second device then failed: {message}");
    match second {
        Error::GatewayConfig(message) => Error::GatewayConfig(combine(message)),
        Error::GatewayRejected(message) => Error::GatewayRejected(combine(message)),
        Error::GatewayUnavailable(message) => Error::GatewayUnavailable(combine(message)),
        other => other,
    }
}

/// Settings that need a separate HTTP client. Everything else is set per request.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct ClientSettings {
    connect_timeout_ms: u64,
    request_timeout_ms: u64,
    trust: TlsTrust,
}

impl ClientSettings {
    fn from_config(config: &Config) -> Self {
        ClientSettings {
            connect_timeout_ms: config.connect_timeout_ms,
            request_timeout_ms: config.request_timeout_ms,
            trust: config.tls_trust(),
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

    let setup_failed = |error: &dyn std::fmt::Display| {
        Error::GatewayUnavailable(format!("cannot set up the HTTP client's TLS: {error}"))
    };
    match &settings.trust {
        TlsTrust::Roots { ca_file: None } => {}
        TlsTrust::Roots {
            ca_file: Some(path),
        } => {
            let pem = std::fs::read(path).map_err(|error| {
                Error::invalid_config(
                    keys::TLS_CA_FILE,
                    format!(
                        "cannot read {path:?} ({error}); enter the path of a readable PEM file"
                    ),
                )
            })?;
            let certificates = reqwest::Certificate::from_pem_bundle(&pem).map_err(|error| {
                Error::invalid_config(
                    keys::TLS_CA_FILE,
                    format!("{path:?} is not a valid PEM certificate file ({error})"),
                )
            })?;
            // Added to the system trust store, not in place of it.
            builder = builder.tls_certs_merge(certificates);
        }
        TlsTrust::Pinned(pins) => {
            let tls = tls::pinned_config(pins).map_err(|error| setup_failed(&error))?;
            builder = builder.tls_backend_preconfigured(tls);
        }
        TlsTrust::SkipVerify => {
            let tls = tls::skip_verify_config().map_err(|error| setup_failed(&error))?;
            builder = builder.tls_backend_preconfigured(tls);
        }
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

/// Turns a failed request (no HTTP response) into a device failure.
fn classify_request_error(
    error: &reqwest::Error,
    url: &reqwest::Url,
    config: &Config,
) -> DeviceFailure {
    let target = display_url(url);

    if let Some(tls_error) = find_tls_error(error) {
        return DeviceFailure {
            error: Error::GatewayConfig(describe_tls_error(tls_error, &target)),
            not_received: true,
        };
    }
    let error = if error.is_timeout() {
        if error.is_connect() {
            Error::GatewayUnavailable(format!(
                "connecting to {target} timed out after {} ms",
                config.connect_timeout_ms
            ))
        } else {
            Error::GatewayUnavailable(format!(
                "{target} did not respond within {} ms",
                config.request_timeout_ms
            ))
        }
    } else if has_io_kind(error, std::io::ErrorKind::ConnectionRefused) {
        return DeviceFailure {
            error: Error::GatewayUnavailable(format!("{target} refused the connection")),
            not_received: true,
        };
    } else if error.is_connect() {
        Error::GatewayUnavailable(format!(
            "connecting to {target} failed: {}",
            root_cause(error)
        ))
    } else {
        Error::GatewayUnavailable(format!(
            "the request to {target} failed: {}",
            root_cause(error)
        ))
    };
    DeviceFailure::from(error)
}

fn describe_tls_error(tls_error: &rustls::Error, target: &str) -> String {
    use rustls::CertificateError;

    let pin_mismatch = match tls_error {
        rustls::Error::InvalidCertificate(CertificateError::Other(other)) => {
            other.0.downcast_ref::<tls::PinMismatch>()
        }
        _ => None,
    };
    if let Some(mismatch) = pin_mismatch {
        return format!(
            "the TLS connection to {target} failed: {mismatch}; if the gateway has a new \
             certificate, put its fingerprint {} in tlsPinSha256",
            tls::fingerprint_text(&mismatch.actual)
        );
    }
    let hint = match tls_error {
        rustls::Error::InvalidCertificate(_) => {
            "set tlsCaFile to the PEM file of the CA that signed the gateway's certificate and \
             check that the URL's host name is in the certificate, or pin the certificate with \
             tlsPinSha256"
        }
        _ => "check that the URL's scheme and port are right for this gateway",
    };
    format!("the TLS connection to {target} failed: {tls_error}; {hint}")
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
