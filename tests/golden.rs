//! Golden output: what cfsign prints for `--help`, for bad input and for a dry run's plan is
//! compared in full with `tests/golden/NAME.txt`, so any change to it shows in review as a diff
//! of those files. When a change is intended, rewrite them and review the diff:
//!
//! ```sh
//! CFSIGN_BLESS=1 cargo test --test integration golden
//! ```

use std::process::Output;

use crate::support;
use crate::support::emulator::Emulator;
use crate::support::recipe::run_file;

/// Compares `actual` with the golden file `name` (or writes it, with CFSIGN_BLESS set).
pub fn golden(name: &str, actual: &str) {
    let path = support::repo()
        .join("tests/golden")
        .join(format!("{name}.txt"));
    if std::env::var("CFSIGN_BLESS").as_deref() == Ok("1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "{} is missing: write it with CFSIGN_BLESS=1 cargo test --test integration golden",
            path.display()
        )
    });
    assert!(
        expected == actual,
        "the output differs from {}; if the change is intended, rewrite it with \
         CFSIGN_BLESS=1 cargo test --test integration golden and review the diff.\n\
         --- expected\n{expected}\n--- actual\n{actual}",
        path.display()
    );
}

/// What a command printed, its exit status first; what varies from run to run (content
/// hashes, template sizes) replaced by a fixed word.
fn printed(out: &Output) -> String {
    let text = format!(
        "exit {}\n--- stdout\n{}--- stderr\n{}",
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    without_sizes(&without_hashes(&text))
}

/// As `printed`, with the emulator's address (its port changes) as `http://127.0.0.1:PORT`.
pub fn printed_against_the_emulator(out: &Output) -> String {
    printed(out).replace(&Emulator::shared().url, "http://127.0.0.1:PORT")
}

/// An uploaded template's `"ContentLength":N` becomes `"ContentLength":SIZE`: it changes with
/// every edit of a template, which the plan's other lines already show.
fn without_sizes(text: &str) -> String {
    const KEY: &str = "\"ContentLength\":";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(KEY) {
        let after = &rest[at + KEY.len()..];
        let digits = after.len() - after.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        out.push_str(&rest[..at + KEY.len()]);
        out.push_str("SIZE");
        rest = &after[digits..];
    }
    out.push_str(rest);
    out
}

/// Runs of 16 or more hexadecimal digits (content hashes) become HASH.
fn without_hashes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_hexdigit() {
            run.push(c);
            continue;
        }
        if run.len() >= 16 {
            out.push_str("HASH");
        } else {
            out.push_str(&run);
        }
        run.clear();
        out.push(c);
    }
    out.pop();
    out
}

/// The variables `--help` shows the values of (`[env: NAME=value]`), or that change what
/// cfsign does: the golden runs see none of them.
const ENVIRONMENT: [&str; 10] = [
    "CFSIGN_KEY_PAIR_ID",
    "CFSIGN_PRIVATE_KEY",
    "CFSIGN_KMS_KEY_ID",
    "CFSIGN_SECRET",
    "CFSIGN_ROOT",
    "CFSIGN_STDLIB",
    "AWS_ENDPOINT_URL",
    "AWS_PROFILE",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
];

/// `cfsign ARGS` from the repository root, help wrapped at 100 columns.
fn cfsign(args: &[&str]) -> Output {
    let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin("cfsign"));
    command
        .current_dir(support::repo())
        .args(args)
        .env("COLUMNS", "100");
    for name in ENVIRONMENT {
        command.env_remove(name);
    }
    command.output().unwrap()
}

#[test]
fn help_is_as_reviewed() {
    for (name, args) in [
        ("help", vec!["--help"]),
        ("help-sign", vec!["sign", "--help"]),
        ("help-verify", vec!["verify", "--help"]),
        ("help-run", vec!["run", "--help"]),
        (
            "help-provision-inputs",
            vec!["run", "recipes/provision.rhai", "--help"],
        ),
    ] {
        golden(name, &printed(&cfsign(&args)));
    }
}

#[test]
fn diagnostics_are_as_reviewed() {
    let keys = tempfile::tempdir().unwrap();
    let dir = keys.path().to_str().unwrap();
    assert!(cfsign(&["keygen", "--out-dir", dir]).status.success());
    let key = format!("{dir}/private_key.pem");
    let url = "https://d111111abcdef8.cloudfront.net/a.txt";
    let signing = [
        "sign",
        url,
        "--key-pair-id",
        "K2JCJMDEHXQW5F",
        "--expires-in",
        "15m",
    ];
    for (name, extra) in [
        (
            "error-missing-key-file",
            vec!["--private-key", "no-such-key.pem"],
        ),
        (
            "error-url-outside-resource",
            vec!["--private-key", &key, "--resource", "https://x/*"],
        ),
    ] {
        golden(name, &printed(&cfsign(&[&signing[..], &extra].concat())));
    }
    golden(
        "error-unknown-recipe-input",
        &printed(&cfsign(&[
            "run",
            "recipes/provision.rhai",
            "--var",
            "tema=payments",
        ])),
    );
}

#[test]
fn a_first_publish_plan_is_as_reviewed() {
    let out = run_file(
        "recipes/publish.rhai",
        &["--var", "teams=demo", "--dry-run"],
    );
    golden("plan-first-publish", &printed_against_the_emulator(&out));
}

#[test]
fn sizes_are_replaced() {
    assert_eq!(
        without_sizes(r#"{"ContentLength":6069,"Key":"k"} "ContentLength":1"#),
        r#"{"ContentLength":SIZE,"Key":"k"} "ContentLength":SIZE"#
    );
}

#[test]
fn hashes_are_replaced_and_short_hex_words_kept() {
    assert_eq!(
        without_hashes("products/0123456789abcdef0123/t.yaml cafe K2JCJ"),
        "products/HASH/t.yaml cafe K2JCJ"
    );
}
