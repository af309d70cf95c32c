//! Parsers for single config values. Every error names the config key and what to enter.

use std::collections::BTreeMap;
use std::ops::RangeInclusive;
use std::path::PathBuf;

use reqwest::Url;

use super::{GatewayKind, GatewayType, keys};
use crate::error::{Error, Result};

/// Example shown to administrators in URL errors.
pub(super) const EXAMPLE_SEND_URL: &str = "https://<device>/api/v2/messages/sms_single";

pub(super) fn or_default(value: &str, default: &str) -> String {
    if value.is_empty() { default } else { value }.to_owned()
}

pub(super) fn parse_json_map(json: &str) -> Result<BTreeMap<String, String>> {
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

/// Quotes a value the administrator entered for a message, shortened and without the parts of a
/// URL that may contain credentials. Everything up to the last `@` (user name and password)
/// becomes `***@`, and the query and fragment are cut off. A `?` or `#` before that `@` may be part of
/// the password or start a query that contains the `@`, so then only the scheme is shown.
pub(super) fn quote_input(text: &str) -> String {
    const MAX_CHARS: usize = 80;

    let query_start = text.find(['?', '#']).unwrap_or(text.len());
    let scheme_end = text[..query_start]
        .find("://")
        .map_or(0, |position| position + "://".len());
    let (scheme, credentials_marker, visible) = match text.rfind('@') {
        Some(at) if at >= query_start => (&text[..scheme_end], "", ""),
        Some(at) => (&text[..scheme_end], "***@", &text[at + 1..query_start]),
        None => ("", "", &text[..query_start]),
    };

    let shortened: String = visible.chars().take(MAX_CHARS).collect();
    let cut_off = shortened.len() < visible.len() || query_start < text.len();
    let suffix = if cut_off { "..." } else { "" };
    format!(
        "{:?}",
        format!("{scheme}{credentials_marker}{shortened}{suffix}")
    )
}

/// Parses a gateway URL for the config key `key` (`apiurl` or `fallbackApiUrl`).
pub(super) fn parse_api_url(key: &str, text: &str) -> Result<Url> {
    if text.is_empty() {
        return Err(Error::invalid_config(
            key,
            format!("missing; enter the gateway's send URL such as {EXAMPLE_SEND_URL}"),
        ));
    }
    let not_http = || {
        Error::invalid_config(
            key,
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
            key,
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

pub(super) fn resolve_gateway(
    gateway_type: GatewayType,
    url: &Url,
    url_text: &str,
) -> Result<GatewayKind> {
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

pub(super) fn parse_bool(key: &str, text: &str, default: bool) -> Result<bool> {
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

pub(super) fn parse_gateway_type(text: &str) -> Result<GatewayType> {
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

pub(super) fn parse_number(
    key: &str,
    text: &str,
    default: u64,
    range: &RangeInclusive<u64>,
) -> Result<u64> {
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

pub(super) fn check_ca_file(path: &str) -> Result<PathBuf> {
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

/// Parses `tlsPinSha256`: one SHA-256 fingerprint as 64 hex digits, colons between byte pairs
/// allowed (the form `openssl x509 -fingerprint -sha256` prints). Several fingerprints may be
/// separated by commas, for example to pin the certificates of both devices.
pub(super) fn parse_pins(text: &str) -> Result<Vec<super::CertificatePin>> {
    let mut pins = Vec::new();
    for (index, item) in text.split(',').map(str::trim).enumerate() {
        if item.is_empty() {
            continue;
        }
        let digits: String = item.chars().filter(|&c| c != ':').collect();
        let invalid = |problem: &str| {
            Error::invalid_config(
                keys::TLS_PIN_SHA256,
                format!(
                    "fingerprint {} {problem}; enter the SHA-256 fingerprint of the gateway's \
                     certificate as 64 hex digits, colons allowed, such as the output of \
                     openssl x509 -noout -fingerprint -sha256 -in gateway.pem",
                    index + 1
                ),
            )
        };
        if !digits.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(invalid(
                "contains a character that is not a hex digit or a colon",
            ));
        }
        if digits.len() != 64 {
            return Err(invalid(&format!(
                "has {} hex digits instead of 64",
                digits.len()
            )));
        }
        let mut pin = [0u8; 32];
        for (slot, pair) in pin.iter_mut().zip(digits.as_bytes().chunks_exact(2)) {
            let pair = std::str::from_utf8(pair).map_err(|_| invalid("is not ASCII"))?;
            *slot = u8::from_str_radix(pair, 16).map_err(|_| invalid("is not hex"))?;
        }
        if !pins.contains(&pin) {
            pins.push(pin);
        }
    }
    Ok(pins)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_input_keeps_plain_values() {
        assert_eq!(quote_input("yes"), "\"yes\"");
        assert_eq!(quote_input("https://gw/api"), "\"https://gw/api\"");
        let long = "x".repeat(100);
        assert_eq!(quote_input(&long), format!("\"{}...\"", "x".repeat(80)));
    }

    #[test]
    fn quote_input_drops_query() {
        assert_eq!(
            quote_input("ftp://gw/send?access_token=secret"),
            "\"ftp://gw/send...\""
        );
        assert_eq!(
            quote_input("https://gw/send#secret"),
            "\"https://gw/send...\""
        );
    }

    #[test]
    fn quote_input_drops_user_info() {
        assert_eq!(
            quote_input("https://admin:se cret@gw/api"),
            "\"https://***@gw/api\""
        );
        // A password with '@' or '/' in it: everything up to the last '@' goes.
        assert_eq!(
            quote_input("https://admin:p@ss/word@gw:8443/api?token=x"),
            "\"https://***@gw:8443/api...\""
        );
        assert_eq!(quote_input("admin:secret@gw"), "\"***@gw\"");
    }

    #[test]
    fn quote_input_hides_all_when_at_follows_query() {
        for text in [
            "https://admin:pa?ss@gw/api",
            "https://gw/send?token=abc@def",
            "https://admin:pa#ss@gw",
        ] {
            let quoted = quote_input(text);
            assert_eq!(quoted, "\"https://...\"", "{text}");
        }
    }
}
