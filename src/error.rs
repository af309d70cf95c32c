//! Error types of the core. Each variant maps to one Java exception class in the JNI bridge.

use thiserror::Error;

/// Failure of a core operation.
///
/// Messages are written for a Keycloak administrator. They never contain a one-time code, an API
/// token, the SMS text or a full phone number.
#[derive(Debug, Error)]
pub enum Error {
    /// A configuration value is missing or invalid. `field` is the config key.
    #[error("{field}: {message}")]
    InvalidConfig { field: String, message: String },

    /// The phone number cannot be normalised to E.164.
    #[error("{0}")]
    InvalidPhoneNumber(String),

    /// The challenge state is malformed, has an unknown version or fails its integrity check.
    #[error("{0}")]
    InvalidChallenge(String),

    /// The HMAC key handed in by the caller is shorter than the required minimum.
    #[error("the HMAC key has {actual} bytes but at least {minimum} are required")]
    KeyTooShort { actual: usize, minimum: usize },

    /// The operating system's random number generator failed.
    #[error("the operating system's random number generator failed: {0}")]
    RandomUnavailable(String),

    /// The gateway reports that the request or the credentials are wrong, or the connection
    /// settings cannot work (redirect, untrusted TLS certificate). Retrying will not help.
    #[error("{0}")]
    GatewayConfig(String),

    /// The gateway responded but did not queue the SMS.
    #[error("{0}")]
    GatewayRejected(String),

    /// The gateway could not be reached or failed on its side. A later retry may work.
    #[error("{0}")]
    GatewayUnavailable(String),
}

impl Error {
    /// Builds an [`Error::InvalidConfig`] for `field`.
    pub fn invalid_config(field: &str, message: impl Into<String>) -> Self {
        Error::InvalidConfig {
            field: field.to_owned(),
            message: message.into(),
        }
    }
}

/// Result type of the core.
pub type Result<T> = std::result::Result<T, Error>;
