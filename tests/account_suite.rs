//! The real-account acceptance suite (tests/aws-account/run) against the emulator, as CI runs
//! it: it never reaches AWS here. A dry run checks the account and plans without writing; the
//! suite refuses another account and a certificate that does not cover the teams' domains
//! before it makes anything; a run with no waits goes through the whole lifecycle and leaves
//! nothing behind; a run stopped by a signal removes what it made although cfsign's teardown
//! never ran. One test, in order: the dry runs count the writes of the module's emulator.

use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};

use crate::support;
use crate::support::emulator::{requests_during, writes_during, Emulator};
use crate::support::recipe::{lines, stderr, stdout};
use crate::support::roles::{run_recipe_as, sandbox, Identity};

const DOMAIN: &str = "sandbox.example.com";
const ACCOUNT: &str = "123456789012";

/// `tests/aws-account/run` against the module's emulator as a sandbox administrator, with no
/// soak, grace period or poll wait.
fn suite(extra: &[&str]) -> Command {
    let (certificate, zone) = sandbox(DOMAIN);
    let work = support::target_dir().join("aws-account-tests");
    let mut command = Command::new(support::repo().join("tests/aws-account/run"));
    command
        .args(["--endpoint-url", &Emulator::shared().url])
        .args([
            "--region",
            "us-east-1",
            "--account",
            ACCOUNT,
            "--domain",
            DOMAIN,
        ])
        .args(["--certificate-arn", &certificate, "--hosted-zone-id", &zone])
        .args(["--soak-time", "0s", "--grace-period", "0s", "--poll", "1"])
        .arg("--cfsign")
        .arg(assert_cmd::cargo::cargo_bin("cfsign"))
        .arg("--work-dir")
        .arg(&work)
        .args(extra)
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN")
        .envs(Identity::Administrator.credentials());
    command
}

fn said(out: &Output) -> String {
    format!("{}{}", stdout(out), stderr(out))
}

/// The run's prefix (acc-XXXXXX), from the plan it prints.
fn prefix_of(out: &str) -> String {
    let start = out.find("run acc-").expect("the plan names the run") + 4;
    out[start..start + 10].to_owned()
}

/// What of a run the account still holds, read back as the root (apart from the suite's own
/// listing): portfolios and provisioned products carrying its prefix, the products of
/// products/*/product.json, the teams' secrets, the launch-role stack.
fn left_of(prefix: &str) -> Vec<String> {
    let products = published_products();
    let (out, _dir) = run_recipe_as(
        Identity::Root("reads back what the suite left"),
        &format!(
            r#"for p in servicecatalog::list_portfolios() {{ if p.name.contains("{prefix}") {{ print(`portfolio ${{p.name}}`); }} }}
               for p in servicecatalog::search_provisioned_products("{prefix}") {{ print(`provisioned ${{p.name}}`); }}
               for name in {products:?} {{
                   if servicecatalog::find_product(name) != () {{ print(`product ${{name}}`); }}
               }}
               for team in ["a", "b"] {{
                   try {{
                       let secret = secretsmanager::describe_secret(`cfsign/{prefix}-${{team}}/signing-key`);
                       print(`secret ${{secret.name}}`);
                   }} catch (e) {{
                       if e.code != "ResourceNotFoundException" {{ throw e; }}
                   }}
               }}
               if cloudformation::outputs("cfsign-launch-role") != () {{ print("stack cfsign-launch-role"); }}"#
        ),
        &[],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    lines(&out)
}

/// The names of the products publish makes (products/*/product.json with `provisionedAs`):
/// the modules and the composed products of products/contract.json.
fn published_products() -> Vec<String> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(support::repo().join("products")).unwrap() {
        let details = entry.unwrap().path().join("product.json");
        let Ok(text) = std::fs::read_to_string(&details) else {
            continue;
        };
        let product: serde_json::Value = serde_json::from_str(&text).unwrap();
        if product.get("provisionedAs").is_some() {
            names.push(product["name"].as_str().unwrap().to_owned());
        }
    }
    let contract: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(support::repo().join("products/contract.json")).unwrap(),
    )
    .unwrap();
    let modules_and_composed = contract["products"].as_object().unwrap().len()
        + contract["composedProducts"].as_array().unwrap().len();
    assert_eq!(names.len(), modules_and_composed, "{names:?}");
    names
}

fn a_dry_run_checks_the_account_and_plans_without_writing() {
    // Built first: the fixtures the command needs are made outside the writes counted.
    let mut command = suite(&["--dry-run"]);
    let mut out = None;
    let writes = writes_during(|| out = Some(command.output().unwrap()));
    let out = out.unwrap();
    let text = said(&out);
    assert!(out.status.success(), "{text}");
    for expected in [
        "account 123456789012, region us-east-1, as arn:aws:iam::123456789012:role/aws-reserved/",
        "a CloudFront distribution on acc-",
        "expected time: about ",
        "expected cost: under $",
        "ServiceCatalog CreateProduct",
        "dry run: the account was checked and nothing was created",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} missing from:\n{text}"
        );
    }
    assert!(writes.is_empty(), "a dry run wrote: {writes:#?}");
}

fn it_refuses_what_it_must_not_run_in() {
    let (other_certificate, _) = sandbox("elsewhere.example.net");
    for (extra, refusal) in [
        (
            vec!["--account", "111122223333"],
            "the profile signs in to account 123456789012, not 111122223333",
        ),
        (
            vec!["--certificate-arn", other_certificate.as_str()],
            "it must be ISSUED for *.sandbox.example.com",
        ),
    ] {
        let mut args = extra.clone();
        args.push("--yes");
        let mut command = suite(&args);
        let mut out = None;
        let writes = writes_during(|| out = Some(command.output().unwrap()));
        let out = out.unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", said(&out));
        assert!(said(&out).contains(refusal), "{}", said(&out));
        assert!(writes.is_empty(), "a refused run wrote: {writes:#?}");
    }
}

/// The Service Catalog calls the suite's cost estimate counts for a run where nothing waits.
fn estimated_catalog_calls() -> usize {
    let suite =
        std::fs::read_to_string(support::repo().join("tests/aws-account/acceptance.py")).unwrap();
    let line = suite
        .lines()
        .find_map(|l| l.strip_prefix("CATALOG_CALLS_UNWAITED = "))
        .expect("acceptance.py sets CATALOG_CALLS_UNWAITED");
    line.trim().parse().unwrap()
}

fn a_whole_run_leaves_nothing_behind() {
    let mut command = suite(&["--yes"]);
    let (requests, out) = requests_during(|| command.output().unwrap());
    let catalog_calls = requests
        .iter()
        .filter(|r| r.target_prefix.as_deref() == Some("AWS242ServiceCatalogService"))
        .count();
    assert!(
        catalog_calls <= estimated_catalog_calls(),
        "the run made {catalog_calls} Service Catalog calls; the cost estimate counts {}",
        estimated_catalog_calls()
    );
    eprintln!("a whole run made {catalog_calls} Service Catalog calls");
    let text = said(&out);
    assert!(out.status.success(), "{text}");
    let prefix = prefix_of(&text);
    for step in ["stage", "promote", "retire"] {
        for team in ["a", "b"] {
            let passed = format!("smoke test after {step}: passed for {prefix}-{team}");
            assert!(text.contains(&passed), "{passed:?} missing from:\n{text}");
        }
    }
    assert!(
        text.contains(&format!("acceptance run {prefix} passed"))
            && text.contains("everything it made is gone"),
        "{text}"
    );
    assert_eq!(left_of(&prefix), Vec::<String>::new());
}

/// Stopped once its teams are provisioned (as Ctrl-C or a cancelled CI job stops it), the run
/// removes what it made itself: cfsign's teardown never ran.
fn a_stopped_run_cleans_up_after_itself() {
    let mut child = suite(&["--yes"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut printed = String::new();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    while reader.read_line(&mut line).unwrap() > 0 {
        printed.push_str(&line);
        if line.contains("== smoke") {
            let pid = child.id().to_string();
            assert!(Command::new("kill").arg(&pid).status().unwrap().success());
        }
        line.clear();
    }
    let out = child.wait_with_output().unwrap();
    let text = format!("{printed}{}", stderr(&out));
    assert_eq!(out.status.code(), Some(1), "{text}");
    let prefix = prefix_of(&text);
    assert!(
        text.contains("KeyboardInterrupt: signal 15")
            && text.contains(&format!("terminated cfsign-{prefix}-a-cdn"))
            && text.contains(&format!("acceptance run {prefix} FAILED"))
            && text.contains("everything it made is gone"),
        "{text}"
    );
    assert!(
        !text.contains("$ cfsign run recipes/teardown.rhai"),
        "{text}"
    );
    assert_eq!(left_of(&prefix), Vec::<String>::new());
}

#[test]
fn the_acceptance_suite_refuses_plans_runs_and_cleans_up_after_itself() {
    a_dry_run_checks_the_account_and_plans_without_writing();
    it_refuses_what_it_must_not_run_in();
    a_whole_run_leaves_nothing_behind();
    a_stopped_run_cleans_up_after_itself();
    // Only the signing-key secret's writes carry a private key (and the fixture's certificate
    // import, which stands in for a certificate ACM would issue).
    for request in Emulator::shared().recorded_requests() {
        if request.body.contains("PRIVATE KEY") {
            assert!(
                matches!(
                    request.operation.as_deref(),
                    Some("PutSecretValue" | "ImportCertificate")
                ),
                "key material sent to {}",
                request.url
            );
        }
    }
}
