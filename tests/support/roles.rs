//! Who a test runs cfsign as: the roles the docs tell users to create, set up once per test
//! module in its emulator by `tests/support/roles.py` and assumed with STS, so the emulator
//! evaluates their policies on every request. `recipe::run_file` and its siblings run as the
//! account root (the static `testing` key); the `_as` helpers here run as an `Identity`.

use std::collections::BTreeMap;
use std::process::{Command, Output};
use std::sync::{Mutex, OnceLock};

use super::emulator::Emulator;
use super::recipe;
use super::repo;

/// An identity recipes run as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Identity {
    /// The platform automation role (products/automation-role), as a platform engineer signed
    /// in with IAM Identity Center assumes it: publish, provision, rotate, smoke, teardown.
    Automation,
    /// A team's own provisioner role (examples/iam/team-provisioner-policy.json).
    Provisioner(&'static str),
    /// A team's integration role (its integration-role product), as its application assumes it
    /// from its own role (`app_role_arn`).
    Integration(&'static str),
    /// An administrator of a sandbox account (an IAM Identity Center AdministratorAccess
    /// session), as the real-account suite (tests/aws-account) runs.
    Administrator,
    /// The account root: only for what stands outside the product (the test's own fixtures,
    /// reading state back to check it). The text says why.
    Root(&'static str),
}

/// AWS credentials as environment variables.
pub type Credentials = Vec<(String, String)>;

impl Identity {
    /// The environment variables that make the AWS SDKs act as this identity.
    pub fn credentials(self) -> Credentials {
        match self {
            Identity::Root(_) => vec![
                ("AWS_ACCESS_KEY_ID".into(), "testing".into()),
                ("AWS_SECRET_ACCESS_KEY".into(), "testing".into()),
            ],
            Identity::Automation => assumed(&["automation"]),
            Identity::Administrator => assumed(&["administrator"]),
            Identity::Provisioner(team) => assumed(&["provisioner", team]),
            Identity::Integration(team) => assumed(&["integration", team]),
        }
    }
}

/// `recipe::command` (the `cfsign run` command for `recipe` against the emulator) as `who`.
pub fn command_as(who: Identity, recipe: &str, extra: &[&str]) -> Command {
    let mut command = recipe::command(recipe, extra);
    command
        .env_remove("AWS_SESSION_TOKEN")
        .envs(who.credentials());
    command
}

/// `recipe::run_file` as `who`: runs the recipe file and checks no key material reached its
/// output.
pub fn run_file_as(who: Identity, recipe: &str, extra: &[&str]) -> Output {
    let output = command_as(who, recipe, extra).output().unwrap();
    recipe::assert_no_key_material(&output);
    output
}

/// `recipe::run_recipe` as `who`: writes the recipe to a temporary folder and runs it.
pub fn run_recipe_as(who: Identity, recipe: &str, extra: &[&str]) -> (Output, tempfile::TempDir) {
    let (path, dir) = recipe::write_recipe(recipe);
    (run_file_as(who, &path, extra), dir)
}

/// `cfsign ARGS` (not `run`) against the emulator as `who`, with no key or key pair id from
/// the environment; checks no key material reached its output.
pub fn cfsign_as(who: Identity, args: &[&str]) -> Output {
    let output = assert_cmd::Command::cargo_bin("cfsign")
        .unwrap()
        .args(args)
        .args(["--endpoint-url", &Emulator::shared().url])
        .args(["--region", "us-east-1"])
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("CFSIGN_KEY_PAIR_ID")
        .env_remove("CFSIGN_PRIVATE_KEY")
        .env_remove("CFSIGN_KMS_KEY_ID")
        .envs(who.credentials())
        .output()
        .unwrap();
    recipe::assert_no_key_material(&output);
    output
}

/// Asserts that `who` may not sign `url` with the KMS key `key` (as key pair `key_pair_id`):
/// `cfsign sign --kms-key-id` fails with KMS's AccessDeniedException.
pub fn assert_kms_sign_refused(who: Identity, url: &str, key: &str, key_pair_id: &str) {
    let refused = cfsign_as(
        who,
        &[
            "sign",
            url,
            "--expires-in",
            "5m",
            "--kms-key-id",
            key,
            "--key-pair-id",
            key_pair_id,
        ],
    );
    assert!(
        !refused.status.success() && recipe::stderr(&refused).contains("AccessDeniedException"),
        "{}{}",
        recipe::stdout(&refused),
        recipe::stderr(&refused)
    );
}

/// The ARN of the application role of `team`, which may assume the team's integration role
/// once provisioning trusts it (`--var trusted_principal_arn=...`).
pub fn app_role_arn(team: &str) -> String {
    roles_py(&["app", team]).trim().to_owned()
}

/// What the real-account suite needs a sandbox to hold, made once in the module's emulator: an
/// issued certificate for `*.DOMAIN` in us-east-1 and the domain's hosted zone, as
/// `(certificate_arn, hosted_zone_id)`.
pub fn sandbox(domain: &str) -> (String, String) {
    let made: serde_json::Value =
        serde_json::from_str(&roles_py(&["sandbox", domain])).expect("roles.py prints JSON");
    let field = |name: &str| made[name].as_str().unwrap().to_owned();
    (field("certificate_arn"), field("hosted_zone_id"))
}

/// The credentials `roles.py ARGS` prints, set up once per test module's emulator: sessions
/// last an hour (role chaining), longer than the whole test run.
fn assumed(args: &[&str]) -> Credentials {
    static SESSIONS: OnceLock<Mutex<BTreeMap<String, Credentials>>> = OnceLock::new();
    let sessions = SESSIONS.get_or_init(|| Mutex::new(BTreeMap::new()));
    // One setup at a time: they share the administrator's stack and stand-in roles.
    let mut sessions = sessions.lock().unwrap_or_else(|e| e.into_inner());
    // Per emulator: each test module has its own account (Emulator::shared).
    let key = format!("{} {}", Emulator::shared().url, args.join(" "));
    if let Some(found) = sessions.get(&key) {
        return found.clone();
    }
    let printed: BTreeMap<String, String> =
        serde_json::from_str(&roles_py(args)).expect("roles.py prints credentials as JSON");
    let credentials: Credentials = printed.into_iter().collect();
    sessions.insert(key, credentials.clone());
    credentials
}

fn roles_py(args: &[&str]) -> String {
    // The emulator's Python (boto3), made on first use by the script.
    let python = super::emulator_python();
    let output = Command::new(&python)
        .arg(repo().join("tests/support/roles.py"))
        .args(args)
        .env("AWS_ENDPOINT_URL", &Emulator::shared().url)
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env_remove("AWS_PROFILE")
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}", python.display()));
    assert!(
        output.status.success(),
        "roles.py {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}
