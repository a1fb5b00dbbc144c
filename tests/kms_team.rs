//! A KMS-backed team (`key_store=kms`) through its life against the emulator, as the platform's
//! automation role runs it: no private key in any secret version or any request; the
//! application signs with `cfsign sign --secret` as its integration role, which may kms:Sign
//! with the team's key alone, and the edge accepts what it signs; an administrator of the
//! account may not sign with the key (its key policy); rotation makes a new KMS key and
//! schedules the old one's deletion as it leaves its slot; teardown schedules the rest.

use serde_json::Value;

use crate::support::emulator::{boto, writes_during, Emulator};
use crate::support::recipe::{json, lines, stderr, stdout};
use crate::support::roles::{
    app_role_arn, assert_kms_sign_refused, cfsign_as, run_file_as, run_recipe_as, Identity,
};

const PLATFORM: Identity = Identity::Automation;
const TEAM: &str = "kappa";
const SECRET: &str = "cfsign/kappa/signing-key";
const CERTIFICATE: &str = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f";

/// Every version of the team's secret as stored: `[(stages, value)]`, read as the account
/// root (the test's own check, outside the product).
fn secret_versions() -> Vec<(Value, Value)> {
    let found = boto(&format!(
        r#"
sm = client("secretsmanager")
versions = sm.list_secret_version_ids(SecretId="{SECRET}", IncludeDeprecated=True)["Versions"]
print(json.dumps([[v.get("VersionStages", []), sm.get_secret_value(SecretId="{SECRET}", VersionId=v["VersionId"])["SecretString"]] for v in versions]))
"#
    ));
    found
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            let value = v[1].as_str().unwrap();
            (
                v[0].clone(),
                serde_json::from_str(value).unwrap_or(Value::String(value.to_owned())),
            )
        })
        .collect()
}

/// The KMS key ARN the secret's AWSCURRENT version names.
fn current_kms_key() -> String {
    let (out, _dir) = run_recipe_as(
        PLATFORM,
        &format!(
            r#"let current = secretsmanager::get_signing_key("{SECRET}", "AWSCURRENT");
               print(current.key.in_kms());
               print(current.key.kms_key_arn());"#
        ),
        &[],
    );
    let said = lines(&out);
    assert_eq!(said.first().map(String::as_str), Some("true"), "{said:?}");
    said[1].clone()
}

/// The state of KMS key `arn` (`Enabled`, `PendingDeletion`, ...), as KMS reports it.
fn key_state(arn: &str) -> String {
    boto(&format!(
        r#"print(json.dumps(client("kms").describe_key(KeyId="{arn}")["KeyMetadata"]["KeyState"]))"#
    ))
    .as_str()
    .unwrap()
    .to_owned()
}

/// The KMS keys the team's integration role may sign with (its kms:Sign statement).
fn role_signing_keys() -> Vec<String> {
    let keys = boto(
        r#"
policy = client("iam").get_role_policy(RoleName="cfsign-kappa-integration", PolicyName="read-signing-key")["PolicyDocument"]
if isinstance(policy, str):
    policy = json.loads(policy)
keys = [s["Resource"] for s in policy["Statement"] if s["Action"] == "kms:Sign"]
print(json.dumps([r for resource in keys for r in (resource if isinstance(resource, list) else [resource])]))
"#,
    );
    serde_json::from_value(keys).unwrap()
}

fn smoke_passes(edge: &str, when: &str) {
    let out = run_file_as(
        PLATFORM,
        "recipes/smoke.rhai",
        &[
            "--var",
            &format!("team={TEAM}"),
            "--var",
            edge,
            "--output",
            "json",
        ],
    );
    let report = json(&out);
    assert_eq!(report[TEAM]["passed"], true, "smoke {when}: {report:#}");
}

/// An upload and a download through the edge, both signed by the application with `cfsign
/// sign --secret` as its integration role: the edge verifies the KMS signatures.
fn application_uploads_and_downloads(emulator: &Emulator, distribution_domain: &str) {
    let url = format!(
        "{}/_edge/{distribution_domain}/uploads/kms.txt",
        emulator.url
    );
    let sign = |extra: &[&str]| {
        let args = [
            &[
                "sign",
                url.as_str(),
                "--expires-in",
                "5m",
                "--secret",
                SECRET,
            ][..],
            extra,
        ]
        .concat();
        let out = cfsign_as(Identity::Integration(TEAM), &args);
        assert!(out.status.success(), "{}", stderr(&out));
        stdout(&out).trim().to_owned()
    };
    let upload = sign(&["--upload", "--content-type", "text/plain"]);
    assert!(upload.contains("Hash-Algorithm=SHA256"), "{upload}");
    let download = sign(&[]);
    let answers = boto(&format!(
        r#"
import urllib.request
put = urllib.request.Request("{upload}", data=b"signed in KMS", method="PUT", headers={{"Content-Type": "text/plain"}})
with urllib.request.urlopen(put) as r:
    put_status = r.status
with urllib.request.urlopen("{download}") as r:
    got = [r.status, r.read().decode()]
print(json.dumps([put_status, got]))
"#
    ));
    assert_eq!(answers, serde_json::json!([200, [200, "signed in KMS"]]));
}

#[test]
fn a_kms_backed_team_signs_rotates_and_goes_without_a_private_key() {
    let emulator = Emulator::shared();
    let edge = format!("edge={}", emulator.url);
    let published = run_file_as(
        PLATFORM,
        "recipes/publish.rhai",
        &["--var", &format!("teams={TEAM}")],
    );
    assert!(published.status.success(), "{}", stderr(&published));

    let team = format!("team={TEAM}");
    let trusted = format!("trusted_principal_arn={}", app_role_arn(TEAM));
    let provision = [
        "--var",
        &team,
        "--var",
        "domain_name=files.kappa.example.com",
        "--var",
        &format!("certificate_arn={CERTIFICATE}"),
        "--var",
        &trusted,
        "--var",
        "key_store=kms",
    ];
    // A dry run plans the KMS key (and writes nothing): no key is made to show a plan.
    let writes = writes_during(|| {
        let out = run_file_as(
            PLATFORM,
            "recipes/provision.rhai",
            &[&provision[..], &["--dry-run"]].concat(),
        );
        assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
        assert!(
            stdout(&out).contains("KMS CreateKey")
                && stdout(&out).contains(r#""KeyUsage":"SIGN_VERIFY""#),
            "{}",
            stdout(&out)
        );
    });
    assert!(writes.is_empty(), "provision --dry-run wrote: {writes:#?}");
    let card = json(&run_file_as(
        PLATFORM,
        "recipes/provision.rhai",
        &[&provision[..], &["--output", "json"]].concat(),
    ));
    assert_eq!(card["key_store"], "kms", "{card:#}");
    let first_key = current_kms_key();
    assert_eq!(key_state(&first_key), "Enabled");
    assert_eq!(role_signing_keys(), vec![first_key.clone()]);
    let versions = secret_versions();
    assert!(
        versions
            .iter()
            .any(|(_, value)| value["kmsKeyArn"] == first_key.as_str()
                && value["keyPairId"] == card["key_pair_id"]),
        "{versions:#?}"
    );
    // A second run changes nothing; moving the team's keys into its secret is refused.
    let again = run_file_as(PLATFORM, "recipes/provision.rhai", &["--var", &team]);
    assert!(
        again.status.success() && !stderr(&again).contains("updating "),
        "{}{}",
        stdout(&again),
        stderr(&again)
    );
    let moved = run_file_as(
        PLATFORM,
        "recipes/provision.rhai",
        &["--var", &team, "--var", "key_store=secret"],
    );
    assert!(
        !moved.status.success()
            && format!("{}{}", stdout(&moved), stderr(&moved))
                .contains("keeps its signing keys in kms and cannot move them to secret"),
        "{}{}",
        stdout(&moved),
        stderr(&moved)
    );

    smoke_passes(&edge, "after provisioning");
    application_uploads_and_downloads(emulator, card["distribution_domain"].as_str().unwrap());
    // An administrator of the account may read the key's public key but not sign with it.
    assert_kms_sign_refused(
        Identity::Administrator,
        "https://files.kappa.example.com/a.txt",
        &first_key,
        card["key_pair_id"].as_str().unwrap(),
    );

    // Rotation: stage a new KMS key, promote it (the role may sign with both), retire the old
    // one (it leaves the role, then its deletion is scheduled, then it leaves its slot).
    for expected in ["stage", "promote", "retire"] {
        let out = run_file_as(
            PLATFORM,
            "recipes/rotate.rhai",
            &[
                "--var",
                &team,
                "--var",
                &edge,
                "--var",
                "rotation_interval=0s",
                "--var",
                "grace_period=0s",
                "--var",
                "soak_time=0s",
                "--output",
                "json",
            ],
        );
        let step = &json(&out)["rotations"][0];
        assert_eq!(step["step"], expected, "{step:#}");
        if expected == "promote" {
            let mut keys = role_signing_keys();
            keys.sort();
            let mut both = vec![first_key.clone(), current_kms_key()];
            both.sort();
            assert_eq!(keys, both);
        }
        if expected == "retire" {
            assert!(
                step["done"]
                    .as_str()
                    .unwrap()
                    .contains(&format!("its KMS key {first_key} is deleted in 30 days")),
                "{step:#}"
            );
        }
        smoke_passes(&edge, &format!("after {expected}"));
    }
    let second_key = current_kms_key();
    assert_ne!(second_key, first_key);
    assert_eq!(key_state(&first_key), "PendingDeletion");
    assert_eq!(key_state(&second_key), "Enabled");
    assert_eq!(role_signing_keys(), vec![second_key.clone()]);

    // No private key ever left the host or reached AWS: not in a secret version, not in a
    // request.
    for (stages, value) in secret_versions() {
        assert!(
            value.get("privateKey").is_none_or(|pem| pem == ""),
            "{stages:?}: {value}"
        );
    }
    for request in emulator.recorded_requests() {
        assert!(
            !request.body.contains("PRIVATE KEY"),
            "key material sent to {}",
            request.url
        );
    }

    // Teardown schedules the deletion of the key still in use, with the secret's (the retired
    // one's is already scheduled).
    let torn = json(&run_file_as(
        PLATFORM,
        "recipes/teardown.rhai",
        &[
            "--var",
            &team,
            "--var",
            "empty_bucket=true",
            "--output",
            "json",
        ],
    ));
    assert_eq!(
        torn["kms_keys_deleted"],
        serde_json::json!([second_key.clone(), first_key.clone()]),
        "{torn:#}"
    );
    assert_eq!(key_state(&second_key), "PendingDeletion");
}
