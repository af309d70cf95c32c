//! Certificate pinning, skipped verification and the second device, through the real HTTP
//! client against the SMSEagle stand-in over HTTPS.

mod common;

use std::collections::BTreeMap;

use common::{
    AfterRequest, BrokenTlsServer, FixedResponseServer, StandIn, TOKEN, closed_port, config,
    smseagle_config,
};
use sms2fa::gateway::{OutgoingSms, SendReceipt, send_sms};
use sms2fa::{Config, Error};

const PHONE: &str = "+48500100200";
const TEXT: &str = "Your code is 123456";
const SEND_PATH: &str = "/api/v2/messages/sms_single";

fn send(settings: &BTreeMap<String, String>) -> sms2fa::Result<SendReceipt> {
    let config = Config::from_map(settings)?;
    send_sms(
        &config,
        OutgoingSms {
            to: PHONE,
            text: TEXT,
        },
    )
}

/// Config for the stand-in's send URL with no CA file, so only a pin or skipped verification
/// can make the connection work.
fn without_ca(standin: &StandIn, extra: &[(&str, &str)]) -> BTreeMap<String, String> {
    let url = format!("{}{SEND_PATH}", standin.https_base);
    let mut entries = vec![("apiurl", url.as_str()), ("apitoken", TOKEN)];
    entries.extend_from_slice(extra);
    config(&entries)
}

fn colon_hex(hex: &str) -> String {
    hex.as_bytes()
        .chunks(2)
        .map(|pair| std::str::from_utf8(pair).unwrap().to_ascii_uppercase())
        .collect::<Vec<_>>()
        .join(":")
}

#[test]
fn matching_pin_is_accepted() {
    let standin = StandIn::start();
    let pin = colon_hex(&standin.server_sha256);
    let receipt = send(&without_ca(&standin, &[("tlsPinSha256", &pin)])).unwrap();
    assert_eq!(receipt.device_url, standin.https_base);
    assert_eq!(standin.messages().len(), 1);
}

#[test]
fn pin_ignores_certificate_names() {
    // The certificate names another host, so CA-based verification of 127.0.0.1 would fail.
    let standin = StandIn::start_for_names(&["sms-gateway.invalid"]);
    let mut with_ca = without_ca(&standin, &[]);
    with_ca.insert(
        "tlsCaFile".to_owned(),
        standin.ca_file.to_str().unwrap().to_owned(),
    );
    let error = send(&with_ca).unwrap_err();
    assert!(matches!(error, Error::GatewayConfig(_)), "{error:?}");

    let pinned = without_ca(&standin, &[("tlsPinSha256", &standin.server_sha256)]);
    send(&pinned).unwrap();
    assert_eq!(standin.messages().len(), 1);
}

#[test]
fn wrong_pin_is_rejected() {
    let standin = StandIn::start();
    let wrong_pin = "ab".repeat(32);
    let error = send(&without_ca(&standin, &[("tlsPinSha256", &wrong_pin)])).unwrap_err();
    let message = error.to_string();
    assert!(matches!(error, Error::GatewayConfig(_)), "{error:?}");
    assert!(message.contains("tlsPinSha256"), "{message}");
    assert!(
        message.contains(&colon_hex(&standin.server_sha256)),
        "the message names the presented fingerprint: {message}"
    );
    assert!(standin.messages().is_empty());
}

#[test]
fn pin_replaces_the_ca_file() {
    // A trusted CA does not help a certificate that does not match the pin.
    let standin = StandIn::start();
    let url = format!("{}{SEND_PATH}", standin.https_base);
    let mut settings = smseagle_config(&standin, &url);
    settings.insert("tlsPinSha256".to_owned(), "cd".repeat(32));
    let error = send(&settings).unwrap_err();
    assert!(matches!(error, Error::GatewayConfig(_)), "{error:?}");
}

#[test]
fn skip_verify_accepts_untrusted_certificate() {
    let standin = StandIn::start();
    let untrusted = send(&without_ca(&standin, &[])).unwrap_err();
    assert!(
        matches!(untrusted, Error::GatewayConfig(_)),
        "{untrusted:?}"
    );

    let receipt = send(&without_ca(&standin, &[("tlsSkipVerify", "true")])).unwrap();
    assert_eq!(receipt.device_url, standin.https_base);
    assert_eq!(standin.messages().len(), 1);
}

#[test]
fn refused_first_device_falls_back() {
    let standin = StandIn::start();
    let first = format!("https://127.0.0.1:{}{SEND_PATH}", closed_port());
    let second = format!("{}{SEND_PATH}", standin.https_base);
    let mut settings = smseagle_config(&standin, &first);
    settings.insert("fallbackApiUrl".to_owned(), second);

    let receipt = send(&settings).unwrap();
    assert_eq!(receipt.device_url, standin.https_base);
    let messages = standin.messages();
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert_eq!(messages[0]["text"], TEXT);
}

#[test]
fn tls_failure_on_first_device_falls_back() {
    // The first device's certificate comes from a CA that the config does not trust.
    let untrusted = StandIn::start();
    let trusted = StandIn::start();
    let first = format!("{}{SEND_PATH}", untrusted.https_base);
    let second = format!("{}{SEND_PATH}", trusted.https_base);
    let mut settings = smseagle_config(&trusted, &first);
    settings.insert("fallbackApiUrl".to_owned(), second);

    let receipt = send(&settings).unwrap();
    assert_eq!(receipt.device_url, trusted.https_base);
    assert!(untrusted.messages().is_empty());
    assert_eq!(trusted.messages().len(), 1);
}

#[test]
fn wrong_pin_on_first_device_falls_back() {
    // Only the second device's certificate is pinned, so the first handshake fails.
    let first_device = StandIn::start();
    let second_device = StandIn::start();
    let settings = config(&[
        ("apiurl", &format!("{}{SEND_PATH}", first_device.https_base)),
        ("apitoken", TOKEN),
        ("tlsPinSha256", &second_device.server_sha256),
        (
            "fallbackApiUrl",
            &format!("{}{SEND_PATH}", second_device.https_base),
        ),
    ]);

    let receipt = send(&settings).unwrap();
    assert_eq!(receipt.device_url, second_device.https_base);
    assert!(first_device.messages().is_empty());
    assert_eq!(second_device.messages().len(), 1);
}

/// Sends through a first device that completes the TLS handshake and reads the request, then
/// fails in the way `after_request` selects. The working second device's certificate is pinned
/// too. Returns the error and the number of requests each device received.
fn send_via_broken_first_device(after_request: AfterRequest) -> (Error, usize, usize) {
    let broken = BrokenTlsServer::start(after_request);
    let standin = StandIn::start();
    let pins = format!("{},{}", broken.server_sha256, standin.server_sha256);
    let settings = config(&[
        ("apiurl", &format!("{}{SEND_PATH}", broken.base)),
        ("apitoken", TOKEN),
        ("tlsPinSha256", &pins),
        (
            "fallbackApiUrl",
            &format!("{}{SEND_PATH}", standin.https_base),
        ),
    ]);

    let error = send(&settings).unwrap_err();
    (error, broken.received().len(), standin.messages().len())
}

#[test]
fn garbage_after_handshake_does_not_fall_back() {
    let (error, first_requests, second_messages) =
        send_via_broken_first_device(AfterRequest::WriteGarbage);
    let message = error.to_string();
    assert!(matches!(error, Error::GatewayUnavailable(_)), "{error:?}");
    assert!(!message.contains("second device"), "{message}");
    assert_eq!(first_requests, 1, "the first device got the request");
    assert_eq!(second_messages, 0, "the second device got a duplicate");
}

#[test]
fn close_after_handshake_does_not_fall_back() {
    let (error, first_requests, second_messages) =
        send_via_broken_first_device(AfterRequest::Close);
    let message = error.to_string();
    assert!(matches!(error, Error::GatewayUnavailable(_)), "{error:?}");
    assert!(!message.contains("second device"), "{message}");
    assert_eq!(first_requests, 1, "the first device got the request");
    assert_eq!(second_messages, 0, "the second device got a duplicate");
}

#[test]
fn server_error_does_not_fall_back() {
    let failing = FixedResponseServer::start(
        "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n",
    );
    let standin = StandIn::start();
    let first = format!("{}{SEND_PATH}", failing.base);
    let second = format!("{}{SEND_PATH}", standin.https_base);
    let mut settings = smseagle_config(&standin, &first);
    settings.insert("fallbackApiUrl".to_owned(), second);

    let error = send(&settings).unwrap_err();
    assert!(matches!(error, Error::GatewayUnavailable(_)), "{error:?}");
    assert!(error.to_string().contains("500"), "{error}");
    assert_eq!(failing.received().len(), 1);
    assert!(
        standin.messages().is_empty(),
        "the second device got a duplicate"
    );
}

#[test]
fn http_rejection_does_not_fall_back() {
    let rejecting = FixedResponseServer::start(
        "HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: 30\r\n\r\n{\"message\":\"Invalid API key.\"}",
    );
    let standin = StandIn::start();
    let first = format!("{}{SEND_PATH}", rejecting.base);
    let mut settings = smseagle_config(&standin, &first);
    settings.insert(
        "fallbackApiUrl".to_owned(),
        format!("{}{SEND_PATH}", standin.https_base),
    );

    let error = send(&settings).unwrap_err();
    assert!(matches!(error, Error::GatewayConfig(_)), "{error:?}");
    assert!(standin.messages().is_empty());
}

#[test]
fn timeout_does_not_fall_back() {
    let hanging = StandIn::start();
    hanging.set_fault("hang");
    let standin = StandIn::start();
    let first = format!("{}{SEND_PATH}", hanging.https_base);
    let mut settings = smseagle_config(&hanging, &first);
    settings.insert(
        "fallbackApiUrl".to_owned(),
        format!("{}{SEND_PATH}", standin.https_base),
    );
    // The second stand-in has its own CA, so a fallback would fail on TLS; an empty message
    // list proves no request reached it.
    settings.insert("connectTimeoutMs".to_owned(), "500".to_owned());
    settings.insert("requestTimeoutMs".to_owned(), "500".to_owned());

    let error = send(&settings).unwrap_err();
    assert!(matches!(error, Error::GatewayUnavailable(_)), "{error:?}");
    assert!(error.to_string().contains("did not respond"), "{error}");
    assert!(!error.to_string().contains("second device"), "{error}");
    assert!(standin.messages().is_empty());
}

#[test]
fn both_devices_refused_names_both() {
    let first = format!("http://127.0.0.1:{}{SEND_PATH}", closed_port());
    let second = format!("http://127.0.0.1:{}{SEND_PATH}", closed_port());
    let settings = config(&[
        ("apiurl", &first),
        ("apitoken", TOKEN),
        ("fallbackApiUrl", &second),
    ]);
    let error = send(&settings).unwrap_err();
    let message = error.to_string();
    assert!(matches!(error, Error::GatewayUnavailable(_)), "{error:?}");
    assert!(
        message.contains("the second device then failed"),
        "{message}"
    );
    assert_eq!(
        message.matches("refused the connection").count(),
        2,
        "{message}"
    );
}
