//! The README's first command, `examples/quickstart`, in a fresh checkout: it publishes,
//! provisions a team, smoke-tests it and prints a signed URL that the emulator's edge serves
//! (and an unsigned one it refuses).

use crate::support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use crate::support::emulator::get;
use crate::support::repo;

#[test]
fn the_quickstart_prints_a_signed_url_that_works() {
    // A fresh checkout of what is committed; its target/ is this one's, so the emulator's
    // environment is reused rather than installed again.
    let dir = tempfile::tempdir().unwrap();
    let checkout = dir.path().join("cfsign");
    let cloned = Command::new("git")
        .args(["clone", "--quiet"])
        .arg(repo())
        .arg(&checkout)
        .status()
        .expect("git is needed to test the quickstart in a fresh checkout");
    assert!(cloned.success());
    std::os::unix::fs::symlink(support::target_dir(), checkout.join("target")).unwrap();

    let mut quickstart = Command::new(checkout.join("examples/quickstart"))
        .args(["--team", "quick"])
        .current_dir(&checkout)
        // The binary under test, instead of a release build of the clone.
        .env("CFSIGN", assert_cmd::cargo::cargo_bin("cfsign"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut printed = Vec::new();
    let mut signed_url = None;
    // Kept open until the end: if the quickstart's stdout closed, its next echo would end it
    // (SIGPIPE), and the emulator with it, before the URL is fetched.
    let mut output = BufReader::new(quickstart.stdout.take().unwrap()).lines();
    for line in output.by_ref().map_while(Result::ok) {
        assert!(!line.contains("PRIVATE KEY"), "key material: {line}");
        if let Some(rest) = line.strip_prefix("Try it:   curl '") {
            signed_url = Some(rest.trim_end_matches('\'').to_owned());
            break;
        }
        printed.push(line);
    }
    let Some(url) = signed_url else {
        let _ = quickstart.kill();
        panic!("no signed URL printed:\n{}", printed.join("\n"));
    };
    let (status, body) = get(&url);
    let unsigned = get(url.split('?').next().unwrap()).0;
    quickstart.kill().unwrap();
    quickstart.wait().unwrap();
    drop(output);

    assert!(printed
        .iter()
        .any(|l| l.contains("PASS  signed GET returns it")));
    assert!(
        !printed.iter().any(|l| l.contains("FAIL")),
        "{}",
        printed.join("\n")
    );
    assert_eq!(
        (status, body.as_str()),
        (200, "hello from cfsign, team quick")
    );
    assert_eq!(unsigned, 403);
}
