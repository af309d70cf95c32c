//! Sending SMS through an HTTP gateway: the shared client cache, error classification and the
//! dispatch to the SMSEagle or generic client.

pub mod check;
mod generic;
mod smseagle;
pub mod tls;

use std::collections::HashMap;
use std::error::Error as StdError;
use std::io::Read as _;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

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

/// Failed request to one device.
#[derive(Debug)]
struct DeviceFailure {
    error: Error,
    /// The device certainly did not receive the request: the connection was refused or the TLS
    /// handshake failed, both before any byte of the request was sent.
    not_received: bool,
    /// Status of the device's HTTP response, `None` when none arrived or it was not the cause.
    http_status: Option<u16>,
    /// Cause of a missing HTTP response; `None` when one arrived.
    transport: Option<TransportFailure>,
}

impl From<Error> for DeviceFailure {
    fn from(error: Error) -> Self {
        DeviceFailure {
            error,
            not_received: false,
            http_status: None,
            transport: None,
        }
    }
}

impl DeviceFailure {
    /// Failure caused by an HTTP response with `status`.
    fn http(error: Error, status: StatusCode) -> Self {
        DeviceFailure {
            http_status: Some(status.as_u16()),
            ..DeviceFailure::from(error)
        }
    }
}

/// Cause of a request that got no HTTP response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TransportFailure {
    /// The TLS handshake failed on the server's certificate: an unknown issuer, a name that does
    /// not match, an expired certificate, or a fingerprint that is not pinned.
    CertificateRejected,
    /// Another TLS failure, such as a plain HTTP server on the port.
    Tls,
    /// The device refused the connection.
    Refused,
    /// Connecting took longer than `connectTimeoutMs`.
    ConnectTimeout,
    /// The response took longer than `requestTimeoutMs`.
    ResponseTimeout,
    /// Another failure while connecting, such as an unknown host or no route to it.
    Connect,
    /// The connection failed after the request was sent.
    Interrupted,
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
    /// Modification time and length of the `tlsCaFile` file, so a file changed in place gets a
    /// new client. `None` without a CA file or when its metadata cannot be read.
    ca_file_stamp: Option<(SystemTime, u64)>,
}

impl ClientSettings {
    fn from_config(config: &Config) -> Self {
        let trust = config.tls_trust();
        let ca_file_stamp = match &trust {
            TlsTrust::Roots {
                ca_file: Some(path),
            } => std::fs::metadata(path)
                .ok()
                .and_then(|metadata| Some((metadata.modified().ok()?, metadata.len()))),
            _ => None,
        };
        ClientSettings {
            connect_timeout_ms: config.connect_timeout_ms,
            request_timeout_ms: config.request_timeout_ms,
            trust,
            ca_file_stamp,
        }
    }

    /// Returns true when `other` differs from these settings in the CA file's stamp only.
    fn is_older_version_of(&self, other: &ClientSettings) -> bool {
        self.connect_timeout_ms == other.connect_timeout_ms
            && self.request_timeout_ms == other.request_timeout_ms
            && self.trust == other.trust
            && self.ca_file_stamp != other.ca_file_stamp
    }
}

/// Pooled clients, one per distinct settings, so connections and TLS sessions are reused across
/// messages and threads.
///
/// NOTE: a CA file rewritten in place with the same length within the file system's timestamp
/// resolution keeps the client built from its old content until a restart.
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
    // The client of the CA file's previous content is not used again.
    clients.retain(|cached, _| !cached.is_older_version_of(settings));
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

    // Nothing was sent, and the cause lies in the TLS settings, so it is a configuration error.
    let setup_failed = |key: &str, error: &dyn std::fmt::Display| {
        Error::GatewayConfig(format!(
            "the TLS client configuration for {key} cannot be built: {error}"
        ))
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
            let tls = tls::pinned_config(pins)
                .map_err(|error| setup_failed(keys::TLS_PIN_SHA256, &error))?;
            builder = builder.tls_backend_preconfigured(tls);
        }
        TlsTrust::SkipVerify => {
            let tls = tls::skip_verify_config()
                .map_err(|error| setup_failed(keys::TLS_SKIP_VERIFY, &error))?;
            builder = builder.tls_backend_preconfigured(tls);
        }
    }

    builder
        .build()
        .map_err(|error| describe_build_error(&settings.trust, error))
}

/// Describes a failure to build the HTTP client. Nothing was sent, and the cause is in the TLS
/// settings (most often a CA file whose certificates do not parse), so it is a configuration error.
fn describe_build_error(trust: &TlsTrust, error: reqwest::Error) -> Error {
    let cause = reqwest_root_cause(error);
    let message = match trust {
        TlsTrust::Roots {
            ca_file: Some(path),
        } => format!(
            "the HTTP client cannot be set up with the certificates of {} {path:?}: {cause}; \
             enter the path of a PEM file with valid CA certificates",
            keys::TLS_CA_FILE
        ),
        TlsTrust::Roots { ca_file: None } => format!(
            "the HTTP client cannot be set up with the system trust store: {cause}; install the \
             system's CA certificates or set {}",
            keys::TLS_CA_FILE
        ),
        TlsTrust::Pinned(_) => format!(
            "the HTTP client cannot be set up for {}: {cause}",
            keys::TLS_PIN_SHA256
        ),
        TlsTrust::SkipVerify => format!(
            "the HTTP client cannot be set up for {}: {cause}",
            keys::TLS_SKIP_VERIFY
        ),
    };
    Error::GatewayConfig(message)
}

/// Largest response body read. SMSEagle responses are a few hundred bytes.
const MAX_BODY_BYTES: u64 = 64 * 1024;

/// Returns the `Location` header of a response, when it has one that is valid text.
fn location(response: &Response) -> Option<String> {
    response
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned)
}

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
                io_root_cause(error)
            ))
        })?;
    Ok(body)
}

/// Turns a failed request (no HTTP response) into a device failure.
///
/// Only a failure while connecting proves that the device did not receive the request. A TLS
/// error or a closed connection after the handshake may come after the device read the whole
/// request and queued the SMS, so such a failure is reported as unavailable and not retried.
fn classify_request_error(
    error: reqwest::Error,
    url: &reqwest::Url,
    config: &Config,
) -> DeviceFailure {
    // reqwest's message ends in " for url (...)" with the full URL, query included.
    let error = error.without_url();
    let target = display_url(url);
    let connecting = error.is_connect();

    if connecting && let Some(tls_error) = find_tls_error(&error) {
        let transport = match tls_error {
            rustls::Error::InvalidCertificate(_) => TransportFailure::CertificateRejected,
            _ => TransportFailure::Tls,
        };
        return DeviceFailure {
            error: Error::GatewayConfig(describe_tls_error(tls_error, &target)),
            not_received: true,
            http_status: None,
            transport: Some(transport),
        };
    }
    if connecting && has_io_kind(&error, std::io::ErrorKind::ConnectionRefused) {
        return DeviceFailure {
            error: Error::GatewayUnavailable(format!("{target} refused the connection")),
            not_received: true,
            http_status: None,
            transport: Some(TransportFailure::Refused),
        };
    }
    let (error, transport) = if error.is_timeout() {
        if connecting {
            (
                Error::GatewayUnavailable(format!(
                    "connecting to {target} timed out after {} ms",
                    config.connect_timeout_ms
                )),
                TransportFailure::ConnectTimeout,
            )
        } else {
            (
                Error::GatewayUnavailable(format!(
                    "{target} did not respond within {} ms",
                    config.request_timeout_ms
                )),
                TransportFailure::ResponseTimeout,
            )
        }
    } else if connecting {
        (
            Error::GatewayUnavailable(format!(
                "connecting to {target} failed: {}",
                root_cause(&error)
            )),
            TransportFailure::Connect,
        )
    } else {
        (
            Error::GatewayUnavailable(format!(
                "the request to {target} failed: {}",
                root_cause(&error)
            )),
            TransportFailure::Interrupted,
        )
    };
    DeviceFailure {
        transport: Some(transport),
        ..DeviceFailure::from(error)
    }
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
/// A reqwest error in the chain must have had its URL removed with `without_url`, because
/// reqwest prints the full URL, query included.
fn root_cause(error: &(dyn StdError + 'static)) -> String {
    causes(error)
        .last()
        .map(|cause| cause.to_string())
        .unwrap_or_default()
}

/// Returns the innermost error message of a reqwest error, without its URL.
fn reqwest_root_cause(error: reqwest::Error) -> String {
    root_cause(&error.without_url())
}

/// Returns the innermost error message of a failed body read. reqwest reports such a failure as
/// an `io::Error` that wraps a `reqwest::Error`, which may carry the URL.
fn io_root_cause(error: std::io::Error) -> String {
    if !error
        .get_ref()
        .is_some_and(|inner| inner.is::<reqwest::Error>())
    {
        return root_cause(&error);
    }
    match error
        .into_inner()
        .map(|inner| inner.downcast::<reqwest::Error>())
    {
        Some(Ok(reqwest_error)) => reqwest_root_cause(*reqwest_error),
        // Not reached: the check above found a reqwest::Error inside.
        _ => "the response body could not be read".to_owned(),
    }
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

/// Shortens text from a gateway response before it goes into a message. Digits are masked first
/// (see [`mask_numbers`]), so a cut never leaves part of a code or phone number readable.
fn excerpt(text: &str) -> String {
    const MAX_CHARS: usize = 120;

    let masked = mask_numbers(text);
    let mut shortened: String = masked.chars().take(MAX_CHARS).collect();
    if masked.chars().count() > MAX_CHARS {
        shortened.push_str("...");
    }
    shortened
}

/// Like [`excerpt`], and also replaces every copy of the SMS text, because a device message
/// could repeat it.
fn excerpt_without_sms_text(text: &str, sms_text: &str) -> String {
    if sms_text.is_empty() {
        excerpt(text)
    } else {
        excerpt(&text.replace(sms_text, "<SMS text>"))
    }
}

/// Minimum number of digits in a number that [`mask_numbers`] masks. Codes have 6 to 10 digits
/// and phone numbers more, so both are masked, while one- and two-digit counts stay readable.
const MIN_MASKED_DIGITS: usize = 3;

/// Masks each digit of every number with at least [`MIN_MASKED_DIGITS`] digits, keeping the
/// separators. A number is a run of ASCII digits that may be split by spaces, `-`, `.`, `/`,
/// `(` or `)`, so "+48 500 100 200" becomes "+** *** *** ***".
fn mask_numbers(text: &str) -> String {
    let is_separator = |c: char| matches!(c, ' ' | '-' | '.' | '/' | '(' | ')');
    let mut chars: Vec<char> = text.chars().collect();

    let mut position = 0;
    while position < chars.len() {
        if !chars[position].is_ascii_digit() {
            position += 1;
            continue;
        }
        // The number ends after its last digit; separators that follow it belong to the text.
        let start = position;
        let mut end = position;
        let mut digits = 0;
        let mut next = position;
        while next < chars.len() && (chars[next].is_ascii_digit() || is_separator(chars[next])) {
            if chars[next].is_ascii_digit() {
                digits += 1;
                end = next + 1;
            }
            next += 1;
        }
        if digits >= MIN_MASKED_DIGITS {
            for c in &mut chars[start..end] {
                if c.is_ascii_digit() {
                    *c = '*';
                }
            }
        }
        position = end;
    }
    chars.into_iter().collect()
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
/// and message (never its number, and never `sms_text` when the message repeats it).
fn describe_unqueued(answer: &serde_json::Value, sms_text: &str) -> String {
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
            format!(
                "status {}, message {:?}",
                excerpt(status),
                excerpt_without_sms_text(message, sms_text)
            )
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
        let text = describe_unqueued(
            &json!([
                {"status":"REJECTED","message":"Invalid number","number":"+48500100200"}
            ]),
            "Your code is 123456",
        );
        assert_eq!(text, "status REJECTED, message \"Invalid number\"");
    }

    #[test]
    fn unqueued_description_hides_echoed_text() {
        let text = describe_unqueued(
            &json!([{
                "status": "REJECTED",
                "message": "Cannot send 'Your code is 123456' to +48 500 100 200"
            }]),
            "Your code is 123456",
        );
        assert_eq!(
            text,
            "status REJECTED, message \"Cannot send '<SMS text>' to +** *** *** ***\""
        );
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
    fn excerpt_masks_numbers() {
        assert_eq!(
            excerpt("Invalid number +48500100200"),
            "Invalid number +***********"
        );
        assert_eq!(excerpt("code 123456 id 12345"), "code ****** id *****");
        assert_eq!(
            excerpt("field 12 is wrong, HTTP 4"),
            "field 12 is wrong, HTTP 4"
        );
        assert_eq!(excerpt("status 400"), "status ***");
    }

    #[test]
    fn excerpt_masks_numbers_with_separators() {
        assert_eq!(
            excerpt("Invalid number +48 500 100 200."),
            "Invalid number +** *** *** ***."
        );
        assert_eq!(excerpt("(+48) 500-100-200"), "(+**) ***-***-***");
        assert_eq!(excerpt("0048/500.100.200"), "****/***.***.***");
        // Runs of one or two digits joined by separators are one number.
        assert_eq!(excerpt("12 34"), "** **");
        assert_eq!(excerpt("1-2-3"), "*-*-*");
        // A separator that no digit follows ends the number.
        assert_eq!(excerpt("12 - ok"), "12 - ok");
    }

    #[test]
    fn excerpt_masks_before_cutting() {
        // The code starts 117 characters in, so a cut at 120 characters leaves 3 of its digits.
        let text = format!("{}123456 more", "x".repeat(117));
        let shortened = excerpt(&text);
        assert!(shortened.ends_with("x***..."), "{shortened}");
        assert!(!shortened.contains("123"), "{shortened}");

        let text = format!("{}1234 tail", "x".repeat(119));
        assert_eq!(excerpt(&text), format!("{}*...", "x".repeat(119)));
    }

    #[test]
    fn excerpt_shortens_long_text() {
        let long = "x".repeat(500);
        assert_eq!(excerpt(&long).chars().count(), 123);
        assert_eq!(excerpt("short"), "short");
    }

    #[test]
    fn excerpt_replaces_sms_text() {
        assert_eq!(
            excerpt_without_sms_text("bad text: Your code is 654321", "Your code is 654321"),
            "bad text: <SMS text>"
        );
        assert_eq!(excerpt_without_sms_text("plain", ""), "plain");
    }

    /// Config with `tlsCaFile` set to `ca_file`.
    fn config_with_ca_file(ca_file: &std::path::Path) -> Config {
        let map = [
            ("apiurl", "https://gw.invalid/send"),
            ("tlsCaFile", ca_file.to_str().unwrap()),
        ]
        .iter()
        .map(|(key, value)| (key.to_string(), value.to_string()))
        .collect();
        Config::from_map(&map).unwrap()
    }

    fn self_signed_pem(name: &str) -> String {
        let key = rcgen::KeyPair::generate().unwrap();
        rcgen::CertificateParams::new(vec![name.to_owned()])
            .unwrap()
            .self_signed(&key)
            .unwrap()
            .pem()
    }

    #[test]
    fn unusable_ca_file_is_a_config_error() {
        // The PEM block parses, but its content is not a certificate.
        let dir = tempfile::tempdir().unwrap();
        let ca_file = dir.path().join("ca.pem");
        std::fs::write(
            &ca_file,
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        )
        .unwrap();
        let config = config_with_ca_file(&ca_file);

        let error = shared_client(&ClientSettings::from_config(&config)).unwrap_err();
        let message = error.to_string();
        assert!(matches!(error, Error::GatewayConfig(_)), "{error:?}");
        assert!(message.contains("tlsCaFile"), "{message}");
        assert!(message.contains("ca.pem"), "{message}");
    }

    #[test]
    fn changed_ca_file_gets_a_new_client() {
        let dir = tempfile::tempdir().unwrap();
        let ca_file = dir.path().join("ca.pem");
        std::fs::write(&ca_file, self_signed_pem("first.test")).unwrap();
        let config = config_with_ca_file(&ca_file);
        let before = ClientSettings::from_config(&config);
        shared_client(&before).unwrap();

        // A comment line after the certificate makes the length differ even when the
        // modification time does not.
        let replacement = format!("{}# replaced\n", self_signed_pem("second.test"));
        std::fs::write(&ca_file, replacement).unwrap();
        let after = ClientSettings::from_config(&config);
        assert_ne!(before, after);
        assert!(before.is_older_version_of(&after));
        shared_client(&after).unwrap();

        let clients = CLIENTS.lock().unwrap();
        assert!(clients.contains_key(&after));
        assert!(!clients.contains_key(&before), "the old client is dropped");
    }

    #[test]
    fn request_error_hides_url_query() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let url = Url::parse(&format!(
            "http://127.0.0.1:{port}/send?access_token=querysecret"
        ))
        .unwrap();
        let map = [("apiurl", url.as_str())]
            .iter()
            .map(|(key, value)| (key.to_string(), value.to_string()))
            .collect();
        let config = Config::from_map(&map).unwrap();
        let error = Client::new().post(url.clone()).send().unwrap_err();
        assert!(error.to_string().contains("querysecret"), "{error}");

        let failure = classify_request_error(error, &url, &config);
        let message = failure.error.to_string();
        assert!(failure.not_received, "{message}");
        assert!(!message.contains("querysecret"), "{message}");
    }

    #[test]
    fn causeless_error_drops_url() {
        // A status error is a reqwest error with the URL and no source.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            let mut request = [0u8; 1024];
            let _ = std::io::Read::read(&mut stream, &mut request);
            let _ = std::io::Write::write_all(
                &mut stream,
                b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n",
            );
        });
        let url = format!("http://127.0.0.1:{port}/send?access_token=querysecret");
        let error = Client::new()
            .get(url)
            .send()
            .unwrap()
            .error_for_status()
            .unwrap_err();
        assert!(error.source().is_none());
        assert!(error.to_string().contains("querysecret"), "{error}");

        let cause = reqwest_root_cause(error);
        assert!(!cause.contains("querysecret"), "{cause}");
        assert!(cause.contains("500"), "{cause}");
    }
}
