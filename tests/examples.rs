//! The application examples (examples/) against the emulator: each reads a team's signing key
//! from its secret the way an application does and signs a URL, which `cfsign verify` must
//! accept for the team's public key.

mod support;

use std::path::Path;
use std::process::Command;

use support::emulator::Emulator;
use support::recipe::{lines, run_recipe};
use support::{peers, repo, target_dir};

const KEY_PAIR_ID: &str = "K2EXAMPLE0APPS";
const URL: &str = "https://files.apps.example.com/reports/q3 final.pdf";

/// A secret holding a signing key, as provisioning leaves it; returns its name and the public
/// key's PEM file.
fn team_secret(dir: &Path) -> (String, std::path::PathBuf) {
    let name = format!("cfsign/apps{}/signing-key", std::process::id());
    let (out, _recipe_dir) = run_recipe(
        &format!(
            r#"
            secretsmanager::create_secret("{name}", `{{"keyPairId":"","privateKey":""}}`);
            let key = keys::generate();
            secretsmanager::put_signing_key("{name}", key, "{KEY_PAIR_ID}", ["AWSCURRENT"]);
            print(keys::public_key_pem(key));
            "#
        ),
        &[],
    );
    let pem = lines(&out).join("\n");
    let path = dir.join("public_key.pem");
    std::fs::write(&path, pem).unwrap();
    (name, path)
}

/// Runs an example as an application would, pointed at the emulator.
fn run_example(mut command: Command) -> String {
    let out = command
        .current_dir(repo())
        .env("AWS_ENDPOINT_URL", &Emulator::shared().url)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env_remove("AWS_PROFILE")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "{command:?} failed:\n{stdout}\n{stderr}"
    );
    assert!(!stdout.contains("PRIVATE KEY") && !stderr.contains("PRIVATE KEY"));
    stdout
}

fn assert_verified(signed: &str, public_key: &Path, example: &str) {
    assert!(
        signed.contains(&format!("Key-Pair-Id={KEY_PAIR_ID}")),
        "{example}: {signed}"
    );
    let out = Command::new(assert_cmd::cargo::cargo_bin("cfsign"))
        .args([
            "verify",
            signed,
            "--key-pair-id",
            KEY_PAIR_ID,
            "--public-key",
        ])
        .arg(public_key)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{example}: cfsign verify refused {signed}:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn the_rust_python_and_node_examples_sign_urls_cfsign_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let (secret, public_key) = team_secret(dir.path());

    // Rust: `cargo test` builds the examples along with the tests.
    let rust = target_dir().join("debug/examples/sign_from_secret");
    assert!(
        rust.exists(),
        "{} is missing: run the whole `cargo test` (it builds the examples), or \
         `cargo build --example sign_from_secret` first",
        rust.display()
    );
    let mut command = Command::new(&rust);
    command.args([&secret, URL]);
    assert_verified(&run_example(command), &public_key, "rust");

    let mut command = Command::new("python3");
    command
        .arg("examples/python/sign_from_secret.py")
        .args([&secret, URL])
        .env("PYTHONPATH", peers::python_packages());
    assert_verified(&run_example(command), &public_key, "python");

    let mut command = Command::new("node");
    command
        .arg("examples/node/sign-from-secret.cjs")
        .args([&secret, URL])
        .env("NODE_PATH", peers::node_packages().join("node_modules"));
    assert_verified(&run_example(command), &public_key, "node");
}
