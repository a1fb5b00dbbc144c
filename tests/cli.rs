//! The `cfsign` binary end to end: output, exit codes, errors, and no key material anywhere.

use crate::support;

use std::path::PathBuf;
use std::process::Output;
use std::sync::Mutex;

use assert_cmd::Command;
use serde_json::Value;

const KEY_PAIR_ID: &str = "K2JCJMDEHXQW5F";

struct Keys {
    dir: tempfile::TempDir,
}

impl Keys {
    fn new(key_type: &str) -> Keys {
        let dir = tempfile::tempdir().unwrap();
        let out = cfsign(&[
            "keygen",
            "--out-dir",
            dir.path().to_str().unwrap(),
            "--type",
            key_type,
        ]);
        assert!(out.status.success(), "{}", stderr(&out));
        remember_key_material(&dir.path().join("private_key.pem"));
        Keys { dir }
    }
    fn private(&self) -> PathBuf {
        self.dir.path().join("private_key.pem")
    }
    fn public(&self) -> PathBuf {
        self.dir.path().join("public_key.pem")
    }
    fn private_str(&self) -> String {
        self.private().to_str().unwrap().to_owned()
    }
    fn public_str(&self) -> String {
        self.public().to_str().unwrap().to_owned()
    }
}

fn cfsign(args: &[&str]) -> Output {
    cfsign_with_stdin(args, "")
}

fn cfsign_with_stdin(args: &[&str], stdin: &str) -> Output {
    let output = Command::cargo_bin("cfsign")
        .unwrap()
        .args(args)
        .env_remove("CFSIGN_KEY_PAIR_ID")
        .env_remove("CFSIGN_PRIVATE_KEY")
        .write_stdin(stdin)
        .output()
        .unwrap();
    assert_no_key_material(&output);
    output
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Base64 body lines of every private key the tests made, to search outputs for.
static KEY_LINES: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn remember_key_material(private_key: &std::path::Path) {
    let pem = std::fs::read_to_string(private_key).unwrap();
    let body = pem
        .lines()
        .filter(|l| !l.starts_with("-----") && l.len() >= 32);
    KEY_LINES.lock().unwrap().extend(body.map(str::to_owned));
}

/// No command ever prints a private key: no PEM armour with a body, no line of any test key.
fn assert_no_key_material(out: &Output) {
    let text = format!("{}{}", stdout(out), stderr(out));
    assert!(
        !text.contains("PRIVATE KEY-----\n"),
        "key material in output:\n{text}"
    );
    for line in KEY_LINES.lock().unwrap().iter() {
        assert!(
            !text.contains(line.as_str()),
            "private key material in output:\n{text}"
        );
    }
}

fn assert_stderr_contains(out: &Output, expected: &str) {
    let err = stderr(out);
    assert!(err.contains(expected), "stderr lacks {expected:?}:\n{err}");
}

fn sign(keys: &Keys, extra: &[&str]) -> Output {
    let private = keys.private_str();
    let mut args = vec![
        "sign",
        "--key-pair-id",
        KEY_PAIR_ID,
        "--private-key",
        &private,
    ];
    args.extend_from_slice(extra);
    cfsign(&args)
}

/// `cfsign verify` with the keys' public key, known by the id the tests sign with.
fn verify(keys: &Keys, url: &str, extra: &[&str]) -> Output {
    let public = keys.public_str();
    let mut args = vec![
        "verify",
        url,
        "--public-key",
        &public,
        "--key-pair-id",
        KEY_PAIR_ID,
    ];
    args.extend_from_slice(extra);
    cfsign(&args)
}

fn rsa_keys() -> Keys {
    Keys::new("rsa2048")
}

#[test]
fn keygen_writes_a_private_key_only_its_owner_can_read() {
    let keys = rsa_keys();
    let private = std::fs::read_to_string(keys.private()).unwrap();
    let public = std::fs::read_to_string(keys.public()).unwrap();
    assert!(private.starts_with("-----BEGIN PRIVATE KEY-----\n"));
    assert!(public.starts_with("-----BEGIN PUBLIC KEY-----\n"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(keys.private())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let key = cfsign::keys::PrivateKey::from_pem(&private, None).unwrap();
    assert_eq!(
        key.algorithm(),
        cfsign::keys::KeyAlgorithm::Rsa { bits: 2048 }
    );
}

#[test]
fn keygen_refuses_to_overwrite_and_changes_nothing() {
    let keys = rsa_keys();
    let before = std::fs::read(keys.private()).unwrap();
    let out = cfsign(&["keygen", "--out-dir", keys.dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("already exists"), "{}", stderr(&out));
    assert_eq!(std::fs::read(keys.private()).unwrap(), before);
}

#[test]
fn keygen_makes_ecdsa_keys_and_reports_json() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("nested/keys");
    let out = cfsign(&[
        "keygen",
        "--out-dir",
        out_dir.to_str().unwrap(),
        "--type",
        "ecdsa-p256",
        "--json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["type"], "ecdsa-p256");
    assert_eq!(report["algorithm"], "ECDSA P-256");
    remember_key_material(&out_dir.join("private_key.pem"));
    let pem = std::fs::read_to_string(out_dir.join("private_key.pem")).unwrap();
    let key = cfsign::keys::PrivateKey::from_pem(&pem, None).unwrap();
    assert_eq!(key.algorithm(), cfsign::keys::KeyAlgorithm::EcdsaP256);
}

#[test]
fn sign_prints_only_the_url_and_verify_accepts_it() {
    let keys = rsa_keys();
    let out = sign(
        &keys,
        &["https://cdn.example.com/a b.jpg", "--expires-in", "15m"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 1);
    let url = text.trim();
    assert!(
        url.starts_with("https://cdn.example.com/a%20b.jpg?Expires="),
        "{url}"
    );
    assert!(url.ends_with(&format!("&Key-Pair-Id={KEY_PAIR_ID}")));
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));

    let out = verify(&keys, url, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).contains("ACCEPTED"));
}

#[test]
fn an_upload_url_carries_the_marker_under_a_canned_policy() {
    let keys = rsa_keys();
    let url = "https://cdn.example.com/uploads/u 1.png";
    let out = sign(&keys, &[url, "--upload", "--expires-in", "5m"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let signed = stdout(&out).trim().to_owned();
    assert!(
        signed.starts_with("https://cdn.example.com/uploads/u%201.png?cfsign-upload=1&Expires="),
        "{signed}"
    );
    let out = verify(&keys, &signed, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    // A custom policy cannot write at the edge, so an upload URL never has one.
    for custom in [
        ["--ip", "203.0.113.0/24"],
        ["--resource", "https://cdn.example.com/*"],
    ] {
        let out = sign(
            &keys,
            &[url, "--upload", "--expires-in", "5m", custom[0], custom[1]],
        );
        assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
        assert_stderr_contains(&out, "cannot be used with");
    }
    let marked = &signed[..signed.find("&Expires").unwrap()];
    let out = sign(&keys, &[marked, "--upload", "--expires-in", "5m"]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert_stderr_contains(&out, "already carries `cfsign-upload`");
}

#[test]
fn an_upload_url_can_bind_one_content_type() {
    let keys = rsa_keys();
    let url = "https://cdn.example.com/uploads/a.svg";
    let args = [
        url,
        "--upload",
        "--content-type",
        "image/svg+xml",
        "--expires-in",
        "5m",
    ];
    let out = sign(&keys, &args);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with(
            "https://cdn.example.com/uploads/a.svg?cfsign-upload=1&cfsign-content-type=image%2Fsvg%2Bxml&Expires="
        ),
        "{}",
        stdout(&out)
    );
    let out = sign(
        &keys,
        &[
            url,
            "--upload",
            "--content-type",
            "image/*",
            "--expires-in",
            "5m",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert_stderr_contains(&out, "not a content type an upload URL can bind");
    let out = sign(
        &keys,
        &[url, "--content-type", "image/png", "--expires-in", "5m"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert_stderr_contains(&out, "--upload");
}

#[test]
fn custom_policy_options_produce_a_policy_verify_explains() {
    let keys = rsa_keys();
    let out = sign(
        &keys,
        &[
            "https://cdn.example.com/videos/a.mp4",
            "--starts-at",
            "2029-01-01T00:00:00Z",
            "--expires-at",
            "2030-01-01T00:00:00+00:00",
            "--ip",
            "203.0.113.0/24",
            "--resource",
            "https://cdn.example.com/videos/*",
            "--hash",
            "sha256",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let url = stdout(&out).trim().to_owned();
    assert!(
        url.contains("?Policy=") && url.ends_with("&Hash-Algorithm=SHA256"),
        "{url}"
    );

    let inside = verify(
        &keys,
        &url,
        &["--at", "2029-06-01", "--ip", "203.0.113.5", "--json"],
    );
    assert_eq!(inside.status.code(), Some(0), "{}", stdout(&inside));
    let verdict: Value = serde_json::from_str(&stdout(&inside)).unwrap();
    assert_eq!(verdict["accepted"], true);
    assert_eq!(verdict["policy_kind"], "custom");
    assert!(verdict["policy"]
        .as_str()
        .unwrap()
        .contains("\"AWS:SourceIp\":\"203.0.113.0/24\""));

    let early = verify(&keys, &url, &["--at", "2028-12-31T23:00:00Z"]);
    assert_eq!(early.status.code(), Some(1));
    assert!(
        stdout(&early).contains("not valid yet"),
        "{}",
        stdout(&early)
    );

    let late = verify(&keys, &url, &["--at", "2030-01-01T02:30:00Z"]);
    assert_eq!(late.status.code(), Some(1));
    assert!(
        stdout(&late).contains("expired 2h 30m ago"),
        "{}",
        stdout(&late)
    );

    let elsewhere = verify(&keys, &url, &["--at", "2029-06-01", "--ip", "198.51.100.1"]);
    assert_eq!(elsewhere.status.code(), Some(1));
    assert!(stdout(&elsewhere).contains("outside 203.0.113.0/24"));

    // Without the client's address nothing fails, but nothing is promised either: exit 3.
    let unknown_ip = verify(&keys, &url, &["--at", "2029-06-01"]);
    assert_eq!(unknown_ip.status.code(), Some(3), "{}", stdout(&unknown_ip));
    assert!(stdout(&unknown_ip).contains("UNDECIDED"));
    assert!(stdout(&unknown_ip).contains("pass the client's address"));
    let json = verify(&keys, &url, &["--at", "2029-06-01", "--json"]);
    let verdict: Value = serde_json::from_str(&stdout(&json)).unwrap();
    assert_eq!(verdict["decision"], "undecided");
    assert_eq!(verdict["accepted"], false);
}

#[test]
fn verify_checks_the_key_pair_id_and_cannot_tell_without_it() {
    let keys = rsa_keys();
    let url = stdout(&sign(
        &keys,
        &["https://cdn.example.com/a.jpg", "--expires-in", "1h"],
    ))
    .trim()
    .to_owned();
    let public = keys.public_str();

    let without = cfsign(&["verify", &url, "--public-key", &public]);
    assert_eq!(without.status.code(), Some(3), "{}", stdout(&without));
    assert!(
        stdout(&without).contains(&format!("the given key must be {KEY_PAIR_ID}")),
        "{}",
        stdout(&without)
    );

    let wrong = cfsign(&[
        "verify",
        &url,
        "--public-key",
        &public,
        "--key-pair-id",
        "K3OTHERKEY",
    ]);
    assert_eq!(wrong.status.code(), Some(1), "{}", stdout(&wrong));
    assert!(
        stdout(&wrong).contains("REJECTED (403): key-pair-id"),
        "{}",
        stdout(&wrong)
    );

    let from_env = Command::cargo_bin("cfsign")
        .unwrap()
        .args(["verify", &url, "--public-key", &public])
        .env("CFSIGN_KEY_PAIR_ID", KEY_PAIR_ID)
        .output()
        .unwrap();
    assert_eq!(from_env.status.code(), Some(0), "{}", stdout(&from_env));
}

#[test]
fn verify_reports_dates_beyond_the_year_9999_without_panicking() {
    let keys = rsa_keys();
    for expires in ["253402300800", "18446744073709551615"] {
        let url = format!(
            "https://cdn.example.com/a.jpg?Expires={expires}&Signature=AAAA&Key-Pair-Id={KEY_PAIR_ID}"
        );
        let out = verify(&keys, &url, &[]);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}{}",
            stdout(&out),
            stderr(&out)
        );
        assert!(
            stdout(&out).contains("after the year 9999"),
            "{}",
            stdout(&out)
        );
    }
}

#[test]
fn a_custom_policy_url_is_never_widened_by_its_own_characters() {
    let keys = rsa_keys();
    for url in [
        "https://cdn.example.com/teams/acme/%2A",
        "https://cdn.example.com/teams/acme/a.jpg?size=1",
    ] {
        let out = sign(
            &keys,
            &[url, "--expires-in", "1h", "--ip", "203.0.113.0/24"],
        );
        assert_eq!(out.status.code(), Some(2), "{url}: {}", stdout(&out));
        assert_stderr_contains(&out, "reads as a wildcard");
        assert_stderr_contains(&out, "--resource");
    }
    for escape in [
        "https://cdn.example.com/teams/acme/%2e%2e/other/a.pdf",
        "https://cdn.example.com/teams/acme/../other/a.pdf",
        "https://cdn.example.com/teams/acme%2F..%2Fother/a.pdf",
    ] {
        let out = sign(
            &keys,
            &[
                escape,
                "--expires-in",
                "1h",
                "--resource",
                "https://cdn.example.com/teams/acme/*",
            ],
        );
        assert_eq!(out.status.code(), Some(2), "{escape}: {}", stdout(&out));
        let batch = cfsign_with_stdin(
            &[
                "sign",
                "--batch",
                "--scope",
                "https://cdn.example.com/teams/acme/*",
                "--key-pair-id",
                KEY_PAIR_ID,
                "--private-key",
                &keys.private_str(),
                "--expires-in",
                "1h",
            ],
            &format!(
                "{escape}
"
            ),
        );
        assert_eq!(batch.status.code(), Some(2), "{escape}: {}", stdout(&batch));
    }
}

#[test]
fn verify_names_what_is_wrong_with_a_tampered_or_foreign_url() {
    let keys = rsa_keys();
    let other = rsa_keys();
    let url = stdout(&sign(
        &keys,
        &["https://cdn.example.com/a.jpg", "--expires-in", "1h"],
    ))
    .trim()
    .to_owned();

    let other_path = url.replace("/a.jpg", "/b.jpg");
    let out = verify(&keys, &other_path, &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("REJECTED (403): signature"),
        "{}",
        stdout(&out)
    );

    let foreign = verify(&other, &url, &[]);
    assert_eq!(foreign.status.code(), Some(1));

    let sig_at = url.find("Signature=").unwrap() + "Signature=".len();
    let mut tampered = url.clone();
    let flipped = if &url[sig_at..=sig_at] == "A" {
        "B"
    } else {
        "A"
    };
    tampered.replace_range(sig_at..=sig_at, flipped);
    assert_eq!(verify(&keys, &tampered, &[]).status.code(), Some(1));

    let duplicated = format!("{url}&Expires=1");
    let out = verify(&keys, &duplicated, &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("duplicated signing parameter(s): Expires"));

    let unsigned = verify(&keys, "https://cdn.example.com/a.jpg", &[]);
    assert_eq!(unsigned.status.code(), Some(1));
    assert!(stdout(&unsigned).contains("missing signing parameter(s): Signature, Key-Pair-Id"));
}

#[test]
fn batch_keeps_order_and_blank_lines() {
    let keys = rsa_keys();
    let private = keys.private_str();
    let input = "https://cdn.example.com/1.jpg\n\nhttps://cdn.example.com/2 b.jpg\nhttps://cdn.example.com/3.jpg\n";
    let out = cfsign_with_stdin(
        &[
            "sign",
            "--batch",
            "--key-pair-id",
            KEY_PAIR_ID,
            "--private-key",
            &private,
            "--expires-in",
            "1h",
            "--jobs",
            "2",
        ],
        input,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let lines: Vec<String> = stdout(&out).lines().map(str::to_owned).collect();
    assert_eq!(lines.len(), 4);
    assert!(lines[0].starts_with("https://cdn.example.com/1.jpg?Expires="));
    assert!(lines[1].is_empty());
    assert!(lines[2].starts_with("https://cdn.example.com/2%20b.jpg?Expires="));
    assert!(lines[3].starts_with("https://cdn.example.com/3.jpg?Expires="));
    for line in [&lines[0], &lines[2], &lines[3]] {
        assert_eq!(verify(&keys, line, &[]).status.code(), Some(0));
    }
}

#[test]
fn batch_scope_reuses_one_signature_and_names_a_line_outside_the_scope() {
    let keys = rsa_keys();
    let private = keys.private_str();
    let args = [
        "sign",
        "--batch",
        "--scope",
        "https://cdn.example.com/teams/acme/*",
        "--key-pair-id",
        KEY_PAIR_ID,
        "--private-key",
        &private,
        "--expires-in",
        "1h",
    ];
    let input = "https://cdn.example.com/teams/acme/a.jpg\nhttps://cdn.example.com/teams/acme/sub/b.jpg?w=200\n";
    let out = cfsign_with_stdin(&args, input);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2);
    let signature = |url: &str| {
        url.split("Signature=")
            .nth(1)
            .unwrap()
            .split('&')
            .next()
            .unwrap()
            .to_owned()
    };
    assert_eq!(signature(lines[0]), signature(lines[1]));
    assert!(lines[1].starts_with("https://cdn.example.com/teams/acme/sub/b.jpg?w=200&Policy="));
    for line in &lines {
        assert_eq!(verify(&keys, line, &[]).status.code(), Some(0), "{line}");
    }

    let outside =
        "https://cdn.example.com/teams/acme/a.jpg\nhttps://cdn.example.com/teams/other/c.jpg\n";
    let out = cfsign_with_stdin(&args, outside);
    assert_eq!(out.status.code(), Some(2));
    assert!(stdout(&out).is_empty(), "nothing half-written");
    let err = stderr(&out);
    assert!(
        err.contains("line 2") && err.contains("does not match"),
        "{err}"
    );
}

#[test]
fn cookies_as_set_cookie_lines_and_json() {
    let keys = rsa_keys();
    let private = keys.private_str();
    let base = [
        "cookies",
        "https://cdn.example.com/gallery/*",
        "--key-pair-id",
        KEY_PAIR_ID,
        "--private-key",
        &private,
        "--expires-in",
        "2h",
    ];
    let mut args = base.to_vec();
    args.extend(["--domain", "cdn.example.com"]);
    let out = cfsign(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let names: Vec<&str> = text
        .lines()
        .map(|l| {
            l.strip_prefix("Set-Cookie: ")
                .unwrap()
                .split('=')
                .next()
                .unwrap()
        })
        .collect();
    assert_eq!(
        names,
        [
            "CloudFront-Policy",
            "CloudFront-Signature",
            "CloudFront-Key-Pair-Id"
        ]
    );
    assert!(text
        .lines()
        .all(|l| l.contains("; Domain=cdn.example.com; Path=/; Secure; HttpOnly")));

    let mut args = base.to_vec();
    args.push("--json");
    let json: Value = serde_json::from_str(&stdout(&cfsign(&args))).unwrap();
    assert_eq!(json["CloudFront-Key-Pair-Id"], KEY_PAIR_ID);
    assert!(json["CloudFront-Policy"].is_string() && json.get("CloudFront-Expires").is_none());
}

#[test]
fn bad_input_gets_a_clear_error_and_exit_2() {
    let keys = rsa_keys();
    let cases: [(&[&str], &str); 10] = [
        (&["https://cdn.example.com/a.jpg"], "expiration is required"),
        (
            &[
                "https://cdn.example.com/a.jpg",
                "--expires-in",
                "1h",
                "--expires-at",
                "2030-01-01T00:00:00Z",
            ],
            "cannot be used with",
        ),
        (
            &["https://cdn.example.com/a.jpg", "--expires-in", "soon"],
            "not a duration",
        ),
        (
            &["https://cdn.example.com/a.jpg#x", "--expires-in", "1h"],
            "fragment",
        ),
        (
            &[
                "https://cdn.example.com/a.jpg?Expires=1",
                "--expires-in",
                "1h",
            ],
            "already carries the signing parameter `Expires`",
        ),
        (
            &[
                "https://cdn.example.com/a.jpg",
                "--expires-in",
                "1h",
                "--ip",
                "2001:db8::/32",
            ],
            "IPv4 only",
        ),
        (
            &[
                "https://cdn.example.com/a.jpg",
                "--expires-in",
                "1h",
                "--resource",
                "https://cdn.example.com/b/*",
            ],
            "does not match the resource pattern",
        ),
        (
            &["ftp://cdn.example.com/a.jpg", "--expires-in", "1h"],
            "scheme",
        ),
        (
            &[
                "https://cdn.example.com/a.jpg",
                "--expires-at",
                "2030-01-01",
                "--starts-at",
                "2031-01-01",
            ],
            "must be before the expiration",
        ),
        (
            &[
                "https://cdn.example.com/a.jpg",
                "--expires-in",
                "1h",
                "--resource",
                "https://cdn.example.com/\"*",
            ],
            "quotes",
        ),
    ];
    for (extra, expected) in cases {
        let out = sign(&keys, extra);
        assert_eq!(out.status.code(), Some(2), "{extra:?}");
        let err = stderr(&out);
        assert!(err.starts_with("error: "), "{err}");
        assert!(err.contains(expected), "{extra:?}: {err}");
        assert!(
            !err.contains("panicked") && !err.contains("backtrace"),
            "{err}"
        );
        assert!(stdout(&out).is_empty());
    }

    let out = cfsign(&[
        "sign",
        "https://cdn.example.com/a.jpg",
        "--key-pair-id",
        "k-lower",
        "--private-key",
        &keys.private_str(),
        "--expires-in",
        "1h",
    ]);
    assert_stderr_contains(&out, "not a CloudFront key pair id");
}

#[test]
fn key_problems_name_the_file_and_the_fix() {
    let keys = rsa_keys();
    let dir = tempfile::tempdir().unwrap();
    let corrupt = dir.path().join("corrupt.pem");
    std::fs::write(
        &corrupt,
        "-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n",
    )
    .unwrap();
    let not_pem = dir.path().join("notes.txt");
    std::fs::write(&not_pem, "hello").unwrap();
    let cases: [(PathBuf, &str); 4] = [
        (keys.public(), "this is a public key"),
        (corrupt.clone(), "corrupt PEM"),
        (not_pem, "not a PEM key"),
        (
            dir.path().join("missing.pem"),
            "cannot read the private key file",
        ),
    ];
    for (path, expected) in cases {
        let out = cfsign(&[
            "sign",
            "https://cdn.example.com/a.jpg",
            "--key-pair-id",
            KEY_PAIR_ID,
            "--private-key",
            path.to_str().unwrap(),
            "--expires-in",
            "1h",
        ]);
        assert_eq!(out.status.code(), Some(2));
        let err = stderr(&out);
        assert!(err.contains(expected), "{err}");
        assert!(
            err.contains(path.file_name().unwrap().to_str().unwrap()),
            "names the file: {err}"
        );
    }
}

#[test]
fn encrypted_keys_take_the_passphrase_from_the_environment() {
    let keys = rsa_keys();
    let code = format!(
        r#"
from cryptography.hazmat.primitives import serialization as s
key = s.load_pem_private_key(open({path:?}, "rb").read(), password=None)
open({path:?} + ".enc", "wb").write(key.private_bytes(s.Encoding.PEM, s.PrivateFormat.PKCS8, s.BestAvailableEncryption(b"hunter22")))
"#,
        path = keys.private_str()
    );
    support::peers::python_snippet(&code);
    let encrypted = format!("{}.enc", keys.private_str());
    let run = |env: Option<&str>, extra: &[&str]| {
        let mut cmd = Command::cargo_bin("cfsign").unwrap();
        cmd.args([
            "sign",
            "https://cdn.example.com/a.jpg",
            "--key-pair-id",
            KEY_PAIR_ID,
            "--private-key",
            &encrypted,
            "--expires-in",
            "1h",
        ])
        .args(extra);
        if let Some(value) = env {
            cmd.env("CFSIGN_TEST_PASSPHRASE", value);
        }
        let out = cmd.output().unwrap();
        assert_no_key_material(&out);
        out
    };
    let ok = run(
        Some("hunter22"),
        &["--passphrase-env", "CFSIGN_TEST_PASSPHRASE"],
    );
    assert!(ok.status.success(), "{}", stderr(&ok));
    let url = stdout(&ok).trim().to_owned();
    assert_eq!(verify(&keys, &url, &[]).status.code(), Some(0));
    assert!(!stderr(&ok).contains("hunter22"));

    let wrong = run(
        Some("nope"),
        &["--passphrase-env", "CFSIGN_TEST_PASSPHRASE"],
    );
    assert!(
        stderr(&wrong).contains("wrong passphrase"),
        "{}",
        stderr(&wrong)
    );
    let none = run(None, &[]);
    assert!(
        stderr(&none).contains("--passphrase-env"),
        "{}",
        stderr(&none)
    );
    let unset = run(None, &["--passphrase-env", "CFSIGN_TEST_PASSPHRASE"]);
    assert!(stderr(&unset).contains("is not set"), "{}", stderr(&unset));
}

#[test]
fn keys_cloudfront_would_refuse_get_a_warning_but_still_sign() {
    let vector_key = support::repo().join("tests/vectors/test-rsa-key.pem");
    remember_key_material(&vector_key);
    let out = cfsign(&[
        "sign",
        "https://d111111abcdef8.cloudfront.net/image.jpg",
        "--key-pair-id",
        "K1TESTKEY",
        "--private-key",
        vector_key.to_str().unwrap(),
        "--expires-at",
        "1767290400",
    ]);
    assert!(out.status.success());
    assert_stderr_contains(&out, "1024-bit RSA key");
    assert!(stderr(&out).contains("expiry is in the past"));
    // The vector's exact signature, through the CLI.
    assert!(stdout(&out).contains("Signature=iONoMLnhiCy9q1~WB9GkR2DiHz18I85i3o6kZ64REf-fCSOg"));
}

#[test]
fn help_shows_examples() {
    for command in [
        &["--help"][..],
        &["sign", "--help"],
        &["verify", "--help"],
        &["keygen", "--help"],
        &["cookies", "--help"],
        &["bench", "--help"],
        &["run", "--help"],
        &["doc", "--help"],
    ] {
        let out = cfsign(command);
        assert!(out.status.success());
        assert!(stdout(&out).contains("Examples:"), "{command:?}");
    }
}

/// A recipe folder with a sibling stdlib, as in the repository layout.
fn recipe_workspace(recipe: &str, module: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("recipes")).unwrap();
    std::fs::create_dir_all(dir.path().join("stdlib")).unwrap();
    std::fs::write(dir.path().join("stdlib/team.rhai"), module).unwrap();
    let path = dir.path().join("recipes/main.rhai");
    std::fs::write(&path, recipe).unwrap();
    (dir, path)
}

#[test]
fn run_passes_vars_finds_stdlib_and_prints() {
    let (dir, recipe) = recipe_workspace(
        r#"import "team" as team; print(team::greeting(vars.team)); vars.count + 1"#,
        r#"fn greeting(name) { `provisioning ${name}` }"#,
    );
    let vars_file = dir.path().join("vars.json");
    std::fs::write(&vars_file, r#"{"team": "search", "count": 41}"#).unwrap();
    let out = cfsign(&[
        "run",
        recipe.to_str().unwrap(),
        "--vars-file",
        vars_file.to_str().unwrap(),
        "--var",
        "team=payments",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "provisioning payments\n42\n");
}

#[test]
fn run_json_output_keeps_stdout_for_the_result() {
    let (_dir, recipe) = recipe_workspace(
        r#"print("working"); #{ team: vars.team, urls: [1, 2] }"#,
        "",
    );
    let out = cfsign(&[
        "run",
        recipe.to_str().unwrap(),
        "--var",
        "team=payments",
        "--output",
        "json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let result: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        result,
        serde_json::json!({"team": "payments", "urls": [1, 2]})
    );
    assert_eq!(stderr(&out), "working\n");
}

#[test]
fn run_reports_script_errors_with_position_and_exit_2() {
    let (_dir, recipe) = recipe_workspace("let a = 1;\nprint(vars.team);\n", "");
    let out = cfsign(&["run", recipe.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.starts_with("error: variable `team` was not given"),
        "{err}"
    );
    assert!(err.contains("recipes/main.rhai:2:11"), "{err}");
    assert!(err.contains("2 | print(vars.team);"), "{err}");
    assert!(stdout(&out).is_empty());

    let out = cfsign(&["run", recipe.to_str().unwrap(), "--var", "novalue"]);
    assert_eq!(out.status.code(), Some(2));
    assert_stderr_contains(&out, "is not KEY=VALUE");

    let out = cfsign(&["run", "/nonexistent/recipe.rhai"]);
    assert_eq!(out.status.code(), Some(2));
    assert_stderr_contains(&out, "cannot read the recipe");
}

#[test]
fn run_never_prints_a_generated_private_key() {
    let (_dir, recipe) = recipe_workspace(
        r#"let key = keys::generate(); print(key); debug(key); print(#{k: key}); key.public_key_pem()"#,
        "",
    );
    let out = cfsign(&["run", recipe.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("-----BEGIN PUBLIC KEY-----"));
    assert_eq!(text.matches("<private key redacted>").count(), 3, "{text}");
    assert!(!text.contains("PRIVATE KEY-----"));
}

/// The ways a PEM file gets damaged in transit (copy-paste, YAML, shells, editors).
fn mangled(pem: &str) -> Vec<(&'static str, String)> {
    let first_line = pem.lines().next().unwrap_or_default().to_owned();
    let last_line = pem.lines().last().unwrap_or_default().to_owned();
    let body_at = pem.find('\n').unwrap_or(0) + 1;
    let half = body_at + (pem.len() - body_at) / 2;
    let mut bad_char = pem.to_owned();
    bad_char.replace_range(body_at + 10..body_at + 11, "%");
    vec![
        (
            "four dashes on BEGIN",
            pem.replacen("KEY-----\n", "KEY----\n", 1),
        ),
        (
            "BEGIN without closing dashes",
            pem.replacen("KEY-----\n", "KEY\n", 1),
        ),
        (
            "six dashes on BEGIN",
            pem.replacen("KEY-----\n", "KEY------\n", 1),
        ),
        (
            "lower-case label",
            pem.replacen(&first_line, &first_line.to_ascii_lowercase(), 1),
        ),
        (
            "body on the BEGIN line",
            pem.replacen("-----\n", "-----", 1),
        ),
        ("no END line", pem.replace(&last_line, "")),
        ("damaged END line", pem.replacen("-----END", "----END", 1)),
        (
            "mismatched END label",
            pem.replace(&last_line, "-----END CERTIFICATE-----"),
        ),
        ("truncated body", format!("{}\n{last_line}\n", &pem[..half])),
        ("bad base64 character", bad_char),
        (
            "legacy encryption header",
            pem.replacen(
                "-----\n",
                "-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\n",
                1,
            ),
        ),
        (
            "unknown label",
            pem.replace("PRIVATE KEY-----", "OPENSSH PRIVATE KEY-----"),
        ),
        ("escaped newlines", pem.replace('\n', "\\n")),
        (
            "CRLF and a damaged BEGIN",
            pem.replace('\n', "\r\n")
                .replacen("KEY-----\r\n", "KEY----\r\n", 1),
        ),
    ]
}

/// Every 12-character run of a PEM's base64 body.
fn body_windows(pem: &str) -> Vec<String> {
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    body.as_bytes()
        .windows(12)
        .step_by(4)
        .map(|w| String::from_utf8_lossy(w).into_owned())
        .collect()
}

#[test]
fn a_damaged_pem_never_puts_key_material_in_an_error() {
    let url = "https://cdn.example.com/a.jpg";
    for key_type in ["rsa2048", "ecdsa-p256"] {
        let keys = Keys::new(key_type);
        for (path, role) in [(keys.private(), "private"), (keys.public(), "public")] {
            let pem = std::fs::read_to_string(&path).unwrap();
            let windows = body_windows(&pem);
            for (damage, text) in mangled(&pem) {
                let file = keys.dir.path().join("damaged.pem");
                std::fs::write(&file, &text).unwrap();
                let file = file.to_str().unwrap();
                let (dir, recipe) = recipe_workspace(r#"keys::from_pem(vars.pem).algorithm()"#, "");
                let outputs = [
                    cfsign(&[
                        "sign",
                        url,
                        "--key-pair-id",
                        KEY_PAIR_ID,
                        "--private-key",
                        file,
                        "--expires-in",
                        "5m",
                    ]),
                    cfsign(&[
                        "cookies",
                        "https://cdn.example.com/*",
                        "--key-pair-id",
                        KEY_PAIR_ID,
                        "--private-key",
                        file,
                        "--expires-in",
                        "5m",
                    ]),
                    cfsign(&[
                        "verify",
                        &format!("{url}?Expires=1&Signature=AA__&Key-Pair-Id={KEY_PAIR_ID}"),
                        "--public-key",
                        file,
                    ]),
                    cfsign(&[
                        "run",
                        recipe.to_str().unwrap(),
                        "--var",
                        &format!("pem={text}"),
                    ]),
                ];
                drop(dir);
                for out in &outputs {
                    let said = format!("{}{}", stdout(out), stderr(out));
                    assert!(
                        !windows.iter().any(|w| said.contains(w.as_str())),
                        "{key_type} {role} key, {damage}: key material in the output:\n{said}"
                    );
                }
                // Whatever the damage, the private-key commands fail cleanly (exit 2).
                if role == "private" {
                    assert_eq!(
                        outputs[0].status.code(),
                        Some(2),
                        "{damage}: {}",
                        stderr(&outputs[0])
                    );
                }
            }
        }
    }
}

#[test]
fn a_deeply_nested_result_is_an_error_not_a_crash() {
    let (_dir, recipe) = recipe_workspace("let a = []; for i in 0..3000 { a = [a]; } a", "");
    let out = cfsign(&["run", recipe.to_str().unwrap(), "--output", "json"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_stderr_contains(&out, "levels deep");
}

#[test]
fn a_run_stops_at_its_timeout() {
    // An endpoint that accepts and never answers: the recipe's request waits on it.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let held: Vec<_> = listener.incoming().take(4).collect();
        std::thread::sleep(std::time::Duration::from_secs(120));
        drop(held);
    });
    let (_dir, recipe) = recipe_workspace("http::get(vars.url)", "");
    let started = std::time::Instant::now();
    let out = cfsign(&[
        "run",
        recipe.to_str().unwrap(),
        "--endpoint-url",
        &endpoint,
        "--var",
        &format!("url={endpoint}/_edge/E1/a.txt"),
        "--timeout",
        "2s",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_stderr_contains(&out, "did not finish within --timeout 2s");
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
}

/// A loopback endpoint answering every request with `status` and `body`.
fn fake_endpoint(status: u16, body: &'static str) -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut request = [0u8; 65536];
            let _ = stream.read(&mut request);
            let _ = write!(
                stream,
                "HTTP/1.1 {status} OK\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    endpoint
}

#[test]
fn an_unreadable_secret_response_never_reaches_the_error() {
    const SECRET_BODY: &str = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj";
    for body in [
        // A type the model does not allow, after the secret.
        r#"{"Name":"cfsign/a/signing-key","SecretString":"{\"keyPairId\":\"K1\",\"privateKey\":\"-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\\n-----END PRIVATE KEY-----\"}","VersionStages":7}"#,
        // Truncated in the middle of the secret.
        r#"{"Name":"cfsign/a/signing-key","SecretString":"{\"privateKey\":\"MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj"#,
    ] {
        let endpoint = fake_endpoint(200, body);
        let (_dir, recipe) = recipe_workspace(
            r#"secretsmanager::get_signing_key("cfsign/a/signing-key", "AWSCURRENT")"#,
            "",
        );
        let out = Command::cargo_bin("cfsign")
            .unwrap()
            .args([
                "run",
                recipe.to_str().unwrap(),
                "--endpoint-url",
                &endpoint,
                "--region",
                "us-east-1",
            ])
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env_remove("AWS_PROFILE")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        let said = format!("{}{}", stdout(&out), stderr(&out));
        assert!(said.contains("GetSecretValue failed"), "{said}");
        assert!(
            !said.contains(SECRET_BODY),
            "the secret reached the error:\n{said}"
        );
        assert!(
            !said.contains("privateKey"),
            "the response reached the error:\n{said}"
        );
    }
}

#[test]
fn a_failed_request_shows_the_url_without_its_signature() {
    // A loopback endpoint that closes every connection at once.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            drop(stream);
        }
    });
    let (_dir, recipe) = recipe_workspace("http::get(vars.url)", "");
    let url =
        format!("{endpoint}/_edge/E1/a.txt?Expires=1&Signature=SIGNATURESECRET&Key-Pair-Id=K1");
    let out = cfsign(&[
        "run",
        recipe.to_str().unwrap(),
        "--endpoint-url",
        &endpoint,
        "--var",
        &format!("url={url}"),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_stderr_contains(&out, "ConnectionError");
    assert_stderr_contains(&out, "/_edge/E1/a.txt");
    assert!(
        !stderr(&out).contains("SIGNATURESECRET"),
        "{}",
        stderr(&out)
    );
}

/// Runs `script` with `sh` in a network namespace of its own that has only loopback, so nothing
/// it does can leave the machine.
fn in_loopback_only_namespace(script: &str) -> Output {
    let out = std::process::Command::new("unshare")
        .args(["--user", "--map-root-user", "--net", "sh", "-c"])
        .arg(format!("ip link set lo up && {script}"))
        .output()
        .unwrap_or_else(|e| {
            panic!("this test needs `unshare` (util-linux) and `ip` (iproute2): apt-get install util-linux iproute2 ({e})")
        });
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("Operation not permitted"),
        "unshare cannot make a network namespace here (user namespaces disabled?): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[test]
fn http_refusals_come_before_any_connection() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("recipes")).unwrap();
    let recipe = dir.path().join("recipes/probe.rhai");
    std::fs::write(
        &recipe,
        r#"let said = "SENT"; try { http::get(vars.url); } catch (e) { said = `${e.code}: ${e.message}`; } print(said);"#,
    )
    .unwrap();
    let seen = dir.path().join("connections");
    // A listener on loopback's HTTPS port records any connection that reaches it.
    let listener = format!(
        "python3 -c \"import socket; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1', 443)); s.listen(); c, _ = s.accept(); open('{}', 'w').write('connected')\" </dev/null >/dev/null 2>&1 & listener=$!;",
        seen.display()
    );
    let cfsign = env!("CARGO_BIN_EXE_cfsign");
    let mut runs = String::new();
    for url in [
        "https://169.254.169.254/latest/meta-data/",
        "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
        "https://localhost/x",
        "https://10.0.0.1/x",
        "https://[::1]/x",
        "https://example.com/x",
    ] {
        runs.push_str(&format!(
            "{cfsign} run {} --allow-host localhost --var url={url}; ",
            recipe.display()
        ));
    }
    let out = in_loopback_only_namespace(&format!("{listener} sleep 0.5; {runs} kill $listener"));
    let said = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = said.lines().collect();
    assert_eq!(
        lines.len(),
        6,
        "{said}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for line in &lines {
        assert!(
            line.starts_with("NotAllowed: "),
            "not refused by the sandbox: {line}"
        );
    }
    assert!(lines[2].contains("addresses"), "{}", lines[2]);
    assert!(
        !seen.exists(),
        "a refused request reached the loopback listener"
    );
}

#[test]
fn verify_explains_signed_cookies_for_the_url_they_are_sent_with() {
    let keys = rsa_keys();
    let private = keys.private_str();
    let printed = cfsign(&[
        "cookies",
        "https://cdn.example.com/gallery/*",
        "--key-pair-id",
        KEY_PAIR_ID,
        "--private-key",
        &private,
        "--expires-in",
        "1h",
        "--domain",
        "cdn.example.com",
    ]);
    assert!(printed.status.success(), "{}", stderr(&printed));
    let file = keys.dir.path().join("cookies.txt");
    std::fs::write(&file, stdout(&printed)).unwrap();
    let file = file.to_str().unwrap();
    let inside = verify(
        &keys,
        "https://cdn.example.com/gallery/a.jpg",
        &["--cookies", file],
    );
    assert_eq!(inside.status.code(), Some(0), "{}", stdout(&inside));
    assert!(
        stdout(&inside).contains("cookies present once each"),
        "{}",
        stdout(&inside)
    );
    let outside = verify(
        &keys,
        "https://cdn.example.com/private/a.jpg",
        &["--cookies", file],
    );
    assert_eq!(outside.status.code(), Some(1), "{}", stdout(&outside));
    assert!(
        stdout(&outside).contains("REJECTED (403): resource"),
        "{}",
        stdout(&outside)
    );
    // From stdin, as a Cookie header a browser would send.
    let header = format!(
        "Cookie: theme=dark; {}",
        stdout(&printed)
            .lines()
            .map(|line| line
                .trim_start_matches("Set-Cookie: ")
                .split(';')
                .next()
                .unwrap())
            .collect::<Vec<_>>()
            .join("; ")
    );
    let public = keys.public_str();
    let piped = cfsign_with_stdin(
        &[
            "verify",
            "https://cdn.example.com/gallery/b.jpg",
            "--cookies",
            "-",
            "--public-key",
            &public,
            "--key-pair-id",
            KEY_PAIR_ID,
            "--json",
        ],
        &header,
    );
    assert_eq!(piped.status.code(), Some(0), "{}", stdout(&piped));
    let verdict: Value = serde_json::from_str(&stdout(&piped)).unwrap();
    assert_eq!(verdict["policy_kind"], "custom");
    let empty = cfsign_with_stdin(
        &[
            "verify",
            "https://cdn.example.com/a.jpg",
            "--cookies",
            "-",
            "--public-key",
            &public,
        ],
        "nothing",
    );
    assert_eq!(empty.status.code(), Some(2));
    assert_stderr_contains(&empty, "holds no cookies");
}

/// The input names a recipe reads: `vars.NAME`, `vars.get("NAME"`, `vars.has("NAME")`, and
/// provision.rhai's `input_or(found, "NAME"` / `required_input(found, "NAME"` helpers.
fn inputs_read_by(source: &str) -> std::collections::BTreeSet<String> {
    let mut names = std::collections::BTreeSet::new();
    let ident = |text: &str| -> String {
        text.chars()
            .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
            .collect()
    };
    for quoted in [
        "vars.get(\"",
        "vars.has(\"",
        "input_or(found, \"",
        "required_input(found, \"",
    ] {
        for (at, _) in source.match_indices(quoted) {
            names.insert(ident(&source[at + quoted.len()..]));
        }
    }
    for (at, _) in source.match_indices("vars.") {
        let name = ident(&source[at + "vars.".len()..]);
        if !["get", "has", ""].contains(&name.as_str()) {
            names.insert(name);
        }
    }
    names
}

#[test]
fn every_recipe_declares_exactly_the_inputs_it_reads() {
    for entry in std::fs::read_dir(support::repo().join("recipes")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("rhai") {
            continue;
        }
        let source = std::fs::read_to_string(&path).unwrap();
        let declared: std::collections::BTreeSet<String> =
            cfsign::script::inputs::DeclaredInputs::parse(&source)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
                .iter()
                .map(|i| i.name.clone())
                .collect();
        let read = inputs_read_by(&source);
        assert!(
            !declared.is_empty(),
            "{} declares no inputs",
            path.display()
        );
        assert_eq!(
            read,
            declared,
            "{}: read but not declared {:?}, declared but never read {:?}",
            path.display(),
            read.difference(&declared).collect::<Vec<_>>(),
            declared.difference(&read).collect::<Vec<_>>()
        );
    }
}

#[test]
fn a_var_the_recipe_does_not_declare_is_refused_with_the_close_match_before_it_runs() {
    // Nothing listens on port 9: a run that got as far as calling AWS would fail otherwise.
    let out = cfsign(&[
        "run",
        "recipes/publish.rhai",
        "--var",
        "launchRoleArn=arn:aws:iam::111122223333:role/launch",
        "--endpoint-url",
        "http://127.0.0.1:9",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            "recipes/publish.rhai: the recipe declares no input `launchRoleArn`: did you mean \
             `launch_role_arn`?"
        ),
        "{err}"
    );
    assert!(
        err.contains("cfsign run recipes/publish.rhai --help"),
        "{err}"
    );
    assert!(!err.contains("127.0.0.1:9"), "it ran: {err}");

    // A vars file is shared by the recipes of a team's life, so it may hold other recipes'
    // inputs: teardown takes one with provision's certificate_arn (and gets as far as AWS).
    let dir = tempfile::tempdir().unwrap();
    let vars = dir.path().join("vars.json");
    std::fs::write(
        &vars,
        r#"{"team": "payments", "certificate_arn": "arn:aws:acm:us-east-1:111122223333:certificate/x"}"#,
    )
    .unwrap();
    let out = cfsign(&[
        "run",
        "recipes/teardown.rhai",
        "--vars-file",
        vars.to_str().unwrap(),
        "--endpoint-url",
        "http://127.0.0.1:9",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("declares no input"), "{err}");
    assert!(err.contains("ServiceCatalog"), "it did not run: {err}");
}

#[test]
fn run_recipe_help_lists_the_inputs_the_recipe_declares() {
    let out = cfsign(&["run", "recipes/provision.rhai", "--help"]);
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("Usage: cfsign run"), "{help}");
    assert!(help.contains("Inputs of recipes/provision.rhai"), "{help}");
    let line = help
        .lines()
        .find(|l| l.trim_start().starts_with("trusted_service "))
        .unwrap_or_else(|| panic!("no trusted_service line:\n{help}"));
    assert!(line.contains("(default ecs-tasks)"), "{line}");
    // Without a recipe, --help is run's own help.
    let out = cfsign(&["run", "--help"]);
    assert!(out.status.success());
    assert!(!String::from_utf8_lossy(&out.stdout).contains("Inputs of"));
}

#[test]
fn with_cfsign_root_a_recipe_runs_from_any_directory() {
    let elsewhere = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        Command::cargo_bin("cfsign")
            .unwrap()
            .current_dir(elsewhere.path())
            .env("CFSIGN_ROOT", support::repo())
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .args(args)
            .output()
            .unwrap()
    };
    let help = run(&["run", "recipes/status.rhai", "--help"]);
    assert!(help.status.success(), "{}", stderr(&help));
    assert!(stdout(&help).contains("Inputs of"), "{}", stdout(&help));
    // It runs: its stdlib imports resolve, and it gets as far as calling AWS.
    let out = run(&[
        "run",
        "recipes/status.rhai",
        "--region",
        "us-east-1",
        "--endpoint-url",
        "http://127.0.0.1:9",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("ServiceCatalog"), "{}", stderr(&out));
    // Without it, the same command says the recipe is not there.
    let out = Command::cargo_bin("cfsign")
        .unwrap()
        .current_dir(elsewhere.path())
        .env_remove("CFSIGN_ROOT")
        .args(["run", "recipes/status.rhai"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("recipes/status.rhai"),
        "{}",
        stderr(&out)
    );
}
