//! The docs stay true. Every command in README.md and docs/*.md is current (its subcommand,
//! flags, recipe and inputs exist), and following the docs works: a walkthrough runs every
//! command and snippet in reading order against the local emulator.

mod currency;
mod markdown;
mod snippets;
mod walkthrough;

use std::collections::{BTreeMap, BTreeSet};

use crate::support::repo;

/// README.md, then the docs in the order a newcomer reads them, then the rest.
fn docs_in_reading_order() -> Vec<String> {
    let mut docs = vec![
        "README.md".to_owned(),
        "docs/onboarding.md".to_owned(),
        "docs/recipes.md".to_owned(),
    ];
    let mut rest: Vec<String> = std::fs::read_dir(repo().join("docs"))
        .unwrap()
        .map(|entry| format!("docs/{}", entry.unwrap().file_name().to_string_lossy()))
        .filter(|name| name.ends_with(".md") && !docs.contains(name))
        .collect();
    rest.sort();
    docs.extend(rest);
    docs
}

#[test]
fn every_command_in_the_readme_and_docs_is_current() {
    let mut help = BTreeMap::new();
    let mut checked = 0;
    let mut problems = Vec::new();
    for doc in docs_in_reading_order() {
        let text = std::fs::read_to_string(repo().join(&doc)).unwrap();
        for block in markdown::blocks(&text).iter().filter(|b| b.lang == "sh") {
            for command in markdown::commands(block) {
                problems.extend(currency::check(&command.joined(), &doc, &mut help));
                checked += 1;
            }
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
fn following_the_docs_works_against_the_emulator() {
    let mut walkthrough = walkthrough::Walkthrough::start();
    for doc in docs_in_reading_order() {
        walkthrough.follow(&doc);
    }
    let ran = walkthrough.ran.join("\n");
    eprintln!("the docs walkthrough ran:\n{ran}");
    for expected in [
        "README.md",
        "docs/onboarding.md",
        "cargo install --locked --path .",
        "recipes/provision.rhai --vars-file teams.json",
        "cfsign cookies",
        "JavaScript snippet",
        "connection card",
        "docs/recipes.md:60: Rhai snippet",
        "cfsign verify \"$URL\"",
    ] {
        assert!(
            ran.contains(expected),
            "the walkthrough never ran {expected:?}:\n{ran}"
        );
    }
    // The key files the docs have the reader save stay in the working directory, private.
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(walkthrough.workspace().join("private_key.pem"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o077, 0, "private_key.pem is readable by others");
}

/// The functions `docs/reference.md` documents, as `module::name`.
fn documented_functions(reference: &str) -> BTreeSet<String> {
    let mut module = String::new();
    let mut functions = BTreeSet::new();
    for line in reference.lines() {
        if let Some(rest) = line.strip_prefix("## Module `") {
            module = rest.trim_end_matches('`').to_owned();
        } else if let Some(rest) = line.strip_prefix("### `") {
            let name = rest.split('(').next().unwrap_or_default();
            functions.insert(format!("{module}{name}"));
        }
    }
    functions
}

/// The `module::function` calls in Rhai code.
fn namespaced_calls(code: &str) -> Vec<String> {
    let is_name = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut calls = Vec::new();
    for (at, _) in code.match_indices("::") {
        let module_start = code[..at].rfind(|c| !is_name(c)).map_or(0, |i| i + 1);
        let rest = &code[at + 2..];
        let name_end = rest.find(|c| !is_name(c)).unwrap_or(rest.len());
        if rest[name_end..].starts_with('(') && module_start < at {
            calls.push(format!(
                "{}::{}",
                &code[module_start..at],
                &rest[..name_end]
            ));
        }
    }
    calls
}

#[test]
fn the_reference_examples_call_functions_that_exist() {
    let reference = std::fs::read_to_string(repo().join("docs/reference.md")).unwrap();
    let documented = documented_functions(&reference);
    assert!(documented.contains("keys::generate"), "{documented:?}");
    let engine = rhai::Engine::new();
    let mut examples = 0;
    for block in markdown::blocks(&reference)
        .iter()
        .filter(|b| b.lang == "rhai")
    {
        examples += 1;
        let place = format!("docs/reference.md:{}", block.line);
        if let Err(error) = engine.compile(&block.text) {
            panic!("{place}: the example does not parse: {error}");
        }
        for call in namespaced_calls(&block.text) {
            assert!(
                documented.contains(&call),
                "{place}: {call} is not a host function"
            );
        }
    }
    assert!(examples >= 15, "only {examples} examples in the reference");
    assert_eq!(
        namespaced_calls("let k = keys::generate(); sign::url(k, a, b); x::y"),
        ["keys::generate", "sign::url"]
    );
}
