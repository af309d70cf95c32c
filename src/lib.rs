//! Core of a Keycloak SMS second factor: one-time codes, the opaque challenge state with its
//! resend and attempt rules, phone numbers, SMS texts and the SMSEagle and generic HTTP gateways,
//! plus the JNI bridge that the Keycloak provider calls.
//!
//! # Threat model
//!
//! The challenge state lives in a Keycloak authentication session and contains an HMAC of the code,
//! never the code, so reading the session store does not reveal a usable code. The state carries
//! its own MAC, so its attempt counter, send schedule and expiry cannot be reset without the
//! realm key. Codes come from the operating system's random generator. Error messages never
//! contain a code, an API token, the SMS text or a full phone number.

#![cfg_attr(not(test), deny(clippy::unwrap_used))]

pub mod challenge;
pub mod code;
pub mod config;
pub mod error;
pub mod gateway;
pub mod phone;
pub mod service;
pub mod text;

mod jni;

pub use challenge::{ChallengeDescription, ChallengeSummary, HmacKey, Outcome};
pub use config::Config;
pub use error::{Error, PhoneRejection, Result, SendBlock};
pub use gateway::check::GatewayReport;
pub use phone::mask_phone;
pub use service::{
    SentCode, ValidatedConfig, VerifiedCode, build_info, check_gateway, describe_challenge,
    library_version, normalize_phone, send_code, validate_config, verify_code,
};
