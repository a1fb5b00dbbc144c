//! The whole life of the product against the emulator, as a platform team and three
//! application teams run it, each as the role the docs tell them to create: the platform
//! publishes (twice: the second makes no write), provisions two teams at once, smoke-tests
//! both, rotates through stage, promote and retire with a smoke test after each, and tears down,
//! as its automation role; a third team provisions itself as its provisioner role; an
//! application reads its key as its integration role. Dry runs write nothing. One test, in
//! order: later steps need the earlier ones, and the write counts need the emulator to
//! themselves.

use crate::support;

use crate::support::emulator::{writes_during, Emulator};
use crate::support::recipe::{json, stderr, stdout};
use crate::support::roles::{app_role_arn, cfsign_as, run_file_as, run_recipe_as, Identity};
use serde_json::Value;

/// The platform team runs every recipe as its automation role (products/automation-role).
const PLATFORM: Identity = Identity::Automation;

const TEAMS: [&str; 2] = ["alpha", "beta"];
/// The team that provisions itself, as its own provisioner role.
const SELF_SERVICE: &str = "gamma";
const CERTIFICATE: &str = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f";

/// The platform's teams: alpha's application assumes its integration role from its own role.
fn teams_file(dir: &std::path::Path) -> String {
    let path = dir.join("teams.json");
    let teams = serde_json::json!({
        "certificate_arn": CERTIFICATE,
        "teams": [
            { "team": "alpha", "domain_name": "files.alpha.example.com",
              "trusted_principal_arn": app_role_arn("alpha") },
            { "team": "beta", "domain_name": "files.beta.example.com", "metadata_table": true,
              "trusted_service": "lambda" },
        ],
    });
    std::fs::write(&path, teams.to_string()).unwrap();
    path.to_str().unwrap().to_owned()
}

/// Where teams ask for help, published with every product.
const SUPPORT_EMAIL: &str = "cfsign-help@platform.test";

/// The vars file publish.rhai runs with: a portfolio per team, the self-service team's own
/// provisioner role (under its path; a pattern, as the role is made later) a principal of its
/// portfolio only.
fn publish_file(dir: &std::path::Path) -> String {
    let path = dir.join("publish.json");
    let provisioner =
        format!("arn:aws:iam:::role/teams/{SELF_SERVICE}/cfsign-{SELF_SERVICE}-provisioner");
    let vars = serde_json::json!({
        "teams": [
            { "team": "alpha" },
            { "team": "beta" },
            { "team": SELF_SERVICE, "principals": [provisioner] },
        ],
        "support_email": SUPPORT_EMAIL,
    });
    std::fs::write(&path, vars.to_string()).unwrap();
    path.to_str().unwrap().to_owned()
}

/// The provisioned product name a product becomes for a team (its product.json's
/// provisionedAs, as catalog::provisioned_name uses it).
fn provisioned_name(team: &str, product: &str) -> String {
    let details: Value = serde_json::from_str(
        &std::fs::read_to_string(support::repo().join(format!("products/{product}/product.json")))
            .unwrap(),
    )
    .unwrap();
    format!(
        "cfsign-{team}-{}",
        details["provisionedAs"].as_str().unwrap()
    )
}

/// Provisioning passes every parameter products/contract.json wires from one product to
/// another: in beta's planned launches (it has a table), each wired parameter is sent, and a
/// team's KMS key reaches the integration role (SecretKmsKeyArn), without which the application
/// could not read its key.
fn assert_provisioning_passes_every_wiring_edge(vars_file: &str) {
    let kms_key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    let kms_var = format!("kms_key_arn={kms_key}");
    let planned = json(&run_file_as(
        PLATFORM,
        "recipes/provision.rhai",
        &[
            "--vars-file",
            vars_file,
            "--var",
            &kms_var,
            "--dry-run",
            "--output",
            "json",
        ],
    ));
    let launches: Vec<&Value> = planned["plan"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["operation"] == "ProvisionProduct")
        .map(|c| &c["parameters"])
        .collect();
    let parameters_of = |product: &str| -> Vec<(String, String)> {
        let name = provisioned_name("beta", product);
        let launch = launches
            .iter()
            .find(|l| l["ProvisionedProductName"] == name.as_str())
            .unwrap_or_else(|| panic!("no planned launch of {name}: {planned:#}"));
        // As ProvisionProduct sends them: a list of {Key, Value}.
        launch["ProvisioningParameters"]
            .as_array()
            .unwrap_or_else(|| panic!("no parameters in the launch of {name}: {launch:#}"))
            .iter()
            .map(|p| {
                let text = |member: &str| p[member].as_str().unwrap_or_default().to_owned();
                (text("Key"), text("Value"))
            })
            .collect()
    };
    let contract: Value = serde_json::from_str(
        &std::fs::read_to_string(support::repo().join("products/contract.json")).unwrap(),
    )
    .unwrap();
    for edge in contract["wiring"].as_array().unwrap() {
        let (to_product, to_parameter) = edge["to"].as_str().unwrap().split_once('.').unwrap();
        let sent = parameters_of(to_product);
        assert!(
            sent.iter().any(|(key, _)| key == to_parameter),
            "provisioning does not pass {} to {to_product}: {sent:?}",
            edge["from"]
        );
    }
    let role = parameters_of("integration-role");
    assert!(
        role.contains(&("SecretKmsKeyArn".to_owned(), kms_key.to_owned())),
        "{role:?}"
    );
}

fn smoke_passes(vars_file: &str, edge: &str, when: &str) {
    let out = run_file_as(
        PLATFORM,
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
    let out = run_file_as(
        PLATFORM,
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
        let out = run_file_as(
            PLATFORM,
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

/// What the application of `team` reads from its secret as its integration role: the key pair
/// id of AWSCURRENT, and the refusal to read another team's.
fn application_reads(team: &'static str, other: &str) -> Vec<String> {
    let (out, _dir) = run_recipe_as(
        Identity::Integration(team),
        &format!(
            r#"print(secretsmanager::get_signing_key("cfsign/{team}/signing-key", "AWSCURRENT").key_pair_id);
               try {{ secretsmanager::get_signing_key("cfsign/{other}/signing-key", "AWSCURRENT"); print("read"); }}
               catch (e) {{ print(e.code); }}"#
        ),
        &[],
    );
    support::recipe::lines(&out)
}

/// `cfsign sign --secret` as the application of `team` runs it, as its integration role: the
/// signed URL's key pair id, and what the CLI says when pointed at another team's secret.
fn application_signs(team: &'static str, other: &str) -> (String, String) {
    let sign = |owner: &str| {
        let secret = format!("cfsign/{owner}/signing-key");
        cfsign_as(
            Identity::Integration(team),
            &[
                "sign",
                "https://files.example.com/uploads/a.txt",
                "--expires-in",
                "5m",
                "--secret",
                &secret,
            ],
        )
    };
    let signed = sign(team);
    assert!(signed.status.success(), "{}", stderr(&signed));
    let url = stdout(&signed).trim().to_owned();
    let key_pair_id = url
        .split("Key-Pair-Id=")
        .nth(1)
        .and_then(|rest| rest.split('&').next())
        .unwrap_or_else(|| panic!("no Key-Pair-Id in {url}"))
        .to_owned();
    let refused = sign(other);
    assert!(!refused.status.success(), "{}", stdout(&refused));
    (key_pair_id, stderr(&refused))
}

/// A team provisions itself (docs/onboarding.md, "A team can run this itself") as its
/// provisioner role (examples/iam/team-provisioner-policy.json); a second run changes nothing.
fn a_team_provisions_itself(team: &'static str) {
    let vars = [
        format!("team={team}"),
        format!("domain_name=files.{team}.example.com"),
        format!("certificate_arn={CERTIFICATE}"),
    ];
    let args: Vec<&str> = vars.iter().flat_map(|v| ["--var", v.as_str()]).collect();
    let card = json(&run_file_as(
        Identity::Provisioner(team),
        "recipes/provision.rhai",
        &[args.as_slice(), &["--output", "json"]].concat(),
    ));
    assert_eq!(card["team"], team, "{card:#}");
    let again = run_file_as(Identity::Provisioner(team), "recipes/provision.rhai", &args);
    assert!(
        again.status.success(),
        "{}{}",
        stdout(&again),
        stderr(&again)
    );
    assert!(
        !stderr(&again).contains("provisioning ") && !stderr(&again).contains("updating "),
        "a second provision by the team changed something:\n{}",
        stderr(&again)
    );
}

#[test]
fn publish_provision_smoke_rotate_and_tear_down() {
    let emulator = Emulator::shared();
    let dir = tempfile::tempdir().unwrap();
    let vars_file = teams_file(dir.path());
    let edge = format!("edge={}", emulator.url);

    // Publish, then publish again: nothing changed, so nothing is written. Every team gets
    // its own portfolio; the automation role is a principal of each (by default), and the
    // self-service team's provisioner role of its own alone.
    let publish_vars = publish_file(dir.path());
    let publish_args = ["--vars-file", publish_vars.as_str()];
    let teams = "teams=alpha,beta";
    let published = json(&run_file_as(
        PLATFORM,
        "recipes/publish.rhai",
        &[publish_args.as_slice(), &["--output", "json"]].concat(),
    ));
    let created: Vec<&Value> = published["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["what"] == "product" && c["action"] == "created")
        .collect();
    // The six modules and the one-click stack composed from them.
    assert_eq!(created.len(), 7, "{published:#}");
    // Teams see the platform's own contact with every product, and no placeholder.
    let (out, _dir) = run_recipe_as(
        PLATFORM,
        r#"for entry in [["s3-bucket"], ["integration-role"]] {
            let p = servicecatalog::find_product(files::read_json(`products/${entry[0]}/product.json`).name);
            print(`${p.owner}|${p.support_email}|${p.support_url}`);
        }"#,
        &[],
    );
    assert_eq!(
        support::recipe::lines(&out),
        vec![format!("Platform Engineering|{SUPPORT_EMAIL}|"); 2],
        "{}",
        stderr(&out)
    );
    let writes = writes_during(|| {
        let out = run_file_as(PLATFORM, "recipes/publish.rhai", &publish_args);
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(stdout(&out).contains("0 change(s)"), "{}", stdout(&out));
    });
    assert!(writes.is_empty(), "re-publishing wrote: {writes:#?}");

    // Dry runs write nothing (the plan lists what a run would do).
    for (recipe, extra) in [
        (
            "recipes/publish.rhai",
            vec!["--var", "portfolio=cfsign-dry", "--var", teams],
        ),
        ("recipes/provision.rhai", vec!["--vars-file", &vars_file]),
    ] {
        let writes = writes_during(|| {
            let mut args = extra.clone();
            args.push("--dry-run");
            let out = run_file_as(PLATFORM, recipe, &args);
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

    assert_provisioning_passes_every_wiring_edge(&vars_file);

    // Two teams at once; the second run converges without changing anything.
    let provisioned = json(&run_file_as(
        PLATFORM,
        "recipes/provision.rhai",
        &["--vars-file", &vars_file, "--output", "json"],
    ));
    let cards = provisioned["teams"].as_array().unwrap();
    assert_eq!(cards.len(), 2, "{provisioned:#}");
    assert_eq!(cards[0]["team"], "alpha");
    assert_eq!(cards[1]["table_name"], "cfsign-beta-metadata");
    assert!(cards[0]["key_pair_id"].as_str().unwrap().len() >= 13);
    let again = run_file_as(
        PLATFORM,
        "recipes/provision.rhai",
        &["--vars-file", &vars_file],
    );
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(
        !stderr(&again).contains("provisioning ") && !stderr(&again).contains("updating "),
        "a second provision changed something:\n{}",
        stderr(&again)
    );
    // A new key for beta's named table cannot be made (CloudFormation cannot replace a table
    // with a custom name): the run refuses it before it changes anything.
    let writes = writes_during(|| {
        let out = run_file_as(
            PLATFORM,
            "recipes/provision.rhai",
            &[
                "--vars-file",
                &vars_file,
                "--var",
                "partition_key=objectKey",
            ],
        );
        let said = format!("{}{}", stdout(&out), stderr(&out));
        assert!(!out.status.success(), "{said}");
        assert!(
            said.contains(
                "cfsign-beta-table: partition_key is \"fileId\" and cannot become \"objectKey\""
            ),
            "{said}"
        );
    });
    assert!(writes.is_empty(), "a refused key change wrote: {writes:#?}");
    // A re-run that names only the team keeps the rest as the team has it (domain, certificate,
    // lambda trust, table), so it writes nothing; a changed input is shown before it is made,
    // as a CHANGE line per parameter, by a dry run too.
    let writes = writes_during(|| {
        let out = run_file_as(PLATFORM, "recipes/provision.rhai", &["--var", "team=beta"]);
        let said = format!("{}{}", stdout(&out), stderr(&out));
        assert!(out.status.success(), "{said}");
        assert!(!said.contains("CHANGE"), "{said}");
        assert!(
            said.contains("cfsign-beta-metadata"),
            "the table is kept: {said}"
        );
    });
    assert!(
        writes.is_empty(),
        "re-running beta by name alone wrote: {writes:#?}"
    );
    let writes = writes_during(|| {
        let out = run_file_as(
            PLATFORM,
            "recipes/provision.rhai",
            &[
                "--var",
                "team=beta",
                "--var",
                "trusted_service=ecs-tasks",
                "--dry-run",
            ],
        );
        let said = format!("{}{}", stdout(&out), stderr(&out));
        assert!(out.status.success(), "{said}");
        assert!(
            said.contains(r#"cfsign-beta-role: CHANGE TrustedService "lambda" -> "ecs-tasks""#),
            "{said}"
        );
        assert_eq!(said.matches(": CHANGE ").count(), 1, "{said}");
    });
    assert!(writes.is_empty(), "a dry run wrote: {writes:#?}");
    smoke_passes(&vars_file, &edge, "after provisioning");

    // The application signs with the key its role may read, and only that key.
    assert_eq!(
        application_reads("alpha", "beta"),
        [
            cards[0]["key_pair_id"].as_str().unwrap(),
            "AccessDeniedException"
        ]
    );
    let (key_pair_id, refusal) = application_signs("alpha", "beta");
    assert_eq!(key_pair_id, cards[0]["key_pair_id"].as_str().unwrap());
    assert!(
        refusal.contains("AccessDeniedException") && refusal.contains("cfsign/beta/signing-key"),
        "{refusal}"
    );
    a_team_provisions_itself(SELF_SERVICE);

    let smoke_dry = writes_during(|| {
        let out = run_file_as(
            PLATFORM,
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
        let out = run_file_as(
            PLATFORM,
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

    // A leaked key (alpha's current one, as status.rhai reports it): with `revoke` and the
    // default timing, each run takes the next step at once (no interval, soak or grace), the
    // leaked key leaves the key group, and then there is nothing more to do.
    let alpha_status = || -> Value {
        let status = json(&run_file_as(
            PLATFORM,
            "recipes/status.rhai",
            &["--output", "json"],
        ));
        let teams = status["teams"].as_array().unwrap();
        let names: Vec<&Value> = teams.iter().map(|t| &t["team"]).collect();
        assert_eq!(names, ["alpha", "beta", SELF_SERVICE], "{status:#}");
        teams[0].clone()
    };
    let before = alpha_status();
    assert_eq!(before["drift"], serde_json::json!([]), "{before:#}");
    assert_eq!(
        before["products"].as_array().unwrap().len(),
        5,
        "{before:#}"
    );
    let leaked = before["key_pair_id"].as_str().unwrap().to_owned();
    let revoke = format!("revoke={leaked}");
    let mut taken = Vec::new();
    for _ in 0..4 {
        let out = run_file_as(
            PLATFORM,
            "recipes/rotate.rhai",
            &[
                "--var",
                "team=alpha",
                "--var",
                &edge,
                "--var",
                &revoke,
                "--output",
                "json",
            ],
        );
        taken.push(
            json(&out)["rotations"][0]["step"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    assert_eq!(
        taken,
        ["stage", "promote", "retire", "none"],
        "revoking {leaked}"
    );
    let after = alpha_status();
    assert_ne!(after["key_pair_id"], leaked.as_str(), "{after:#}");
    assert_eq!(after["next_step"], "none", "{after:#}");
    smoke_passes(&vars_file, &edge, "after revoking a key");

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

    // Teardown: dry run first (nothing written), then for real; the platform tears down the
    // team that provisioned itself too.
    for team in TEAMS.into_iter().chain([SELF_SERVICE]) {
        let team_var = format!("team={team}");
        let args = ["--var", &team_var, "--var", "delete_table=true"];
        let writes = writes_during(|| {
            let mut dry = args.to_vec();
            dry.push("--dry-run");
            let out = run_file_as(PLATFORM, "recipes/teardown.rhai", &dry);
            assert!(out.status.success(), "{}", stderr(&out));
            assert!(stdout(&out).contains("ServiceCatalog TerminateProvisionedProduct"));
        });
        assert!(writes.is_empty(), "teardown --dry-run wrote: {writes:#?}");
        let out = run_file_as(PLATFORM, "recipes/teardown.rhai", &args);
        if team == SELF_SERVICE {
            // Its secret admits only the team's own role to delete it (its automation role).
            assert!(
                !out.status.success()
                    && stderr(&out).contains("is kept: only the role that provisioned the team"),
                "{}{}",
                stdout(&out),
                stderr(&out)
            );
            continue;
        }
        assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
        assert!(
            stdout(&out).contains("scheduled deletion of"),
            "{}",
            stdout(&out)
        );
    }
    let (out, _dir) = run_recipe_as(
        PLATFORM,
        r#"print(servicecatalog::search_provisioned_products("cfsign-").len());
           print(secretsmanager::describe_secret("cfsign/alpha/signing-key").name);"#,
        &[],
    );
    assert_eq!(stdout(&out).lines().next(), Some("0"), "{}", stderr(&out));

    // Provisioning a torn-down team again is refused with the reason and the way out, before
    // anything is launched (the retained secret's name is taken until its deletion is final).
    let writes = writes_during(|| {
        let out = run_file_as(
            PLATFORM,
            "recipes/provision.rhai",
            &["--vars-file", &vars_file],
        );
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
