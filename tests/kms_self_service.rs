//! A team that provisions itself (docs/onboarding.md, "A team can run this itself") with its
//! keys in KMS: its provisioner role, with no more than examples/iam/team-provisioner-policy.json,
//! creates the team's KMS key, the key's policy names that role as the automation role (the one
//! that may schedule the key's deletion), another team's provisioner may not sign with it, and a
//! second run changes nothing.

use serde_json::Value;

use crate::support::emulator::boto;
use crate::support::recipe::{json, stderr, stdout};
use crate::support::roles::{assert_kms_sign_refused, run_file_as, run_recipe_as, Identity};

const TEAM: &str = "omicron";
const CERTIFICATE: &str = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f";

/// The KMS key the team's secret names (AWSCURRENT) and that key's policy: the secret read as
/// the team's provisioner (its policy admits no other automation role), the key policy as the
/// account root.
fn current_key_and_policy() -> (String, Value) {
    let (out, _dir) = run_recipe_as(
        Identity::Provisioner(TEAM),
        &format!(
            r#"print(secretsmanager::get_signing_key("cfsign/{TEAM}/signing-key", "AWSCURRENT").key.kms_key_arn());"#
        ),
        &[],
    );
    let arn = stdout(&out).trim().to_owned();
    assert!(arn.starts_with("arn:aws:kms:"), "{arn}{}", stderr(&out));
    let policy = boto(&format!(
        r#"print(json.dumps(client("kms").get_key_policy(KeyId="{arn}", PolicyName="default")["Policy"]))"#
    ));
    (arn, serde_json::from_str(policy.as_str().unwrap()).unwrap())
}

#[test]
fn a_team_provisions_itself_with_its_keys_in_kms() {
    let provisioner = format!("arn:aws:iam:::role/teams/{TEAM}/cfsign-{TEAM}-provisioner");
    let dir = tempfile::tempdir().unwrap();
    let publish_vars = dir.path().join("publish.json");
    std::fs::write(
        &publish_vars,
        serde_json::json!({ "teams": [{ "team": TEAM, "principals": [provisioner] }] }).to_string(),
    )
    .unwrap();
    let published = run_file_as(
        Identity::Automation,
        "recipes/publish.rhai",
        &["--vars-file", publish_vars.to_str().unwrap()],
    );
    assert!(published.status.success(), "{}", stderr(&published));

    let vars = [
        format!("team={TEAM}"),
        format!("domain_name=files.{TEAM}.example.com"),
        format!("certificate_arn={CERTIFICATE}"),
        "key_store=kms".to_owned(),
    ];
    let args: Vec<&str> = vars.iter().flat_map(|v| ["--var", v.as_str()]).collect();
    let card = json(&run_file_as(
        Identity::Provisioner(TEAM),
        "recipes/provision.rhai",
        &[args.as_slice(), &["--output", "json"]].concat(),
    ));
    assert_eq!(card["key_store"], "kms", "{card:#}");

    // The key's policy lets the team's provisioner role (with its path) manage the key.
    let (key, policy) = current_key_and_policy();
    let automation = policy["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["Sid"] == "TheAutomationRoleReadsSignsAndRetiresTheKey")
        .unwrap_or_else(|| panic!("{policy:#}"));
    assert_eq!(
        automation["Principal"]["AWS"],
        format!("arn:aws:iam::123456789012:role/teams/{TEAM}/cfsign-{TEAM}-provisioner"),
        "{policy:#}"
    );

    // Another team's provisioner, with the same policy for its own team, may not sign with it.
    assert_kms_sign_refused(
        Identity::Provisioner("sigma"),
        "https://files.omicron.example.com/a.txt",
        &key,
        card["key_pair_id"].as_str().unwrap(),
    );

    let again = run_file_as(Identity::Provisioner(TEAM), "recipes/provision.rhai", &args);
    assert!(
        again.status.success()
            && !stderr(&again).contains("provisioning ")
            && !stderr(&again).contains("updating "),
        "a second provision by the team changed something:\n{}{}",
        stdout(&again),
        stderr(&again)
    );
}
