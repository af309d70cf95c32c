//! Typed configuration of one authenticator execution, parsed from Keycloak's string map.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::RangeInclusive;
use std::path::PathBuf;

use reqwest::Url;

use crate::code::{DEFAULT_CODE_LENGTH, MAX_CODE_LENGTH, MIN_CODE_LENGTH};
use crate::error::{Error, Result};

/// Config keys, identical to those of the netzbegruenung Keycloak SMS authenticator.
pub mod keys {
    pub const API_URL: &str = "apiurl";
    pub const URL_ENCODE: &str = "urlencode";
    pub const API_TOKEN_ATTRIBUTE: &str = "apitokenattribute";
    pub const API_TOKEN: &str = "apitoken";
    pub const MESSAGE_ATTRIBUTE: &str = "messageattribute";
    pub const RECEIVER_ATTRIBUTE: &str = "receiverattribute";
    pub const SENDER_ATTRIBUTE: &str = "senderattribute";
    pub const SENDER_ID: &str = "senderId";
    pub const FORCE_SECOND_FACTOR: &str = "forceSecondFactor";
    pub const GATEWAY_TYPE: &str = "gatewayType";
    pub const LENGTH: &str = "length";
    pub const TTL: &str = "ttl";
    pub const MAX_ATTEMPTS: &str = "maxAttempts";
    pub const CONNECT_TIMEOUT_MS: &str = "connectTimeoutMs";
    pub const REQUEST_TIMEOUT_MS: &str = "requestTimeoutMs";
    pub const TLS_CA_FILE: &str = "tlsCaFile";
}

pub const DEFAULT_MESSAGE_ATTRIBUTE: &str = "text";
pub const DEFAULT_RECEIVER_ATTRIBUTE: &str = "to";
pub const DEFAULT_SENDER_ATTRIBUTE: &str = "from";
pub const DEFAULT_TTL_SECONDS: u32 = 300;
pub const TTL_SECONDS_RANGE: RangeInclusive<u64> = 60..=600;
pub const DEFAULT_MAX_ATTEMPTS: u32 = 5;
pub const MAX_ATTEMPTS_RANGE: RangeInclusive<u64> = 1..=10;
pub const DEFAULT_CONNECT_TIMEOUT_MS: u64 = 2_000;
pub const CONNECT_TIMEOUT_MS_RANGE: RangeInclusive<u64> = 100..=2_000;
pub const DEFAULT_REQUEST_TIMEOUT_MS: u64 = 10_000;
pub const REQUEST_TIMEOUT_MS_RANGE: RangeInclusive<u64> = 500..=10_000;

/// Example shown to administrators in URL errors.
const EXAMPLE_SEND_URL: &str = "https://<device>/api/v2/messages/sms_single";

/// Gateway type as configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GatewayType {
    /// SMSEagle when the URL path ends in an SMSEagle API v2 send path, generic otherwise.
    Auto,
    SmsEagle,
    Generic,
}

impl GatewayType {
    fn as_str(self) -> &'static str {
        match self {
            GatewayType::Auto => "auto",
            GatewayType::SmsEagle => "smseagle",
            GatewayType::Generic => "generic",
        }
    }
}

/// Gateway client that a configuration uses, after resolving [`GatewayType::Auto`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GatewayKind {
    SmsEagle,
    Generic,
}

/// Validated configuration of one authenticator execution.
#[derive(Clone)]
pub struct Config {
    /// `apiurl` as the administrator entered it, without surrounding whitespace.
    pub api_url_text: String,
    pub api_url: Url,
    pub url_encode: bool,
    pub api_token_attribute: String,
    pub api_token: String,
    pub message_attribute: String,
    pub receiver_attribute: String,
    pub sender_attribute: String,
    pub sender_id: String,
    pub force_second_factor: bool,
    pub gateway_type: GatewayType,
    pub gateway: GatewayKind,
    pub code_length: usize,
    pub ttl_seconds: u32,
    pub max_attempts: u32,
    pub connect_timeout_ms: u64,
    pub request_timeout_ms: u64,
    pub tls_ca_file: Option<PathBuf>,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The token is a secret and the URL may carry one in its query.
        f.debug_struct("Config")
            .field("api_url", &display_url(&self.api_url))
            .field("url_encode", &self.url_encode)
            .field("api_token_attribute", &self.api_token_attribute)
            .field(
                "api_token",
                &if self.api_token.is_empty() {
                    ""
                } else {
                    "<set>"
                },
            )
            .field("message_attribute", &self.message_attribute)
            .field("receiver_attribute", &self.receiver_attribute)
            .field("sender_attribute", &self.sender_attribute)
            .field("sender_id", &self.sender_id)
            .field("force_second_factor", &self.force_second_factor)
            .field("gateway_type", &self.gateway_type)
            .field("gateway", &self.gateway)
            .field("code_length", &self.code_length)
            .field("ttl_seconds", &self.ttl_seconds)
            .field("max_attempts", &self.max_attempts)
            .field("connect_timeout_ms", &self.connect_timeout_ms)
            .field("request_timeout_ms", &self.request_timeout_ms)
            .field("tls_ca_file", &self.tls_ca_file)
            .finish()
    }
}

impl Config {
    /// Parses the JSON object that the Java side sends (string values; numbers, booleans and
    /// null are accepted too, null meaning unset).
    pub fn from_json(json: &str) -> Result<Config> {
        Config::from_map(&parse_json_map(json)?)
    }

    /// Parses and validates a Keycloak config map. Unknown keys are ignored, and missing or
    /// empty values take their defaults.
    pub fn from_map(map: &BTreeMap<String, String>) -> Result<Config> {
        let value = |key: &str| map.get(key).map(|v| v.trim()).unwrap_or_default();

        let api_url_text = value(keys::API_URL).to_owned();
        let api_url = parse_api_url(&api_url_text)?;
        let url_encode = parse_bool(keys::URL_ENCODE, value(keys::URL_ENCODE), false)?;
        let force_second_factor = parse_bool(
            keys::FORCE_SECOND_FACTOR,
            value(keys::FORCE_SECOND_FACTOR),
            false,
        )?;
        let gateway_type = parse_gateway_type(value(keys::GATEWAY_TYPE))?;

        let code_length = parse_number(
            keys::LENGTH,
            value(keys::LENGTH),
            DEFAULT_CODE_LENGTH as u64,
            &(MIN_CODE_LENGTH as u64..=MAX_CODE_LENGTH as u64),
        )? as usize;
        let ttl_seconds = parse_number(
            keys::TTL,
            value(keys::TTL),
            u64::from(DEFAULT_TTL_SECONDS),
            &TTL_SECONDS_RANGE,
        )? as u32;
        let max_attempts = parse_number(
            keys::MAX_ATTEMPTS,
            value(keys::MAX_ATTEMPTS),
            u64::from(DEFAULT_MAX_ATTEMPTS),
            &MAX_ATTEMPTS_RANGE,
        )? as u32;
        let connect_timeout_ms = parse_number(
            keys::CONNECT_TIMEOUT_MS,
            value(keys::CONNECT_TIMEOUT_MS),
            DEFAULT_CONNECT_TIMEOUT_MS,
            &CONNECT_TIMEOUT_MS_RANGE,
        )?;
        let request_timeout_ms = parse_number(
            keys::REQUEST_TIMEOUT_MS,
            value(keys::REQUEST_TIMEOUT_MS),
            DEFAULT_REQUEST_TIMEOUT_MS,
            &REQUEST_TIMEOUT_MS_RANGE,
        )?;
        if request_timeout_ms < connect_timeout_ms {
            return Err(Error::invalid_config(
                keys::REQUEST_TIMEOUT_MS,
                format!(
                    "{request_timeout_ms} is shorter than the connect timeout ({connect_timeout_ms} ms); \
                     the request timeout covers the whole request, so enter at least {connect_timeout_ms}"
                ),
            ));
        }

        let tls_ca_file = match value(keys::TLS_CA_FILE) {
            "" => None,
            path => Some(check_ca_file(path)?),
        };

        let gateway = resolve_gateway(gateway_type, &api_url, &api_url_text)?;
        let api_token = value(keys::API_TOKEN).to_owned();
        if gateway == GatewayKind::SmsEagle {
            if url_encode {
                return Err(Error::invalid_config(
                    keys::URL_ENCODE,
                    "SMSEagle API v2 takes JSON, so URL encoding cannot be used; turn \
                     \"URL encode data\" off (or set gatewayType to generic for another gateway)",
                ));
            }
            if api_token.is_empty() {
                return Err(Error::invalid_config(
                    keys::API_TOKEN,
                    "missing; enter the API token created on the SMSEagle device for this server",
                ));
            }
        }

        Ok(Config {
            api_url_text,
            api_url,
            url_encode,
            api_token_attribute: value(keys::API_TOKEN_ATTRIBUTE).to_owned(),
            api_token,
            message_attribute: or_default(
                value(keys::MESSAGE_ATTRIBUTE),
                DEFAULT_MESSAGE_ATTRIBUTE,
            ),
            receiver_attribute: or_default(
                value(keys::RECEIVER_ATTRIBUTE),
                DEFAULT_RECEIVER_ATTRIBUTE,
            ),
            sender_attribute: or_default(value(keys::SENDER_ATTRIBUTE), DEFAULT_SENDER_ATTRIBUTE),
            sender_id: value(keys::SENDER_ID).to_owned(),
            force_second_factor,
            gateway_type,
            gateway,
            code_length,
            ttl_seconds,
            max_attempts,
            connect_timeout_ms,
            request_timeout_ms,
            tls_ca_file,
        })
    }

    /// Returns every config key with its effective value, defaults filled in.
    pub fn to_normalized_map(&self) -> BTreeMap<String, String> {
        let entries = [
            (keys::API_URL, self.api_url_text.clone()),
            (keys::URL_ENCODE, self.url_encode.to_string()),
            (keys::API_TOKEN_ATTRIBUTE, self.api_token_attribute.clone()),
            (keys::API_TOKEN, self.api_token.clone()),
            (keys::MESSAGE_ATTRIBUTE, self.message_attribute.clone()),
            (keys::RECEIVER_ATTRIBUTE, self.receiver_attribute.clone()),
            (keys::SENDER_ATTRIBUTE, self.sender_attribute.clone()),
            (keys::SENDER_ID, self.sender_id.clone()),
            (
                keys::FORCE_SECOND_FACTOR,
                self.force_second_factor.to_string(),
            ),
            (keys::GATEWAY_TYPE, self.gateway_type.as_str().to_owned()),
            (keys::LENGTH, self.code_length.to_string()),
            (keys::TTL, self.ttl_seconds.to_string()),
            (keys::MAX_ATTEMPTS, self.max_attempts.to_string()),
            (
                keys::CONNECT_TIMEOUT_MS,
                self.connect_timeout_ms.to_string(),
            ),
            (
                keys::REQUEST_TIMEOUT_MS,
                self.request_timeout_ms.to_string(),
            ),
            (
                keys::TLS_CA_FILE,
                self.tls_ca_file
                    .as_ref()
                    .map(|path| path.display().to_string())
                    .unwrap_or_default(),
            ),
        ];
        entries
            .into_iter()
            .map(|(key, value)| (key.to_owned(), value))
            .collect()
    }
}

fn or_default(value: &str, default: &str) -> String {
    if value.is_empty() { default } else { value }.to_owned()
}

fn parse_json_map(json: &str) -> Result<BTreeMap<String, String>> {
    let not_an_object = || {
        Error::invalid_config(
            "",
            "the configuration is not a JSON object of strings; this is a bug in the caller",
        )
    };
    let value: serde_json::Value = serde_json::from_str(json).map_err(|_| not_an_object())?;
    let serde_json::Value::Object(object) = value else {
        return Err(not_an_object());
    };

    let mut map = BTreeMap::new();
    for (key, value) in object {
        let text = match value {
            serde_json::Value::Null => continue,
            serde_json::Value::String(text) => text,
            serde_json::Value::Bool(flag) => flag.to_string(),
            serde_json::Value::Number(number) => number.to_string(),
            serde_json::Value::Array(_) | serde_json::Value::Object(_) => {
                return Err(Error::invalid_config(
                    &key,
                    "is a JSON array or object; enter a single value",
                ));
            }
        };
        map.insert(key, text);
    }
    Ok(map)
}

/// Formats a URL for messages: scheme, host, port and path only, because the user-info part and
/// the query may hold credentials.
pub fn display_url(url: &Url) -> String {
    let mut text = format!("{}://{}", url.scheme(), url.host_str().unwrap_or_default());
    if let Some(port) = url.port() {
        text.push_str(&format!(":{port}"));
    }
    text.push_str(url.path());
    if url.query().is_some() {
        text.push_str("?...");
    }
    text
}

/// Quotes a value the administrator entered, shortened and with any query part cut off.
fn quote_input(text: &str) -> String {
    let without_query = text.split(['?', '#']).next().unwrap_or_default();
    let shortened: String = without_query.chars().take(80).collect();
    let suffix = if shortened.len() < text.len() {
        "..."
    } else {
        ""
    };
    format!("{:?}", format!("{shortened}{suffix}"))
}

fn parse_api_url(text: &str) -> Result<Url> {
    if text.is_empty() {
        return Err(Error::invalid_config(
            keys::API_URL,
            format!("missing; enter the gateway's send URL such as {EXAMPLE_SEND_URL}"),
        ));
    }
    let not_http = || {
        Error::invalid_config(
            keys::API_URL,
            format!(
                "{} is not an http or https URL; enter the gateway's send URL such as {EXAMPLE_SEND_URL}",
                quote_input(text)
            ),
        )
    };
    let url = Url::parse(text).map_err(|_| not_http())?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
        return Err(not_http());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::invalid_config(
            keys::API_URL,
            "contains a user name or password; remove it and put the token in apitoken",
        ));
    }
    Ok(url)
}

/// SMSEagle API v2 send endpoint named by a URL path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmsEaglePath {
    /// `.../api/v2`: the device base URL.
    Base,
    /// `.../api/v2/messages/sms`: `to` is an array.
    Sms,
    /// `.../api/v2/messages/sms_single`: `to` is a string.
    SmsSingle,
}

/// Classifies the path of an SMSEagle URL, with or without `/index.php` and a trailing slash.
pub fn smseagle_path(url: &Url) -> Option<SmsEaglePath> {
    let path = url.path().trim_end_matches('/');
    if path.ends_with("/api/v2/messages/sms_single") {
        Some(SmsEaglePath::SmsSingle)
    } else if path.ends_with("/api/v2/messages/sms") {
        Some(SmsEaglePath::Sms)
    } else if path.ends_with("/api/v2") {
        Some(SmsEaglePath::Base)
    } else {
        None
    }
}

fn resolve_gateway(gateway_type: GatewayType, url: &Url, url_text: &str) -> Result<GatewayKind> {
    match gateway_type {
        GatewayType::Generic => Ok(GatewayKind::Generic),
        GatewayType::Auto => Ok(match smseagle_path(url) {
            Some(SmsEaglePath::Sms | SmsEaglePath::SmsSingle) => GatewayKind::SmsEagle,
            Some(SmsEaglePath::Base) | None => GatewayKind::Generic,
        }),
        GatewayType::SmsEagle => match smseagle_path(url) {
            Some(_) => Ok(GatewayKind::SmsEagle),
            None => Err(Error::invalid_config(
                keys::API_URL,
                format!(
                    "{} is not an SMSEagle API v2 URL; enter https://<device>/api/v2 or a send URL \
                     such as {EXAMPLE_SEND_URL}",
                    quote_input(url_text)
                ),
            )),
        },
    }
}

fn parse_bool(key: &str, text: &str, default: bool) -> Result<bool> {
    if text.is_empty() {
        Ok(default)
    } else if text.eq_ignore_ascii_case("true") {
        Ok(true)
    } else if text.eq_ignore_ascii_case("false") {
        Ok(false)
    } else {
        Err(Error::invalid_config(
            key,
            format!(
                "{} is not true or false; enter true or false",
                quote_input(text)
            ),
        ))
    }
}

fn parse_gateway_type(text: &str) -> Result<GatewayType> {
    match text.to_ascii_lowercase().as_str() {
        "" | "auto" => Ok(GatewayType::Auto),
        "smseagle" => Ok(GatewayType::SmsEagle),
        "generic" => Ok(GatewayType::Generic),
        _ => Err(Error::invalid_config(
            keys::GATEWAY_TYPE,
            format!(
                "{} is not a known gateway type; enter auto, smseagle or generic",
                quote_input(text)
            ),
        )),
    }
}

fn parse_number(key: &str, text: &str, default: u64, range: &RangeInclusive<u64>) -> Result<u64> {
    if text.is_empty() {
        return Ok(default);
    }
    let fix = format!(
        "enter a whole number from {} to {}",
        range.start(),
        range.end()
    );
    let number: u64 = text.parse().map_err(|_| {
        Error::invalid_config(
            key,
            format!("{} is not a whole number; {fix}", quote_input(text)),
        )
    })?;
    if !range.contains(&number) {
        return Err(Error::invalid_config(
            key,
            format!("{number} is out of range; {fix}"),
        ));
    }
    Ok(number)
}

fn check_ca_file(path: &str) -> Result<PathBuf> {
    let bytes = std::fs::read(path).map_err(|error| {
        Error::invalid_config(
            keys::TLS_CA_FILE,
            format!(
                "cannot read {path:?} ({error}); enter the path of a PEM file that the Keycloak \
                 server can read"
            ),
        )
    })?;
    let certificates = reqwest::Certificate::from_pem_bundle(&bytes).unwrap_or_default();
    if certificates.is_empty() {
        return Err(Error::invalid_config(
            keys::TLS_CA_FILE,
            format!(
                "{path:?} holds no PEM certificate; enter the path of the CA certificate file \
                 (-----BEGIN CERTIFICATE-----)"
            ),
        ));
    }
    Ok(PathBuf::from(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(entries: &[(&str, &str)]) -> BTreeMap<String, String> {
        entries
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn field_error(entries: &[(&str, &str)]) -> (String, String) {
        match Config::from_map(&map(entries)) {
            Err(Error::InvalidConfig { field, message }) => (field, message),
            other => panic!("expected InvalidConfig, got {other:?}"),
        }
    }

    const SMSEAGLE_URL: &str = "https://gw.example/api/v2/messages/sms_single";

    #[test]
    fn defaults_fill_missing_keys() {
        let config = Config::from_map(&map(&[
            ("apiurl", "https://sms.example/send"),
            ("unknownKey", "ignored"),
        ]))
        .unwrap();
        assert_eq!(config.gateway_type, GatewayType::Auto);
        assert_eq!(config.gateway, GatewayKind::Generic);
        assert!(!config.url_encode);
        assert_eq!(config.message_attribute, "text");
        assert_eq!(config.receiver_attribute, "to");
        assert_eq!(config.sender_attribute, "from");
        assert_eq!(config.code_length, 6);
        assert_eq!(config.ttl_seconds, 300);
        assert_eq!(config.max_attempts, 5);
        assert_eq!(config.connect_timeout_ms, 2000);
        assert_eq!(config.request_timeout_ms, 10000);
        assert_eq!(config.tls_ca_file, None);
    }

    #[test]
    fn normalized_map_has_every_key() {
        let config = Config::from_map(&map(&[
            ("apiurl", " https://sms.example/send "),
            ("urlencode", "TRUE"),
            ("length", "8"),
            ("gatewayType", "Generic"),
        ]))
        .unwrap();
        let normalized = config.to_normalized_map();
        assert_eq!(normalized.len(), 16);
        assert_eq!(normalized["apiurl"], "https://sms.example/send");
        assert_eq!(normalized["urlencode"], "true");
        assert_eq!(normalized["length"], "8");
        assert_eq!(normalized["gatewayType"], "generic");
        assert_eq!(normalized["messageattribute"], "text");
        assert_eq!(normalized["tlsCaFile"], "");
        assert_eq!(normalized["forceSecondFactor"], "false");
    }

    #[test]
    fn auto_detects_smseagle_paths() {
        let cases = [
            (
                "https://gw/api/v2/messages/sms_single",
                GatewayKind::SmsEagle,
            ),
            ("https://gw/api/v2/messages/sms", GatewayKind::SmsEagle),
            (
                "https://gw/index.php/api/v2/messages/sms/",
                GatewayKind::SmsEagle,
            ),
            (
                "http://10.0.0.5/index.php/api/v2/messages/sms_single",
                GatewayKind::SmsEagle,
            ),
            ("https://gw/api/v2", GatewayKind::Generic),
            ("https://api.example/v1/sms", GatewayKind::Generic),
        ];
        for (url, expected) in cases {
            let config = Config::from_map(&map(&[("apiurl", url), ("apitoken", "t")])).unwrap();
            assert_eq!(config.gateway, expected, "url {url}");
        }
    }

    #[test]
    fn explicit_smseagle_accepts_base_url() {
        let config = Config::from_map(&map(&[
            ("apiurl", "https://gw/index.php/api/v2/"),
            ("gatewayType", "smseagle"),
            ("apitoken", "t"),
        ]))
        .unwrap();
        assert_eq!(config.gateway, GatewayKind::SmsEagle);
    }

    #[test]
    fn apiurl_errors_name_the_field() {
        let (field, message) = field_error(&[("apiurl", "ftp://x")]);
        assert_eq!(field, "apiurl");
        assert_eq!(
            message,
            "\"ftp://x\" is not an http or https URL; enter the gateway's send URL such as \
             https://<device>/api/v2/messages/sms_single"
        );

        let (field, message) = field_error(&[]);
        assert_eq!(field, "apiurl");
        assert!(message.starts_with("missing;"), "{message}");

        let (field, _) = field_error(&[("apiurl", "not a url")]);
        assert_eq!(field, "apiurl");

        let (field, message) = field_error(&[("apiurl", "https://u:p@gw/send")]);
        assert_eq!(field, "apiurl");
        assert!(message.contains("user name or password"), "{message}");
    }

    #[test]
    fn apiurl_error_hides_query() {
        let (_, message) = field_error(&[("apiurl", "ftp://gw/send?access_token=secret123")]);
        assert!(!message.contains("secret123"), "{message}");
    }

    #[test]
    fn smseagle_rejects_urlencode() {
        let (field, message) = field_error(&[
            ("apiurl", SMSEAGLE_URL),
            ("apitoken", "t"),
            ("urlencode", "true"),
        ]);
        assert_eq!(field, "urlencode");
        assert!(message.contains("JSON"), "{message}");
    }

    #[test]
    fn smseagle_requires_token() {
        let (field, _) = field_error(&[("apiurl", SMSEAGLE_URL)]);
        assert_eq!(field, "apitoken");
    }

    #[test]
    fn explicit_smseagle_rejects_other_paths() {
        let (field, message) = field_error(&[
            ("apiurl", "https://gw/send"),
            ("gatewayType", "smseagle"),
            ("apitoken", "t"),
        ]);
        assert_eq!(field, "apiurl");
        assert!(message.contains("not an SMSEagle API v2 URL"), "{message}");
    }

    #[test]
    fn number_errors_name_field_and_range() {
        let cases = [
            (
                "length",
                "5",
                "5 is out of range; enter a whole number from 6 to 10",
            ),
            (
                "length",
                "six",
                "\"six\" is not a whole number; enter a whole number from 6 to 10",
            ),
            (
                "ttl",
                "601",
                "601 is out of range; enter a whole number from 60 to 600",
            ),
            (
                "maxAttempts",
                "0",
                "0 is out of range; enter a whole number from 1 to 10",
            ),
            (
                "connectTimeoutMs",
                "50",
                "50 is out of range; enter a whole number from 100 to 2000",
            ),
            (
                "requestTimeoutMs",
                "-1",
                "\"-1\" is not a whole number; enter a whole number from 500 to 10000",
            ),
        ];
        for (key, value, expected) in cases {
            let (field, message) =
                field_error(&[("apiurl", "https://sms.example/send"), (key, value)]);
            assert_eq!(field, key);
            assert_eq!(message, expected);
        }
    }

    #[test]
    fn request_timeout_must_cover_connect_timeout() {
        let (field, _) = field_error(&[
            ("apiurl", "https://sms.example/send"),
            ("connectTimeoutMs", "2000"),
            ("requestTimeoutMs", "1000"),
        ]);
        assert_eq!(field, "requestTimeoutMs");
    }

    #[test]
    fn bool_and_gateway_type_errors() {
        let (field, message) =
            field_error(&[("apiurl", "https://sms.example/send"), ("urlencode", "yes")]);
        assert_eq!(field, "urlencode");
        assert_eq!(message, "\"yes\" is not true or false; enter true or false");

        let (field, _) = field_error(&[
            ("apiurl", "https://sms.example/send"),
            ("forceSecondFactor", "1"),
        ]);
        assert_eq!(field, "forceSecondFactor");

        let (field, message) = field_error(&[
            ("apiurl", "https://sms.example/send"),
            ("gatewayType", "twilio"),
        ]);
        assert_eq!(field, "gatewayType");
        assert!(message.contains("auto, smseagle or generic"), "{message}");
    }

    #[test]
    fn ca_file_errors() {
        let (field, message) = field_error(&[
            ("apiurl", "https://sms.example/send"),
            ("tlsCaFile", "/nonexistent/ca.pem"),
        ]);
        assert_eq!(field, "tlsCaFile");
        assert!(message.contains("cannot read"), "{message}");

        let (field, message) = field_error(&[
            ("apiurl", "https://sms.example/send"),
            ("tlsCaFile", "Cargo.toml"),
        ]);
        assert_eq!(field, "tlsCaFile");
        assert!(message.contains("no PEM certificate"), "{message}");
    }

    #[test]
    fn json_values_of_any_scalar_type() {
        let config = Config::from_json(
            r#"{"apiurl":"https://sms.example/send","length":8,"urlencode":true,"senderId":null}"#,
        )
        .unwrap();
        assert_eq!(config.code_length, 8);
        assert!(config.url_encode);
        assert_eq!(config.sender_id, "");
    }

    #[test]
    fn json_must_be_an_object() {
        for json in ["[]", "not json", "\"x\""] {
            assert!(
                matches!(Config::from_json(json), Err(Error::InvalidConfig { .. })),
                "{json}"
            );
        }
        let error = Config::from_json(r#"{"apiurl":["a"]}"#).unwrap_err();
        assert!(matches!(error, Error::InvalidConfig { ref field, .. } if field == "apiurl"));
    }

    #[test]
    fn debug_hides_token() {
        let config = Config::from_map(&map(&[
            (
                "apiurl",
                "https://gw/api/v2/messages/sms?access_token=urlsecret",
            ),
            ("apitoken", "tokensecret"),
        ]))
        .unwrap();
        let debug = format!("{config:?}");
        assert!(!debug.contains("tokensecret"), "{debug}");
        assert!(!debug.contains("urlsecret"), "{debug}");
    }

    #[test]
    fn display_url_drops_query() {
        let url = Url::parse("https://gw:8443/api/v2/messages/sms?access_token=x").unwrap();
        assert_eq!(display_url(&url), "https://gw:8443/api/v2/messages/sms?...");
    }
}
