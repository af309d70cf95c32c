//! Generic HTTP SMS API client, configured by attribute names (the fields of the netzbegruenung
//! SMS authenticator).

use reqwest::Url;
use reqwest::blocking::Client;
use serde_json::Value;

use super::{
    DeviceFailure, OutgoingSms, classify_request_error, classify_status, describe_unqueued,
    location, queued_message_id, read_body,
};
use crate::config::{Config, display_url};
use crate::error::{Error, Result};

/// Sends one SMS to `url` and returns the message id, empty when the gateway returns none. Any 2xx
/// response counts as sent, except an SMSEagle-style response (a JSON array of items with a
/// `status`) that contains no queued item.
pub(super) fn send(
    client: &Client,
    config: &Config,
    url: &Url,
    sms: OutgoingSms,
) -> std::result::Result<String, DeviceFailure> {
    let url = url.clone();
    let fields = request_fields(config, sms);

    let request = client.post(url.clone());
    let request = if config.url_encode {
        request.form(&fields)
    } else {
        let object: serde_json::Map<String, Value> = fields
            .into_iter()
            .map(|(name, value)| (name, Value::String(value)))
            .collect();
        request.json(&object)
    };
    let response = request
        .send()
        .map_err(|error| classify_request_error(error, &url, config))?;

    let status = response.status();
    let location = location(&response);
    if let Some(error) = classify_status(status, location.as_deref(), &url) {
        return Err(DeviceFailure::http(error, status));
    }
    let body = read_body(response, &url)?;

    if !status.is_success() {
        return Err(DeviceFailure::http(
            describe_client_error(status.as_u16(), &url),
            status,
        ));
    }
    Ok(message_id_from_answer(&body, sms.text)?)
}

/// Builds the request fields in order: message, receiver, token and sender. The token and the
/// sender are left out unless both their attribute name and value are set.
fn request_fields(config: &Config, sms: OutgoingSms) -> Vec<(String, String)> {
    let mut fields = vec![
        (config.message_attribute.clone(), sms.text.to_owned()),
        (config.receiver_attribute.clone(), sms.to.to_owned()),
    ];
    if !config.api_token_attribute.is_empty() && !config.api_token.is_empty() {
        fields.push((config.api_token_attribute.clone(), config.api_token.clone()));
    }
    if !config.sender_attribute.is_empty() && !config.sender_id.is_empty() {
        fields.push((config.sender_attribute.clone(), config.sender_id.clone()));
    }
    fields
}

/// Takes the message id from an SMSEagle-style array or a top-level `id`. A response without an
/// id still counts as sent. `sms_text` is never quoted in the error for an unqueued message.
fn message_id_from_answer(body: &[u8], sms_text: &str) -> Result<String> {
    let Ok(answer) = serde_json::from_slice::<Value>(body) else {
        return Ok(String::new());
    };
    if let Some(message_id) = queued_message_id(&answer) {
        return Ok(message_id);
    }
    let looks_like_smseagle = answer.as_array().is_some_and(|items| {
        !items.is_empty() && items.iter().all(|item| item.get("status").is_some())
    });
    if looks_like_smseagle {
        return Err(Error::GatewayRejected(format!(
            "the gateway did not queue the SMS: {}",
            describe_unqueued(&answer, sms_text)
        )));
    }
    let message_id = match answer.get("id") {
        Some(Value::String(id)) => id.clone(),
        Some(Value::Number(id)) => id.to_string(),
        _ => String::new(),
    };
    Ok(message_id)
}

fn describe_client_error(status: u16, url: &Url) -> Error {
    let target = display_url(url);
    let message = match status {
        401 | 403 => format!(
            "{target} did not accept the credentials (HTTP {status}); check apitoken and \
             apitokenattribute"
        ),
        404 | 405 => {
            format!("{target} has no SMS API at this address (HTTP {status}); check apiurl")
        }
        _ => format!(
            "{target} rejected the request (HTTP {status}); check apiurl, urlencode and the \
             attribute names"
        ),
    };
    Error::GatewayConfig(message)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn config(entries: &[(&str, &str)]) -> Config {
        let map: BTreeMap<String, String> = entries
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_map(&map).unwrap()
    }

    const SMS: OutgoingSms = OutgoingSms {
        to: "+48500100200",
        text: "Code 123456",
    };

    #[test]
    fn fields_follow_attribute_names() {
        let config = config(&[
            ("apiurl", "https://sms.example/send"),
            ("messageattribute", "msg"),
            ("receiverattribute", "number"),
            ("apitokenattribute", "key"),
            ("apitoken", "secret"),
            ("senderattribute", "sender"),
            ("senderId", "Keycloak"),
        ]);
        let fields = request_fields(&config, SMS);
        let expected: Vec<(String, String)> = [
            ("msg", "Code 123456"),
            ("number", "+48500100200"),
            ("key", "secret"),
            ("sender", "Keycloak"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        assert_eq!(fields, expected);
    }

    #[test]
    fn token_and_sender_need_name_and_value() {
        let config = config(&[
            ("apiurl", "https://sms.example/send"),
            ("apitoken", "secret"),
            ("senderattribute", "from"),
        ]);
        let names: Vec<String> = request_fields(&config, SMS)
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        assert_eq!(names, ["text", "to"]);
    }

    #[test]
    fn answer_ids_and_rejections() {
        let id = |body: &str| message_id_from_answer(body.as_bytes(), SMS.text).unwrap();
        assert_eq!(id(r#"[{"status":"queued","id":42}]"#), "42");
        assert_eq!(id(r#"{"id":"abc"}"#), "abc");
        assert_eq!(id(r#"{"id":7}"#), "7");
        assert_eq!(id("OK"), "");
        assert_eq!(id(""), "");
        let error = message_id_from_answer(
            br#"[{"status":"REJECTED","message":"no credit"}]"#,
            SMS.text,
        )
        .unwrap_err();
        assert!(matches!(error, Error::GatewayRejected(_)), "{error:?}");
    }
}
