//! CloudFront's account quotas (ISSUE12 item 10): provisioning checks the headroom before it
//! launches anything and names the quota to raise. Its own test module, so its own emulator:
//! an account that holds nothing yet, whatever other tests create.

use crate::support::emulator::Emulator;
use crate::support::recipe::{run_file, stderr, stdout};

fn one_team(dir: &std::path::Path) -> String {
    let path = dir.join("teams.json");
    let teams = serde_json::json!({
        "certificate_arn": "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f",
        "automation_role_arn": "arn:aws:iam::123456789012:role/cfsign-automation",
        "teams": [{ "team": "quota", "domain_name": "files.quota.example.com" }],
    });
    std::fs::write(&path, teams.to_string()).unwrap();
    path.to_str().unwrap().to_owned()
}

/// Runs provision.rhai, which must fail; returns its output text.
fn provision_refused(vars_file: &str, extra: &[&str]) -> String {
    let mut args = vec!["--vars-file", vars_file];
    args.extend_from_slice(extra);
    let out = run_file("recipes/provision.rhai", &args);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    format!("{}{}", stdout(&out), stderr(&out))
}

/// Nothing this module's emulator received wrote anything (it serves this test alone).
fn assert_nothing_written() {
    let writes: Vec<String> = Emulator::shared()
        .recorded_requests()
        .iter()
        .filter(|r| r.is_mutating())
        .map(|r| format!("{} {}", r.method, r.url))
        .collect();
    assert!(writes.is_empty(), "a refused provision wrote: {writes:#?}");
}

#[test]
fn provisioning_names_the_quota_to_raise_before_launching_anything() {
    let dir = tempfile::tempdir().unwrap();
    let vars_file = one_team(dir.path());

    // A team's first key, and one kept free for a rotation: two public keys.
    let text = provision_refused(&vars_file, &["--var", "cloudfront_quotas=public_keys=1"]);
    assert!(
        text.contains(r#"CloudFront quota "Public keys per AWS account" is 1 and the account holds 0: provisioning these teams needs 2 more"#)
            && text.contains("Service Quotas")
            && text.contains("--var cloudfront_quotas=public_keys=N"),
        "{text}"
    );
    // With room for both, the check passes: provisioning goes on, and stops here only because
    // no team portfolio is published in this emulator.
    let text = provision_refused(&vars_file, &["--var", "cloudfront_quotas=public_keys=2"]);
    assert!(!text.contains("CloudFront quota"), "{text}");
    assert!(
        text.contains("you cannot launch") && text.contains("recipes/publish.rhai"),
        "{text}"
    );

    // The two shared response headers policies do not exist yet: the team's stack creates them.
    let text = provision_refused(
        &vars_file,
        &["--var", "cloudfront_quotas=response_headers_policies=1"],
    );
    assert!(
        text.contains(r#""Response headers policies per AWS account" is 1 and the account holds 0: provisioning these teams needs 2 more"#),
        "{text}"
    );
    let text = provision_refused(&vars_file, &["--var", "cloudfront_quotas=public_key=5"]);
    assert!(
        text.contains("cloudfront_quotas: unknown quota public_key"),
        "{text}"
    );
    assert_nothing_written();
}
