//! What a recipe's `// @input NAME (default V)` line tells its users (`cfsign run RECIPE
//! --help`, docs/recipes.md) is what its code falls back to. For every input declared with a
//! default, each fallback the recipe or a stdlib module it imports itself gives for that name,
//! written `vars.get("NAME", FALLBACK)` or (provision's) `pick.call("NAME", FALLBACK)`, is V; an
//! input declared with a default and no such fallback fails the test too. Literals
//! are compared as written, a template like `cfsign-artifacts-${account}` with its placeholders
//! in capitals (`cfsign-artifacts-ACCOUNT`), and a computed fallback (the portfolio name, the
//! rotation timing) as cfsign evaluates it.

use std::path::Path;

use cfsign::script::inputs::DeclaredInputs;

use crate::support;

/// The calls whose second argument is an input's fallback.
const FALLBACK_CALLS: [&str; 2] = ["vars.get(", "input_or(found, "];

/// The source of a recipe and of the stdlib modules it imports.
fn sources_of(recipe: &Path) -> (String, Vec<String>) {
    let text = std::fs::read_to_string(recipe).unwrap();
    let mut all = vec![text.clone()];
    for line in text.lines().filter(|l| l.starts_with("import \"")) {
        let module = line.split('"').nth(1).unwrap();
        let path = support::repo().join(format!("stdlib/{module}.rhai"));
        all.push(std::fs::read_to_string(path).unwrap());
    }
    (text, all)
}

/// Every fallback given for `name` in `source`: the text of each call's second argument.
fn fallbacks(source: &str, name: &str) -> Vec<String> {
    let mut found = Vec::new();
    for call in FALLBACK_CALLS {
        let opening = format!("{call}\"{name}\",");
        let mut rest = source;
        while let Some(at) = rest.find(&opening) {
            let argument = &rest[at + opening.len()..];
            let (mut depth, mut quote) = (0, None);
            let end = argument
                .char_indices()
                .find(|&(_, c)| {
                    match (quote, c) {
                        (Some(q), c) if c == q => quote = None,
                        (Some(_), _) => {}
                        (None, '"' | '`') => quote = Some(c),
                        (None, '(' | '[' | '{') => depth += 1,
                        (None, ')' | ']' | '}') if depth > 0 => depth -= 1,
                        (None, ')') => return true,
                        _ => {}
                    }
                    false
                })
                .map(|(i, _)| i)
                .expect("the call is closed");
            found.push(argument[..end].trim().to_owned());
            rest = &argument[end..];
        }
    }
    found
}

/// A literal or template fallback as the declaration would write it; `None` when it is
/// computed.
fn as_written(fallback: &str) -> Option<String> {
    let unquoted = |q: char| fallback.strip_prefix(q)?.strip_suffix(q).map(str::to_owned);
    if let Some(text) = unquoted('"') {
        return Some(text);
    }
    if let Some(template) = unquoted('`') {
        // `${account}` reads ACCOUNT in the declaration.
        let mut written = String::new();
        let mut rest = template.as_str();
        while let Some(at) = rest.find("${") {
            let end = rest[at..].find('}').unwrap() + at;
            written.push_str(&rest[..at]);
            written.push_str(&rest[at + 2..end].to_uppercase());
            rest = &rest[end + 1..];
        }
        written.push_str(rest);
        return Some(written);
    }
    let literal = fallback == "true"
        || fallback == "false"
        || (!fallback.is_empty() && fallback.chars().all(|c| c.is_ascii_digit()));
    literal.then(|| fallback.to_owned())
}

/// What cfsign makes of a computed fallback, evaluated with the recipe's imports and its
/// `let defaults = ...;` (the rotation timing).
fn evaluated(recipe_text: &str, fallback: &str) -> String {
    let setup: Vec<&str> = recipe_text
        .lines()
        .filter(|l| l.starts_with("import \"") || l.starts_with("let defaults = "))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("fallback.rhai");
    std::fs::write(
        &script,
        format!("{}\nprint({fallback});\n", setup.join("\n")),
    )
    .unwrap();
    let out = assert_cmd::Command::cargo_bin("cfsign")
        .unwrap()
        .current_dir(support::repo())
        .args(["run", script.to_str().unwrap(), "--region", "us-east-1"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "evaluating {fallback}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

#[test]
fn every_declared_default_is_what_the_code_falls_back_to() {
    let mut checked = 0;
    let mut wrong = Vec::new();
    let mut recipes: Vec<_> = std::fs::read_dir(support::repo().join("recipes"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "rhai"))
        .collect();
    recipes.sort();
    for recipe in recipes {
        let (text, sources) = sources_of(&recipe);
        let declared = DeclaredInputs::parse(&text).unwrap();
        for input in declared.iter() {
            let Some(default) = input
                .qualifier
                .as_deref()
                .and_then(|q| q.strip_prefix("default "))
            else {
                continue; // required, none, or a default said in words ("default: ...")
            };
            let given: Vec<String> = sources
                .iter()
                .flat_map(|s| fallbacks(s, &input.name))
                .collect();
            let place = format!("{} {}", recipe.display(), input.name);
            if given.is_empty() {
                wrong.push(format!(
                    "{place}: declared (default {default}), but no fallback"
                ));
            }
            for fallback in given {
                let actual = as_written(&fallback).unwrap_or_else(|| evaluated(&text, &fallback));
                checked += 1;
                if actual != default {
                    wrong.push(format!(
                        "{place}: declared (default {default}), the code falls back to {fallback} ({actual})"
                    ));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert!(checked >= 20, "only {checked} fallbacks found");
}

#[test]
fn a_fallback_is_read_as_the_declaration_would_write_it() {
    assert_eq!(as_written("\"fileId\""), Some("fileId".into()));
    assert_eq!(
        as_written("`cfsign-artifacts-${account}`"),
        Some("cfsign-artifacts-ACCOUNT".into())
    );
    assert_eq!(as_written("4"), Some("4".into()));
    assert_eq!(as_written("catalog::portfolio_name()"), None);
    assert_eq!(
        fallbacks(
            r#"vars.get("x", f(1, [2])) + input_or(found, "x", "y)")"#,
            "x"
        ),
        ["f(1, [2])", "\"y)\""]
    );
}
