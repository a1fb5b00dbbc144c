//! The commands shown in README.md and docs/*.md stay true: every `cfsign` command uses a
//! subcommand and flags that exist, every recipe it runs exists and reads each `--var` it is
//! given, and every script shown exists. (The quickstart, recipes and examples themselves are
//! run by the other tests.)

mod support;

use std::collections::BTreeMap;
use std::path::Path;

use support::repo;

/// The shell commands in a Markdown file's ```sh blocks, continuation lines joined.
fn shell_commands(markdown: &str) -> Vec<String> {
    let mut commands = Vec::new();
    let mut in_block = false;
    let mut pending = String::new();
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            in_block = line.trim() == "```sh";
            continue;
        }
        if !in_block {
            continue;
        }
        let line = line.split(" # ").next().unwrap_or(line).trim();
        if let Some(continued) = line.strip_suffix('\\') {
            pending.push_str(continued);
            pending.push(' ');
            continue;
        }
        pending.push_str(line);
        if !pending.trim().is_empty() {
            commands.push(pending.trim().to_owned());
        }
        pending.clear();
    }
    commands
}

/// Shell words, with '...' and "..." quoting (enough for documentation).
fn words(command: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quote = None;
    for c in command.chars() {
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), _) if c == q => quote = None,
            (None, ' ') => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            _ => word.push(c),
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

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

fn check(command: &str, doc: &str, help: &mut BTreeMap<String, Vec<String>>) -> Vec<String> {
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
    // `cfsign run --help`, or a placeholder such as recipes/NAME.rhai: no recipe to check.
    if subcommand == "run"
        && words.len() > 2
        && !words[2].starts_with('-')
        && !words[2].contains("NAME")
    {
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
fn every_command_in_the_readme_and_docs_is_current() {
    let mut docs = vec![repo().join("README.md")];
    for entry in std::fs::read_dir(repo().join("docs")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            docs.push(path);
        }
    }
    let mut help = BTreeMap::new();
    let mut checked = 0;
    let mut problems = Vec::new();
    for doc in &docs {
        let name = doc.strip_prefix(repo()).unwrap().display().to_string();
        for command in shell_commands(&std::fs::read_to_string(doc).unwrap()) {
            problems.extend(check(&command, &name, &mut help));
            checked += 1;
        }
    }
    assert!(checked > 20, "only {checked} commands found");
    assert!(
        problems.is_empty(),
        "stale commands:\n{}",
        problems.join("\n")
    );
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
