//! Whether a documented command is current: its subcommand and flags exist, the recipe it runs
//! exists and reads each `--var` it is given, the script it runs exists.

use std::collections::BTreeMap;
use std::path::Path;

use crate::docs::markdown::words;
use crate::support::repo;

/// The flags `cfsign SUBCOMMAND --help` lists.
fn flags_of(subcommand: &str, cache: &mut BTreeMap<String, Vec<String>>) -> Vec<String> {
    cache
        .entry(subcommand.to_owned())
        .or_insert_with(|| {
            let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("cfsign"))
                .args([subcommand, "--help"])
                .output()
                .unwrap();
            assert!(out.status.success(), "cfsign {subcommand} is not a command");
            String::from_utf8_lossy(&out.stdout)
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
                .filter(|w| w.starts_with("--") && w.len() > 2)
                .map(str::to_owned)
                .collect()
        })
        .clone()
}

/// Whether the recipe (or a stdlib module it may use) reads the input `name`.
fn recipe_reads(recipe: &Path, name: &str) -> bool {
    let text = std::fs::read_to_string(recipe).unwrap();
    text.contains(&format!("\"{name}\"")) || text.contains(&format!("vars.{name}"))
}

/// What is stale in `command` (from `doc`): unknown subcommands, flags, recipes or inputs.
pub fn check(command: &str, doc: &str, help: &mut BTreeMap<String, Vec<String>>) -> Vec<String> {
    let words = words(command);
    let mut problems = Vec::new();
    let Some(first) = words.first() else {
        return problems;
    };
    if first.starts_with("examples/") || first.starts_with("tests/") {
        if !repo().join(first).is_file() {
            problems.push(format!("{doc}: `{command}`: {first} does not exist"));
        }
        return problems;
    }
    if first != "cfsign" || words.len() < 2 {
        return problems;
    }
    let subcommand = &words[1];
    let usage = flags_of(subcommand, help);
    for flag in words.iter().filter(|w| w.starts_with("--")) {
        let name = flag.split('=').next().unwrap();
        if !usage.iter().any(|f| f == name) {
            problems.push(format!(
                "{doc}: `{command}`: cfsign {subcommand} has no {name}"
            ));
        }
    }
    // `cfsign run --help` names no recipe to check.
    if subcommand == "run" && words.len() > 2 && !words[2].starts_with('-') {
        let recipe = repo().join(&words[2]);
        if !recipe.is_file() {
            problems.push(format!("{doc}: `{command}`: no recipe {}", words[2]));
            return problems;
        }
        for pair in words.windows(2).filter(|w| w[0] == "--var") {
            let name = pair[1].split('=').next().unwrap();
            if !recipe_reads(&recipe, name) {
                problems.push(format!(
                    "{doc}: `{command}`: {} reads no input {name}",
                    words[2]
                ));
            }
        }
    }
    problems
}

#[test]
fn the_checker_catches_a_stale_flag_and_an_unknown_input() {
    let mut help = BTreeMap::new();
    let stale = check("cfsign sign URL --expires 15m", "doc", &mut help);
    assert_eq!(stale.len(), 1, "{stale:?}");
    let unknown = check(
        "cfsign run recipes/provision.rhai --var teem=payments",
        "doc",
        &mut help,
    );
    assert!(unknown[0].contains("reads no input teem"), "{unknown:?}");
    assert!(check(
        "cfsign run recipes/provision.rhai --var team=x",
        "doc",
        &mut help
    )
    .is_empty());
}
