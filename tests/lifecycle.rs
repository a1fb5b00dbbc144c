//! The whole life of the product against the emulator, as a platform team and two application
//! teams run it: publish (twice: the second makes no write), provision two teams at once, smoke
//! both, rotate through stage, promote and retire with a smoke test after each, dry runs that
//! write nothing, teardown. One test, in order: later steps need the earlier ones, and the
//! write counts need the emulator to themselves.

mod support;

use serde_json::Value;
use support::emulator::{Emulator, Recorded};
use support::recipe::{json, run_file, stderr, stdout};

const TEAMS: [&str; 2] = ["alpha", "beta"];

fn teams_file(dir: &std::path::Path) -> String {
    let path = dir.join("teams.json");
    let teams = serde_json::json!({
        "certificate_arn": "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f",
        "automation_role_arn": "arn:aws:iam::123456789012:role/cfsign-automation",
        "teams": [
            { "team": "alpha", "domain_name": "files.alpha.example.com" },
            { "team": "beta", "domain_name": "files.beta.example.com", "metadata_table": true,
              "trusted_service": "lambda" },
        ],
    });
    std::fs::write(&path, teams.to_string()).unwrap();
    path.to_str().unwrap().to_owned()
}

/// The requests the emulator received while `run` ran, and what `run` returned.
fn requests_during<T>(run: impl FnOnce() -> T) -> (Vec<Recorded>, T) {
    let before = Emulator::shared().recorded_requests().len();
    let result = run();
    let requests = Emulator::shared().recorded_requests().split_off(before);
    (requests, result)
}

/// The mutating requests the emulator received while `run` ran.
fn writes_during(run: impl FnOnce()) -> Vec<String> {
    requests_during(run)
        .0
        .into_iter()
        .filter(|r| r.is_mutating())
        .map(|r| format!("{} {} {:?}", r.method, r.url, r.operation))
        .collect()
}

fn smoke_passes(vars_file: &str, edge: &str, when: &str) {
    let out = run_file(
        "recipes/smoke.rhai",
        &["--vars-file", vars_file, "--var", edge, "--output", "json"],
    );
    let report = json(&out);
    for team in TEAMS {
        assert_eq!(report[team]["passed"], true, "smoke {when}: {report:#}");
        let checks = report[team]["checks"].as_array().unwrap().len();
        assert!(checks >= 11, "smoke {when}: only {checks} checks");
    }
}

fn rotate(vars_file: &str, edge: &str) -> Vec<Value> {
    let out = run_file(
        "recipes/rotate.rhai",
        &[
            "--vars-file",
            vars_file,
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
    json(&out)["rotations"].as_array().unwrap().clone()
}

/// A staged key is not promoted before it has soaked (soak_time, 15 minutes by default).
fn assert_a_staged_key_soaks(vars_file: &str, edge: &str) {
    let writes = writes_during(|| {
        let out = run_file(
            "recipes/rotate.rhai",
            &["--vars-file", vars_file, "--var", edge, "--dry-run"],
        );
        assert!(out.status.success(), "{}", stderr(&out));
        for team in TEAMS {
            assert!(
                stdout(&out).contains(&format!("{team}: wait: "))
                    && stdout(&out).contains("soaks until"),
                "{}",
                stdout(&out)
            );
        }
    });
    assert!(writes.is_empty(), "rotate --dry-run wrote: {writes:#?}");
}

/// The CloudFront read a REST request is (botocore's CloudFront model: `GET
/// /2020-05-31/public-key/{Id}` is GetPublicKey, `GET /2020-05-31/public-key` ListPublicKeys).
fn cloudfront_read(method: &str, url: &str) -> Option<String> {
    let path = url.split("/2020-05-31/").nth(1)?.split('?').next()?;
    let (resource, id) = path
        .split_once('/')
        .map_or((path, None), |(r, i)| (r, Some(i)));
    let lists = [
        ("public-key", "PublicKeys"),
        ("key-group", "KeyGroups"),
        ("response-headers-policy", "ResponseHeadersPolicies"),
        ("origin-access-control", "OriginAccessControls"),
        ("function", "Functions"),
        ("distribution", "Distributions"),
    ];
    match (method, resource, id) {
        ("GET", "public-key", Some(_)) => Some("GetPublicKey".to_owned()),
        ("GET", _, None) => lists
            .iter()
            .find(|(name, _)| *name == resource)
            .map(|(_, plural)| format!("List{plural}")),
        _ => None,
    }
}

/// Every call in `calls` is an action examples/iam/team-provisioner-policy.json allows.
fn assert_the_provisioner_policy_allows(calls: &[Recorded]) {
    let path = support::repo().join("examples/iam/team-provisioner-policy.json");
    let policy: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut allowed = Vec::new();
    for statement in policy["Statement"].as_array().unwrap() {
        match &statement["Action"] {
            Value::String(action) => allowed.push(action.clone()),
            Value::Array(actions) => {
                allowed.extend(actions.iter().map(|a| a.as_str().unwrap().to_owned()))
            }
            other => panic!("unexpected Action {other}"),
        }
    }
    let mut missing = std::collections::BTreeSet::new();
    for call in calls {
        // REST APIs name no operation in the request: CloudFront's reads, from their paths.
        let operation = match (&call.operation, call.service.as_str()) {
            (Some(operation), _) => operation.clone(),
            (None, "cloudfront") => cloudfront_read(&call.method, &call.url)
                .unwrap_or_else(|| panic!("unmapped REST call {} {}", call.method, call.url)),
            (None, service) => panic!("unmapped REST call {service} {} {}", call.method, call.url),
        };
        let action = format!("{}:{operation}", call.service);
        if !allowed.contains(&action) {
            missing.insert(action);
        }
    }
    assert!(
        calls.len() > 20 && missing.is_empty(),
        "team-provisioner-policy.json lacks {missing:?} ({} calls)",
        calls.len()
    );
}

#[test]
fn publish_provision_smoke_rotate_and_tear_down() {
    let emulator = Emulator::shared();
    let dir = tempfile::tempdir().unwrap();
    let vars_file = teams_file(dir.path());
    let edge = format!("edge={}", emulator.url);

    // Publish, then publish again: nothing changed, so nothing is written.
    let published = json(&run_file("recipes/publish.rhai", &["--output", "json"]));
    let created: Vec<&Value> = published["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["what"] == "product" && c["action"] == "created")
        .collect();
    assert_eq!(created.len(), 6, "{published:#}");
    let writes = writes_during(|| {
        let out = run_file("recipes/publish.rhai", &[]);
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(stdout(&out).contains("0 change(s)"), "{}", stdout(&out));
    });
    assert!(writes.is_empty(), "re-publishing wrote: {writes:#?}");

    // Dry runs write nothing (the plan lists what a run would do).
    for (recipe, extra) in [
        (
            "recipes/publish.rhai",
            vec!["--var", "portfolio=cfsign-dry"],
        ),
        ("recipes/provision.rhai", vec!["--vars-file", &vars_file]),
    ] {
        let writes = writes_during(|| {
            let mut args = extra.clone();
            args.push("--dry-run");
            let out = run_file(recipe, &args);
            assert!(
                out.status.success(),
                "{recipe}: {}{}",
                stdout(&out),
                stderr(&out)
            );
            assert!(
                stdout(&out).contains("dry run:"),
                "{recipe}: {}",
                stdout(&out)
            );
        });
        assert!(writes.is_empty(), "{recipe} --dry-run wrote: {writes:#?}");
    }

    // Two teams at once; the second run converges without changing anything. Every call it
    // makes is one the documented provisioner policy allows.
    let (calls, provisioned) = requests_during(|| {
        json(&run_file(
            "recipes/provision.rhai",
            &["--vars-file", &vars_file, "--output", "json"],
        ))
    });
    assert_the_provisioner_policy_allows(&calls);
    let cards = provisioned["teams"].as_array().unwrap();
    assert_eq!(cards.len(), 2, "{provisioned:#}");
    assert_eq!(cards[0]["team"], "alpha");
    assert_eq!(cards[1]["table_name"], "cfsign-beta-metadata");
    assert!(cards[0]["key_pair_id"].as_str().unwrap().len() >= 13);
    let again = run_file("recipes/provision.rhai", &["--vars-file", &vars_file]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(
        !stderr(&again).contains("provisioning ") && !stderr(&again).contains("updating "),
        "a second provision changed something:\n{}",
        stderr(&again)
    );
    smoke_passes(&vars_file, &edge, "after provisioning");

    let smoke_dry = writes_during(|| {
        let out = run_file(
            "recipes/smoke.rhai",
            &["--vars-file", &vars_file, "--var", &edge, "--dry-run"],
        );
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(stdout(&out).contains("nothing to plan"), "{}", stdout(&out));
    });
    assert!(
        smoke_dry.is_empty(),
        "smoke --dry-run wrote: {smoke_dry:#?}"
    );

    // Rotation, one step per run, with the smoke test after each step.
    let mut keys_in_use = vec![cards[0]["key_pair_id"].clone()];
    for expected in ["stage", "promote", "retire"] {
        let steps = rotate(&vars_file, &edge);
        for step in &steps {
            assert_eq!(step["step"], expected, "{steps:#?}");
        }
        smoke_passes(&vars_file, &edge, &format!("after {expected}"));
        if expected == "stage" {
            assert_a_staged_key_soaks(&vars_file, &edge);
        }
        keys_in_use.push(steps[0]["done"].clone());
    }
    let rotate_dry = writes_during(|| {
        let out = run_file(
            "recipes/rotate.rhai",
            &[
                "--vars-file",
                &vars_file,
                "--var",
                "rotation_interval=0s",
                "--dry-run",
            ],
        );
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(stdout(&out).contains(": stage: "), "{}", stdout(&out));
        assert!(
            stdout(&out).contains("SecretsManager PutSecretValue"),
            "{}",
            stdout(&out)
        );
    });
    assert!(
        rotate_dry.is_empty(),
        "rotate --dry-run wrote: {rotate_dry:#?}"
    );

    // Only the secret's PutSecretValue ever carries a private key; no template parameter,
    // stack or catalog call does.
    for request in emulator.recorded_requests() {
        if request.body.contains("PRIVATE KEY") {
            assert_eq!(
                request.operation.as_deref(),
                Some("PutSecretValue"),
                "key material sent to {}",
                request.url
            );
        }
    }

    // Teardown: dry run first (nothing written), then for real.
    for team in TEAMS {
        let team_var = format!("team={team}");
        let args = ["--var", &team_var, "--var", "delete_table=true"];
        let writes = writes_during(|| {
            let mut dry = args.to_vec();
            dry.push("--dry-run");
            let out = run_file("recipes/teardown.rhai", &dry);
            assert!(out.status.success(), "{}", stderr(&out));
            assert!(stdout(&out).contains("ServiceCatalog TerminateProvisionedProduct"));
        });
        assert!(writes.is_empty(), "teardown --dry-run wrote: {writes:#?}");
        let out = run_file("recipes/teardown.rhai", &args);
        assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
        assert!(
            stdout(&out).contains("scheduled deletion of"),
            "{}",
            stdout(&out)
        );
    }
    let (out, _dir) = support::recipe::run_recipe(
        r#"print(servicecatalog::search_provisioned_products("cfsign-").len());
           print(secretsmanager::describe_secret("cfsign/alpha/signing-key").name);"#,
        &[],
    );
    assert_eq!(stdout(&out).lines().next(), Some("0"), "{}", stderr(&out));

    // Provisioning a torn-down team again is refused with the reason and the way out, before
    // anything is launched (the retained secret's name is taken until its deletion is final).
    let writes = writes_during(|| {
        let out = run_file("recipes/provision.rhai", &["--vars-file", &vars_file]);
        assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
        let text = format!("{}{}", stdout(&out), stderr(&out));
        assert!(
            text.contains("cfsign/alpha/signing-key is scheduled for deletion")
                && text.contains("--force-delete-without-recovery"),
            "{text}"
        );
    });
    assert!(writes.is_empty(), "a refused provision wrote: {writes:#?}");
}
