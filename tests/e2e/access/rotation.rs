//! Keys from files: `--jwt-secret-file` and `--jwt-public-key` are read again on SIGHUP, so
//! keys rotate without a restart (and a broken file keeps the keys in use); a public key
//! verifies ES256 tokens and refuses an HS256 token however it was signed (key confusion).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::json;

use super::{refused, upgrade};
use crate::cluster::harness::util::TempDir;
use crate::harness::{Node, eventually};

fn claims() -> serde_json::Value {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    json!({"sub": "alice", "exp": now + 3600})
}

fn hs256(secret: &str) -> String {
    encode(
        &Header::default(),
        &claims(),
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .expect("a token")
}

fn hang_up(node: &Node) {
    let status = Command::new("kill")
        .args(["-HUP", &node.pid().to_string()])
        .status()
        .expect("run kill");
    assert!(status.success());
}

/// Waits until a conference upgrade with `token` gets `expected` (None: accepted).
async fn settles(node: &Node, token: &str, expected: Option<(u16, &str)>) {
    let addr = node.addr();
    eventually("the reloaded keys apply", || async {
        let got = upgrade(addr, &format!("/conference?token={token}"), &[])
            .await
            .err()
            .map(|(status, body)| (status, body["code"].as_str().unwrap_or("").to_owned()));
        let want = expected.map(|(status, code)| (status, code.to_owned()));
        (got == want).then_some(()).ok_or(format!("{got:?}"))
    })
    .await;
}

#[tokio::test]
async fn a_secret_file_is_read_again_on_sighup() {
    let dir = TempDir::new("jwt-secrets");
    let file = dir.path().join("secrets");
    std::fs::write(&file, "# the one in use\nold-secret\n").unwrap();
    let node = Node::start(&["--jwt-secret-file", file.to_str().unwrap()], &[]);
    let (old, new) = (hs256("old-secret"), hs256("new-secret"));
    settles(&node, &old, None).await;
    settles(&node, &new, Some((401, "bad_signature"))).await;

    // Rotation: both for a while, then only the new one.
    std::fs::write(&file, "old-secret\nnew-secret\n").unwrap();
    hang_up(&node);
    settles(&node, &new, None).await;
    settles(&node, &old, None).await;
    std::fs::write(&file, "new-secret\n").unwrap();
    hang_up(&node);
    settles(&node, &old, Some((401, "bad_signature"))).await;

    // A file that cannot be read leaves the keys in use.
    std::fs::remove_file(&file).unwrap();
    hang_up(&node);
    eventually("the failed reload is logged", || async {
        node.logs()
            .contains("JWT keys kept as they were")
            .then_some(())
            .ok_or_else(|| "not yet".to_owned())
    })
    .await;
    settles(&node, &new, None).await;
}

/// Writes a P-256 key pair as `<name>.key` (PKCS#8) and `<name>.pub` in `dir`.
fn es256_key_pair(dir: &Path, name: &str) -> EncodingKey {
    let private = dir.join(format!("{name}.key"));
    let public = dir.join(format!("{name}.pub"));
    let run = |args: &[&str]| {
        let status = Command::new("openssl")
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("run openssl (scripts/install-test-deps installs it)");
        assert!(status.success(), "openssl {args:?}");
    };
    let (private_path, public_path) = (private.to_str().unwrap(), public.to_str().unwrap());
    run(&[
        "genpkey",
        "-algorithm",
        "EC",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
    ]
    .into_iter()
    .chain(["-out", private_path])
    .collect::<Vec<_>>());
    run(&["pkey", "-in", private_path, "-pubout", "-out", public_path]);
    EncodingKey::from_ec_pem(&std::fs::read(&private).unwrap()).expect("an EC key")
}

fn es256(key: &EncodingKey) -> String {
    encode(&Header::new(Algorithm::ES256), &claims(), key).expect("a token")
}

#[tokio::test]
async fn a_public_key_verifies_es256_and_refuses_hs256() {
    let dir = TempDir::new("jwt-public");
    let first = es256_key_pair(dir.path(), "first");
    let second = es256_key_pair(dir.path(), "second");
    let key_file = dir.path().join("in-use.pub");
    std::fs::copy(dir.path().join("first.pub"), &key_file).unwrap();
    let node = Node::start(&["--jwt-public-key", key_file.to_str().unwrap()], &[]);

    settles(&node, &es256(&first), None).await;
    settles(&node, &es256(&second), Some((401, "bad_signature"))).await;
    // An HS256 token signed with the public key's own bytes (key confusion), or any secret.
    let public_pem = std::fs::read_to_string(&key_file).unwrap();
    for secret in [public_pem.as_str(), "any-secret"] {
        assert_eq!(
            refused(
                upgrade(
                    node.addr(),
                    &format!("/conference?token={}", hs256(secret)),
                    &[]
                )
                .await
            )
            .0,
            401
        );
    }

    std::fs::copy(dir.path().join("second.pub"), &key_file).unwrap();
    hang_up(&node);
    settles(&node, &es256(&second), None).await;
    settles(&node, &es256(&first), Some((401, "bad_signature"))).await;
}
