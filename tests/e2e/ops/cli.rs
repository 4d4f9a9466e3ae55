//! The command line: `--help` lists every flag of the contract.

use std::process::Command;

use crate::harness::node::BIN;

const FLAGS: [&str; 8] = [
    "--listen",
    "--node-id",
    "--max-frame-size",
    "--outgoing-buffer",
    "--ping-interval",
    "--ping-timeout",
    "--drain-timeout",
    "--workers",
];

#[test]
fn help_lists_every_flag() {
    let output = Command::new(BIN)
        .arg("--help")
        .output()
        .expect("run --help");
    assert!(output.status.success(), "--help failed: {output:?}");
    let help = String::from_utf8_lossy(&output.stdout);
    let missing: Vec<&str> = FLAGS
        .iter()
        .copied()
        .filter(|f| !help.contains(f))
        .collect();
    assert!(missing.is_empty(), "--help lacks {missing:?}:\n{help}");
}
