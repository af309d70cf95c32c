//! Checks the generic client's URL-encoded request against a one-shot local HTTP server that
//! records the raw request.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::mpsc;

use sms2fa::gateway::{OutgoingSms, send_sms};
use sms2fa::{Config, Error};

/// A raw HTTP request as received.
struct RecordedRequest {
    request_line: String,
    headers: Vec<String>,
    body: String,
}

/// Serves one request with `response` and returns the server's base URL and the recorded request.
fn serve_once(response: &'static str) -> (String, mpsc::Receiver<RecordedRequest>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(stream);
        let mut request_line = String::new();
        reader.read_line(&mut request_line).unwrap();

        let mut headers = Vec::new();
        let mut content_length = 0;
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            let line = line.trim_end().to_owned();
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                content_length = value.trim().parse().unwrap();
            }
            headers.push(line);
        }
        let mut body = vec![0u8; content_length];
        reader.read_exact(&mut body).unwrap();
        reader.get_mut().write_all(response.as_bytes()).unwrap();

        sender
            .send(RecordedRequest {
                request_line: request_line.trim_end().to_owned(),
                headers,
                body: String::from_utf8(body).unwrap(),
            })
            .unwrap();
    });
    (base, receiver)
}

fn config(url: &str) -> Config {
    let map = [
        ("apiurl", url),
        ("urlencode", "true"),
        ("messageattribute", "message"),
        ("receiverattribute", "phone"),
        ("apitokenattribute", "key"),
        ("apitoken", "s3cret&x=1"),
        ("senderattribute", "sender"),
        ("senderId", "Keycloak"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    Config::from_map(&map).unwrap()
}

#[test]
fn urlencoded_request_fields() {
    let (base, requests) =
        serve_once("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nOK");
    let config = config(&format!("{base}/send"));
    let sms = OutgoingSms {
        to: "+48500100200",
        text: "Code 123456 & 'quotes' = ok\nżółć",
    };
    let receipt = send_sms(&config, sms).unwrap();
    assert_eq!(receipt.message_id, "");
    assert_eq!(receipt.device_url, base);

    let request = requests.recv().unwrap();
    assert_eq!(request.request_line, "POST /send HTTP/1.1");
    assert!(
        request
            .headers
            .iter()
            .any(|h| h.eq_ignore_ascii_case("content-type: application/x-www-form-urlencoded")),
        "{:?}",
        request.headers
    );
    let fields: Vec<(String, String)> = request
        .body
        .split('&')
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap();
            (decode(name), decode(value))
        })
        .collect();
    let expected: Vec<(String, String)> = [
        ("message", sms.text),
        ("phone", sms.to),
        ("key", "s3cret&x=1"),
        ("sender", "Keycloak"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    assert_eq!(fields, expected);
}

#[test]
fn unauthorized_generic_is_config_error() {
    let (base, _requests) =
        serve_once("HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    let config = config(&format!("{base}/send"));
    let sms = OutgoingSms {
        to: "+48500100200",
        text: "Code 123456",
    };
    let error = send_sms(&config, sms).unwrap_err();
    let message = error.to_string();
    assert!(matches!(error, Error::GatewayConfig(_)), "{error:?}");
    assert!(message.contains("apitoken"), "{message}");
    assert!(!message.contains("s3cret"), "{message}");
}

/// Decodes application/x-www-form-urlencoded text.
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut decoded = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => decoded.push(b' '),
            b'%' => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
                decoded.push(u8::from_str_radix(hex, 16).unwrap());
                i += 2;
            }
            byte => decoded.push(byte),
        }
        i += 1;
    }
    String::from_utf8(decoded).unwrap()
}
