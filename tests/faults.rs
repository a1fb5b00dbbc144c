//! Faults: `cfsign` killed in the middle of provisioning and rotation, then re-run, converges
//! (no duplicate products, every trusted public key has its private key in a secret version,
//! the smoke test passes); and the recipes complete while the emulator answers a fraction of
//! calls (5%) with throttling and server errors.

use crate::support;

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use crate::support::emulator::Emulator;
use crate::support::recipe::{assert_no_key_material, json, run_recipe, stderr};
use crate::support::roles::{command_as, run_file_as, Identity};

/// The platform team runs every recipe as its automation role (products/automation-role).
const PLATFORM: Identity = Identity::Automation;

/// The inputs of every recipe a team goes through, as a platform team keeps them: one vars file
/// (a vars file may hold inputs of several recipes; a --var must be one the recipe declares).
fn team_vars(team: &str) -> Vec<String> {
    let vars = serde_json::json!({
        "team": team,
        "domain_name": format!("files.{team}.example.com"),
        "certificate_arn": "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d",
        "edge": Emulator::shared().url,
        "rotation_interval": "0s",
        "grace_period": "0s",
    });
    let path = support::target_dir().join(format!("faults-{team}-{}.json", std::process::id()));
    std::fs::write(&path, vars.to_string()).unwrap();
    vec!["--vars-file".to_owned(), path.to_str().unwrap().to_owned()]
}

/// Publishing the portfolios of the teams the tests provision.
fn teams() -> Vec<String> {
    vec!["--var".to_owned(), "teams=killed,throttled".to_owned()]
}

/// Publishes the portfolio once for this test module (both tests need it; publishing twice at
/// the same time is not what they test).
fn published() {
    static PUBLISHED: std::sync::OnceLock<()> = std::sync::OnceLock::new();
    PUBLISHED.get_or_init(|| run_ok("recipes/publish.rhai", &teams()));
}

fn run_ok(recipe: &str, vars: &[String]) {
    let args: Vec<&str> = vars.iter().map(String::as_str).collect();
    let out = run_file_as(PLATFORM, recipe, &args);
    assert!(
        out.status.success(),
        "{recipe} failed:\n{}{}",
        support::recipe::stdout(&out),
        stderr(&out)
    );
}

/// Runs `recipe` and kills it when its `nth` progress line (a Service Catalog change starting)
/// appears. Returns whether it was killed (it may finish first).
fn kill_at(recipe: &str, vars: &[String], nth: usize) -> bool {
    let args: Vec<&str> = vars.iter().map(String::as_str).collect();
    let mut child = command_as(PLATFORM, recipe, &args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut seen = 0;
    for line in lines.map_while(Result::ok) {
        assert!(!line.contains("PRIVATE KEY"), "key material: {line}");
        if line.starts_with("provisioning ") || line.starts_with("updating ") {
            seen += 1;
            if seen == nth {
                child.kill().unwrap();
                child.wait().unwrap();
                return true;
            }
        }
    }
    child.wait().unwrap();
    false
}

/// The invariants after any sequence of runs: one provisioned product per name, and every
/// public key in the team's key group has its private key in a version of the team's secret.
fn assert_consistent(team: &str) {
    // As the root: reads back what the runs left (key groups, secret versions) to check it.
    let (out, _dir) = run_recipe(
        &format!(
            r#"
            let names = servicecatalog::search_provisioned_products("cfsign-{team}-")
                .map(|p| p.name).filter(|n| n.starts_with("cfsign-{team}-"));
            let unique = [];
            for n in names {{ if !unique.contains(n) {{ unique.push(n); }} }}
            print(`${{names.len()}} ${{unique.len()}}`);
            let secret = servicecatalog::provisioned_product_outputs("cfsign-{team}-secret").SecretArn;
            let group = cloudfront::get_key_group(servicecatalog::provisioned_product_outputs("cfsign-{team}-keys").KeyGroupId);
            let held = [];
            for v in secretsmanager::list_versions(secret) {{
                let key = secretsmanager::get_signing_key_version(secret, v.id).key;
                if key != () {{ let pem = keys::public_key_pem(key); pem.trim(); held.push(pem); }}
            }}
            for id in group.items {{
                let pem = cloudfront::get_public_key(id).encoded_key;
                pem.trim();
                if !held.contains(pem) {{ throw `public key ${{id}} has no private key in the secret`; }}
            }}
            print(group.items.len());
            "#
        ),
        &[],
    );
    let text = support::recipe::stdout(&out);
    assert!(out.status.success(), "{team}: {text}{}", stderr(&out));
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("5 5"), "{team}: one product per name");
    let trusted: usize = lines.next().unwrap().parse().unwrap();
    assert!((1..=2).contains(&trusted), "{team}: {trusted} trusted keys");
}

#[test]
fn stopped_provisioning_and_rotation_converge() {
    published();
    let vars = team_vars("killed");
    // Stop each run as its first change starts, so every run gets one step further, until a
    // run has nothing left to change.
    let mut killed = 0;
    while killed < 10 && kill_at("recipes/provision.rhai", &vars, 1) {
        killed += 1;
    }
    assert!(killed >= 4, "only {killed} runs were stopped midway");
    run_ok("recipes/provision.rhai", &vars);
    assert_consistent("killed");
    run_ok("recipes/smoke.rhai", &vars);

    // Stop rotation in the middle of staging (while the key-pair product changes); the next
    // runs finish staging, promote and retire.
    assert!(
        kill_at("recipes/rotate.rhai", &vars, 1),
        "rotation was stopped while staging"
    );
    assert_consistent("killed");
    for _ in 0..3 {
        run_ok("recipes/rotate.rhai", &vars);
        assert_consistent("killed");
        run_ok("recipes/smoke.rhai", &vars);
    }
}

#[test]
fn recipes_complete_through_throttling_and_server_errors() {
    let emulator = Emulator::shared();
    let vars = team_vars("throttled");
    published();
    let before = emulator.injected_faults();
    emulator.set_faults(0.05);
    let result = std::panic::catch_unwind(|| {
        run_ok("recipes/publish.rhai", &teams());
        run_ok("recipes/provision.rhai", &vars);
        let args: Vec<&str> = vars.iter().map(String::as_str).collect();
        let mut json_args = args.clone();
        json_args.extend(["--output", "json"]);
        let out = run_file_as(PLATFORM, "recipes/smoke.rhai", &json_args);
        assert_no_key_material(&out);
        assert_eq!(json(&out)["throttled"]["passed"], true);
        run_ok("recipes/rotate.rhai", &vars);
    });
    emulator.set_faults(0.0);
    result.unwrap();
    assert!(
        emulator.injected_faults() > before + 3,
        "the emulator injected faults"
    );
    assert_consistent("throttled");
}
