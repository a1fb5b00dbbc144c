//! The application examples (examples/) against the emulator: each reads a team's signing key
//! from its secret the way an application does, as the team's integration role, and signs a
//! URL, which `cfsign verify` must accept for the team's public key.

use std::path::Path;
use std::process::Command;

use crate::support::emulator::Emulator;
use crate::support::recipe::{lines, run_recipe};
use crate::support::roles::{app_role_arn, Identity};
use crate::support::{peers, repo, target_dir};

const KEY_PAIR_ID: &str = "K2EXAMPLE0APPS";
const URL: &str = "https://files.apps.example.com/reports/q3 final.pdf";

/// A team's secret and integration role, as provisioning leaves them (the secret and role
/// products, deployed directly: the examples need a team, not the portfolio), the role trusting
/// the application's own role; returns the team, the secret's ARN and the public key's PEM file.
fn team_secret(dir: &Path) -> (&'static str, String, std::path::PathBuf) {
    let team: &'static str = Box::leak(format!("apps{}", std::process::id()).into_boxed_str());
    let app = app_role_arn(team);
    // As the root: the team's secret and role outside the portfolio are the test's fixture.
    let (out, _recipe_dir) = run_recipe(
        &format!(
            r#"
            let secret = cloudformation::deploy("{team}-secret", "products/private-key-secret/template.yaml",
                #{{ TeamName: "{team}", AutomationRoleArn: "arn:aws:iam::123456789012:role/cfsign-automation" }}, #{{}}).outputs;
            cloudformation::deploy("{team}-role", "products/integration-role/template.yaml",
                #{{ TeamName: "{team}", SecretArn: secret.SecretArn, TrustedPrincipalArn: "{app}" }},
                #{{ capabilities: ["CAPABILITY_NAMED_IAM"] }});
            let key = keys::generate();
            secretsmanager::put_signing_key(secret.SecretArn, key, "{KEY_PAIR_ID}", ["AWSCURRENT"]);
            print(secret.SecretArn);
            print(keys::public_key_pem(key));
            "#
        ),
        &[],
    );
    let printed = lines(&out);
    let path = dir.join("public_key.pem");
    std::fs::write(&path, printed[1..].join("\n")).unwrap();
    (team, printed[0].clone(), path)
}

/// Runs an example as an application would, pointed at the emulator, as `team`'s integration
/// role.
fn run_example(team: &'static str, mut command: Command) -> String {
    let out = command
        .current_dir(repo())
        .env("AWS_ENDPOINT_URL", &Emulator::shared().url)
        .envs(Identity::Integration(team).credentials())
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
    let (team, secret, public_key) = team_secret(dir.path());

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
    assert_verified(&run_example(team, command), &public_key, "rust");

    let mut command = Command::new("python3");
    command
        .arg("examples/python/sign_from_secret.py")
        .args([&secret, URL])
        .env("PYTHONPATH", peers::python_packages());
    assert_verified(&run_example(team, command), &public_key, "python");

    let mut command = Command::new("node");
    command
        .arg("examples/node/sign-from-secret.cjs")
        .args([&secret, URL])
        .env("NODE_PATH", peers::node_packages().join("node_modules"));
    assert_verified(&run_example(team, command), &public_key, "node");
}
