//! The one-click product (products/signed-url-stack) through its whole life: the platform
//! publishes it; a team launches it with plain Service Catalog calls (boto3, no cfsign recipe)
//! as its provisioner role; its application reads the key as the integration role, signs an
//! upload and a download with `cfsign sign --secret`, and the edge serves them while refusing
//! the unsigned URL; the platform rotates it through stage, promote and retire with rotate.rhai
//! (the generator in the account makes the new key) and a smoke test after each; teardown.rhai
//! terminates it. No key material in the stack's parameters, outputs or events.

use crate::support;

use crate::support::emulator::{get, put, Emulator};
use crate::support::recipe::{json, stderr, stdout};
use crate::support::roles::{app_role_arn, cfsign_as, run_file_as, Identity};
use serde_json::Value;

const TEAM: &str = "delta";
const CERTIFICATE: &str = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f";

/// Runs `code` with the emulator's Python (boto3) as `who`; what it prints, as JSON.
fn boto3_as(who: Identity, code: &str) -> Value {
    let out = std::process::Command::new(support::emulator_python())
        .args(["-c", code])
        .env("ENDPOINT", &Emulator::shared().url)
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_PROFILE")
        .envs(who.credentials())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "boto3: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "boto3 printed no JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

/// What a team does in the console, as SDK calls: find the product in its portfolio, launch
/// its newest version with the three inputs and its application's role, wait for the record.
fn launch_from_the_console(product_name: &str) -> Value {
    let code = format!(
        r#"
import boto3, json, os, time, uuid
sc = boto3.client("servicecatalog", endpoint_url=os.environ["ENDPOINT"])
product = sc.describe_product(Name={product_name:?})
artifact = sorted(product["ProvisioningArtifacts"], key=lambda a: a["CreatedTime"])[-1]
record = sc.provision_product(
    ProductId=product["ProductViewSummary"]["ProductId"], ProvisioningArtifactId=artifact["Id"],
    PathId=product["LaunchPaths"][0]["Id"], ProvisionedProductName="cfsign-{TEAM}-stack",
    ProvisionToken=str(uuid.uuid4()), ProvisioningParameters=[
        {{"Key": "TeamName", "Value": "{TEAM}"}},
        {{"Key": "DomainName", "Value": "files.{TEAM}.example.com"}},
        {{"Key": "CertificateArn", "Value": "{CERTIFICATE}"}},
        {{"Key": "TrustedPrincipalArn", "Value": "{app}"}}])["RecordDetail"]
while True:
    detail = sc.describe_record(Id=record["RecordId"])
    if detail["RecordDetail"]["Status"] not in ("CREATED", "IN_PROGRESS", "IN_PROGRESS_IN_ERROR"):
        break
    time.sleep(0.2)
print(json.dumps({{"status": detail["RecordDetail"]["Status"],
                  "errors": detail["RecordDetail"].get("RecordErrors", []),
                  "outputs": {{o["OutputKey"]: o["OutputValue"] for o in detail.get("RecordOutputs", [])}}}}))
"#,
        app = app_role_arn(TEAM),
    );
    boto3_as(Identity::Provisioner(TEAM), &code)
}

/// Everything CloudFormation shows of the stack: its parameters, outputs and events.
fn what_the_stack_shows(stack_arn: &str) -> String {
    let code = format!(
        r#"
import boto3, json, os
cfn = boto3.client("cloudformation", endpoint_url=os.environ["ENDPOINT"])
stack = cfn.describe_stacks(StackName="{stack_arn}")["Stacks"][0]
events = cfn.describe_stack_events(StackName="{stack_arn}")["StackEvents"]
print(json.dumps([stack.get("Parameters"), stack.get("Outputs"), events], default=str))
"#
    );
    boto3_as(Identity::Root("reads the stack back to check it"), &code).to_string()
}

fn smoke_passes(edge: &str, when: &str) {
    let out = run_file_as(
        Identity::Automation,
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

fn rotate(edge: &str) -> Value {
    let out = run_file_as(
        Identity::Automation,
        "recipes/rotate.rhai",
        &[
            "--var",
            &format!("team={TEAM}"),
            "--var",
            edge,
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
    json(&out)["rotations"][0].clone()
}

/// The URL `cfsign sign --secret` signs for the application, as its integration role.
fn signed_by_the_application(url: &str, extra: &[&str]) -> String {
    let secret = format!("cfsign/{TEAM}/signing-key");
    let args = [
        &["sign", url, "--expires-in", "5m", "--secret", &secret],
        extra,
    ]
    .concat();
    let out = cfsign_as(Identity::Integration(TEAM), &args);
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out).trim().to_owned()
}

/// The `Key-Pair-Id` of a signed URL.
fn key_pair_id_of(url: &str) -> String {
    url.split("Key-Pair-Id=")
        .nth(1)
        .and_then(|rest| rest.split('&').next())
        .unwrap_or_else(|| panic!("no Key-Pair-Id in {url}"))
        .to_owned()
}

#[test]
fn a_team_launches_the_stack_in_one_click_and_the_platform_rotates_and_tears_it_down() {
    let emulator = Emulator::shared();
    let edge = format!("edge={}", emulator.url);
    let provisioner = format!("arn:aws:iam:::role/teams/{TEAM}/cfsign-{TEAM}-provisioner");
    let dir = tempfile::tempdir().unwrap();
    let vars = dir.path().join("publish.json");
    let teams = serde_json::json!({ "teams": [{ "team": TEAM, "principals": [provisioner] }] });
    std::fs::write(&vars, teams.to_string()).unwrap();
    let published = run_file_as(
        Identity::Automation,
        "recipes/publish.rhai",
        &["--vars-file", vars.to_str().unwrap()],
    );
    assert!(published.status.success(), "{}", stderr(&published));

    let name: Value = serde_json::from_str(
        &std::fs::read_to_string(support::repo().join("products/signed-url-stack/product.json"))
            .unwrap(),
    )
    .unwrap();
    let launched = launch_from_the_console(name["name"].as_str().unwrap());
    assert_eq!(launched["status"], "SUCCEEDED", "{launched:#}");
    let card = &launched["outputs"];
    let first_key = card["KeySlotAPublicKeyId"].as_str().unwrap().to_owned();

    // The application signs with the key made in the account; the edge serves what it signs
    // and refuses the same URLs unsigned.
    let base = format!(
        "{}/_edge/{}",
        emulator.url,
        card["DistributionId"].as_str().unwrap()
    );
    let object = format!("{base}/uploads/one-click.txt");
    let upload = signed_by_the_application(&object, &["--upload"]);
    assert!(
        upload.contains(&format!("Key-Pair-Id={first_key}")),
        "{upload}"
    );
    assert_eq!(put(&upload, "hello").0, 200);
    let download = signed_by_the_application(&object, &[]);
    assert_eq!(get(&download), (200, "hello".to_owned()));
    assert_eq!(get(&object).0, 403);
    assert_eq!(put(&format!("{object}?cfsign-upload=1"), "x").0, 403);
    smoke_passes(&edge, "after the launch");

    // Rotation through updates of the one provisioned product: the generator makes the key.
    let staged = rotate(&edge);
    assert_eq!(staged["step"], "stage", "{staged:#}");
    assert!(
        staged["done"]
            .as_str()
            .unwrap()
            .ends_with("generated in the account"),
        "{staged:#}"
    );
    smoke_passes(&edge, "after the stage");
    let promoted = rotate(&edge);
    assert_eq!(promoted["step"], "promote", "{promoted:#}");
    smoke_passes(&edge, "after the promotion");
    let new_key = signed_by_the_application(&object, &[]);
    assert!(
        !new_key.contains(&format!("Key-Pair-Id={first_key}")),
        "{new_key}"
    );
    assert_eq!(get(&new_key).0, 200);
    let retired = rotate(&edge);
    assert_eq!(retired["step"], "retire", "{retired:#}");
    assert_eq!(
        retired["done"],
        format!("retired key {first_key} from slot A"),
        "{retired:#}"
    );
    smoke_passes(&edge, "after the retirement");
    assert_eq!(get(&download).0, 403, "a retired key's URL still works");

    // status.rhai lists the team with its one product and its current key.
    let status = json(&run_file_as(
        Identity::Automation,
        "recipes/status.rhai",
        &["--output", "json"],
    ));
    let listed = status["teams"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["team"] == TEAM)
        .unwrap_or_else(|| panic!("{status:#}"));
    assert_eq!(
        listed["products"][0]["name"],
        format!("cfsign-{TEAM}-stack")
    );
    assert_eq!(
        listed["key_pair_id"],
        key_pair_id_of(&new_key),
        "{listed:#}"
    );
    assert_eq!(
        listed["products"].as_array().unwrap().len(),
        1,
        "{listed:#}"
    );

    let shown = what_the_stack_shows(card["CloudformationStackARN"].as_str().unwrap());
    assert!(shown.contains("KeySlotBPublicKeyId"), "{shown}");
    assert!(
        !shown.contains("PRIVATE KEY") && !shown.contains("privateKey"),
        "the stack shows key material"
    );

    let torn = run_file_as(
        Identity::Automation,
        "recipes/teardown.rhai",
        &[
            "--var",
            &format!("team={TEAM}"),
            "--var",
            "empty_bucket=true",
            "--output",
            "json",
        ],
    );
    let torn = json(&torn);
    assert_eq!(
        torn["terminated"],
        serde_json::json!([format!("cfsign-{TEAM}-stack")]),
        "{torn:#}"
    );
    assert!(
        torn["secret_deletion"]
            .as_str()
            .is_some_and(|s| !s.is_empty()),
        "{torn:#}"
    );
}
