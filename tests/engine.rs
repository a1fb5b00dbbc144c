//! The recipe engine: inputs, modules, sandbox limits, error positions, host errors,
//! `parallel`, the keys and sign modules, and key redaction.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use cfsign::script::{self, Limits, RecipeError, RunOptions, SandboxOptions, Vars};
use rhai::Dynamic;

/// A recipe folder and a stdlib folder in a temporary directory.
struct Workspace {
    dir: tempfile::TempDir,
}

impl Workspace {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("recipes")).unwrap();
        std::fs::create_dir_all(dir.path().join("stdlib")).unwrap();
        Workspace { dir }
    }

    fn recipe(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join("recipes").join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    fn module(&self, name: &str, text: &str) {
        std::fs::write(self.dir.path().join("stdlib").join(name), text).unwrap();
    }

    fn stdlib(&self) -> PathBuf {
        self.dir.path().join("stdlib")
    }
}

/// What a run printed and returned.
struct Run {
    printed: Vec<String>,
    result: Result<Dynamic, RecipeError>,
}

fn run_with(ws: &Workspace, recipe: &Path, vars: &[(&str, Dynamic)], limits: Limits) -> Run {
    let printed = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&printed);
    let options = RunOptions {
        vars: Vars::new(
            vars.iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect::<BTreeMap<_, _>>(),
        ),
        stdlib: ws.stdlib(),
        sandbox: SandboxOptions::new(ws.dir.path()),
        limits,
        print: Arc::new(move |line| sink.lock().unwrap().push(line.to_owned())),
        aws: None,
    };
    let result = script::run_file(recipe, &options);
    let printed = printed.lock().unwrap().clone();
    Run { printed, result }
}

fn run(ws: &Workspace, recipe: &Path, vars: &[(&str, Dynamic)]) -> Run {
    run_with(ws, recipe, vars, Limits::default())
}

fn script_error(run: Run) -> script::ScriptError {
    match run.result {
        Err(RecipeError::Script(err)) => *err,
        other => panic!("expected a script error, got {other:?}"),
    }
}

#[test]
fn vars_are_read_by_name_with_defaults_for_optional_ones() {
    let ws = Workspace::new();
    let recipe = ws.recipe(
        "vars.rhai",
        r#"print(vars.team); print(vars["region"]); print(vars.get("keep", 3)); print(vars.has("keep")); vars.team"#,
    );
    let run = run(
        &ws,
        &recipe,
        &[("team", "payments".into()), ("region", "eu-west-1".into())],
    );
    assert_eq!(run.printed, ["payments", "eu-west-1", "3", "false"]);
    assert_eq!(run.result.unwrap().into_string().unwrap(), "payments");
}

#[test]
fn the_dry_runs_placeholder_is_one_value_recipes_ask_about_by_name() {
    let ws = Workspace::new();
    let recipe = ws.recipe(
        "planned.rhai",
        r#"print(is_planned(planned())); print(is_planned("port-123")); print(is_planned(42)); print(dry_run());"#,
    );
    let run = run(&ws, &recipe, &[]);
    assert_eq!(run.printed, ["true", "false", "false", "false"]);
}

#[test]
fn a_missing_var_is_named_with_how_to_give_it_and_where_it_was_read() {
    let ws = Workspace::new();
    let recipe = ws.recipe("missing.rhai", "let a = 1;\nlet team = vars.team;\n");
    let err = script_error(run(&ws, &recipe, &[]));
    assert!(
        err.message.contains("variable `team` was not given"),
        "{}",
        err.message
    );
    assert!(err.message.contains("--var team=VALUE"));
    let location = err.location.clone().unwrap();
    assert_eq!((location.line, location.column), (2, 16));
    let rendered = err.to_string();
    assert!(rendered.contains("——▶ "), "{rendered}");
    assert!(rendered.contains("2 | let team = vars.team;"), "{rendered}");
}

#[test]
fn modules_come_from_the_recipe_folder_first_then_stdlib() {
    let ws = Workspace::new();
    ws.module(
        "greet.rhai",
        r#"fn hello(name) { `hello ${name} from stdlib` }"#,
    );
    ws.module("common.rhai", r#"fn which() { "stdlib" }"#);
    ws.recipe("common.rhai", r#"fn which() { "recipe folder" }"#);
    let recipe = ws.recipe(
        "imports.rhai",
        r#"import "greet" as greet; import "common" as common; print(greet::hello("acme")); print(common::which());"#,
    );
    let run = run(&ws, &recipe, &[]);
    let _ = run.result.unwrap();
    assert_eq!(run.printed, ["hello acme from stdlib", "recipe folder"]);

    let missing = ws.recipe("missing_module.rhai", r#"import "nope" as nope;"#);
    let err = script_error(self::run(&ws, &missing, &[]));
    assert!(err.message.contains("nope"), "{}", err.message);
}

#[test]
fn an_error_inside_a_module_points_into_the_module_file() {
    let ws = Workspace::new();
    ws.module(
        "broken.rhai",
        "fn ok() { 1 }\nfn bad() {\n    undefined_thing\n}\n",
    );
    let recipe = ws.recipe(
        "uses_broken.rhai",
        "import \"broken\" as broken;\nprint(1);\n",
    );
    let err = script_error(run(&ws, &recipe, &[]));
    let location = err.location.clone().expect("a location");
    assert!(
        location.file.ends_with("stdlib/broken.rhai"),
        "{}",
        location.file
    );
    assert_eq!(location.line, 3);
    let rendered = err.to_string();
    assert!(rendered.contains("3 |     undefined_thing"), "{rendered}");
    assert!(
        rendered.contains("in import \"broken\", called at"),
        "{rendered}"
    );
    assert!(rendered.contains("uses_broken.rhai:1:"), "{rendered}");
}

#[test]
fn an_endless_loop_is_stopped_with_a_clear_message() {
    let ws = Workspace::new();
    let recipe = ws.recipe("loop.rhai", "let i = 0;\nloop { i += 1; }\n");
    let limits = Limits {
        max_operations: 100_000,
        ..Limits::default()
    };
    let err = script_error(run_with(&ws, &recipe, &[], limits));
    assert!(err.message.contains("operation limit"), "{}", err.message);
    assert_eq!(err.location.unwrap().line, 2);
}

#[test]
fn the_operation_budget_holds_across_parallel_workers() {
    let ws = Workspace::new();
    let limits = Limits {
        max_operations: 100_000,
        ..Limits::default()
    };
    let spin = "fn spin(n) { let i = 0; while i < n { i += 1; } i }\n";
    // One worker's loop fits in the budget...
    let alone = ws.recipe("alone.rhai", &format!("{spin}spin(6000)"));
    assert_eq!(
        run_with(&ws, &alone, &[], limits).result.unwrap().as_int(),
        Ok(6000)
    );
    // ...eight of them together do not, however they are split.
    let split = ws.recipe(
        "split.rhai",
        &format!(
            "{spin}parallel([1, 2, 3, 4, 5, 6, 7, 8], 4, |n| spin(6000)).filter(|r| r.ok).len()"
        ),
    );
    match run_with(&ws, &split, &[], limits).result {
        Ok(finished) => assert!(
            finished.as_int().unwrap() < 8,
            "every worker finished within one shared budget"
        ),
        Err(err) => assert!(err.to_string().contains("operation limit"), "{err}"),
    }
}

#[test]
fn nested_parallel_calls_share_one_thread_cap() {
    let ws = Workspace::new();
    let recipe = ws.recipe(
        "nested.rhai",
        "let outer = parallel([1, 2, 3, 4], 4, |a| {
             parallel([1, 2, 3, 4], 4, |b| a * 10 + b).map(|r| r.value)
         });
         outer.map(|r| r.value)
",
    );
    let limits = Limits {
        max_threads: 2,
        ..Limits::default()
    };
    let run = run_with(&ws, &recipe, &[], limits);
    let values: Vec<Vec<i64>> = run
        .result
        .unwrap()
        .into_typed_array::<rhai::Array>()
        .unwrap()
        .into_iter()
        .map(|inner| inner.into_iter().map(|v| v.as_int().unwrap()).collect())
        .collect();
    assert_eq!(values[3], vec![41, 42, 43, 44]);
}

#[test]
fn a_deeply_nested_value_is_refused_not_a_crash() {
    let ws = Workspace::new();
    let recipe = ws.recipe(
        "deep.rhai",
        r#"let a = []; for i in 0..3000 { a = [a]; } sign::verify("https://h/a?Expires=1&Signature=AA&Key-Pair-Id=K1", "x", #{ at: a })"#,
    );
    let err = script_error(run(&ws, &recipe, &[]));
    assert!(err.message.contains("levels deep"), "{}", err.message);
}

#[test]
fn modules_are_imported_by_name_only() {
    let ws = Workspace::new();
    ws.module("helper.rhai", "fn hi() { \"hi\" }");
    std::fs::write(
        ws.dir.path().join("outside.rhai"),
        "fn hi() { \"outside\" }",
    )
    .unwrap();
    let by_name = ws.recipe("ok.rhai", "import \"helper\" as h; h::hi()");
    assert_eq!(
        run(&ws, &by_name, &[])
            .result
            .unwrap()
            .into_string()
            .unwrap(),
        "hi"
    );
    for path in [
        "../outside",
        "/etc/passwd",
        "../stdlib/helper",
        "helper.rhai",
    ] {
        let recipe = ws.recipe("bad.rhai", &format!("import \"{path}\" as h; h::hi()"));
        let err = script_error(run(&ws, &recipe, &[]));
        assert!(
            err.message.contains("imported by name"),
            "{path}: {}",
            err.message
        );
    }
    std::os::unix::fs::symlink(
        ws.dir.path().join("outside.rhai"),
        ws.stdlib().join("escape.rhai"),
    )
    .unwrap();
    let symlinked = ws.recipe("link.rhai", "import \"escape\" as h; h::hi()");
    assert!(run(&ws, &symlinked, &[]).result.is_err());
}

#[test]
fn files_are_read_only_inside_the_repository() {
    let ws = Workspace::new();
    std::fs::create_dir_all(ws.dir.path().join("products")).unwrap();
    std::fs::write(ws.dir.path().join("products/p.json"), r#"{"name": "p"}"#).unwrap();
    let inside = ws.recipe("in.rhai", r#"files::read_json("products/p.json").name"#);
    assert_eq!(
        run(&ws, &inside, &[])
            .result
            .unwrap()
            .into_string()
            .unwrap(),
        "p"
    );
    for path in ["/etc/hostname", "../../etc/hostname", "/proc/self/environ"] {
        let recipe = ws.recipe("out.rhai", &format!(r#"files::read_json("{path}")"#));
        let err = script_error(run(&ws, &recipe, &[]));
        assert_eq!(
            err.host.as_ref().map(|h| h.code.as_str()),
            Some("NotAllowed"),
            "{path}: {err}"
        );
        let exists = ws.recipe("exists.rhai", &format!(r#"files::exists("{path}")"#));
        assert!(
            !run(&ws, &exists, &[]).result.unwrap().as_bool().unwrap(),
            "{path}"
        );
    }
}

#[test]
fn recipes_sign_within_a_lifetime_cap_and_name_the_host() {
    let ws = Workspace::new();
    let cases = [
        (
            r#"#{ expires_in: "2d" }"#,
            "https://cdn.example.com/a.jpg",
            "longer than recipes may sign for",
        ),
        (
            r#"#{ expires_in: "1h", resource: "*" }"#,
            "https://cdn.example.com/a.jpg",
            "must name its host",
        ),
        (
            r#"#{ expires_in: "1h", resource: "https://*/*" }"#,
            "https://cdn.example.com/a.jpg",
            "must name its host",
        ),
        (
            r#"#{ expires_in: "1h", ip: 42 }"#,
            "https://cdn.example.com/a.jpg",
            "`ip`",
        ),
        (
            r#"#{ expires_in: "1h", resource: ["https://cdn.example.com/*"] }"#,
            "https://cdn.example.com/a.jpg",
            "`resource`",
        ),
        (
            r#"#{ expires_in: "1h", hash: 256 }"#,
            "https://cdn.example.com/a.jpg",
            "`hash`",
        ),
        (
            r#"#{ expires_in: "1h", ipp: "10.0.0.0/8" }"#,
            "https://cdn.example.com/a.jpg",
            "unknown field `ipp`",
        ),
        (
            r#"#{ expires_in: "1h", ip: "10.0.0.0/8" }"#,
            "https://cdn.example.com/a/%2A",
            "wildcard",
        ),
        (
            r#"#{ expires_in: "5m", upload: "yes" }"#,
            "https://cdn.example.com/uploads/a.png",
            "`upload`",
        ),
        (
            r#"#{ expires_in: "5m", upload: true, ip: "10.0.0.0/8" }"#,
            "https://cdn.example.com/uploads/a.png",
            "canned policy",
        ),
        (
            r#"#{ expires_in: "5m", upload: true, resource: "https://cdn.example.com/*" }"#,
            "https://cdn.example.com/uploads/a.png",
            "canned policy",
        ),
        (
            r#"#{ expires_in: "5m", content_type: "image/png" }"#,
            "https://cdn.example.com/uploads/a.png",
            "add `upload: true`",
        ),
        (
            r#"#{ expires_in: "5m", upload: true, content_type: "image/*" }"#,
            "https://cdn.example.com/uploads/a.png",
            "not a content type",
        ),
    ];
    for (options, url, expected) in cases {
        let recipe = ws.recipe(
            "sign.rhai",
            &format!("let key = keys::generate(\"ecdsa-p256\");\nsign::url(key, \"K2JCJMDEHXQW5F\", \"{url}\", {options})\n"),
        );
        let err = script_error(run(&ws, &recipe, &[]));
        assert!(err.message.contains(expected), "{options}: {}", err.message);
    }
    let cookies = ws.recipe(
        "cookies.rhai",
        "let key = keys::generate(\"ecdsa-p256\");\nsign::cookies(key, \"K2JCJMDEHXQW5F\", \"*\", #{ expires_in: \"1h\" })\n",
    );
    let err = script_error(run(&ws, &cookies, &[]));
    assert!(
        err.message.contains("must name its host"),
        "{}",
        err.message
    );
}

#[test]
fn recipes_sign_upload_urls_that_carry_the_marker_and_the_content_type() {
    let ws = Workspace::new();
    let recipe = ws.recipe(
        "upload.rhai",
        r#"
        let key = keys::generate("ecdsa-p256");
        print(sign::url(key, "K2JCJMDEHXQW5F", "https://cdn.example.com/uploads/a.png", #{ expires_in: "5m", upload: true }));
        print(sign::url(key, "K2JCJMDEHXQW5F", "https://cdn.example.com/uploads/a.png", #{ expires_in: "5m", upload: true, content_type: "image/png" }));
        try {
            sign::cookies(key, "K2JCJMDEHXQW5F", "https://cdn.example.com/uploads/*", #{ expires_in: "5m", upload: true });
        } catch (e) {
            print(e.message);
        }
        "#,
    );
    let run = run(&ws, &recipe, &[]);
    let _ = run.result.unwrap();
    assert!(
        run.printed[0]
            .starts_with("https://cdn.example.com/uploads/a.png?cfsign-upload=1&Expires="),
        "{}",
        run.printed[0]
    );
    assert!(
        run.printed[1].starts_with(
            "https://cdn.example.com/uploads/a.png?cfsign-upload=1&cfsign-content-type=image%2Fpng&Expires="
        ),
        "{}",
        run.printed[1]
    );
    assert!(
        run.printed[2].contains("cookies cannot upload"),
        "{}",
        run.printed[2]
    );
}

#[test]
fn deep_recursion_and_huge_strings_are_stopped() {
    let ws = Workspace::new();
    let recursion = ws.recipe("recurse.rhai", "fn down(n) { down(n + 1) }\ndown(0)\n");
    let err = script_error(run(&ws, &recursion, &[]));
    assert!(err.message.contains("too deeply"), "{}", err.message);

    let strings = ws.recipe("strings.rhai", r#"let s = "x"; loop { s += s; }"#);
    let limits = Limits {
        max_string_size: 1024,
        ..Limits::default()
    };
    let err = script_error(run_with(&ws, &strings, &[], limits));
    assert!(
        err.message.to_lowercase().contains("string"),
        "{}",
        err.message
    );
}

#[test]
fn errors_report_the_position_and_the_chain_of_recipe_functions() {
    let ws = Workspace::new();
    let recipe = ws.recipe(
        "chain.rhai",
        "fn leaf(m) {\n    m.missing\n}\nfn middle() { leaf(#{a: 1}) }\nfn top() {\n    middle()\n}\ntop();\n",
    );
    let err = script_error(run(&ws, &recipe, &[]));
    let location = err.location.clone().unwrap();
    assert_eq!((location.line, location.column), (2, 7), "{err}");
    let chain: Vec<(String, usize)> = err
        .frames
        .iter()
        .map(|f| (f.function.clone(), f.called_at.as_ref().unwrap().line))
        .collect();
    assert_eq!(
        chain,
        [
            ("`leaf`".to_owned(), 4),
            ("`middle`".to_owned(), 6),
            ("`top`".to_owned(), 8)
        ]
    );
    let rendered = err.to_string();
    assert!(rendered.contains("= in `leaf`, called at "), "{rendered}");
}

#[test]
fn host_errors_are_catchable_maps_with_service_operation_code_and_message() {
    let ws = Workspace::new();
    let recipe = ws.recipe(
        "catch.rhai",
        r#"
        let key = keys::generate("ecdsa-p256");
        try {
            sign::url(key, "not an id", "https://cdn.example.com/a.jpg", #{ expires_in: 60 });
        } catch (e) {
            print(`${e.service}|${e.operation}|${e.code}`);
            print(e.message);
        }
        "#,
    );
    let run = run(&ws, &recipe, &[]);
    let _ = run.result.unwrap();
    assert_eq!(run.printed[0], "sign|url|InvalidInput");
    assert!(run.printed[1].contains("not a CloudFront key pair id"));

    let uncaught = ws.recipe(
        "uncaught.rhai",
        "let key = keys::generate(\"ecdsa-p256\");\nsign::url(key, \"K1\", \"ftp://x/a\", #{ expires_in: 60 });\n",
    );
    let err = script_error(self::run(&ws, &uncaught, &[]));
    let host = err.host.clone().unwrap();
    assert_eq!(
        (host.service.as_str(), host.code.as_str()),
        ("sign", "InvalidInput")
    );
    assert!(
        err.message.starts_with("sign url failed: InvalidInput: "),
        "{}",
        err.message
    );
    assert_eq!(err.location.unwrap().line, 2);
}

#[test]
fn parallel_keeps_input_order_and_isolates_failures() {
    let ws = Workspace::new();
    let recipe = ws.recipe(
        "parallel.rhai",
        r#"
        fn work(n) {
            if n % 4 == 3 { throw `item ${n} failed`; }
            let total = 0;
            for i in 0..(n * 200) { total += i; }
            n * 10
        }
        parallel([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 4, |n| work(n))
        "#,
    );
    let results = run(&ws, &recipe, &[]).result.unwrap().into_array().unwrap();
    assert_eq!(results.len(), 12);
    for (n, result) in results.into_iter().enumerate() {
        let map = result.cast::<rhai::Map>();
        if n % 4 == 3 {
            assert_eq!(map["ok"].as_bool(), Ok(false), "{n}");
            assert!(map["error"]
                .to_string()
                .contains(&format!("item {n} failed")));
        } else {
            assert_eq!(map["ok"].as_bool(), Ok(true), "{n}");
            assert_eq!(map["value"].as_int(), Ok(n as i64 * 10));
        }
    }

    let bad_limit = ws.recipe("bad_limit.rhai", "parallel([1], 0, |n| n)");
    let err = script_error(self::run(&ws, &bad_limit, &[]));
    assert!(err.message.contains("between 1 and 64"), "{}", err.message);
}

#[test]
fn parallel_reports_host_error_codes_per_item() {
    let ws = Workspace::new();
    let recipe = ws.recipe(
        "parallel_host.rhai",
        r#"
        let key = keys::generate("ecdsa-p256");
        parallel(["K1", "bad id"], 2, |id| sign::url(key, id, "https://cdn.example.com/a", #{ expires_in: 60 }))
        "#,
    );
    let results = run(&ws, &recipe, &[]).result.unwrap().into_array().unwrap();
    let first = results[0].clone().cast::<rhai::Map>();
    let second = results[1].clone().cast::<rhai::Map>();
    assert!(first["value"]
        .to_string()
        .starts_with("https://cdn.example.com/a?Expires="));
    assert_eq!(second["code"].to_string(), "InvalidInput");
}

#[test]
fn private_keys_are_opaque_in_recipes() {
    let ws = Workspace::new();
    let recipe = ws.recipe(
        "redact.rhai",
        r#"
        let key = keys::generate();
        print(key);
        print(`${key}`);
        print(#{ key: key });
        debug(key);
        print(key.algorithm());
        key.public_key_pem()
        "#,
    );
    let run = run(&ws, &recipe, &[]);
    let public = run.result.unwrap().into_string().unwrap();
    assert!(public.starts_with("-----BEGIN PUBLIC KEY-----"));
    assert_eq!(run.printed[0], "<private key redacted>");
    assert_eq!(run.printed[1], "<private key redacted>");
    assert!(
        run.printed[2].contains("<private key redacted>"),
        "{}",
        run.printed[2]
    );
    assert!(run.printed[3].contains("<private key redacted>"));
    assert_eq!(run.printed[4], "RSA-2048");
    for line in &run.printed {
        assert!(!line.contains("PRIVATE KEY-----"), "{line}");
    }
}

#[test]
fn sign_module_signs_verifies_and_makes_cookies() {
    let ws = Workspace::new();
    let recipe = ws.recipe(
        "sign.rhai",
        r#"
        let key = keys::generate();
        let id = "K2JCJMDEHXQW5F";
        let url = sign::url(key, id, "https://cdn.example.com/teams/a b.jpg", #{ expires_in: "1h" });
        let ok = sign::verify(url, key.public_key_pem(), #{ key_pair_id: id });
        let unsure = sign::verify(url, key.public_key_pem(), #{});
        let late = sign::verify(url, key.public_key_pem(), #{ at: "2100-01-01", key_pair_id: id });
        let custom = sign::url(key, id, "https://cdn.example.com/teams/x.jpg",
            #{ expires_in: "12h", starts_at: "2020-01-01T00:00:00Z", ip: "203.0.113.0/24",
               resource: "https://cdn.example.com/teams/*", hash: "sha256" });
        let ip_ok = sign::verify(custom, key.public_key_pem(), #{ ip: "203.0.113.9", key_pair_id: id });
        let cookies = sign::cookies(key, id, "https://cdn.example.com/teams/*", #{ expires_in: 600 });
        #{ url: url, ok: ok.accepted, unsure: unsure.decision, late: late.accepted,
           late_reason: late.checks.filter(|c| c.name == "time")[0].detail,
           custom: custom, ip_ok: ip_ok.accepted, cookie_names: cookies.keys() }
        "#,
    );
    let result = run(&ws, &recipe, &[]).result.unwrap().cast::<rhai::Map>();
    assert!(result["url"]
        .to_string()
        .starts_with("https://cdn.example.com/teams/a%20b.jpg?Expires="));
    assert_eq!(result["ok"].as_bool(), Ok(true));
    assert_eq!(result["unsure"].to_string(), "undecided");
    assert_eq!(result["late"].as_bool(), Ok(false));
    assert!(result["late_reason"].to_string().starts_with("expired"));
    assert!(result["custom"].to_string().contains("?Policy="));
    assert!(result["custom"]
        .to_string()
        .ends_with("&Hash-Algorithm=SHA256"));
    assert_eq!(result["ip_ok"].as_bool(), Ok(true));
    let mut names: Vec<String> = result["cookie_names"]
        .clone()
        .into_array()
        .unwrap()
        .into_iter()
        .map(|n| n.to_string())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "CloudFront-Key-Pair-Id",
            "CloudFront-Policy",
            "CloudFront-Signature"
        ]
    );
}

#[test]
fn sign_options_are_validated() {
    let ws = Workspace::new();
    for (options, expected) in [
        ("#{}", "expiration is required"),
        ("#{ expires_in: 60, expires_at: 1 }", "not both"),
        ("#{ expires_in: 60, colour: 1 }", "unknown field `colour`"),
        ("#{ expires_in: \"soon\" }", "not a duration"),
        (
            "#{ expires_in: 60, hash: \"md5\" }",
            "unknown hash algorithm",
        ),
    ] {
        let recipe = ws.recipe(
            "options.rhai",
            &format!(
                "let key = keys::generate(\"ecdsa-p256\");\nsign::url(key, \"K1\", \"https://x.example/a\", {options})"
            ),
        );
        let err = script_error(run(&ws, &recipe, &[]));
        assert!(err.message.contains(expected), "{options}: {}", err.message);
    }
}

#[test]
fn keys_load_from_pem_and_refuse_garbage() {
    let ws = Workspace::new();
    let pem = cfsign::keys::generate(cfsign::keys::KeyType::EcdsaP256)
        .unwrap()
        .to_pkcs8_pem()
        .unwrap();
    let recipe = ws.recipe(
        "load.rhai",
        r#"let key = keys::from_pem(vars.pem); print(key.algorithm());
           try { keys::from_pem("hello") } catch (e) { print(e.code) }"#,
    );
    let run = run(&ws, &recipe, &[("pem", pem.as_str().into())]);
    let _ = run.result.unwrap();
    assert_eq!(run.printed, ["ECDSA P-256", "InvalidKey"]);
}
