//! The reference signers cfsign is tested against: botocore and Python `cryptography`, and
//! `@aws-sdk/cloudfront-signer`. `tests/tools` installs them on first use from the pinned
//! manifests in `tests/peers/` into the test tool cache; a missing tool fails the test with the
//! command that installs it.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use serde_json::Value;

use super::repo;

/// The directory `tests/tools NAME` installs the tool into (once, in the test tool cache) and
/// prints; a failed install panics with what the script said.
fn tool(name: &str) -> PathBuf {
    let output = Command::new(repo().join("tests/tools"))
        .arg(name)
        .output()
        .unwrap_or_else(|err| panic!("cannot run tests/tools {name}: {err}"));
    assert!(
        output.status.success(),
        "tests/tools {name} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    PathBuf::from(String::from_utf8_lossy(&output.stdout).trim())
}

/// The directory holding botocore and cryptography (pip's `--target`).
pub fn python_packages() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| tool("peers-python"))
}

/// The directory whose `node_modules` holds `@aws-sdk/cloudfront-signer`.
pub fn node_packages() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| tool("peers-node"))
}

fn python() -> &'static str {
    "python3"
}

/// Runs a script from `tests/peers/` with `stdin`, returning success and trimmed stdout.
/// Exit 1 is an answer ("invalid"); any other failure panics with the script's stderr.
fn run_script(program: &str, script: &str, args: &[&str], stdin: &str) -> (bool, String) {
    let mut cmd = Command::new(program);
    cmd.arg(repo().join("tests/peers").join(script)).args(args);
    if program == "node" {
        cmd.env("NODE_PATH", node_packages().join("node_modules"));
    } else {
        cmd.env("PYTHONPATH", python_packages());
    }
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|err| panic!("cannot start {program}: {err}; install it to run the tests"));
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() || stderr.is_empty(),
        "{script} failed: {stderr}"
    );
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).trim().to_owned(),
    )
}

/// botocore's signed URL for `request` (see tests/peers/botocore_sign.py).
pub fn botocore_sign(request: &Value) -> String {
    let (ok, out) = run_script(python(), "botocore_sign.py", &[], &request.to_string());
    assert!(ok, "botocore_sign.py failed");
    out
}

/// `@aws-sdk/cloudfront-signer`'s signed URL, or cookies as JSON, for `request`.
pub fn js_sign(request: &Value) -> String {
    let (ok, out) = run_script("node", "js_sign.cjs", &[], &request.to_string());
    assert!(ok, "js_sign.cjs failed");
    out
}

/// Whether Python `cryptography` alone accepts the signature in `url` for `public_key_pem`.
pub fn independently_valid(url: &str, public_key_pem: &Path) -> bool {
    let key = public_key_pem.to_str().unwrap();
    run_script(python(), "independent_verify.py", &[url, key], "").0
}

/// Runs a Python snippet with the peer packages importable; returns stdout.
pub fn python_snippet(code: &str) -> String {
    let (ok, out) = run_script(python(), "run_snippet.py", &[], code);
    assert!(ok, "python snippet failed");
    out
}
