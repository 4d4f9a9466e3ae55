//! deploy/nginx/tls.conf, run as written except for the test's upstream, ports and paths,
//! with a self-signed certificate: plain HTTP is redirected to https, /healthz answers over
//! TLS with HSTS, and a conference session opens over `wss://` through it. The TLS client is
//! `openssl s_client` with the WebSocket spoken over its stdin and stdout, so the test needs
//! no TLS library of its own; curl checks the HTTP side.

use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use super::harness::nginx::{self, Nginx};
use super::harness::util::{TempDir, wait_until};
use crate::harness::{Node, free_port};

const CONFIG: &str = include_str!("../../../deploy/nginx/tls.conf");
const TIMEOUT: Duration = Duration::from_secs(10);

#[tokio::test]
async fn the_tls_example_serves_wss_and_redirects_plain_http() {
    let node = Node::start(&[], &[]);
    let dir = TempDir::new("nginx-tls");
    self_signed_certificate(dir.path());
    let https = SocketAddr::from(([127, 0, 0, 1], free_port()));
    let plain = SocketAddr::from(([127, 0, 0, 1], free_port()));
    let binary = nginx::binary();
    let config = render(&binary, dir.path(), https, plain, node.addr());
    let ca = dir.path().join("cert.pem");
    let mut proxy = Nginx::spawn(&binary, dir, &config, https);

    let healthz = format!("https://{https}/healthz");
    let head = wait_until("nginx serves /healthz over TLS", TIMEOUT, async || {
        if !proxy.running() {
            panic!("nginx exited at start:\n{}", proxy.logs());
        }
        let head = curl(&["--cacert", &ca.display().to_string(), "-D", "-", &healthz]);
        if head.starts_with("HTTP/1.1 200") {
            Ok(head)
        } else {
            Err(head)
        }
    })
    .await;
    let head = head.to_ascii_lowercase();
    assert!(
        head.contains("strict-transport-security: max-age="),
        "{head}"
    );
    assert!(head.contains("x-switchboard-node: "), "{head}");

    let redirect = curl(&["-D", "-", &format!("http://{plain}/conference?x=1")]);
    assert!(redirect.starts_with("HTTP/1.1 301"), "{redirect}");
    assert!(
        redirect
            .to_ascii_lowercase()
            .contains("location: https://127.0.0.1/conference?x=1"),
        "{redirect}"
    );

    let reply = conference_connect_over_tls(https, &ca).await;
    assert_eq!(reply["type"], "room", "{reply}");
    assert_eq!(reply["name"], "connectResponse", "{reply}");
    drop(proxy);
}

/// The production file with the test's upstream, listen addresses and certificate, and the
/// process settings of a foreground nginx whose files all live in `dir`. Every replacement
/// must find its text, so a reshaped tls.conf fails here instead of going untested.
fn render(
    binary: &Path,
    dir: &Path,
    https: SocketAddr,
    plain: SocketAddr,
    node: SocketAddr,
) -> String {
    let path = dir.display().to_string();
    let upstream = format!("server {node} max_fails=3 fail_timeout=10s;");
    let replacements = [
        (
            "worker_processes auto;",
            format!("daemon off;\nmaster_process off;\npid {path}/nginx.pid;\nworker_processes 1;"),
        ),
        (
            "worker_connections 16384;",
            "worker_connections 256;".to_owned(),
        ),
        (
            "access_log /dev/stdout;",
            format!(
                "access_log {path}/access.log;\n    client_body_temp_path {path}/client_body;\n    \
                 proxy_temp_path {path}/proxy;\n{}",
                nginx::more_temp_paths(binary, &path)
            ),
        ),
        ("server node1:8080 max_fails=3 fail_timeout=10s;", upstream),
        (
            "server node2:8080 max_fails=3 fail_timeout=10s;",
            String::new(),
        ),
        (
            "server node3:8080 max_fails=3 fail_timeout=10s;",
            String::new(),
        ),
        ("listen 80;", format!("listen {plain};")),
        ("listen 443 ssl;", format!("listen {https} ssl;")),
        ("/etc/nginx/tls/fullchain.pem", format!("{path}/cert.pem")),
        ("/etc/nginx/tls/privkey.pem", format!("{path}/key.pem")),
    ];
    let mut config = CONFIG.to_owned();
    for (from, to) in replacements {
        assert_eq!(
            config.matches(from).count(),
            1,
            "tls.conf has no single `{from}`"
        );
        config = config.replace(from, &to);
    }
    config
}

/// A P-256 key and a one-day certificate for 127.0.0.1, as `cert.pem` and `key.pem` in `dir`.
fn self_signed_certificate(dir: &Path) {
    let status = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
        ])
        .args(["-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"])
        .args(["-addext", "subjectAltName=IP:127.0.0.1"])
        .arg("-keyout")
        .arg(dir.join("key.pem"))
        .arg("-out")
        .arg(dir.join("cert.pem"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("run openssl (scripts/install-test-deps installs it)");
    assert!(status.success(), "openssl req failed: {status}");
}

/// curl's headers (with `-D -`) or body; curl itself failing (e.g. nothing listening yet)
/// gives its error text.
fn curl(args: &[&str]) -> String {
    let output = Command::new("curl")
        .args(["-sS", "-o", "/dev/null", "--max-time", "5"])
        .args(args)
        .output()
        .expect("run curl (scripts/install-test-deps installs it)");
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    text
}

/// Opens `wss://127.0.0.1/conference` through `openssl s_client` (which verifies the
/// certificate against `ca` and the address, and refuses otherwise), sends `room/connect`
/// and returns the first message back.
async fn conference_connect_over_tls(https: SocketAddr, ca: &Path) -> Value {
    let mut tls = tokio::process::Command::new("openssl")
        .args([
            "s_client",
            "-quiet",
            "-verify_return_error",
            "-verify_ip",
            "127.0.0.1",
        ])
        .arg("-CAfile")
        .arg(ca)
        .arg("-connect")
        .arg(https.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("run openssl s_client");
    let stream = tokio::io::join(
        tls.stdout.take().expect("piped stdout"),
        tls.stdin.take().expect("piped stdin"),
    );
    let url = format!("ws://{https}/conference");
    let (mut socket, response) =
        tokio::time::timeout(TIMEOUT, tokio_tungstenite::client_async(url, stream))
            .await
            .expect("the upgrade through TLS answers in time")
            .expect("the upgrade through TLS succeeds");
    assert_eq!(response.status(), 101);
    let connect = json!({"type": "room", "name": "connect", "data": {"room": "tls"}});
    socket
        .send(Message::text(connect.to_string()))
        .await
        .expect("send room/connect");
    loop {
        let message = tokio::time::timeout(TIMEOUT, socket.next())
            .await
            .expect("an answer in time")
            .expect("the socket stays open")
            .expect("a WebSocket message");
        if let Message::Text(text) = message {
            return serde_json::from_str(&text).expect("JSON");
        }
    }
}
