//! Golden dry-run plans of the recipes that change an account, each from the state it meets in
//! use: a second publish, a team's first provisioning, a key rotation's stage step and a
//! teardown. Compared in full with `tests/golden/plan-*.txt` (see `golden`), so a change to
//! what any recipe would send shows in review as a diff.
//!
//! What differs from run to run is replaced by a fixed word: the emulator's ids, the team's
//! generated key (its public key and key pair id), the secret's ARN suffix and the time.

use regex_lite::Regex;

use crate::golden::{golden, printed_against_the_emulator};
use crate::support::recipe::{run_file, stderr, stdout};

/// A recipe's run, which must succeed.
fn run(recipe: &str, vars: &[&str]) -> std::process::Output {
    let out = run_file(recipe, vars);
    assert!(
        out.status.success(),
        "{recipe} failed:\n{}{}",
        stdout(&out),
        stderr(&out)
    );
    out
}

/// `text` with what changes from run to run replaced.
fn without_run_values(text: &str) -> String {
    let replacements = [
        // A generated public key's body (PEM lines; `\n` escaped in the plan's JSON).
        (
            r"-----BEGIN PUBLIC KEY-----(\\n|\n)[A-Za-z0-9+/=\\n]+?-----END PUBLIC KEY-----",
            "-----BEGIN PUBLIC KEY-----KEY-----END PUBLIC KEY-----",
        ),
        // Service Catalog ids: portfolios, products, artifacts, launch paths, records, ...
        (
            r"\b(port|prod|pa|pp|rec|lpv2|lpv3|cons)-[a-z0-9]{6,}\b",
            "$1-ID",
        ),
        // A secret's ARN ends with six random characters.
        (
            r"(secret:cfsign/[a-z0-9-]+/signing-key)-[A-Za-z0-9]{6}\b",
            "$1-SUFFIX",
        ),
        // A distribution's id and domain name.
        (r"(distribution )[A-Z0-9]{13,14}\b", "${1}DISTRIBUTION-ID"),
        (
            r"\b[a-z0-9]{13,14}\.cloudfront\.net\b",
            "DOMAIN.cloudfront.net",
        ),
        // A CloudFront public key id (the key pair id).
        (r"\b[A-Z0-9]{14}\b", "KEYPAIRID"),
        // A key slot's fill id (when the slot was filled).
        (
            r#"(FillId","UsePreviousValue":false,"Value":")[0-9]+"#,
            "${1}N",
        ),
        (r"\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\b", "TIME"),
    ];
    replacements
        .iter()
        .fold(text.to_owned(), |text, (pattern, with)| {
            Regex::new(pattern)
                .unwrap()
                .replace_all(&text, *with)
                .into_owned()
        })
}

/// The recipe's dry run, as the golden file `name` holds it.
fn plan_is_as_reviewed(name: &str, recipe: &str, vars: &[&str]) {
    let vars = [vars, &["--dry-run"]].concat();
    let out = run(recipe, &vars);
    golden(
        name,
        &without_run_values(&printed_against_the_emulator(&out)),
    );
}

const TEAM: [&str; 2] = ["--var", "team=plans"];
const PROVISION: [&str; 8] = [
    "--var",
    "team=plans",
    "--var",
    "domain_name=files.plans.example.com",
    "--var",
    "certificate_arn=arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d",
    "--var",
    "automation_role_arn=arn:aws:iam::123456789012:role/cfsign-automation",
];

#[test]
fn every_recipes_plan_is_as_reviewed() {
    let publish = ["--var", "teams=plans"];
    run("recipes/publish.rhai", &publish);
    plan_is_as_reviewed("plan-publish-again", "recipes/publish.rhai", &publish);
    plan_is_as_reviewed("plan-first-provision", "recipes/provision.rhai", &PROVISION);
    run("recipes/provision.rhai", &PROVISION);
    plan_is_as_reviewed("plan-provision-again", "recipes/provision.rhai", &PROVISION);
    let rotate_now = [&TEAM[..], &["--var", "rotation_interval=0s"]].concat();
    plan_is_as_reviewed("plan-rotation-stage", "recipes/rotate.rhai", &rotate_now);
    plan_is_as_reviewed("plan-teardown", "recipes/teardown.rhai", &TEAM);
}

#[test]
fn run_values_are_replaced_and_the_rest_kept() {
    let text = r#"prod-4931359213544 pa-8f3f79c7d9d74 lpv3-dc06c07050184 (distribution FJB1F38DA6X0Q, w09i87sb0vfbg.cloudfront.net) key HKPNMFBNH6TSHN at 2026-12-03T12:35:58Z secret:cfsign/demo/signing-key-AcqdTE "KeySlotBFillId","UsePreviousValue":false,"Value":"1796301368" "Value":"-----BEGIN PUBLIC KEY-----\nMIIB+/=\nAQAB\n-----END PUBLIC KEY-----\n" cfsign-demo-keys AWSPENDING 123456789012"#;
    assert_eq!(
        without_run_values(text),
        r#"prod-ID pa-ID lpv3-ID (distribution DISTRIBUTION-ID, DOMAIN.cloudfront.net) key KEYPAIRID at TIME secret:cfsign/demo/signing-key-SUFFIX "KeySlotBFillId","UsePreviousValue":false,"Value":"N" "Value":"-----BEGIN PUBLIC KEY-----KEY-----END PUBLIC KEY-----\n" cfsign-demo-keys AWSPENDING 123456789012"#
    );
}
