//! Test support: a test CA and server certificate made with rcgen, the SMSEagle stand-in
//! (standin/smseagle_standin.py) started as a child process on free ports, and small local
//! servers that respond in fixed or broken ways.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{Shutdown, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, mpsc};
use std::time::Duration;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use serde_json::Value;
use sha2::{Digest, Sha256};
use tempfile::TempDir;

/// Token with every permission.
pub const TOKEN: &str = "demo-token";
/// Token with the `sms` permission only, so `/messages/sms_single` returns 403.
pub const SMS_ONLY_TOKEN: &str = "sms-only-token";

/// Upper bound for the stand-in to print its READY lines; it only guards against a hang.
const STARTUP_LIMIT: Duration = Duration::from_secs(60);

/// Names of the usual server certificate.
pub const LOCAL_NAMES: &[&str] = &["127.0.0.1", "localhost"];

/// PEM files of a test CA and of a server certificate, and the certificate's SHA-256.
pub struct TestPki {
    pub ca_file: PathBuf,
    pub cert_file: PathBuf,
    pub key_file: PathBuf,
    /// SHA-256 of the server certificate's DER, in lower-case hex.
    pub server_sha256: String,
}

/// Makes a CA and a server certificate for 127.0.0.1 and localhost.
pub fn make_pki(dir: &Path) -> TestPki {
    make_pki_for(dir, LOCAL_NAMES)
}

/// Makes a CA and a server certificate for `names` (DNS names or IP addresses).
pub fn make_pki_for(dir: &Path, names: &[&str]) -> TestPki {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "sms2fa test CA");
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);

    let server_key = KeyPair::generate().unwrap();
    let names: Vec<String> = names.iter().map(|name| name.to_string()).collect();
    let mut server_params = CertificateParams::new(names.clone()).unwrap();
    server_params
        .distinguished_name
        .push(DnType::CommonName, names[0].as_str());
    server_params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    server_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    server_params.use_authority_key_identifier_extension = true;
    let server_cert = server_params.signed_by(&server_key, &issuer).unwrap();

    let server_sha256 = Sha256::digest(server_cert.der().as_ref())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let pki = TestPki {
        ca_file: dir.join("ca.pem"),
        cert_file: dir.join("server.pem"),
        key_file: dir.join("server-key.pem"),
        server_sha256,
    };
    std::fs::write(&pki.ca_file, ca_cert.pem()).unwrap();
    std::fs::write(&pki.cert_file, server_cert.pem()).unwrap();
    std::fs::write(&pki.key_file, server_key.serialize_pem()).unwrap();
    pki
}

/// A running stand-in, stopped when dropped.
pub struct StandIn {
    child: Child,
    /// `https://127.0.0.1:PORT`
    pub https_base: String,
    /// `http://127.0.0.1:PORT` when started with an HTTP listener too.
    pub http_base: Option<String>,
    pub ca_file: PathBuf,
    /// SHA-256 of the HTTPS listener's certificate, in lower-case hex.
    pub server_sha256: String,
    inspector: reqwest::blocking::Client,
    _dir: TempDir,
}

impl StandIn {
    /// Starts the stand-in with an HTTPS listener only.
    pub fn start() -> StandIn {
        StandIn::launch(false, LOCAL_NAMES)
    }

    /// Starts the stand-in with an HTTP and an HTTPS listener.
    pub fn start_with_http() -> StandIn {
        StandIn::launch(true, LOCAL_NAMES)
    }

    /// Starts the stand-in with an HTTPS certificate for `names` only.
    pub fn start_for_names(names: &[&str]) -> StandIn {
        StandIn::launch(false, names)
    }

    fn launch(with_http: bool, names: &[&str]) -> StandIn {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("standin/smseagle_standin.py");
        assert!(
            script.exists(),
            "the stand-in is missing at {}",
            script.display()
        );

        let dir = tempfile::tempdir().unwrap();
        let pki = make_pki_for(dir.path(), names);
        let stderr_file = std::fs::File::create(dir.path().join("standin.log")).unwrap();

        let mut command = Command::new("python3");
        command
            .arg(&script)
            .args(["--host", "127.0.0.1", "--https-port", "0"])
            .arg("--tls-cert")
            .arg(&pki.cert_file)
            .arg("--tls-key")
            .arg(&pki.key_file)
            .args(["--token", TOKEN])
            .args(["--token", &format!("{SMS_ONLY_TOKEN}:sms")]);
        if with_http {
            command.args(["--http-port", "0"]);
        }
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr_file)
            .spawn()
            .expect("python3 must be installed to run the stand-in");

        let stdout = child.stdout.take().unwrap();
        let (lines_sender, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if lines_sender.send(line).is_err() {
                    break;
                }
            }
        });

        let mut https_base = None;
        let mut http_base = None;
        while https_base.is_none() || (with_http && http_base.is_none()) {
            let line = match lines.recv_timeout(STARTUP_LIMIT) {
                Ok(line) => line,
                Err(_) => {
                    let _ = child.kill();
                    let log =
                        std::fs::read_to_string(dir.path().join("standin.log")).unwrap_or_default();
                    panic!("the stand-in did not print its READY lines; its log:\n{log}");
                }
            };
            if let Some(url) = line.strip_prefix("READY https://") {
                https_base = Some(format!("https://{url}"));
            } else if let Some(url) = line.strip_prefix("READY http://") {
                http_base = Some(format!("http://{url}"));
            }
        }

        // The inspector reaches the listener by IP address, which a certificate for other
        // names does not cover, so it trusts the test CA and skips the name check.
        let ca_pem = std::fs::read(&pki.ca_file).unwrap();
        let inspector = reqwest::blocking::Client::builder()
            .tls_certs_only(reqwest::Certificate::from_pem_bundle(&ca_pem).unwrap())
            .tls_danger_accept_invalid_hostnames(true)
            .build()
            .unwrap();

        StandIn {
            child,
            https_base: https_base.unwrap(),
            http_base,
            ca_file: pki.ca_file,
            server_sha256: pki.server_sha256,
            inspector,
            _dir: dir,
        }
    }

    /// Messages the stand-in has stored.
    pub fn messages(&self) -> Vec<Value> {
        let answer: Value = self
            .inspector
            .get(format!("{}/_standin/messages", self.https_base))
            .send()
            .unwrap()
            .error_for_status()
            .unwrap()
            .json()
            .unwrap();
        answer.as_array().unwrap().clone()
    }

    /// Switches a fault on the send routes: none, reject, error500, delay, hang or redirect.
    pub fn set_fault(&self, mode: &str) {
        self.inspector
            .post(format!("{}/_standin/faults", self.https_base))
            .json(&serde_json::json!({ "mode": mode }))
            .send()
            .unwrap()
            .error_for_status()
            .unwrap();
    }
}

impl StandIn {
    /// Makes `GET /modem/status/{n}` report every modem as enabled or disabled.
    pub fn set_modem_enabled(&self, enabled: bool) {
        self.inspector
            .post(format!("{}/_standin/modem", self.https_base))
            .json(&serde_json::json!({ "enabled": enabled }))
            .send()
            .unwrap()
            .error_for_status()
            .unwrap();
    }
}

impl Drop for StandIn {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Config map for the SMSEagle client at `url`, trusting the stand-in's CA.
pub fn smseagle_config(standin: &StandIn, url: &str) -> BTreeMap<String, String> {
    config(&[
        ("apiurl", url),
        ("apitoken", TOKEN),
        ("tlsCaFile", standin.ca_file.to_str().unwrap()),
    ])
}

pub fn config(entries: &[(&str, &str)]) -> BTreeMap<String, String> {
    entries
        .iter()
        .map(|(key, value)| (key.to_string(), value.to_string()))
        .collect()
}

/// `scheme://host:port` of a base URL such as `https://127.0.0.1:PORT`.
pub fn origin(base: &str) -> String {
    base.trim_end_matches('/').to_owned()
}

/// A local HTTP server that returns one fixed response to every request and records the
/// request lines. It runs until the test process ends.
pub struct FixedResponseServer {
    pub base: String,
    requests: mpsc::Receiver<String>,
}

impl FixedResponseServer {
    pub fn start(response: &'static str) -> FixedResponseServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (sender, requests) = mpsc::channel();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { break };
                let mut reader = BufReader::new(stream);
                let Some(request_line) = read_request(&mut reader) else {
                    continue;
                };
                // Recorded before the response goes out, so a client that has the response
                // always finds its request in `received`.
                if sender.send(request_line).is_err() {
                    break;
                }
                let _ = reader.get_mut().write_all(response.as_bytes());
            }
        });
        FixedResponseServer { base, requests }
    }

    /// Request lines received so far.
    pub fn received(&self) -> Vec<String> {
        self.requests.try_iter().collect()
    }
}

/// Reads one HTTP/1.1 request with its `Content-Length` body and returns the request line, or
/// `None` when the connection fails before the request line.
fn read_request(reader: &mut impl BufRead) -> Option<String> {
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).ok()? == 0 {
        return None;
    }
    let mut content_length = 0;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).is_err() || line.trim_end().is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            content_length = value.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0u8; content_length];
    let _ = reader.read_exact(&mut body);
    Some(request_line.trim_end().to_owned())
}

/// What [`BrokenTlsServer`] does after it has read a whole request.
#[derive(Debug, Clone, Copy)]
pub enum AfterRequest {
    /// Writes bytes that are not a TLS record to the TCP connection, waits until the client
    /// closes it, then closes it too.
    WriteGarbage,
    /// Closes the TCP connection without a TLS close_notify and without a response.
    Close,
}

/// A local HTTPS server that completes the TLS handshake and reads each request, then fails
/// instead of responding. The device has received the request, so a client must not send it to
/// a second device. It runs until the test process ends.
pub struct BrokenTlsServer {
    /// `https://127.0.0.1:PORT`
    pub base: String,
    /// SHA-256 of the server certificate, in lower-case hex.
    pub server_sha256: String,
    requests: mpsc::Receiver<String>,
    _dir: TempDir,
}

impl BrokenTlsServer {
    pub fn start(after_request: AfterRequest) -> BrokenTlsServer {
        let dir = tempfile::tempdir().unwrap();
        let pki = make_pki(dir.path());
        let certificates = vec![CertificateDer::from_pem_file(&pki.cert_file).unwrap()];
        let key = PrivateKeyDer::from_pem_file(&pki.key_file).unwrap();
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let tls_config = Arc::new(
            rustls::ServerConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .unwrap()
                .with_no_client_auth()
                .with_single_cert(certificates, key)
                .unwrap(),
        );

        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("https://{}", listener.local_addr().unwrap());
        let (sender, requests) = mpsc::channel();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(tcp) = stream else { break };
                let connection = rustls::ServerConnection::new(tls_config.clone()).unwrap();
                let mut tls = rustls::StreamOwned::new(connection, tcp);
                // The handshake runs on the first read.
                let Some(request_line) = read_request(&mut BufReader::new(&mut tls)) else {
                    continue;
                };
                if sender.send(request_line).is_err() {
                    break;
                }
                let tcp = &mut tls.sock;
                if let AfterRequest::WriteGarbage = after_request {
                    let _ = tcp.write_all(b"HTTP/1.1 200 OK\r\n\r\nnot a TLS record");
                    // Waiting for the client to close means it has read the garbage, and no
                    // reset from an early close can arrive first.
                    let _ = std::io::copy(tcp, &mut std::io::sink());
                }
                let _ = tcp.shutdown(Shutdown::Both);
            }
        });
        BrokenTlsServer {
            base,
            server_sha256: pki.server_sha256,
            requests,
            _dir: dir,
        }
    }

    /// Request lines received so far.
    pub fn received(&self) -> Vec<String> {
        self.requests.try_iter().collect()
    }
}

/// Returns a local port with nothing listening on it.
pub fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}
