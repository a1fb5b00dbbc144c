//! The docs' Rhai snippets, run by `cfsign run` in the context each one assumes (the
//! variables and functions it uses), with what each must produce.

use crate::docs::markdown::Block;
use crate::support::recipe;
use crate::support::roles::{command_as, Identity};

/// What a snippet's run must end with.
enum Expect {
    /// Success, with this result (`--output json`).
    Result(&'static str),
    /// Exit code 2, the run's output containing this text.
    Fails(&'static str),
}

/// The context of one snippet, found by a line it contains.
struct Context {
    marker: &'static str,
    /// Rhai before the snippet (the variables and functions it uses).
    before: &'static str,
    /// Rhai after it: the value to check.
    after: &'static str,
    /// When set, the snippet is this stdlib module, and `after` the recipe importing it.
    module: Option<&'static str>,
    /// The vars file the run gets.
    vars: &'static str,
    expect: Expect,
}

const CONTEXTS: &[Context] = &[
    Context {
        marker: "let team = vars.team;",
        before: "",
        after: "#{ team: team, keep: keep }",
        module: None,
        vars: r#"{"team": "payments", "share_with": ["ou-ab12-cdef3456"]}"#,
        expect: Expect::Result(r#"{"keep":3,"team":"payments"}"#),
    },
    Context {
        marker: "fn secret_name(team)",
        before: "",
        after: "import \"naming\" as naming;\nnaming::secret_name(\"payments\")",
        module: Some("naming"),
        vars: "{}",
        expect: Expect::Result(r#""cfsign/payments/signing-key""#),
    },
    Context {
        marker: "sign::url(key, key_pair_id, url",
        before: "let key = keys::generate();\nlet key_pair_id = \"K2JCJMDEHXQW5F\";\n\
                 let url = \"files.payments.example.com/no-scheme.pdf\";",
        after: "",
        module: None,
        vars: "{}",
        expect: Expect::Fails("bad input: "),
    },
    Context {
        marker: "parallel(vars.teams, 4,",
        before: "fn provision(team) { if team == \"broken\" { throw \"no\"; } `stack of ${team}` }",
        after: "results.map(|r| r.value)",
        module: None,
        vars: r#"{"teams": ["payments", "search"]}"#,
        expect: Expect::Result(r#"["stack of payments","stack of search"]"#),
    },
];

/// Runs a ```rhai block from `doc` in its context.
pub fn run_rhai(doc: &str, block: &Block) {
    let place = format!("{doc}:{}", block.line);
    let context = CONTEXTS
        .iter()
        .find(|c| block.text.contains(c.marker))
        .unwrap_or_else(|| {
            panic!("{place}: a Rhai snippet with no context in tests/docs/snippets.rs")
        });
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("stdlib")).unwrap();
    let script = match context.module {
        Some(name) => {
            std::fs::write(dir.path().join(format!("stdlib/{name}.rhai")), &block.text).unwrap();
            context.after.to_owned()
        }
        None => format!("{}\n{}\n{}", context.before, block.text, context.after),
    };
    let recipe_path = dir.path().join("snippet.rhai");
    std::fs::write(&recipe_path, script).unwrap();
    let vars = dir.path().join("vars.json");
    std::fs::write(&vars, context.vars).unwrap();
    let output = command_as(
        Identity::Automation,
        recipe_path.to_str().unwrap(),
        &[
            "--vars-file",
            vars.to_str().unwrap(),
            "--stdlib",
            dir.path().join("stdlib").to_str().unwrap(),
            "--output",
            "json",
        ],
    )
    .output()
    .unwrap();
    let all = format!("{}{}", recipe::stdout(&output), recipe::stderr(&output));
    match context.expect {
        Expect::Result(expected) => {
            assert!(
                output.status.success(),
                "{place}: the snippet failed:\n{all}"
            );
            let got: serde_json::Value = serde_json::from_str(&recipe::stdout(&output)).unwrap();
            let expected: serde_json::Value = serde_json::from_str(expected).unwrap();
            assert_eq!(got, expected, "{place}: the snippet's result");
        }
        Expect::Fails(text) => {
            assert_eq!(output.status.code(), Some(2), "{place}: exit code:\n{all}");
            assert!(all.contains(text), "{place}: expected {text:?} in:\n{all}");
        }
    }
}
