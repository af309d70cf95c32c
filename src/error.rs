//! Error types of the core. Each variant maps to one Java exception class in the JNI bridge.

use std::fmt;

use thiserror::Error;

/// Failure of a core operation.
///
/// Messages are written for a Keycloak administrator, except those of [`Error::InvalidPhoneNumber`]
/// and [`Error::SendNotAllowed`], which are written for the user who signs in. No message contains
/// a one-time code, an API token, the SMS text or a full phone number.
#[derive(Debug, Error)]
pub enum Error {
    /// A configuration value is missing or invalid. `field` is the config key.
    #[error("{field}: {message}")]
    InvalidConfig { field: String, message: String },

    /// The phone number was rejected: it is not a valid number, is of a type that cannot receive
    /// codes, or belongs to a country outside the allow-list.
    #[error("{message}")]
    InvalidPhoneNumber {
        message: String,
        reason: PhoneRejection,
    },

    /// The challenge state is malformed, has an unknown version or fails its integrity check.
    #[error("{0}")]
    InvalidChallenge(String),

    /// The previous challenge state does not allow another SMS now.
    #[error("{message}")]
    SendNotAllowed {
        message: String,
        /// Whole seconds until a send is allowed, rounded up; 0 when the login has no sends left.
        retry_after_seconds: u64,
        reason: SendBlock,
    },

    /// The HMAC key handed in by the caller is shorter than the required minimum.
    #[error("the HMAC key has {actual} bytes but at least {minimum} are required")]
    KeyTooShort { actual: usize, minimum: usize },

    /// An argument from the caller breaks the native method's contract (a bug in the caller).
    #[error("{0}")]
    InvalidArgument(String),

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

/// Reason for rejecting a phone number, passed to Java as the exception's reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhoneRejection {
    /// Not a valid phone number.
    Invalid,
    /// A valid number of a type that cannot receive codes: premium rate, shared cost or unknown.
    Type,
    /// A valid number of a country outside `allowedCountries`.
    Country,
}

impl PhoneRejection {
    pub fn as_str(self) -> &'static str {
        match self {
            PhoneRejection::Invalid => "invalid",
            PhoneRejection::Type => "type",
            PhoneRejection::Country => "country",
        }
    }
}

impl fmt::Display for PhoneRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Rule that blocks another SMS for the current login, passed to Java as the exception's reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendBlock {
    /// The resend cooldown has not passed yet.
    Cooldown,
    /// The login has used all its sends (`maxSendsPerLogin`).
    Limit,
}

impl SendBlock {
    pub fn as_str(self) -> &'static str {
        match self {
            SendBlock::Cooldown => "cooldown",
            SendBlock::Limit => "limit",
        }
    }
}

impl fmt::Display for SendBlock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Error {
    /// Builds an [`Error::InvalidConfig`] for `field`.
    pub fn invalid_config(field: &str, message: impl Into<String>) -> Self {
        Error::InvalidConfig {
            field: field.to_owned(),
            message: message.into(),
        }
    }

    /// Builds an [`Error::InvalidPhoneNumber`].
    pub fn invalid_phone(reason: PhoneRejection, message: impl Into<String>) -> Self {
        Error::InvalidPhoneNumber {
            message: message.into(),
            reason,
        }
    }
}

/// Result type of the core.
pub type Result<T> = std::result::Result<T, Error>;
