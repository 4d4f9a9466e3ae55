//! The binary's contract for scripts: `--json` prints exactly one JSON object on stdout, the
//! table otherwise, and a run that cannot start fails with a message on stderr. The server
//! is a stand-in that greets every PeerJS socket with OPEN, enough for `connect`.

use std::net::SocketAddr;
use std::process::{Command, Output};

use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::Message;

const BIN: &str = env!("CARGO_BIN_EXE_switchboard-bench");

/// Accepts WebSockets forever, says OPEN, and reads until the client goes.
async fn greeting_server() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let Ok(mut ws) = tokio_tungstenite::accept_async(stream).await else {
                    return;
                };
                let _ = ws.send(Message::text(r#"{"type":"OPEN"}"#)).await;
                while let Some(Ok(_)) = ws.next().await {}
            });
        }
    });
    addr
}

async fn run(args: Vec<String>) -> Output {
    tokio::task::spawn_blocking(move || Command::new(BIN).args(&args).output().unwrap())
        .await
        .unwrap()
}

fn connect_args(addr: SocketAddr, extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = ["connect", "--addr", &addr.to_string(), "--total", "20"]
        .iter()
        .map(|arg| arg.to_string())
        .collect();
    args.extend(extra.iter().map(|arg| arg.to_string()));
    args
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_is_one_object_on_stdout() {
    let addr = greeting_server().await;
    let pid = std::process::id().to_string();
    let output = run(connect_args(addr, &["--json", "--server-pid", &pid])).await;
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["scenario"], "connect");
    assert_eq!(report["count"], 20, "{report}");
    assert_eq!(report["errors"]["total"], 0, "{report}");
    assert!(
        report["cpu"]["servers"][0]["seconds"].is_number(),
        "{report}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_table_is_for_people() {
    let addr = greeting_server().await;
    let output = run(connect_args(addr, &["--threads", "2"])).await;
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(output.status.success(), "{stdout}");
    assert!(stdout.starts_with("connect (Peerjs)"), "{stdout}");
    assert!(stdout.contains("connections        20 in"), "{stdout}");
}

#[tokio::test]
async fn a_run_that_cannot_start_fails_on_stderr() {
    let closed = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap()
        .local_addr()
        .unwrap();
    let output = run(vec![
        "relay".into(),
        "--addr".into(),
        closed.to_string(),
        "--pairs".into(),
        "1".into(),
        "--json".into(),
    ])
    .await;
    assert!(!output.status.success());
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("nothing could be set up"), "{stderr}");
}
