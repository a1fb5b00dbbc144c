//! Running recipes against the emulator the way a user does: the `cfsign` binary with
//! `--endpoint-url`, the static test key (the account root; `roles` runs them as the roles the
//! docs tell users to create), and a check that no key material reached the output.

use std::path::PathBuf;
use std::process::Output;

use super::emulator::Emulator;

/// Writes a recipe to a temporary folder and runs it against the emulator.
pub fn run_recipe(recipe: &str, extra: &[&str]) -> (Output, tempfile::TempDir) {
    let (path, dir) = write_recipe(recipe);
    (run_file(&path, extra), dir)
}

/// Writes a recipe to a temporary folder; returns its path and the folder.
pub fn write_recipe(recipe: &str) -> (String, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let path: PathBuf = dir.path().join("recipe.rhai");
    std::fs::write(&path, recipe).unwrap();
    (path.to_str().unwrap().to_owned(), dir)
}

/// The `cfsign run` command for `recipe` (a path from the repository root) against the
/// emulator, with test credentials, in us-east-1 unless `extra` names a `--region`; `extra`
/// adds arguments such as `--var`.
pub fn command(recipe: &str, extra: &[&str]) -> std::process::Command {
    let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin("cfsign"));
    command.current_dir(super::repo()).args([
        "run",
        recipe,
        "--endpoint-url",
        &Emulator::shared().url,
    ]);
    if !extra.contains(&"--region") {
        command.args(["--region", "us-east-1"]);
    }
    command
        .args(extra)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env_remove("AWS_PROFILE");
    command
}

/// Runs the recipe file at `recipe` (from the repository root) against the emulator and
/// checks that no key material reached its output.
pub fn run_file(recipe: &str, extra: &[&str]) -> Output {
    let output = command(recipe, extra).output().unwrap();
    assert_no_key_material(&output);
    output
}

/// Fails if a private key (PEM) appears in the output.
pub fn assert_no_key_material(output: &Output) {
    let text = format!("{}{}", stdout(output), stderr(output));
    assert!(
        !text.contains("PRIVATE KEY-----"),
        "key material in output:\n{text}"
    );
}

/// The recipe's stdout as JSON (run with `--output json`), failing with its output if it failed.
pub fn json(output: &Output) -> serde_json::Value {
    assert!(
        output.status.success(),
        "recipe failed:\n{}{}",
        stdout(output),
        stderr(output)
    );
    serde_json::from_str(&stdout(output))
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", stdout(output)))
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
