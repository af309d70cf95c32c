//! The administrator's gateway check against the SMSEagle stand-in over HTTPS with a test CA,
//! and against small local servers for the generic gateway.

mod common;

use std::collections::BTreeMap;

use common::{
    FixedResponseServer, SMS_ONLY_TOKEN, StandIn, TOKEN, closed_port, config, smseagle_config,
};
use serde_json::json;
use sms2fa::Config;
use sms2fa::gateway::check::{
    CHECK_SMS_TEXT, Check, CheckName, CheckRequest, CheckStatus, GatewayReport, Problem,
    check_gateway,
};

const PHONE: &str = "+48500100200";
const MASKED_PHONE: &str = "+48******200";
const SEND_PATH: &str = "/api/v2/messages/sms_single";
/// The fixed responses close the connection, because [`FixedResponseServer`] closes it after
/// each response and a client that reused it could lose the next request.
const CLOSING_OK: &str = "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";

fn run(settings: &BTreeMap<String, String>, phone: Option<&str>, send: bool) -> GatewayReport {
    let config = Config::from_map(settings).unwrap();
    check_gateway(&config, CheckRequest { phone, send })
}

/// Returns the check named `name`, failing when the report has none or several.
fn check(report: &GatewayReport, name: CheckName) -> Check {
    let found: Vec<&Check> = report
        .checks
        .iter()
        .filter(|check| check.name == name)
        .collect();
    assert_eq!(found.len(), 1, "{name:?} in {report:#?}");
    found[0].clone()
}

fn names(report: &GatewayReport) -> Vec<CheckName> {
    report.checks.iter().map(|check| check.name).collect()
}

fn send_url(standin: &StandIn) -> String {
    format!("{}{SEND_PATH}", standin.https_base)
}

fn with(
    mut settings: BTreeMap<String, String>,
    key: &str,
    value: &str,
) -> BTreeMap<String, String> {
    settings.insert(key.to_owned(), value.to_owned());
    settings
}

#[test]
fn smseagle_ok_without_phone() {
    let standin = StandIn::start();
    let report = run(&smseagle_config(&standin, &send_url(&standin)), None, false);

    assert!(report.ok, "{report:#?}");
    assert_eq!(report.gateway_type, "smseagle");
    assert_eq!(report.device_url, standin.https_base);
    assert_eq!(
        names(&report),
        [
            CheckName::Connection,
            CheckName::Token,
            CheckName::Send,
            CheckName::Modem
        ]
    );
    let connection = check(&report, CheckName::Connection);
    assert_eq!(connection.result, CheckStatus::Ok);
    assert!(connection.message.contains("tlsCaFile"), "{connection:?}");
    let token = check(&report, CheckName::Token);
    assert_eq!(token.result, CheckStatus::Ok);
    assert_eq!(token.http_status, Some(200));
    assert!(token.message.contains("6.31"), "{token:?}");
    let send = check(&report, CheckName::Send);
    assert_eq!(send.result, CheckStatus::Skipped);
    assert!(send.message.contains("phone number"), "{send:?}");
    assert_eq!(check(&report, CheckName::Modem).result, CheckStatus::Ok);
    assert!(standin.messages().is_empty());
}

#[test]
fn validate_only_send_queues_nothing() {
    let standin = StandIn::start();
    let report = run(
        &smseagle_config(&standin, &send_url(&standin)),
        Some(PHONE),
        false,
    );

    assert!(report.ok, "{report:#?}");
    let send = check(&report, CheckName::Send);
    assert_eq!(send.result, CheckStatus::Ok);
    assert_eq!(send.http_status, Some(200));
    assert!(send.message.contains("test mode"), "{send:?}");
    assert!(send.message.contains(MASKED_PHONE), "{send:?}");
    assert_eq!(report.message_id, None);
    assert_eq!(report.masked_phone.as_deref(), Some(MASKED_PHONE));
    assert!(standin.messages().is_empty());
}

#[test]
fn real_send_queues_test_sms() {
    let standin = StandIn::start();
    let report = run(
        &smseagle_config(&standin, &send_url(&standin)),
        Some(PHONE),
        true,
    );

    assert!(report.ok, "{report:#?}");
    let messages = standin.messages();
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert_eq!(messages[0]["text"], json!(CHECK_SMS_TEXT));
    assert_eq!(messages[0]["to"], json!(PHONE));
    assert_eq!(
        report.message_id.as_deref(),
        Some(messages[0]["id"].to_string().as_str())
    );
}

#[test]
fn report_never_contains_token_or_number() {
    let standin = StandIn::start();
    let settings = with(
        smseagle_config(&standin, &send_url(&standin)),
        "apitoken",
        "wrong-secret-token",
    );
    for send in [false, true] {
        let report = run(&settings, Some(PHONE), send);
        let text = serde_json::to_string(&report).unwrap();
        assert!(!text.contains("wrong-secret-token"), "{text}");
        assert!(!text.contains("500100200"), "{text}");
    }
}

#[test]
fn wrong_token_fails_and_skips_rest() {
    let standin = StandIn::start();
    let settings = with(
        smseagle_config(&standin, &send_url(&standin)),
        "apitoken",
        "wrong-token",
    );
    let report = run(&settings, Some(PHONE), true);

    assert!(!report.ok);
    assert_eq!(
        check(&report, CheckName::Connection).result,
        CheckStatus::Ok
    );
    let token = check(&report, CheckName::Token);
    assert_eq!(token.result, CheckStatus::Failed);
    assert_eq!(token.problem, Some(Problem::WrongToken));
    assert_eq!(token.http_status, Some(401));
    assert!(token.message.contains("apitoken"), "{token:?}");
    assert_eq!(check(&report, CheckName::Send).result, CheckStatus::Skipped);
    assert_eq!(
        check(&report, CheckName::Modem).result,
        CheckStatus::Skipped
    );
    assert!(standin.messages().is_empty());
}

#[test]
fn token_without_send_permission() {
    // The token may use /messages/sms only, so the version, sms_single and modem routes get 403.
    let standin = StandIn::start();
    let settings = with(
        smseagle_config(&standin, &send_url(&standin)),
        "apitoken",
        SMS_ONLY_TOKEN,
    );
    let report = run(&settings, Some(PHONE), false);

    assert!(!report.ok);
    let token = check(&report, CheckName::Token);
    assert_eq!(token.result, CheckStatus::Ok, "{token:?}");
    assert_eq!(token.http_status, Some(403));
    let send = check(&report, CheckName::Send);
    assert_eq!(send.result, CheckStatus::Failed);
    assert_eq!(send.problem, Some(Problem::MissingPermission));
    assert_eq!(send.http_status, Some(403));
    assert!(
        send.message.contains("Send SMS (single recipient)"),
        "{send:?}"
    );
    let modem = check(&report, CheckName::Modem);
    assert_eq!(modem.result, CheckStatus::Warning);
    assert_eq!(modem.problem, Some(Problem::MissingPermission));
    assert_eq!(modem.http_status, Some(403));
}

#[test]
fn token_with_permission_of_configured_path() {
    let standin = StandIn::start();
    let url = format!("{}/api/v2/messages/sms", standin.https_base);
    let settings = with(smseagle_config(&standin, &url), "apitoken", SMS_ONLY_TOKEN);
    let report = run(&settings, Some(PHONE), false);

    assert!(report.ok, "{report:#?}");
    assert_eq!(check(&report, CheckName::Send).result, CheckStatus::Ok);
    assert_eq!(
        check(&report, CheckName::Modem).result,
        CheckStatus::Warning
    );
}

#[test]
fn untrusted_certificate() {
    let standin = StandIn::start();
    let settings = config(&[("apiurl", &send_url(&standin)), ("apitoken", TOKEN)]);
    let report = run(&settings, Some(PHONE), false);

    assert!(!report.ok);
    let connection = check(&report, CheckName::Connection);
    assert_eq!(connection.result, CheckStatus::Failed);
    assert_eq!(connection.problem, Some(Problem::TlsUntrusted));
    assert_eq!(connection.http_status, None);
    assert!(connection.message.contains("tlsCaFile"), "{connection:?}");
    for name in [CheckName::Token, CheckName::Send, CheckName::Modem] {
        assert_eq!(
            check(&report, name).result,
            CheckStatus::Skipped,
            "{name:?}"
        );
    }
}

#[test]
fn refused_connection_is_unreachable() {
    let url = format!("https://127.0.0.1:{}{SEND_PATH}", closed_port());
    let report = run(
        &config(&[("apiurl", &url), ("apitoken", TOKEN)]),
        None,
        false,
    );

    assert!(!report.ok);
    let connection = check(&report, CheckName::Connection);
    assert_eq!(connection.problem, Some(Problem::Unreachable));
    assert!(connection.message.contains("apiurl"), "{connection:?}");
}

#[test]
fn disabled_modem_is_modem_down() {
    let standin = StandIn::start();
    standin.set_modem_enabled(false);
    let settings = with(
        smseagle_config(&standin, &send_url(&standin)),
        "modemNo",
        "3",
    );
    let report = run(&settings, None, false);

    assert!(!report.ok);
    let modem = check(&report, CheckName::Modem);
    assert_eq!(modem.result, CheckStatus::Failed);
    assert_eq!(modem.problem, Some(Problem::ModemDown));
    assert!(modem.message.starts_with("Modem 3 "), "{modem:?}");
    assert!(modem.message.contains("modemNo"), "{modem:?}");
}

#[test]
fn hanging_send_times_out() {
    let standin = StandIn::start();
    standin.set_fault("hang");
    let settings = with(
        with(
            smseagle_config(&standin, &send_url(&standin)),
            "requestTimeoutMs",
            "1000",
        ),
        "connectTimeoutMs",
        "500",
    );
    let report = run(&settings, Some(PHONE), false);

    assert!(!report.ok);
    // The fault applies to the send routes only, so the token check got a response.
    assert_eq!(check(&report, CheckName::Token).result, CheckStatus::Ok);
    let send = check(&report, CheckName::Send);
    assert_eq!(send.problem, Some(Problem::Timeout));
    assert!(send.message.contains("requestTimeoutMs"), "{send:?}");
}

#[test]
fn rejected_message() {
    let standin = StandIn::start();
    standin.set_fault("reject");
    let report = run(
        &smseagle_config(&standin, &send_url(&standin)),
        Some(PHONE),
        true,
    );

    assert!(!report.ok);
    let send = check(&report, CheckName::Send);
    assert_eq!(send.problem, Some(Problem::Rejected));
    assert_eq!(report.message_id, None);
}

#[test]
fn simulation_sends_no_sms() {
    let standin = StandIn::start();
    let settings = with(
        smseagle_config(&standin, &send_url(&standin)),
        "simulation",
        "true",
    );
    let report = run(&settings, Some(PHONE), true);

    assert!(report.ok, "{report:#?}");
    let simulation = check(&report, CheckName::Simulation);
    assert_eq!(simulation.result, CheckStatus::Warning);
    assert_eq!(simulation.problem, Some(Problem::Simulation));
    assert!(
        check(&report, CheckName::Send)
            .message
            .contains("test mode")
    );
    assert_eq!(report.message_id, None);
    assert!(standin.messages().is_empty());
}

#[test]
fn generic_gateway_checks_connection() {
    let server = FixedResponseServer::start(CLOSING_OK);
    let settings = config(&[("apiurl", &format!("{}/send", server.base))]);
    let report = run(&settings, Some(PHONE), false);

    assert!(report.ok, "{report:#?}");
    assert_eq!(report.gateway_type, "generic");
    assert_eq!(names(&report), [CheckName::Connection, CheckName::Send]);
    let connection = check(&report, CheckName::Connection);
    assert_eq!(connection.http_status, Some(200));
    assert!(
        connection.message.contains("not encrypted"),
        "{connection:?}"
    );
    assert_eq!(check(&report, CheckName::Send).result, CheckStatus::Skipped);
    assert_eq!(server.received(), ["HEAD /send HTTP/1.1"]);
}

#[test]
fn generic_gateway_sends_on_request() {
    let server = FixedResponseServer::start(
        "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Type: application/json\r\n\
         Content-Length: 10\r\n\r\n{\"id\":\"7\"}",
    );
    let settings = config(&[("apiurl", &format!("{}/send", server.base))]);
    let report = run(&settings, Some(PHONE), true);

    assert!(report.ok, "{report:#?}");
    assert_eq!(check(&report, CheckName::Send).result, CheckStatus::Ok);
    assert_eq!(report.message_id.as_deref(), Some("7"));
    assert_eq!(
        server.received(),
        ["HEAD /send HTTP/1.1", "POST /send HTTP/1.1"]
    );
}

#[test]
fn generic_gateway_error_status() {
    let server = FixedResponseServer::start(
        "HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
    );
    let settings = config(&[("apiurl", &format!("{}/send", server.base))]);
    let report = run(&settings, Some(PHONE), true);

    assert!(!report.ok);
    // Any response to HEAD proves the connection; the send shows the 401.
    assert_eq!(
        check(&report, CheckName::Connection).result,
        CheckStatus::Ok
    );
    let send = check(&report, CheckName::Send);
    assert_eq!(send.problem, Some(Problem::WrongToken));
    assert_eq!(send.http_status, Some(401));
}

#[test]
fn generic_gateway_not_found() {
    let server = FixedResponseServer::start(
        "HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
    );
    let settings = config(&[("apiurl", &format!("{}/send", server.base))]);
    let report = run(&settings, Some(PHONE), false);

    assert!(!report.ok, "{report:#?}");
    let connection = check(&report, CheckName::Connection);
    assert_eq!(connection.result, CheckStatus::Failed);
    assert_eq!(connection.problem, Some(Problem::HttpError));
    assert!(
        connection.message.contains("no API at this path"),
        "{connection:?}"
    );
}

#[test]
fn generic_gateway_smseagle_hint() {
    let server = FixedResponseServer::start(
        "HTTP/1.1 501 Not Implemented\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
    );
    // A mistyped SMSEagle path: auto picks the generic gateway for it.
    let settings = config(&[("apiurl", &format!("{}/api/v3/messages/sms", server.base))]);
    let report = run(&settings, Some(PHONE), false);

    assert_eq!(report.gateway_type, "generic");
    let connection = check(&report, CheckName::Connection);
    assert_eq!(connection.result, CheckStatus::Warning);
    assert!(
        connection.message.contains("looks like an SMSEagle one"),
        "{connection:?}"
    );
    assert!(connection.message.contains("gatewayType"), "{connection:?}");
}

#[test]
fn plain_http_to_https_port() {
    let standin = StandIn::start();
    let url = send_url(&standin).replacen("https://", "http://", 1);
    let report = run(
        &config(&[("apiurl", &url), ("apitoken", TOKEN)]),
        None,
        false,
    );

    assert!(!report.ok);
    let connection = check(&report, CheckName::Connection);
    assert_eq!(connection.result, CheckStatus::Failed);
    assert!(
        connection.message.contains("check the scheme (https://)"),
        "{connection:?}"
    );
}
