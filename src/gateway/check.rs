//! Gateway check for administrators: connects to the configured device, tests the API token, the
//! send permission of the configured path and the modem, and reports each result in words that
//! name the config key to change.
//!
//! The check uses the same pooled HTTP client, TLS settings and error classification as a login's
//! send. It sends a real SMS only when the caller asks for one.

use reqwest::blocking::Client;
use reqwest::{StatusCode, Url};
use serde::Serialize;
use serde_json::Value;

use super::smseagle::{self, SendMode, TOKEN_HEADER};
use super::{
    ClientSettings, DeviceFailure, OutgoingSms, TransportFailure, classify_request_error,
    classify_status, device_origin, generic, location, read_body, shared_client,
};
use crate::config::{Config, GatewayKind, GatewayType, TlsTrust, display_url, keys};
use crate::error::Error;
use crate::phone::mask_phone;

/// Text of the test SMS. It is GSM-7, so it fits one SMS.
pub const CHECK_SMS_TEXT: &str =
    "Test message from Keycloak: the SMS gateway works. No reply is needed.";

/// Modem that the modem check requests when `modemNo` is empty; SMSEagle numbers modems from 1.
const DEFAULT_MODEM_NO: u8 = 1;

/// Inputs of one check run, as the administrator requested them.
#[derive(Debug, Clone, Copy, Default)]
pub struct CheckRequest<'a> {
    /// Recipient in E.164 form for the send check; without it the send check is skipped.
    pub phone: Option<&'a str>,
    /// Send a real test SMS instead of a validate-only request.
    pub send: bool,
}

/// Part of the gateway that one check covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckName {
    /// TCP connection and TLS handshake with the device.
    Connection,
    /// The API token (`apitoken`).
    Token,
    /// The send request to the configured URL.
    Send,
    /// The device's modem.
    Modem,
    /// Simulation mode, which stops logins from sending SMS.
    Simulation,
}

/// Result of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    Ok,
    Failed,
    /// Logins can work, but something deserves attention or could not be checked.
    Warning,
    /// Not run, because an earlier check failed or an input is missing.
    Skipped,
}

/// Cause of a failed check or a warning, for programs that read the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Problem {
    /// The gateway rejected the API token (401).
    WrongToken,
    /// The token is valid but lacks the permission for the path (403).
    MissingPermission,
    /// The device's TLS certificate is not trusted by the TLS settings.
    TlsUntrusted,
    /// Another TLS failure, such as an `https` URL on a plain HTTP port.
    TlsError,
    /// The connection was refused or could not be made.
    Unreachable,
    /// Connecting or the response took longer than the configured timeout.
    Timeout,
    /// The modem is disabled or not connected.
    ModemDown,
    /// The gateway responded but did not queue the message.
    Rejected,
    /// The gateway rejected the request's fields (400).
    InvalidRequest,
    /// The gateway redirects, and redirects are not followed.
    Redirect,
    /// Another HTTP status, such as 404 or 500.
    HttpError,
    /// A response that the check cannot read.
    UnexpectedResponse,
    /// A config value stops the check, such as an unreadable `tlsCaFile`.
    InvalidConfig,
    /// Simulation mode is on.
    Simulation,
}

/// One line of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Check {
    pub name: CheckName,
    pub result: CheckStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<Problem>,
    /// Status of the HTTP response the result is based on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
    /// Text for the administrator that names the config key to change. Never contains the token
    /// or a full phone number.
    pub message: String,
}

/// Result of [`check_gateway`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GatewayReport {
    /// No check failed. Warnings and skipped checks leave it true.
    pub ok: bool,
    /// `smseagle` or `generic`, after resolving `gatewayType` `auto`.
    pub gateway_type: &'static str,
    /// `scheme://host:port` of the device that `apiurl` names.
    pub device_url: String,
    /// The test recipient, masked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub masked_phone: Option<String>,
    pub checks: Vec<Check>,
    /// The gateway's id of the test SMS, when one was queued.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
}

impl Check {
    fn new(name: CheckName, result: CheckStatus, message: impl Into<String>) -> Check {
        Check {
            name,
            result,
            problem: None,
            http_status: None,
            message: sentence(&message.into()),
        }
    }

    fn ok(name: CheckName, message: impl Into<String>) -> Check {
        Check::new(name, CheckStatus::Ok, message)
    }

    fn skipped(name: CheckName, message: impl Into<String>) -> Check {
        Check::new(name, CheckStatus::Skipped, message)
    }

    fn failed(name: CheckName, problem: Problem, message: impl Into<String>) -> Check {
        Check {
            problem: Some(problem),
            ..Check::new(name, CheckStatus::Failed, message)
        }
    }

    fn warning(name: CheckName, problem: Problem, message: impl Into<String>) -> Check {
        Check {
            problem: Some(problem),
            ..Check::new(name, CheckStatus::Warning, message)
        }
    }

    fn with_status(mut self, status: Option<u16>) -> Check {
        self.http_status = status;
        self
    }

    /// Builds a failed check from a failed request, with the advice that fits its cause.
    fn from_failure(name: CheckName, failure: &DeviceFailure) -> Check {
        let problem = problem_of(failure);
        let advice = match problem {
            Problem::Unreachable if failure.transport == Some(TransportFailure::Interrupted) => {
                "; the gateway closed the connection without an answer, as an HTTPS port does \
                 with a plain HTTP request, so check the scheme (https://) and port in apiurl"
            }
            Problem::Unreachable => {
                "; check the host and port in apiurl and that the gateway is on and reachable \
                 from the Keycloak server"
            }
            Problem::Timeout => {
                "; check that the gateway is reachable from the Keycloak server (firewall, \
                 routing), or raise connectTimeoutMs or requestTimeoutMs"
            }
            _ => "",
        };
        Check::failed(name, problem, format!("{}{advice}", failure.error))
            .with_status(failure.http_status)
    }
}

/// Runs the checks for `config` and returns the report. Nothing fails the call itself: every
/// failure becomes a check in the report.
///
/// SMSEagle: `GET /device/version` tests the connection and the token. A send request to the
/// configured URL tests the send permission, with `"test": true` unless `request.send` is set.
/// `GET /modem/status/{modemNo or 1}` tests the modem. A generic gateway gets a `HEAD` request
/// to `apiurl` and, when `request.send` is set, a real test SMS. In simulation mode no real SMS
/// is sent.
pub fn check_gateway(config: &Config, request: CheckRequest) -> GatewayReport {
    let mut checks = Vec::new();
    let mut message_id = None;
    if config.simulation {
        checks.push(Check::warning(
            CheckName::Simulation,
            Problem::Simulation,
            format!(
                "simulation mode is on ({}), so logins send no SMS and only log that one was \
                 suppressed. The check below sends no SMS either. Set {} to false to send codes",
                keys::SIMULATION,
                keys::SIMULATION
            ),
        ));
    }

    match shared_client(&ClientSettings::from_config(config)) {
        Ok(client) => match config.gateway {
            GatewayKind::SmsEagle => {
                message_id = check_smseagle(&client, config, request, &mut checks);
            }
            GatewayKind::Generic => {
                message_id = check_generic(&client, config, request, &mut checks);
            }
        },
        Err(error) => {
            let problem = match error {
                Error::InvalidConfig { .. } => Problem::InvalidConfig,
                _ => Problem::TlsError,
            };
            checks.push(Check::failed(
                CheckName::Connection,
                problem,
                error.to_string(),
            ));
        }
    }

    GatewayReport {
        ok: checks
            .iter()
            .all(|check| check.result != CheckStatus::Failed),
        gateway_type: match config.gateway {
            GatewayKind::SmsEagle => "smseagle",
            GatewayKind::Generic => "generic",
        },
        device_url: device_origin(&config.api_url),
        masked_phone: request.phone.map(mask_phone),
        checks,
        message_id,
    }
}

/// Runs the SMSEagle checks and returns the id of a queued test SMS.
fn check_smseagle(
    client: &Client,
    config: &Config,
    request: CheckRequest,
    checks: &mut Vec<Check>,
) -> Option<String> {
    let base = match smseagle::api_base_url(&config.api_url) {
        Ok(base) => base,
        Err(error) => {
            checks.push(Check::failed(
                CheckName::Connection,
                Problem::InvalidConfig,
                error.to_string(),
            ));
            return None;
        }
    };

    let version = get(client, config, &with_path(&base, "/device/version"));
    if let Err(failure) = &version
        && failure.transport.is_some()
    {
        let check = Check::from_failure(CheckName::Connection, failure);
        checks.push(check);
        let reason = "not checked, because the connection failed";
        checks.push(Check::skipped(CheckName::Token, reason));
        checks.push(Check::skipped(CheckName::Send, reason));
        checks.push(Check::skipped(CheckName::Modem, reason));
        return None;
    }
    checks.push(Check::ok(CheckName::Connection, connection_message(config)));

    let token = token_check(&base, &version);
    let token_rejected = token.problem == Some(Problem::WrongToken);
    checks.push(token);
    if token_rejected {
        let reason = "not checked, because the gateway rejected the API token";
        checks.push(Check::skipped(CheckName::Send, reason));
        checks.push(Check::skipped(CheckName::Modem, reason));
        return None;
    }

    let (send, message_id) = smseagle_send_check(client, config, request);
    checks.push(send);
    checks.push(modem_check(client, config, &base));
    message_id
}

/// Describes a connection that got an HTTP response, naming how the certificate was checked.
fn connection_message(config: &Config) -> String {
    let device = device_origin(&config.api_url);
    if config.api_url.scheme() != "https" {
        return format!(
            "connected to {device}. The connection is not encrypted, because apiurl uses http"
        );
    }
    let trust = match config.tls_trust() {
        TlsTrust::Roots { ca_file: None } => {
            "its TLS certificate is trusted by the system trust store".to_owned()
        }
        TlsTrust::Roots { ca_file: Some(_) } => format!(
            "its TLS certificate is trusted through the system trust store or {}",
            keys::TLS_CA_FILE
        ),
        TlsTrust::Pinned(_) => format!("its TLS certificate matches {}", keys::TLS_PIN_SHA256),
        TlsTrust::SkipVerify => format!(
            "its TLS certificate was not verified, because {} is on",
            keys::TLS_SKIP_VERIFY
        ),
    };
    format!("connected to {device}, and {trust}")
}

/// Reads the token's result from the response of `GET /device/version`.
fn token_check(base: &Url, version: &Result<Answer, DeviceFailure>) -> Check {
    let answer = match version {
        Ok(answer) => answer,
        Err(failure) => return Check::from_failure(CheckName::Token, failure),
    };
    let status = Some(answer.status.as_u16());
    match answer.status.as_u16() {
        200..=299 => {
            let version = serde_json::from_slice::<Value>(&answer.body)
                .ok()
                .and_then(|body| body.get("current_version").cloned())
                .map(|version| match version {
                    Value::String(text) => text,
                    other => other.to_string(),
                });
            let message = match version {
                Some(version) => format!(
                    "the gateway accepted the API token ({}). Device software {}",
                    keys::API_TOKEN,
                    version_text(&version)
                ),
                None => format!("the gateway accepted the API token ({})", keys::API_TOKEN),
            };
            Check::ok(CheckName::Token, message).with_status(status)
        }
        401 => Check::failed(CheckName::Token, Problem::WrongToken, wrong_token_message())
            .with_status(status),
        // The token is valid: SMSEagle checks the token before the path's permission.
        403 => Check::ok(
            CheckName::Token,
            format!(
                "the gateway accepted the API token ({}). The token lacks the permission to read \
                 the device version, which logins do not need",
                keys::API_TOKEN
            ),
        )
        .with_status(status),
        404 | 405 => Check::failed(
            CheckName::Token,
            Problem::HttpError,
            format!(
                "the gateway has no SMSEagle API v2 at {} (HTTP {}); check {} and that API v2 is \
                 enabled on the device (software 5.0 or later)",
                display_url(base),
                answer.status.as_u16(),
                keys::API_URL
            ),
        )
        .with_status(status),
        other => Check::failed(
            CheckName::Token,
            Problem::HttpError,
            format!(
                "the gateway answered HTTP {other} to the token check at {}; check {} and {}",
                display_url(base),
                keys::API_URL,
                keys::API_TOKEN
            ),
        )
        .with_status(status),
    }
}

fn wrong_token_message() -> String {
    format!(
        "the gateway rejected the API token (401 Invalid API key); enter a valid API token of \
         the device in {} (API Secret)",
        keys::API_TOKEN
    )
}

/// Sends a validate-only or, when requested, a real test SMS through the configured send URL.
fn smseagle_send_check(
    client: &Client,
    config: &Config,
    request: CheckRequest,
) -> (Check, Option<String>) {
    let Some(phone) = request.phone else {
        return (
            Check::skipped(
                CheckName::Send,
                format!(
                    "not checked: give a phone number to test the send permission of {}. \
                     Without send, the gateway only validates the request and sends no SMS",
                    keys::API_URL
                ),
            ),
            None,
        );
    };
    let real_send = request.send && !config.simulation;
    let mode = if real_send {
        SendMode::Queue
    } else {
        SendMode::ValidateOnly
    };
    let sms = OutgoingSms {
        to: phone,
        text: CHECK_SMS_TEXT,
    };
    let send_url = smseagle::send_url(&config.api_url)
        .map(|(url, _)| display_url(&url))
        .unwrap_or_default();
    match smseagle::send_with_mode(client, config, &config.api_url, sms, mode) {
        Ok(message_id) if real_send => (
            Check::ok(
                CheckName::Send,
                format!(
                    "the gateway queued a test SMS to {} with message id {message_id}",
                    mask_phone(phone)
                ),
            )
            .with_status(Some(200)),
            Some(message_id),
        ),
        Ok(_) => (
            Check::ok(
                CheckName::Send,
                format!(
                    "the gateway accepted a test request to {send_url} for {} and queued nothing \
                     (test mode, no SMS sent), so the token has the permission for this path",
                    mask_phone(phone)
                ),
            )
            .with_status(Some(200)),
            None,
        ),
        Err(failure) => (Check::from_failure(CheckName::Send, &failure), None),
    }
}

/// Asks the device whether the configured modem is enabled.
fn modem_check(client: &Client, config: &Config, base: &Url) -> Check {
    let modem_no = config.modem_no.unwrap_or(DEFAULT_MODEM_NO);
    let answer = match get(
        client,
        config,
        &with_path(base, &format!("/modem/status/{modem_no}")),
    ) {
        Ok(answer) => answer,
        Err(failure) => return Check::from_failure(CheckName::Modem, &failure),
    };
    let status = Some(answer.status.as_u16());
    match answer.status.as_u16() {
        200..=299 => {
            let enabled = serde_json::from_slice::<Value>(&answer.body)
                .ok()
                .and_then(|body| body.get("modem_enabled").and_then(Value::as_bool));
            match enabled {
                Some(true) => Check::ok(CheckName::Modem, format!("modem {modem_no} is enabled")),
                Some(false) => Check::failed(
                    CheckName::Modem,
                    Problem::ModemDown,
                    format!(
                        "modem {modem_no} of the gateway is disabled or not connected, so SMS \
                         stay in the device's outbox. Check the modem and its SIM card on the \
                         device, or set {} to a working modem",
                        keys::MODEM_NO
                    ),
                ),
                None => Check::warning(
                    CheckName::Modem,
                    Problem::UnexpectedResponse,
                    format!(
                        "the gateway's modem status response has no modem_enabled field; modem \
                         {modem_no} was not checked"
                    ),
                ),
            }
            .with_status(status)
        }
        401 => Check::failed(CheckName::Modem, Problem::WrongToken, wrong_token_message())
            .with_status(status),
        403 => Check::warning(
            CheckName::Modem,
            Problem::MissingPermission,
            "the API token lacks the modem status permission; the modem was not checked. Grant \
             the token that permission on the device to include this check",
        )
        .with_status(status),
        400 => Check::failed(
            CheckName::Modem,
            Problem::InvalidRequest,
            format!(
                "the gateway has no modem {modem_no} (400); set {} to a modem of the device, or \
                 leave it empty",
                keys::MODEM_NO
            ),
        )
        .with_status(status),
        other => Check::warning(
            CheckName::Modem,
            Problem::HttpError,
            format!(
                "the gateway answered HTTP {other} to the modem status request; modem \
                 {modem_no} was not checked"
            ),
        )
        .with_status(status),
    }
}

/// Builds the connection check from the status of the HEAD request to a generic gateway's URL.
/// Many APIs reject HEAD (405, 501) or require a token (401, 403), so those statuses only show
/// that a server responds there. A 404 means no API at that path, and another 5xx a server
/// problem that a send would likely meet too.
fn generic_head_check(config: &Config, status: reqwest::StatusCode) -> Check {
    let code = status.as_u16();
    let answered = format!(
        "{}. The gateway answered HTTP {code} to a HEAD request",
        connection_message(config)
    );
    let hint = smseagle_hint(config);
    let not_implemented = status == reqwest::StatusCode::NOT_IMPLEMENTED;
    if status == reqwest::StatusCode::NOT_FOUND {
        Check::failed(
            CheckName::Connection,
            Problem::HttpError,
            format!(
                "{answered}: there is no API at this path. Check {}{hint}",
                keys::API_URL
            ),
        )
        .with_status(Some(code))
    } else if status.is_server_error() && !not_implemented {
        Check::warning(
            CheckName::Connection,
            Problem::HttpError,
            format!("{answered}, a server error; a send may fail the same way{hint}"),
        )
        .with_status(Some(code))
    } else if !hint.is_empty() {
        Check::warning(
            CheckName::Connection,
            Problem::HttpError,
            format!("{answered}{hint}"),
        )
        .with_status(Some(code))
    } else {
        Check::ok(CheckName::Connection, answered).with_status(Some(code))
    }
}

/// Returns a hint for a URL that looks like an SMSEagle one but got the generic gateway from
/// `auto`, because its path does not end in an SMSEagle API v2 send path. Returns "" otherwise.
fn smseagle_hint(config: &Config) -> String {
    let path = config.api_url.path();
    let looks_like_smseagle = path.contains("/api/v") || path.contains("/index.php/");
    if config.gateway_type == GatewayType::Auto && looks_like_smseagle {
        format!(
            ". The URL looks like an SMSEagle one, but {} is auto and the path does not end in \
             /api/v2/messages/sms or /api/v2/messages/sms_single, so the generic gateway is used. \
             Check {}, or set {} to smseagle",
            keys::GATEWAY_TYPE,
            keys::API_URL,
            keys::GATEWAY_TYPE
        )
    } else {
        String::new()
    }
}

/// Runs the generic gateway's checks and returns the id of the test SMS, when the gateway
/// returned one.
fn check_generic(
    client: &Client,
    config: &Config,
    request: CheckRequest,
    checks: &mut Vec<Check>,
) -> Option<String> {
    let url = &config.api_url;
    // HEAD has no side effects, so an SMS API cannot take it for a send.
    let connection = match client.head(url.clone()).send() {
        Ok(response) => {
            let status = response.status();
            let location = location(&response);
            if status.is_redirection() {
                let error = classify_status(status, location.as_deref(), url)
                    .unwrap_or_else(|| Error::GatewayConfig(format!("redirect ({status})")));
                Check::from_failure(CheckName::Connection, &DeviceFailure::http(error, status))
            } else {
                generic_head_check(config, status)
            }
        }
        Err(error) => Check::from_failure(
            CheckName::Connection,
            &classify_request_error(error, url, config),
        ),
    };
    let connected = connection.result == CheckStatus::Ok;
    checks.push(connection);
    if !connected {
        checks.push(Check::skipped(
            CheckName::Send,
            "not checked, because the connection failed",
        ));
        return None;
    }

    let Some(phone) = request.phone else {
        checks.push(Check::skipped(
            CheckName::Send,
            "not checked: a generic gateway has no test mode, so only a real test SMS checks the \
             token and the request fields. Give a phone number and set send to true to send one",
        ));
        return None;
    };
    if !request.send || config.simulation {
        let reason = if config.simulation {
            format!("because simulation mode is on ({})", keys::SIMULATION)
        } else {
            "because send is false and a generic gateway has no test mode. Set send to true to \
             send a real test SMS"
                .to_owned()
        };
        checks.push(Check::skipped(
            CheckName::Send,
            format!("no test SMS was sent to {}, {reason}", mask_phone(phone)),
        ));
        return None;
    }

    let sms = OutgoingSms {
        to: phone,
        text: CHECK_SMS_TEXT,
    };
    match generic::send(client, config, url, sms) {
        Ok(message_id) => {
            let id_text = if message_id.is_empty() {
                "without a message id".to_owned()
            } else {
                format!("with message id {message_id}")
            };
            checks.push(Check::ok(
                CheckName::Send,
                format!(
                    "the gateway accepted a test SMS to {} {id_text}",
                    mask_phone(phone)
                ),
            ));
            (!message_id.is_empty()).then_some(message_id)
        }
        Err(failure) => {
            checks.push(Check::from_failure(CheckName::Send, &failure));
            None
        }
    }
}

/// Status and body of a response that was neither a redirect nor a server error.
struct Answer {
    status: StatusCode,
    body: Vec<u8>,
}

/// Sends a GET with the API token. A redirect or a 5xx becomes a failure with its status.
fn get(client: &Client, config: &Config, url: &Url) -> Result<Answer, DeviceFailure> {
    let response = client
        .get(url.clone())
        .header(TOKEN_HEADER, &config.api_token)
        .send()
        .map_err(|error| classify_request_error(error, url, config))?;
    let status = response.status();
    let location = location(&response);
    if let Some(error) = classify_status(status, location.as_deref(), url) {
        return Err(DeviceFailure::http(error, status));
    }
    let body = read_body(response, url).map_err(|error| DeviceFailure {
        transport: Some(TransportFailure::Interrupted),
        ..DeviceFailure::from(error)
    })?;
    Ok(Answer { status, body })
}

/// Shortens a device's version string for a message and keeps only the characters of a version
/// number, because the text comes from the device.
fn version_text(version: &str) -> String {
    const MAX_CHARS: usize = 20;
    version
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        .take(MAX_CHARS)
        .collect()
}

/// Returns `base` with `suffix` appended to its path, keeping its query.
fn with_path(base: &Url, suffix: &str) -> Url {
    let mut url = base.clone();
    let path = format!("{}{suffix}", base.path().trim_end_matches('/'));
    url.set_path(&path);
    url
}

/// Names the cause of a failed request.
fn problem_of(failure: &DeviceFailure) -> Problem {
    if let Some(transport) = failure.transport {
        return match transport {
            TransportFailure::CertificateRejected => Problem::TlsUntrusted,
            TransportFailure::Tls => Problem::TlsError,
            TransportFailure::ConnectTimeout | TransportFailure::ResponseTimeout => {
                Problem::Timeout
            }
            TransportFailure::Refused
            | TransportFailure::Connect
            | TransportFailure::Interrupted => Problem::Unreachable,
        };
    }
    if let Some(status) = failure.http_status {
        return problem_of_status(status);
    }
    match failure.error {
        Error::GatewayRejected(_) => Problem::Rejected,
        Error::InvalidConfig { .. } => Problem::InvalidConfig,
        _ => Problem::UnexpectedResponse,
    }
}

fn problem_of_status(status: u16) -> Problem {
    match status {
        401 => Problem::WrongToken,
        403 => Problem::MissingPermission,
        400 => Problem::InvalidRequest,
        300..=399 => Problem::Redirect,
        _ => Problem::HttpError,
    }
}

/// Starts `text` with a capital letter and ends it with a period, because the library's error
/// messages are lower-case clauses made to follow other text in a log line. A text that starts
/// with a URL keeps its scheme in lower case.
fn sentence(text: &str) -> String {
    let starts_with_url = text.starts_with("http://") || text.starts_with("https://");
    let mut chars = text.chars();
    let mut result: String = match chars.next() {
        Some(first) if !starts_with_url => first.to_uppercase().chain(chars).collect(),
        Some(first) => std::iter::once(first).chain(chars).collect(),
        None => String::new(),
    };
    if !result.ends_with(['.', '!', '?']) {
        result.push('.');
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_problems() {
        assert_eq!(problem_of_status(401), Problem::WrongToken);
        assert_eq!(problem_of_status(403), Problem::MissingPermission);
        assert_eq!(problem_of_status(400), Problem::InvalidRequest);
        assert_eq!(problem_of_status(301), Problem::Redirect);
        assert_eq!(problem_of_status(404), Problem::HttpError);
        assert_eq!(problem_of_status(500), Problem::HttpError);
    }

    #[test]
    fn transport_beats_status() {
        let failure = DeviceFailure {
            transport: Some(TransportFailure::ResponseTimeout),
            ..DeviceFailure::from(Error::GatewayUnavailable("x".to_owned()))
        };
        assert_eq!(problem_of(&failure), Problem::Timeout);
        let rejected = DeviceFailure::from(Error::GatewayRejected("x".to_owned()));
        assert_eq!(problem_of(&rejected), Problem::Rejected);
    }

    #[test]
    fn version_text_keeps_version_characters() {
        assert_eq!(version_text("6.31"), "6.31");
        assert_eq!(version_text("6.31-beta <script>"), "6.31-betascript");
        assert_eq!(version_text(&"9".repeat(50)).len(), 20);
    }

    #[test]
    fn sentence_capitalizes_and_ends() {
        assert_eq!(sentence("modem 1 is enabled"), "Modem 1 is enabled.");
        assert_eq!(sentence("Done."), "Done.");
        assert_eq!(
            sentence("https://gw/api is not reachable"),
            "https://gw/api is not reachable."
        );
        assert_eq!(sentence(""), ".");
    }

    #[test]
    fn report_serializes_as_contract() {
        let report = GatewayReport {
            ok: false,
            gateway_type: "smseagle",
            device_url: "https://10.0.0.5:443".to_owned(),
            masked_phone: None,
            checks: vec![
                Check::failed(CheckName::Token, Problem::WrongToken, "wrong")
                    .with_status(Some(401)),
                Check::skipped(CheckName::Send, "skipped"),
            ],
            message_id: None,
        };
        assert_eq!(
            serde_json::to_string(&report).unwrap(),
            concat!(
                r#"{"ok":false,"gatewayType":"smseagle","deviceUrl":"https://10.0.0.5:443","#,
                r#""checks":[{"name":"token","result":"failed","problem":"wrong_token","#,
                r#""httpStatus":401,"message":"Wrong."},"#,
                r#"{"name":"send","result":"skipped","message":"Skipped."}]}"#
            )
        );
    }

    #[test]
    fn path_appended_before_query() {
        let base = Url::parse("https://gw/index.php/api/v2/?access_token=t").unwrap();
        assert_eq!(
            with_path(&base, "/device/version").as_str(),
            "https://gw/index.php/api/v2/device/version?access_token=t"
        );
    }
}
