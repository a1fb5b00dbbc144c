//! The reference signers cfsign is tested against: botocore and Python `cryptography`, and
//! `@aws-sdk/cloudfront-signer`. Their environments are created in the test tool cache on first
//! use from the pinned manifests in `tests/peers/`; a missing tool fails the test with the
//! command that installs it.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use serde_json::Value;

use super::{repo, tool_cache};

/// Runs `cmd`, panicking with `hint` when the program is missing or fails.
fn must_run(cmd: &mut Command, hint: &str) {
    let output = cmd
        .output()
        .unwrap_or_else(|err| panic!("cannot run {:?}: {err}\n{hint}", cmd.get_program()));
    assert!(
        output.status.success(),
        "{:?} failed:\n{}\n{}\n{hint}",
        cmd,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Builds `final_dir` with `build` in a scratch directory, then renames it into place, so
/// concurrent test processes never see a half-made environment.
fn build_once(final_dir: &Path, build: impl FnOnce(&Path)) {
    if final_dir.exists() {
        return;
    }
    let scratch = final_dir.with_extension(format!("tmp{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).unwrap();
    if let Some(parent) = final_dir.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    build(&scratch);
    if std::fs::rename(&scratch, final_dir).is_err() {
        // Another process won the race; its environment is identical.
        let _ = std::fs::remove_dir_all(&scratch);
    }
}

/// A fingerprint of a manifest, so a changed pin makes a fresh environment.
fn fingerprint(path: &Path) -> String {
    let text = std::fs::read(path).unwrap();
    let hash = text.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3)
    });
    format!("{hash:016x}")
}

/// The directory holding botocore and cryptography, installed with pip on first use.
pub fn python_packages() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        // Every package of the tree, with hashes (tests/lock-python makes it).
        let manifest = repo().join("tests/peers/requirements.lock");
        let dir = tool_cache().join(format!("peers-python-{}", fingerprint(&manifest)));
        build_once(&dir, |scratch| {
            must_run(
                Command::new(python())
                    .args([
                        "-m",
                        "pip",
                        "install",
                        "--quiet",
                        "--require-hashes",
                        "--target",
                    ])
                    .arg(scratch)
                    .arg("-r")
                    .arg(&manifest),
                "install Python 3 with pip (e.g. `apt-get install python3-pip`)",
            );
        });
        dir
    })
}

/// The directory whose `node_modules` holds `@aws-sdk/cloudfront-signer`.
pub fn node_packages() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let manifest = repo().join("tests/peers/package-lock.json");
        let dir = tool_cache().join(format!("peers-node-{}", fingerprint(&manifest)));
        build_once(&dir, |scratch| {
            for file in ["package.json", "package-lock.json"] {
                std::fs::copy(repo().join("tests/peers").join(file), scratch.join(file)).unwrap();
            }
            must_run(
                Command::new("npm")
                    .args(["ci", "--silent", "--no-audit", "--no-fund"])
                    .current_dir(scratch),
                "install Node.js 18+ with npm (e.g. `apt-get install nodejs npm`)",
            );
        });
        dir
    })
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
