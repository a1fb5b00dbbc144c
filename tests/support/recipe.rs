//! Running recipes against the emulator the way a user does: the `cfsign` binary with
//! `--endpoint-url`, test credentials, and a check that no key material reached the output.

use std::path::PathBuf;
use std::process::Output;

use assert_cmd::Command;

use super::emulator::Emulator;

/// Writes a recipe to a temporary folder and runs it against the emulator.
pub fn run_recipe(recipe: &str, extra: &[&str]) -> (Output, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let path: PathBuf = dir.path().join("recipe.rhai");
    std::fs::write(&path, recipe).unwrap();
    let output = Command::cargo_bin("cfsign")
        .unwrap()
        .current_dir(super::repo())
        .args([
            "run",
            path.to_str().unwrap(),
            "--endpoint-url",
            &Emulator::shared().url,
        ])
        .args(["--region", "us-east-1"])
        .args(extra)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env_remove("AWS_PROFILE")
        .output()
        .unwrap();
    let text = format!("{}{}", stdout(&output), stderr(&output));
    assert!(
        !text.contains("PRIVATE KEY-----"),
        "key material in output:\n{text}"
    );
    (output, dir)
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn lines(out: &Output) -> Vec<String> {
    assert!(
        out.status.success(),
        "recipe failed:\n{}{}",
        stdout(out),
        stderr(out)
    );
    stdout(out).lines().map(str::to_owned).collect()
}

/// A name no other test uses, so tests can share the emulator.
pub fn unique(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    format!(
        "{prefix}-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    )
}
