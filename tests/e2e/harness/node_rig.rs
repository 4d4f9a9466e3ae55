//! The Node rigs of stock clients (tests/peerjs-client, tests/socketio-client): finding an
//! installed rig, and running one of its scripts against a server with a time limit, failing
//! the test with the script's output and the server's log.

use std::path::PathBuf;
use std::time::Duration;

use super::Server;

/// `tests/<dir>` once its setup script has installed `packages` into node_modules. Without
/// them the test is skipped with a hint, except under CI, where it fails.
pub fn rig(dir: &str, packages: &[&str], setup: &str) -> Option<PathBuf> {
    let rig = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests")
        .join(dir);
    if packages
        .iter()
        .all(|package| rig.join("node_modules").join(package).is_dir())
    {
        return Some(rig);
    }
    let hint = format!("tests/{dir} is not installed: run {setup} (scripts/test does)");
    assert!(std::env::var_os("CI").is_none(), "{hint}");
    eprintln!("skipped: {hint}");
    None
}

/// Runs `command` (a `node …` in a rig) within `timeout` and asserts that it succeeded;
/// returns its output and the server's log, for further checks.
pub async fn run(
    mut command: tokio::process::Command,
    timeout: Duration,
    what: &str,
    server: &Server,
) -> String {
    let output = tokio::time::timeout(timeout, command.kill_on_drop(true).output())
        .await
        .unwrap_or_else(|_| panic!("{what} did not finish within {timeout:?}"))
        .expect("node runs");
    let report = format!(
        "{}\n{}\nserver log:\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
        server.logs()
    );
    assert!(output.status.success(), "{what} failed:\n{report}");
    report
}
