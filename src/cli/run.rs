//! `cfsign run`: run a recipe.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use cfsign::aws::Aws;
use cfsign::script::inputs::DeclaredInputs;
use cfsign::script::{self, Limits, RunOptions, SandboxOptions, Vars};
use clap::{Args, ValueEnum};
use rhai::Dynamic;

use super::EXIT_OK;

/// Arguments of `cfsign run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The recipe file, e.g. recipes/provision.rhai.
    #[arg(required_unless_present = "help")]
    recipe: Option<PathBuf>,
    /// Print help; with RECIPE, also the inputs the recipe declares.
    #[arg(short, long)]
    help: bool,
    /// An input for the recipe (repeatable); read in the recipe as vars.KEY.
    #[arg(long = "var", value_name = "KEY=VALUE")]
    vars: Vec<String>,
    /// A JSON object of inputs; --var values override it.
    #[arg(long, value_name = "FILE.json")]
    vars_file: Option<PathBuf>,
    /// Folder of shared modules (default: the stdlib/ beside the recipe's folder, else ./stdlib).
    #[arg(long, value_name = "DIR", env = "CFSIGN_STDLIB")]
    stdlib: Option<PathBuf>,
    /// The repository the recipe reads files from (products/...); it reads nothing outside it
    /// (default: the folder above the recipe's folder when it holds stdlib/ or products/, else
    /// the current directory).
    #[arg(long, value_name = "DIR", env = "CFSIGN_ROOT")]
    root: Option<PathBuf>,
    /// A host http:: may reach besides CloudFront's (*.cloudfront.net and the alternate domain
    /// names of the account's distributions); `*.example.com` admits its subdomains. Repeatable.
    #[arg(long = "allow-host", value_name = "HOST")]
    allowed_hosts: Vec<String>,
    /// The longest lifetime the recipe may give a signed URL or cookie.
    #[arg(long, value_name = "DURATION", default_value = "1d", value_parser = parse_duration)]
    max_signature_lifetime: u64,
    /// Stop the whole run after this long (e.g. 30m), with an error; AWS operations already
    /// started go on in AWS, and a re-run picks up where this one stopped.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    timeout: Option<u64>,
    /// text: the recipe's output as it prints it; json: the recipe's result as JSON on stdout,
    /// its printed lines on stderr.
    #[arg(long, value_enum, default_value = "text")]
    output: Output,
    #[command(flatten)]
    aws: super::AwsArgs,
    /// Send read calls only; record every mutating call and print them as the plan.
    #[arg(long)]
    dry_run: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Output {
    Text,
    Json,
}

/// Runs `cfsign run`.
pub fn run(args: &RunArgs) -> Result<u8> {
    let resolved = args
        .recipe
        .as_deref()
        .map(|recipe| resolve_recipe(recipe, args.root.as_deref()));
    if args.help {
        return print_help(resolved.as_deref());
    }
    let recipe = resolved
        .as_deref()
        .expect("clap requires RECIPE without --help");
    let vars = read_vars(args.vars_file.as_deref(), &args.vars)?;
    // --var names only: a vars file is shared by the recipes of a team's life (provision,
    // smoke, rotate read one teams.json), so it holds inputs of several.
    let given = args
        .vars
        .iter()
        .filter_map(|pair| pair.split_once('=').map(|(n, _)| n));
    let declared = declared_inputs(recipe)?;
    declared.check(given).map_err(|unknown| {
        anyhow::anyhow!(
            "{}: {unknown} (cfsign run {} --help lists them)",
            recipe.display(),
            recipe.display()
        )
    })?;
    let stdlib = args
        .stdlib
        .clone()
        .unwrap_or_else(|| default_stdlib(recipe));
    let json = args.output == Output::Json;
    let aws = Aws::new(args.aws.options(args.dry_run), super::progress::sink(json));
    let options = RunOptions {
        vars,
        stdlib,
        sandbox: SandboxOptions {
            root: args.root.clone().unwrap_or_else(|| default_root(recipe)),
            allowed_hosts: args.allowed_hosts.clone(),
            endpoint_url: args.aws.endpoint_url.clone(),
            max_signature_lifetime: args.max_signature_lifetime,
        },
        limits: Limits::default(),
        print: Arc::new(move |line| {
            if json {
                eprintln!("{line}");
            } else {
                println!("{line}");
            }
        }),
        aws: Some(aws.clone()),
    };
    let result = run_within(args.timeout, recipe, options)?;
    let plan = aws.plan();
    if json {
        let value = script::bindings::convert::to_json(&result)
            .map_err(|err| anyhow::anyhow!("the recipe's result is not JSON-shaped: {err}"))?;
        let out = if args.dry_run {
            serde_json::json!({ "result": value, "plan": plan })
        } else {
            value
        };
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        // A map or array result is for `--output json`; as text the recipe prints its own.
        if !(result.is_unit() || result.is_map() || result.is_array()) {
            println!("{result}");
        }
        if args.dry_run {
            print_plan(&plan);
        }
    }
    Ok(EXIT_OK)
}

/// The inputs `recipe` declares (none when it cannot be read: running it says why).
fn declared_inputs(recipe: &Path) -> Result<DeclaredInputs> {
    let Ok(source) = std::fs::read_to_string(recipe) else {
        return Ok(DeclaredInputs::default());
    };
    DeclaredInputs::parse(&source).with_context(|| {
        format!(
            "{}: an `// @input` declaration cannot be read",
            recipe.display()
        )
    })
}

/// `cfsign run --help`, followed by the inputs of `recipe` when one is given.
fn print_help(recipe: Option<&Path>) -> Result<u8> {
    use clap::CommandFactory;
    let mut cli = super::Cli::command();
    cli.build();
    let run = cli
        .find_subcommand_mut("run")
        .expect("the run subcommand exists");
    run.print_long_help()?;
    let Some(recipe) = recipe else {
        return Ok(EXIT_OK);
    };
    std::fs::metadata(recipe)
        .with_context(|| format!("cannot read recipe {}", recipe.display()))?;
    let declared = declared_inputs(recipe)?;
    println!();
    if declared.is_empty() {
        println!(
            "{} declares no inputs (`// @input NAME: MEANING` lines): it takes any --var.",
            recipe.display()
        );
    } else {
        println!(
            "Inputs of {} (--var NAME=VALUE, or NAME in --vars-file):",
            recipe.display()
        );
        print!("{declared}");
    }
    Ok(EXIT_OK)
}

/// Runs the recipe on its own thread and gives up after `timeout` seconds, if given. The run's
/// thread is left behind: the process exits with the error, and AWS finishes what it started.
fn run_within(timeout: Option<u64>, recipe: &Path, options: RunOptions) -> Result<Dynamic> {
    let (sender, receiver) = std::sync::mpsc::channel();
    let recipe_path = recipe.to_owned();
    std::thread::Builder::new()
        .name("run".into())
        .spawn(move || {
            let outcome = script::run_file(&recipe_path, &options).map_err(|e| e.to_string());
            let _ = sender.send(outcome);
        })
        .context("starting the recipe's thread")?;
    let outcome = match timeout {
        Some(seconds) => match receiver.recv_timeout(std::time::Duration::from_secs(seconds)) {
            Ok(outcome) => outcome,
            Err(_) => bail!(
                "{} did not finish within --timeout {}; it was stopped (what it had started in \
                 AWS goes on; re-running the recipe picks up from there)",
                recipe.display(),
                humantime::format_duration(std::time::Duration::from_secs(seconds))
            ),
        },
        None => receiver
            .recv()
            .context("the recipe's thread stopped without a result")?,
    };
    outcome.map_err(anyhow::Error::msg)
}

fn parse_duration(text: &str) -> Result<u64, String> {
    cfsign::timespec::parse_duration(text)
        .map(|d| d.as_secs())
        .map_err(|e| e.to_string())
}

fn print_plan(plan: &[cfsign::aws::PlannedCall]) {
    if plan.is_empty() {
        println!("dry run: no changes");
        return;
    }
    println!("dry run: {} change(s) would be made:", plan.len());
    for (index, call) in plan.iter().enumerate() {
        println!("  {}. {call}", index + 1);
    }
}

/// The recipe file: `recipe` as given when it exists (or is absolute), else the same path
/// under `--root` (`CFSIGN_ROOT`), so an installed cfsign runs `recipes/rotate.rhai` from any
/// directory once CFSIGN_ROOT names a checkout (or a copy of its recipes/, stdlib/ and
/// products/): a scheduled job needs no `cd`.
fn resolve_recipe(recipe: &Path, root: Option<&Path>) -> PathBuf {
    match root {
        Some(root) if recipe.is_relative() && !recipe.exists() => {
            let under_root = root.join(recipe);
            if under_root.exists() {
                under_root
            } else {
                recipe.to_owned()
            }
        }
        _ => recipe.to_owned(),
    }
}

/// The repository a recipe belongs to: the folder above its own when that holds `stdlib/` or
/// `products/` (recipes/publish.rhai in a checkout), else the current directory.
fn default_root(recipe: &Path) -> PathBuf {
    let above = recipe
        .parent()
        .map(|dir| {
            if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            }
        })
        .and_then(|dir| dir.join("..").canonicalize().ok());
    match above {
        Some(root) if root.join("stdlib").is_dir() || root.join("products").is_dir() => root,
        _ => PathBuf::from("."),
    }
}

fn default_stdlib(recipe: &Path) -> PathBuf {
    let beside = recipe
        .parent()
        .and_then(Path::parent)
        .map(|root| root.join("stdlib"));
    match beside {
        Some(dir) if dir.is_dir() => dir,
        _ => PathBuf::from("stdlib"),
    }
}

/// Merges `--vars-file` and `--var` (which wins) into the recipe's inputs.
fn read_vars(file: Option<&Path>, pairs: &[String]) -> Result<Vars> {
    let mut values: BTreeMap<String, Dynamic> = BTreeMap::new();
    if let Some(file) = file {
        let text = std::fs::read_to_string(file)
            .with_context(|| format!("cannot read --vars-file {}", file.display()))?;
        let json: serde_json::Value = serde_json::from_str(&text)
            .with_context(|| format!("--vars-file {} is not valid JSON", file.display()))?;
        let serde_json::Value::Object(map) = json else {
            bail!(
                "--vars-file {} must hold a JSON object of names to values",
                file.display()
            );
        };
        for (name, value) in map {
            let value = rhai::serde::to_dynamic(&value)
                .map_err(|err| anyhow::anyhow!("--vars-file value `{name}`: {err}"))?;
            values.insert(name, value);
        }
    }
    for pair in pairs {
        let Some((name, value)) = pair.split_once('=') else {
            bail!("--var `{pair}` is not KEY=VALUE (e.g. --var team=payments)");
        };
        if name.is_empty() {
            bail!("--var `{pair}` has an empty name");
        }
        values.insert(name.to_owned(), value.to_owned().into());
    }
    Ok(Vars::new(values))
}
