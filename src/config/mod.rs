//! Typed configuration of one authenticator execution, parsed from Keycloak's string map.

mod values;

use std::collections::BTreeMap;
use std::fmt;
use std::ops::RangeInclusive;
use std::path::PathBuf;

use reqwest::Url;

use crate::code::{DEFAULT_CODE_LENGTH, MAX_CODE_LENGTH, MIN_CODE_LENGTH};
use crate::error::{Error, Result};
use crate::phone::{self, PhonePolicy};

use values::{
    EXAMPLE_SEND_URL, check_ca_file, or_default, parse_api_url, parse_bool, parse_gateway_type,
    parse_json_map, parse_number, parse_pins, quote_input, resolve_gateway,
};
pub use values::{SmsEaglePath, display_url, smseagle_path};

/// Config keys. Keys that the netzbegruenung Keycloak SMS authenticator also has keep its names.
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
    /// Role exempt from Force 2FA; Keycloak checks it, the library only passes it through.
    pub const EXEMPT_ROLE: &str = "whitelist";
    /// User attribute with an administrator-provided number; passed through.
    pub const PHONE_NUMBER_ATTRIBUTE: &str = "mobileNumberAttribute";
    /// Whether enrolment rejects another user's number.
    pub const UNIQUE_NUMBERS: &str = "enforcePhoneNumberUniqueness";
    pub const LENGTH: &str = "length";
    pub const TTL: &str = "ttl";
    pub const GATEWAY_TYPE: &str = "gatewayType";
    pub const MAX_ATTEMPTS: &str = "maxAttempts";
    pub const CONNECT_TIMEOUT_MS: &str = "connectTimeoutMs";
    pub const REQUEST_TIMEOUT_MS: &str = "requestTimeoutMs";
    pub const TLS_CA_FILE: &str = "tlsCaFile";
    pub const RESEND_COOLDOWN_SECONDS: &str = "resendCooldownSeconds";
    pub const MAX_SENDS_PER_LOGIN: &str = "maxSendsPerLogin";
    pub const MAX_SENDS_PER_HOUR: &str = "maxSendsPerHour";
    pub const PRIORITY: &str = "priority";
    pub const MODEM_NO: &str = "modemNo";
    pub const ORIGIN_BOUND_LINE: &str = "originBoundLine";
    pub const FALLBACK_API_URL: &str = "fallbackApiUrl";
    pub const TLS_PIN_SHA256: &str = "tlsPinSha256";
    pub const TLS_SKIP_VERIFY: &str = "tlsSkipVerify";
    pub const DEFAULT_REGION: &str = "defaultRegion";
    pub const ALLOWED_COUNTRIES: &str = "allowedCountries";
    /// The netzbegruenung plugin's default country prefix such as `+49`; read when
    /// `defaultRegion` is empty.
    pub const LEGACY_COUNTRY_CODE: &str = "countrycode";
    /// The netzbegruenung plugin's country allow-list such as `FR,DE`; read when
    /// `allowedCountries` is empty.
    pub const LEGACY_COUNTRY_CODE_LIST: &str = "countryCodeList";
    pub const SIMULATION: &str = "simulation";
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
pub const DEFAULT_RESEND_COOLDOWN_SECONDS: u32 = 30;
pub const RESEND_COOLDOWN_SECONDS_RANGE: RangeInclusive<u64> = 0..=600;
pub const DEFAULT_MAX_SENDS_PER_LOGIN: u32 = 3;
pub const MAX_SENDS_PER_LOGIN_RANGE: RangeInclusive<u64> = 1..=10;
pub const DEFAULT_MAX_SENDS_PER_HOUR: u32 = 10;
pub const MAX_SENDS_PER_HOUR_RANGE: RangeInclusive<u64> = 1..=100;
/// SMSEagle queues higher priorities first, and a one-time code should not wait behind bulk
/// alerts in the device's outbox, so the default is the highest.
pub const DEFAULT_PRIORITY: u8 = 9;
pub const PRIORITY_RANGE: RangeInclusive<u64> = 0..=9;
/// Modem numbers of SMSEagle devices, which have one to eight modems.
pub const MODEM_NO_RANGE: RangeInclusive<u64> = 1..=8;

/// SHA-256 fingerprint of a DER certificate.
pub type CertificatePin = [u8; 32];

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

/// Check applied to the gateway's TLS certificate.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TlsTrust {
    /// The system trust store plus the certificates of `tlsCaFile`, with host name checks.
    Roots { ca_file: Option<PathBuf> },
    /// Only a leaf certificate with one of these SHA-256 fingerprints, whatever its issuer and
    /// names.
    Pinned(Vec<CertificatePin>),
    /// Any certificate (`tlsSkipVerify`).
    SkipVerify,
}

/// Validated configuration of one authenticator execution.
#[derive(Clone)]
pub struct Config {
    /// `apiurl` as the administrator entered it, without surrounding whitespace.
    pub api_url_text: String,
    pub api_url: Url,
    /// Second device, used only when the first certainly did not receive the SMS.
    pub fallback_api_url: Option<Url>,
    pub url_encode: bool,
    pub api_token_attribute: String,
    pub api_token: String,
    pub message_attribute: String,
    pub receiver_attribute: String,
    pub sender_attribute: String,
    pub sender_id: String,
    pub force_second_factor: bool,
    pub exempt_role: String,
    pub phone_number_attribute: String,
    pub unique_numbers: bool,
    pub gateway_type: GatewayType,
    pub gateway: GatewayKind,
    pub code_length: usize,
    pub ttl_seconds: u32,
    pub max_attempts: u32,
    pub resend_cooldown_seconds: u32,
    pub max_sends_per_login: u32,
    /// Enforced by the Java side across sessions and nodes; validated here.
    pub max_sends_per_hour: u32,
    pub priority: u8,
    pub modem_no: Option<u8>,
    pub origin_bound_line: bool,
    pub connect_timeout_ms: u64,
    pub request_timeout_ms: u64,
    pub tls_ca_file: Option<PathBuf>,
    pub tls_pins: Vec<CertificatePin>,
    pub tls_skip_verify: bool,
    pub phone_policy: PhonePolicy,
    pub simulation: bool,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The token is a secret and the URL may carry one in its query.
        f.debug_struct("Config")
            .field("api_url", &display_url(&self.api_url))
            .field(
                "fallback_api_url",
                &self.fallback_api_url.as_ref().map(display_url),
            )
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
            .field("exempt_role", &self.exempt_role)
            .field("phone_number_attribute", &self.phone_number_attribute)
            .field("unique_numbers", &self.unique_numbers)
            .field("gateway_type", &self.gateway_type)
            .field("gateway", &self.gateway)
            .field("code_length", &self.code_length)
            .field("ttl_seconds", &self.ttl_seconds)
            .field("max_attempts", &self.max_attempts)
            .field("resend_cooldown_seconds", &self.resend_cooldown_seconds)
            .field("max_sends_per_login", &self.max_sends_per_login)
            .field("max_sends_per_hour", &self.max_sends_per_hour)
            .field("priority", &self.priority)
            .field("modem_no", &self.modem_no)
            .field("origin_bound_line", &self.origin_bound_line)
            .field("connect_timeout_ms", &self.connect_timeout_ms)
            .field("request_timeout_ms", &self.request_timeout_ms)
            .field("tls_ca_file", &self.tls_ca_file)
            .field("tls_pins", &self.tls_pins.len())
            .field("tls_skip_verify", &self.tls_skip_verify)
            .field("phone_policy", &self.phone_policy)
            .field("simulation", &self.simulation)
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
        let number = |key: &str, default: u64, range: &RangeInclusive<u64>| {
            parse_number(key, value(key), default, range)
        };
        let flag = |key: &str| parse_bool(key, value(key), false);

        let api_url_text = value(keys::API_URL).to_owned();
        let api_url = parse_api_url(keys::API_URL, &api_url_text)?;
        let url_encode = flag(keys::URL_ENCODE)?;
        let force_second_factor = flag(keys::FORCE_SECOND_FACTOR)?;
        let unique_numbers = parse_bool(keys::UNIQUE_NUMBERS, value(keys::UNIQUE_NUMBERS), true)?;
        let gateway_type = parse_gateway_type(value(keys::GATEWAY_TYPE))?;

        // Each range fits the target type, so the casts cannot truncate.
        let code_length = number(
            keys::LENGTH,
            DEFAULT_CODE_LENGTH as u64,
            &(MIN_CODE_LENGTH as u64..=MAX_CODE_LENGTH as u64),
        )? as usize;
        let ttl_seconds = number(
            keys::TTL,
            u64::from(DEFAULT_TTL_SECONDS),
            &TTL_SECONDS_RANGE,
        )? as u32;
        let max_attempts = number(
            keys::MAX_ATTEMPTS,
            u64::from(DEFAULT_MAX_ATTEMPTS),
            &MAX_ATTEMPTS_RANGE,
        )? as u32;
        let resend_cooldown_seconds = number(
            keys::RESEND_COOLDOWN_SECONDS,
            u64::from(DEFAULT_RESEND_COOLDOWN_SECONDS),
            &RESEND_COOLDOWN_SECONDS_RANGE,
        )? as u32;
        let max_sends_per_login = number(
            keys::MAX_SENDS_PER_LOGIN,
            u64::from(DEFAULT_MAX_SENDS_PER_LOGIN),
            &MAX_SENDS_PER_LOGIN_RANGE,
        )? as u32;
        let max_sends_per_hour = number(
            keys::MAX_SENDS_PER_HOUR,
            u64::from(DEFAULT_MAX_SENDS_PER_HOUR),
            &MAX_SENDS_PER_HOUR_RANGE,
        )? as u32;
        let priority = number(keys::PRIORITY, u64::from(DEFAULT_PRIORITY), &PRIORITY_RANGE)? as u8;
        let modem_no = match value(keys::MODEM_NO) {
            "" => None,
            text => Some(parse_number(keys::MODEM_NO, text, 0, &MODEM_NO_RANGE)? as u8),
        };
        let origin_bound_line = flag(keys::ORIGIN_BOUND_LINE)?;
        let simulation = flag(keys::SIMULATION)?;

        let connect_timeout_ms = number(
            keys::CONNECT_TIMEOUT_MS,
            DEFAULT_CONNECT_TIMEOUT_MS,
            &CONNECT_TIMEOUT_MS_RANGE,
        )?;
        let request_timeout_ms = number(
            keys::REQUEST_TIMEOUT_MS,
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
        let tls_pins = parse_pins(value(keys::TLS_PIN_SHA256))?;
        let tls_skip_verify = flag(keys::TLS_SKIP_VERIFY)?;
        if tls_skip_verify && !tls_pins.is_empty() {
            return Err(Error::invalid_config(
                keys::TLS_SKIP_VERIFY,
                "cannot be true while tlsPinSha256 is set, because a pinned certificate is \
                 already checked without the CA and host name; set tlsSkipVerify to false",
            ));
        }

        let default_region = match value(keys::DEFAULT_REGION) {
            "" => phone::region_for_calling_code(
                keys::LEGACY_COUNTRY_CODE,
                value(keys::LEGACY_COUNTRY_CODE),
            )?,
            region => region.to_owned(),
        };
        let allowed_countries = match value(keys::ALLOWED_COUNTRIES) {
            "" => value(keys::LEGACY_COUNTRY_CODE_LIST),
            allowed => allowed,
        };
        let phone_policy = PhonePolicy::parse(&default_region, allowed_countries)?;

        let gateway = resolve_gateway(gateway_type, &api_url, &api_url_text)?;
        let fallback_api_url = match value(keys::FALLBACK_API_URL) {
            "" => None,
            text => Some(parse_fallback_url(text, gateway)?),
        };
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
            fallback_api_url,
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
            exempt_role: value(keys::EXEMPT_ROLE).to_owned(),
            phone_number_attribute: value(keys::PHONE_NUMBER_ATTRIBUTE).to_owned(),
            unique_numbers,
            gateway_type,
            gateway,
            code_length,
            ttl_seconds,
            max_attempts,
            resend_cooldown_seconds,
            max_sends_per_login,
            max_sends_per_hour,
            priority,
            modem_no,
            origin_bound_line,
            connect_timeout_ms,
            request_timeout_ms,
            tls_ca_file,
            tls_pins,
            tls_skip_verify,
            phone_policy,
            simulation,
        })
    }

    /// Returns the check for the gateway's certificate. A pin or skipped verification replaces
    /// the trust store, so `tlsCaFile` then has no effect.
    pub fn tls_trust(&self) -> TlsTrust {
        if self.tls_skip_verify {
            TlsTrust::SkipVerify
        } else if !self.tls_pins.is_empty() {
            TlsTrust::Pinned(self.tls_pins.clone())
        } else {
            TlsTrust::Roots {
                ca_file: self.tls_ca_file.clone(),
            }
        }
    }

    /// Returns warnings for the administrator about settings that work but weaken security or
    /// have no effect, each starting with the config key.
    pub fn warnings(&self) -> Vec<String> {
        let mut warnings = Vec::new();
        if self.tls_skip_verify {
            warnings.push(format!(
                "{}: TLS certificate verification is off, so the SMS gateway's identity is not \
                 checked and anyone on the network path can pose as the gateway, read the \
                 one-time codes and see the phone numbers. Set tlsCaFile to the CA that signed \
                 the gateway's certificate, or tlsPinSha256 to the certificate's SHA-256 \
                 fingerprint, and set tlsSkipVerify to false.",
                keys::TLS_SKIP_VERIFY
            ));
        }
        let trust_replaced = self.tls_skip_verify || !self.tls_pins.is_empty();
        if trust_replaced && self.tls_ca_file.is_some() {
            let replacing_key = if self.tls_skip_verify {
                keys::TLS_SKIP_VERIFY
            } else {
                keys::TLS_PIN_SHA256
            };
            warnings.push(format!(
                "{}: the CA file is not used because {replacing_key} is set.",
                keys::TLS_CA_FILE
            ));
        }
        warnings
    }

    /// Returns every config key with its effective value, defaults filled in.
    pub fn to_normalized_map(&self) -> BTreeMap<String, String> {
        let optional_path = |path: &Option<PathBuf>| {
            path.as_ref()
                .map(|path| path.display().to_string())
                .unwrap_or_default()
        };
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
            (keys::EXEMPT_ROLE, self.exempt_role.clone()),
            (
                keys::PHONE_NUMBER_ATTRIBUTE,
                self.phone_number_attribute.clone(),
            ),
            (keys::UNIQUE_NUMBERS, self.unique_numbers.to_string()),
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
            (keys::TLS_CA_FILE, optional_path(&self.tls_ca_file)),
            (
                keys::RESEND_COOLDOWN_SECONDS,
                self.resend_cooldown_seconds.to_string(),
            ),
            (
                keys::MAX_SENDS_PER_LOGIN,
                self.max_sends_per_login.to_string(),
            ),
            (
                keys::MAX_SENDS_PER_HOUR,
                self.max_sends_per_hour.to_string(),
            ),
            (keys::PRIORITY, self.priority.to_string()),
            (
                keys::MODEM_NO,
                self.modem_no.map(|n| n.to_string()).unwrap_or_default(),
            ),
            (keys::ORIGIN_BOUND_LINE, self.origin_bound_line.to_string()),
            (
                keys::FALLBACK_API_URL,
                self.fallback_api_url
                    .as_ref()
                    .map(|url| url.to_string())
                    .unwrap_or_default(),
            ),
            (keys::TLS_PIN_SHA256, pins_text(&self.tls_pins)),
            (keys::TLS_SKIP_VERIFY, self.tls_skip_verify.to_string()),
            (
                keys::DEFAULT_REGION,
                self.phone_policy.default_region_text(),
            ),
            (
                keys::ALLOWED_COUNTRIES,
                self.phone_policy.allowed_countries_text(),
            ),
            (keys::SIMULATION, self.simulation.to_string()),
        ];
        entries
            .into_iter()
            .map(|(key, value)| (key.to_owned(), value))
            .collect()
    }
}

/// Parses `fallbackApiUrl`, which must suit the same gateway client as `apiurl`, because the
/// same request goes to both devices.
fn parse_fallback_url(text: &str, gateway: GatewayKind) -> Result<Url> {
    let url = parse_api_url(keys::FALLBACK_API_URL, text)?;
    if gateway == GatewayKind::SmsEagle && smseagle_path(&url).is_none() {
        return Err(Error::invalid_config(
            keys::FALLBACK_API_URL,
            format!(
                "{} is not an SMSEagle API v2 URL, but apiurl is one; enter the second device's \
                 URL such as {EXAMPLE_SEND_URL}",
                quote_input(text)
            ),
        ));
    }
    Ok(url)
}

/// Formats pins as lower-case hex without colons, separated by commas.
fn pins_text(pins: &[CertificatePin]) -> String {
    pins.iter()
        .map(|pin| pin.iter().map(|b| format!("{b:02x}")).collect::<String>())
        .collect::<Vec<_>>()
        .join(",")
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
    fn netzbegruenung_country_keys_fill_the_phone_settings() {
        let config = Config::from_map(&map(&[
            ("apiurl", SMSEAGLE_URL),
            ("apitoken", "t"),
            ("countrycode", "+49"),
            ("countryCodeList", "DE, AT"),
        ]))
        .unwrap();
        let normalized = config.to_normalized_map();
        assert_eq!(normalized["defaultRegion"], "DE");
        assert_eq!(normalized["allowedCountries"], "DE,AT");

        let own_keys_win = Config::from_map(&map(&[
            ("apiurl", SMSEAGLE_URL),
            ("apitoken", "t"),
            ("defaultRegion", "PL"),
            ("allowedCountries", "PL"),
            ("countrycode", "+49"),
            ("countryCodeList", "DE"),
        ]))
        .unwrap()
        .to_normalized_map();
        assert_eq!(own_keys_win["defaultRegion"], "PL");
        assert_eq!(own_keys_win["allowedCountries"], "PL");

        let (field, _) = field_error(&[
            ("apiurl", SMSEAGLE_URL),
            ("apitoken", "t"),
            ("countrycode", "Germany"),
        ]);
        assert_eq!(field, "countrycode");
    }

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
        assert_eq!(normalized.len(), 31);
        assert_eq!(normalized["apiurl"], "https://sms.example/send");
        assert_eq!(normalized["urlencode"], "true");
        assert_eq!(normalized["length"], "8");
        assert_eq!(normalized["gatewayType"], "generic");
        assert_eq!(normalized["messageattribute"], "text");
        assert_eq!(normalized["tlsCaFile"], "");
        assert_eq!(normalized["forceSecondFactor"], "false");
        assert_eq!(normalized["whitelist"], "");
        assert_eq!(normalized["mobileNumberAttribute"], "");
        assert_eq!(normalized["enforcePhoneNumberUniqueness"], "true");

        let (field, _) = field_error(&[
            ("apiurl", "https://sms.example/send"),
            ("enforcePhoneNumberUniqueness", "sometimes"),
        ]);
        assert_eq!(field, "enforcePhoneNumberUniqueness");
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

    const PIN_HEX: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    fn generic(entries: &[(&str, &str)]) -> Config {
        let mut all = vec![("apiurl", "https://sms.example/send")];
        all.extend_from_slice(entries);
        Config::from_map(&map(&all)).unwrap()
    }

    fn generic_error(entries: &[(&str, &str)]) -> (String, String) {
        let mut all = vec![("apiurl", "https://sms.example/send")];
        all.extend_from_slice(entries);
        field_error(&all)
    }

    #[test]
    fn new_keys_have_defaults() {
        let config = generic(&[]);
        assert_eq!(config.resend_cooldown_seconds, 30);
        assert_eq!(config.max_sends_per_login, 3);
        assert_eq!(config.max_sends_per_hour, 10);
        assert_eq!(config.priority, 9);
        assert_eq!(config.modem_no, None);
        assert!(!config.origin_bound_line);
        assert_eq!(config.fallback_api_url, None);
        assert!(config.tls_pins.is_empty());
        assert!(!config.tls_skip_verify);
        assert_eq!(config.phone_policy, PhonePolicy::default());
        assert!(!config.simulation);
        assert_eq!(config.tls_trust(), TlsTrust::Roots { ca_file: None });

        let normalized = config.to_normalized_map();
        let expected = [
            ("resendCooldownSeconds", "30"),
            ("maxSendsPerLogin", "3"),
            ("maxSendsPerHour", "10"),
            ("priority", "9"),
            ("modemNo", ""),
            ("originBoundLine", "false"),
            ("fallbackApiUrl", ""),
            ("tlsPinSha256", ""),
            ("tlsSkipVerify", "false"),
            ("defaultRegion", ""),
            ("allowedCountries", ""),
            ("simulation", "false"),
        ];
        for (key, value) in expected {
            assert_eq!(normalized[key], value, "key {key}");
        }
    }

    #[test]
    fn new_keys_are_parsed_and_normalized() {
        let config = generic(&[
            ("resendCooldownSeconds", "0"),
            ("maxSendsPerLogin", "10"),
            ("maxSendsPerHour", "100"),
            ("priority", "0"),
            ("modemNo", "8"),
            ("originBoundLine", "TRUE"),
            ("fallbackApiUrl", " https://sms2.example/send "),
            ("defaultRegion", "pl"),
            ("allowedCountries", "pl, de"),
            ("simulation", "true"),
        ]);
        assert_eq!(config.resend_cooldown_seconds, 0);
        assert_eq!(config.max_sends_per_login, 10);
        assert_eq!(config.max_sends_per_hour, 100);
        assert_eq!(config.priority, 0);
        assert_eq!(config.modem_no, Some(8));
        assert!(config.origin_bound_line);
        assert!(config.simulation);

        let normalized = config.to_normalized_map();
        assert_eq!(normalized["fallbackApiUrl"], "https://sms2.example/send");
        assert_eq!(normalized["defaultRegion"], "PL");
        assert_eq!(normalized["allowedCountries"], "PL,DE");
        assert_eq!(normalized["modemNo"], "8");
        assert_eq!(normalized["originBoundLine"], "true");
    }

    #[test]
    fn new_number_keys_name_field_and_range() {
        let cases = [
            ("resendCooldownSeconds", "601", "from 0 to 600"),
            ("maxSendsPerLogin", "0", "from 1 to 10"),
            ("maxSendsPerLogin", "11", "from 1 to 10"),
            ("maxSendsPerHour", "101", "from 1 to 100"),
            ("priority", "10", "from 0 to 9"),
            ("modemNo", "0", "from 1 to 8"),
            ("modemNo", "9", "from 1 to 8"),
            ("modemNo", "first", "from 1 to 8"),
        ];
        for (key, value, range) in cases {
            let (field, message) = generic_error(&[(key, value)]);
            assert_eq!(field, key);
            assert!(message.contains(range), "{key}={value}: {message}");
        }
        for key in ["originBoundLine", "tlsSkipVerify", "simulation"] {
            let (field, _) = generic_error(&[(key, "on")]);
            assert_eq!(field, key);
        }
    }

    #[test]
    fn pin_accepts_hex_with_or_without_colons() {
        let colons = PIN_HEX
            .as_bytes()
            .chunks(2)
            .map(|pair| std::str::from_utf8(pair).unwrap().to_ascii_uppercase())
            .collect::<Vec<_>>()
            .join(":");
        for text in [PIN_HEX.to_owned(), colons] {
            let config = generic(&[("tlsPinSha256", &text)]);
            assert_eq!(config.tls_pins.len(), 1);
            assert_eq!(config.tls_pins[0][0], 0x01);
            assert_eq!(config.tls_pins[0][31], 0xef);
            assert_eq!(config.to_normalized_map()["tlsPinSha256"], PIN_HEX);
            assert_eq!(
                config.tls_trust(),
                TlsTrust::Pinned(config.tls_pins.clone())
            );
        }
        let two = generic(&[("tlsPinSha256", &format!("{PIN_HEX}, {}", "ab".repeat(32)))]);
        assert_eq!(two.tls_pins.len(), 2);
    }

    #[test]
    fn pin_errors_name_the_field() {
        for (text, expected) in [
            ("abcd", "has 4 hex digits instead of 64"),
            (&"g".repeat(64), "not a hex digit"),
            (&format!("{PIN_HEX}00"), "has 66 hex digits"),
        ] {
            let (field, message) = generic_error(&[("tlsPinSha256", text)]);
            assert_eq!(field, "tlsPinSha256");
            assert!(message.contains(expected), "{message}");
        }
    }

    #[test]
    fn pin_and_skip_verify_are_exclusive() {
        let (field, message) =
            generic_error(&[("tlsPinSha256", PIN_HEX), ("tlsSkipVerify", "true")]);
        assert_eq!(field, "tlsSkipVerify");
        assert!(message.contains("tlsPinSha256"), "{message}");
    }

    #[test]
    fn skip_verify_warns_in_admin_words() {
        let config = generic(&[("tlsSkipVerify", "true")]);
        assert_eq!(config.tls_trust(), TlsTrust::SkipVerify);
        let warnings = config.warnings();
        assert_eq!(warnings.len(), 1);
        let warning = &warnings[0];
        assert!(warning.starts_with("tlsSkipVerify: "), "{warning}");
        assert!(warning.contains("verification is off"), "{warning}");
        assert!(warning.contains("tlsCaFile"), "{warning}");
        assert!(warning.contains("tlsPinSha256"), "{warning}");
        assert!(generic(&[]).warnings().is_empty());
    }

    #[test]
    fn unused_ca_file_is_a_warning() {
        let ca_file = std::env::temp_dir().join("sms2fa-config-test-ca.pem");
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = rcgen::CertificateParams::new(vec!["ca.test".to_owned()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        std::fs::write(&ca_file, cert.pem()).unwrap();
        let ca_path = ca_file.to_str().unwrap();

        let config = generic(&[("tlsCaFile", ca_path), ("tlsPinSha256", PIN_HEX)]);
        let warnings = config.warnings();
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].starts_with("tlsCaFile: "), "{warnings:?}");
        assert!(warnings[0].contains("tlsPinSha256"), "{warnings:?}");

        let roots = generic(&[("tlsCaFile", ca_path)]);
        assert!(roots.warnings().is_empty());
        assert_eq!(
            roots.tls_trust(),
            TlsTrust::Roots {
                ca_file: Some(ca_file.clone())
            }
        );
    }

    #[test]
    fn fallback_url_is_validated() {
        let (field, _) = generic_error(&[("fallbackApiUrl", "ftp://sms2.example")]);
        assert_eq!(field, "fallbackApiUrl");

        let (field, message) = field_error(&[
            ("apiurl", SMSEAGLE_URL),
            ("apitoken", "t"),
            ("fallbackApiUrl", "https://gw2.example/send"),
        ]);
        assert_eq!(field, "fallbackApiUrl");
        assert!(message.contains("not an SMSEagle API v2 URL"), "{message}");

        let config = Config::from_map(&map(&[
            ("apiurl", SMSEAGLE_URL),
            ("apitoken", "t"),
            ("fallbackApiUrl", "https://gw2.example/index.php/api/v2"),
        ]))
        .unwrap();
        assert_eq!(
            config.fallback_api_url.unwrap().as_str(),
            "https://gw2.example/index.php/api/v2"
        );
    }

    #[test]
    fn region_keys_are_validated() {
        let (field, _) = generic_error(&[("defaultRegion", "Germany")]);
        assert_eq!(field, "defaultRegion");
        let (field, _) = generic_error(&[("allowedCountries", "DE,XX")]);
        assert_eq!(field, "allowedCountries");
    }
}
