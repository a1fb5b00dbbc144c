//! Follows the docs as a reader would, in one working directory against the local emulator:
//! every shell command runs, every JavaScript and Rhai snippet runs, and what a command hands
//! the reader (a signed URL, cookies) is used against the emulator's edge.
//!
//! The emulator stands in for AWS, so a few things change on the way (`Walkthrough::adapt`):
//! example endpoints become the real one, a team's domain becomes the edge address that serves
//! its distribution, the placeholder key pair id becomes the team's, the placeholder KMS key ARN
//! the one `cfsign keygen --kms` created, recipes that go through
//! the distribution get `--var edge`, and `cargo install` copies the binary cargo built for
//! the tests into the install root.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command as Process, Output};

use crate::docs::markdown::{self, Block, Command};
use crate::support::emulator::Emulator;
use crate::support::roles::{command_as, Identity};
use crate::support::{emulator_python, recipe, repo};

/// Commands another test runs (the file named must contain the command).
const RUN_ELSEWHERE: &[(&str, &str)] = &[
    ("examples/quickstart", "tests/quickstart.rs"),
    ("tests/run", ".ci/run"),
    // The administrator's deployment of the automation role, which the walkthrough's reader
    // then runs as (deployed with the same parameters, assumed from IAM Identity Center).
    (
        "aws cloudformation deploy --stack-name cfsign-automation-role",
        "tests/support/roles.py",
    ),
    // A team's one-click launch with the AWS CLI, made with the same SDK calls (boto3).
    (
        "aws servicecatalog provision-product --product-name \"cfsign signed-URL stack\"",
        "tests/one_click.rs",
    ),
];

/// Commands no test runs, and why.
const NOT_RUN: &[(&str, &str)] = &[
    (
        "tests/bench/run",
        "builds cfsign in release mode and measures for minutes; its figures go to \
         docs/benchmarks.md, never into a test",
    ),
    (
        "tests/aws-account/run",
        "runs in the AWS account the reader names; tests/account_suite.rs runs it against the \
         emulator",
    ),
];

/// The docs a platform engineer follows as the automation role they have the administrator
/// deploy (products/automation-role); the rest (the README's emulator quickstart, which exports
/// the root's key itself, and the signing and application docs: `keygen --kms` creates a KMS
/// key, the application's code reads its secret) run as the account root, as before.
const PLATFORM_DOCS: &[&str] = &["docs/onboarding.md", "docs/recipes.md"];

/// The key pair id the docs show for a team's key.
const EXAMPLE_KEY_PAIR_ID: &str = "K2JCJMDEHXQW5F";

/// The placeholder the docs show for a KMS key's ARN.
const EXAMPLE_KMS_KEY_ARN: &str = "arn:aws:kms:...:key/...";

/// Example endpoints the docs show for the emulator.
const EXAMPLE_ENDPOINTS: &[&str] = &["http://127.0.0.1:40123", "http://127.0.0.1:PORT"];

/// What the walkthrough knows about a provisioned team.
#[derive(Debug, Clone)]
struct Team {
    /// The edge address serving the team's distribution (stands in for its domain).
    edge: String,
    key_pair_id: String,
    bucket: String,
    secret_arn: String,
}

/// A reader working through the docs in one terminal.
pub struct Walkthrough {
    workspace: tempfile::TempDir,
    endpoint: String,
    /// The reader's AWS identity: the platform automation role (products/automation-role)
    /// for `PLATFORM_DOCS`, the root for the rest.
    credentials: Vec<(String, String)>,
    teams: BTreeMap<String, Team>,
    /// The last ```json block: the file the next `--vars-file` names.
    json_block: Option<String>,
    /// The team whose key is in private_key.pem / public_key.pem.
    key_of: Option<String>,
    /// The connection cards provisioning printed, by their first line (`team NAME`).
    cards: BTreeMap<String, String>,
    /// The last URL `cfsign sign` printed (`$URL`, `$SIGNED_URL` in the docs).
    last_url: Option<String>,
    /// The KMS key `cfsign keygen --kms` last created (the docs' `arn:aws:kms:...:key/...`).
    kms_key_arn: Option<String>,
    /// Everything run, for the report: `doc:line: command`.
    pub ran: Vec<String>,
}

impl Walkthrough {
    /// A fresh working directory (the repository's folders linked in), as the automation role.
    pub fn start() -> Walkthrough {
        let workspace = tempfile::tempdir().unwrap();
        for entry in [
            "recipes", "stdlib", "products", "examples", "tests", "docs", "target",
        ] {
            std::os::unix::fs::symlink(repo().join(entry), workspace.path().join(entry)).unwrap();
        }
        std::fs::create_dir(workspace.path().join(".state")).unwrap();
        let endpoint = Emulator::shared().url.clone();
        Walkthrough {
            workspace,
            endpoint,
            credentials: Identity::Automation.credentials(),
            teams: BTreeMap::new(),
            json_block: None,
            key_of: None,
            cards: BTreeMap::new(),
            last_url: None,
            kms_key_arn: None,
            ran: Vec::new(),
        }
    }

    /// Runs every block of the Markdown file `doc` (a path from the repository root).
    pub fn follow(&mut self, doc: &str) {
        self.credentials = if PLATFORM_DOCS.contains(&doc) {
            Identity::Automation.credentials()
        } else {
            Identity::Root("the README's quickstart, the signing and application docs")
                .credentials()
        };
        let markdown = std::fs::read_to_string(repo().join(doc)).unwrap();
        for block in markdown::blocks(&markdown) {
            match block.lang.as_str() {
                "sh" => {
                    for command in markdown::commands(&block) {
                        self.shell(doc, &command);
                    }
                }
                "json" => self.json_block = Some(block.text.clone()),
                "js" => self.javascript(doc, &block),
                // The reference's examples are fragments of the functions they document,
                // checked by `the_reference_examples_call_functions_that_exist`.
                "rhai" if doc == "docs/reference.md" => {}
                "rhai" => {
                    crate::docs::snippets::run_rhai(doc, &block);
                    self.ran.push(format!("{doc}:{}: Rhai snippet", block.line));
                }
                "text" if block.text.starts_with("team ") => self.card(doc, &block),
                // Output shown for reading (policies) and Rust, which rustdoc compiles
                // (src/lib.rs includes docs/signing.md).
                "" | "text" | "rust" | "rust,no_run" => {}
                other => panic!("{doc}:{}: no way to test a ```{other} block", block.line),
            }
        }
    }

    fn shell(&mut self, doc: &str, command: &Command) {
        let joined = command.joined();
        let place = format!("{doc}:{}", command.line);
        if let Some((_, by)) = RUN_ELSEWHERE.iter().find(|(c, _)| joined.starts_with(c)) {
            let text = std::fs::read_to_string(repo().join(by)).unwrap();
            let first = joined.split(' ').next().unwrap();
            assert!(
                text.contains(first),
                "{place}: {by} no longer runs `{joined}`"
            );
            self.ran.push(format!("{place}: {joined}  (run by {by})"));
            return;
        }
        if NOT_RUN.iter().any(|(c, _)| joined.starts_with(c)) {
            self.ran
                .push(format!("{place}: {joined}  (not run: see NOT_RUN)"));
            return;
        }
        if joined.starts_with("tests/emulator/serve") {
            // The emulator this walkthrough uses was started by this same script.
            self.ran
                .push(format!("{place}: {joined}  (the emulator in use)"));
            return;
        }
        let text = self.adapt(&command.text);
        if is_assignment(&joined) {
            let state = self.state_file(doc);
            let mut saved = std::fs::read_to_string(&state).unwrap_or_default();
            saved.push_str(&text);
            std::fs::write(&state, saved).unwrap();
            return;
        }
        if let Some(file) = vars_file(&joined) {
            if let Some(json) = self.json_block.take() {
                std::fs::write(self.workspace.path().join(file), json).unwrap();
            }
        }
        let started = std::time::Instant::now();
        let output = self.bash(doc, &text);
        let seconds = started.elapsed().as_secs_f64();
        let stdout = recipe::stdout(&output);
        assert!(
            output.status.success(),
            "{place}: `{joined}` failed (as run: `{}`):\n{stdout}{}",
            text.trim(),
            recipe::stderr(&output)
        );
        recipe::assert_no_key_material(&output);
        self.ran.push(format!("{place}: {joined}  ({seconds:.1}s)"));
        self.use_output(
            &place,
            &markdown::words(&text.replace("\\\n", " ")),
            &stdout,
        );
    }

    /// The command as it runs against the emulator (see the module comment).
    fn adapt(&mut self, text: &str) -> String {
        let mut text = text.to_owned();
        for example in EXAMPLE_ENDPOINTS {
            text = text.replace(example, &self.endpoint);
        }
        // Installing is copying the binary cargo built for this test run to where `cargo
        // install` puts it (ROOT/bin): no cargo inside a test, and no second build.
        text = text.replace(
            "cargo install --locked --path .",
            &format!(
                "install -D {} {}",
                assert_cmd::cargo::cargo_bin("cfsign").display(),
                self.workspace.path().join("install/bin/cfsign").display()
            ),
        );
        for recipe in ["recipes/smoke.rhai", "recipes/rotate.rhai"] {
            if text.contains(recipe) && !text.contains("--var edge=") {
                text = text.replace(recipe, &format!("{recipe} --var edge={}", self.endpoint));
            }
        }
        while let Some(name) = team_in_url(&text) {
            let domain = format!("https://files.{name}.example.com");
            let Some(team) = self.team(&name) else {
                break;
            };
            text = text
                .replace(&domain, &team.edge)
                .replace(EXAMPLE_KEY_PAIR_ID, &team.key_pair_id);
            if self.key_of.as_deref() != Some(name.as_str()) {
                let dir = self.workspace.path().to_str().unwrap().to_owned();
                self.reader(&self.credentials, &["save-key", &team.secret_arn, &dir]);
                self.key_of = Some(name);
            }
        }
        if let Some(arn) = &self.kms_key_arn {
            text = text.replace(EXAMPLE_KMS_KEY_ARN, arn);
        }
        // Once the reader holds a team's key, the placeholder id is that key's id.
        if let Some(name) = self.key_of.clone() {
            if let Some(team) = self.team(&name) {
                text = text.replace(EXAMPLE_KEY_PAIR_ID, &team.key_pair_id);
            }
        }
        text
    }

    /// A provisioned team's distribution, key, bucket and secret (None if not provisioned).
    fn team(&mut self, name: &str) -> Option<Team> {
        if let Some(team) = self.teams.get(name) {
            return Some(team.clone());
        }
        let output = command_as(
            Identity::Automation,
            "tests/docs/team.rhai",
            &["--var", &format!("team={name}"), "--output", "json"],
        )
        .output()
        .unwrap();
        let found = recipe::json(&output);
        if found.is_null() {
            return None;
        }
        let text = |key: &str| found[key].as_str().unwrap().to_owned();
        let team = Team {
            edge: format!("{}/_edge/{}", self.endpoint, text("distribution_id")),
            key_pair_id: text("key_pair_id"),
            bucket: text("bucket"),
            secret_arn: text("secret_arn"),
        };
        self.teams.insert(name.to_owned(), team.clone());
        Some(team)
    }

    /// Uses what a command printed the way the docs say to: a signed URL is fetched through
    /// the edge, cookies are sent with a request for the pattern they grant.
    fn use_output(&mut self, place: &str, words: &[String], stdout: &str) {
        if words.first().map(String::as_str) != Some("cfsign") {
            return;
        }
        match words.get(1).map(String::as_str) {
            Some("sign") if !words.iter().any(|w| w == "--batch") => {
                let url = stdout.trim().to_owned();
                assert!(
                    url.contains("Signature="),
                    "{place}: no signed URL: {stdout}"
                );
                if let Some(team) = self.team_serving(&url) {
                    self.download(place, &team, &url);
                }
                self.last_url = Some(url);
            }
            Some("run") if words.get(2).is_some_and(|r| r.ends_with("provision.rhai")) => {
                // Text output: one card per team, each starting `team NAME`.
                for card in stdout
                    .split("\nteam ")
                    .map(|c| c.trim_start_matches("team "))
                {
                    let name = card.lines().next().unwrap_or_default();
                    let lines: Vec<&str> = card.lines().take_while(|l| !l.is_empty()).collect();
                    self.cards
                        .insert(format!("team {name}"), format!("team {}", lines.join("\n")));
                }
            }
            Some("keygen") if words.iter().any(|w| w == "--kms") => {
                // Text output: `  key          ARN (sign with --kms-key-id)`.
                let arn = stdout
                    .split_whitespace()
                    .find(|word| word.starts_with("arn:aws:kms:"));
                assert!(arn.is_some(), "{place}: no key ARN printed: {stdout}");
                self.kms_key_arn = arn.map(str::to_owned);
            }
            Some("cookies") => {
                let resource = &words[2];
                if let Some(team) = self.team_serving(resource) {
                    self.gallery(place, &team, resource, stdout);
                }
            }
            _ => {}
        }
    }

    /// A connection card shown in the docs has the lines, in order, that provisioning that
    /// team printed.
    fn card(&mut self, doc: &str, block: &Block) {
        let place = format!("{doc}:{}", block.line);
        let team = block.text.lines().next().unwrap();
        let printed = self
            .cards
            .get(team)
            .unwrap_or_else(|| panic!("{place}: no command before it printed the card of {team}"));
        let labels = |card: &str| -> Vec<String> {
            card.lines()
                .map(|line| line.trim().split("  ").next().unwrap().to_owned())
                .collect()
        };
        assert_eq!(
            labels(&block.text),
            labels(printed),
            "{place}: the card's lines"
        );
        self.ran.push(format!("{place}: connection card"));
    }

    fn team_serving(&self, url: &str) -> Option<Team> {
        self.teams
            .values()
            .find(|t| url.starts_with(&format!("{}/", t.edge)))
            .cloned()
    }

    /// A signed download link works, and the same URL without its signature is refused.
    fn download(&self, place: &str, team: &Team, url: &str) {
        let key = url[team.edge.len() + 1..].split('?').next().unwrap();
        let body = format!("object {key} from the docs walkthrough");
        self.reader(&fixture(), &["put-object", &team.bucket, key, &body]);
        assert_eq!(fetch(url, None), (200, body), "{place}: the signed link");
        let unsigned = url.split('?').next().unwrap();
        assert_eq!(
            fetch(unsigned, None).0,
            403,
            "{place}: without its signature"
        );
    }

    /// Signed cookies for a pattern admit a request under it; no cookies, no access.
    fn gallery(&self, place: &str, team: &Team, pattern: &str, stdout: &str) {
        let cookies: Vec<&str> = stdout
            .lines()
            .filter_map(|line| line.strip_prefix("Set-Cookie: "))
            .map(|cookie| cookie.split(';').next().unwrap())
            .collect();
        assert_eq!(cookies.len(), 3, "{place}: three cookies: {stdout}");
        let key = pattern[team.edge.len() + 1..].replace('*', "photo-1.jpg");
        let body = format!("object {key} from the docs walkthrough");
        self.reader(&fixture(), &["put-object", &team.bucket, &key, &body]);
        let url = format!("{}/{key}", team.edge);
        let header = cookies.join("; ");
        assert_eq!(
            fetch(&url, Some(&header)),
            (200, body),
            "{place}: with cookies"
        );
        assert_eq!(fetch(&url, None).0, 403, "{place}: without cookies");
    }

    /// A ```js block: browser code given `signedUrl` (an upload URL for the team whose key was
    /// last used) and `file`; the object must arrive in the team's bucket.
    fn javascript(&mut self, doc: &str, block: &Block) {
        let place = format!("{doc}:{}", block.line);
        let name = self
            .key_of
            .clone()
            .unwrap_or_else(|| panic!("{place}: a JavaScript snippet before any team's key"));
        let team = self.teams[&name].clone();
        let key = "uploads/docs-walkthrough/photo.jpg";
        // Only an upload URL writes (the distribution's uploads function), for the type sent.
        let upload = ["--upload", "--content-type", "image/jpeg"];
        let url = self.sign(&format!("{}/{key}", team.edge), &team.key_pair_id, &upload);
        let program = format!(
            "const signedUrl = process.env.SIGNED_URL;\n\
             const file = new Blob([\"a photo from the docs\"], {{ type: \"image/jpeg\" }});\n\
             (async () => {{\n{}\n}})().catch((e) => {{ console.error(e); process.exit(1); }});\n",
            block.text
        );
        let output = Process::new("node")
            .args(["-e", &program])
            .env("SIGNED_URL", &url)
            .output()
            .unwrap_or_else(|e| panic!("node: {e}; install Node.js 18+"));
        assert!(
            output.status.success(),
            "{place}: the snippet failed:\n{}",
            recipe::stderr(&output)
        );
        let stored = self.reader(&fixture(), &["get-object", &team.bucket, key]);
        assert_eq!(
            stored, "a photo from the docs",
            "{place}: the uploaded object"
        );
        self.ran.push(format!("{place}: JavaScript snippet"));
    }

    /// A URL signed with the key in the working directory, valid for 5 minutes.
    fn sign(&self, url: &str, key_pair_id: &str, extra: &[&str]) -> String {
        let output = Process::new(assert_cmd::cargo::cargo_bin("cfsign"))
            .current_dir(self.workspace.path())
            .args(["sign", url, "--key-pair-id", key_pair_id])
            .args(["--private-key", "private_key.pem", "--expires-in", "5m"])
            .args(extra)
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", recipe::stderr(&output));
        recipe::stdout(&output).trim().to_owned()
    }

    fn state_file(&self, doc: &str) -> PathBuf {
        let name = doc.replace('/', "_");
        self.workspace
            .path()
            .join(".state")
            .join(format!("{name}.sh"))
    }

    /// Runs `text` in bash in the working directory, after the doc's earlier assignments.
    fn bash(&self, doc: &str, text: &str) -> Output {
        let state = self.state_file(doc);
        let script = format!(
            "set -euo pipefail\n[ -f '{}' ] && source '{}'\n{text}",
            state.display(),
            state.display()
        );
        let path = format!(
            "{}:{}",
            self.workspace.path().join("install/bin").display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let url = self.last_url.clone().unwrap_or_default();
        let mut bash = Process::new("bash");
        // A reader's terminal has none of the variables cargo sets for this test (cargo's own
        // configuration, such as CARGO_HOME or a registry mirror, stays).
        let set_by_cargo = [
            "CARGO_PKG_",
            "CARGO_BIN_",
            "CARGO_MANIFEST_",
            "CARGO_CRATE_",
            "CARGO_PRIMARY_PACKAGE",
            "CARGO_TARGET_TMPDIR",
            "CARGO_RUSTC_CURRENT_DIR",
            "OUT_DIR",
        ];
        for (name, _) in std::env::vars() {
            if set_by_cargo.iter().any(|prefix| name.starts_with(prefix)) {
                bash.env_remove(name);
            }
        }
        bash.args(["-c", &script])
            .current_dir(self.workspace.path())
            .envs(self.credentials.iter().map(|(k, v)| (k, v)))
            .env("AWS_ENDPOINT_URL", &self.endpoint)
            .env("AWS_REGION", "us-east-1")
            .env("AWS_DEFAULT_REGION", "us-east-1")
            .env("PATH", path)
            .env("URL", &url)
            .env("SIGNED_URL", &url)
            .env_remove("AWS_PROFILE")
            .output()
            .unwrap()
    }

    /// Runs tests/docs/reader.py (boto3 against the emulator) with `credentials`.
    fn reader(&self, credentials: &[(String, String)], args: &[&str]) -> String {
        let python = emulator_python();
        let output = Process::new(&python)
            .arg(repo().join("tests/docs/reader.py"))
            .args(args)
            .envs(credentials.iter().map(|(k, v)| (k, v)))
            .env("AWS_ENDPOINT_URL", &self.endpoint)
            .env("AWS_DEFAULT_REGION", "us-east-1")
            .env_remove("AWS_PROFILE")
            .output()
            .unwrap_or_else(|e| panic!("{}: {e}", python.display()));
        assert!(
            output.status.success(),
            "reader.py {}: {}",
            args[0],
            recipe::stderr(&output)
        );
        recipe::stdout(&output)
    }

    /// The working directory (for checks after the walk).
    pub fn workspace(&self) -> &Path {
        self.workspace.path()
    }
}

/// `NAME=...` or `export NAME=...` lines: they set up the shell, they run nothing.
fn is_assignment(command: &str) -> bool {
    let first = command.strip_prefix("export ").unwrap_or(command);
    first.split_once('=').is_some_and(|(name, _)| {
        !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

/// The file a command's `--vars-file` names.
fn vars_file(command: &str) -> Option<String> {
    let words = markdown::words(command);
    words
        .windows(2)
        .find(|w| w[0] == "--vars-file")
        .map(|w| w[1].clone())
}

/// The team in the first `https://files.TEAM.example.com` of `text`.
fn team_in_url(text: &str) -> Option<String> {
    let start = text.find("https://files.")? + "https://files.".len();
    let rest = &text[start..];
    let (name, _) = rest.split_once(".example.com")?;
    (!name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        .then(|| name.to_owned())
}

/// GETs `url` (optionally with a Cookie header): status and body.
fn fetch(url: &str, cookie: Option<&str>) -> (u16, String) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut request = agent.get(url);
    if let Some(cookie) = cookie {
        request = request.header("Cookie", cookie);
    }
    let mut response = request.call().unwrap_or_else(|e| panic!("GET {url}: {e}"));
    let status = response.status().as_u16();
    let body = response.body_mut().read_to_string().unwrap_or_default();
    (status, body)
}

#[test]
fn commands_are_adapted_to_the_emulator_only_where_needed() {
    assert!(is_assignment(
        "export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing"
    ));
    assert!(is_assignment(
        "E=http://127.0.0.1:40123; R=\"--endpoint-url $E\""
    ));
    assert!(!is_assignment("cfsign run recipes/publish.rhai --var a=b"));
    assert_eq!(
        team_in_url("cfsign sign https://files.payments.example.com/a.pdf").as_deref(),
        Some("payments")
    );
    assert_eq!(
        team_in_url("--var domain_name=files.payments.example.com"),
        None
    );
    assert_eq!(
        vars_file("cfsign run x.rhai --vars-file teams.json --dry-run").as_deref(),
        Some("teams.json")
    );
}

/// The credentials of what stands in for the application (the objects its users download, the
/// object the browser uploaded, read back): the account root, outside the reader's role.
fn fixture() -> Vec<(String, String)> {
    Identity::Root("the application's objects").credentials()
}
