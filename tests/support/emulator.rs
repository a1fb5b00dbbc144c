//! The local AWS emulator (tests/emulator/), started on a free loopback port once per test
//! module on first use. One launcher per test run imports moto and the extensions (seconds of
//! CPU), and each module's emulator is a process forked from it, with its own port, state and
//! recording. Both stop by themselves when this process exits (they watch the pid given as
//! `--parent`, and the launcher its stdin).

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::{Mutex, OnceLock};

use super::repo;

/// A running emulator.
pub struct Emulator {
    /// The endpoint, e.g. `http://127.0.0.1:40123`.
    pub url: String,
}

impl Emulator {
    /// The emulator of the calling test's module (`lifecycle`, `faults`, ...), started on first
    /// use and shared by that module's tests. Modules do not share one: several publish the
    /// same portfolios, count what the whole account holds, inject faults or slow resources
    /// down. The module is the first part of the test thread's name, which libtest sets to the
    /// test's path; a thread without one (spawned by a test) gets the emulator named `main`.
    pub fn shared() -> &'static Emulator {
        static EMULATORS: Mutex<BTreeMap<String, &'static OnceLock<Emulator>>> =
            Mutex::new(BTreeMap::new());
        let thread = std::thread::current();
        let module = thread
            .name()
            .and_then(|name| name.split("::").next())
            .unwrap_or("main")
            .to_owned();
        let slot: &'static OnceLock<Emulator> = EMULATORS
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(module)
            .or_insert_with(|| Box::leak(Box::new(OnceLock::new())));
        // Started outside the map's lock: modules start theirs side by side.
        slot.get_or_init(start)
    }

    /// Every request the emulator has seen since it started, as moto recorded them.
    pub fn recorded_requests(&self) -> Vec<Recorded> {
        use base64::Engine;
        let log = http_get(&format!(
            "{}/moto-api/recorder/download-recording",
            self.url
        ));
        // One JSON object per request; concurrent requests can leave two on one line.
        serde_json::Deserializer::from_str(&log)
            .into_iter::<serde_json::Value>()
            .map(|record| {
                let record = record.expect("the recorder log is JSON");
                let body = record["body"]
                    .as_str()
                    .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
                    .unwrap_or_default();
                let full_target = record["headers"]["X-Amz-Target"].as_str();
                let target = full_target.map(|t| t.rsplit('.').next().unwrap_or(t).to_owned());
                let target_prefix = full_target
                    .and_then(|t| t.split_once('.'))
                    .map(|(prefix, _)| prefix.to_owned());
                let action = body
                    .split('&')
                    .find_map(|pair| pair.strip_prefix("Action="))
                    .map(str::to_owned);
                Recorded {
                    method: record["method"].as_str().unwrap_or_default().to_owned(),
                    url: record["url"].as_str().unwrap_or_default().to_owned(),
                    operation: target.or(action),
                    target_prefix,
                    body,
                }
            })
            .collect()
    }

    /// Answers a fraction `rate` of AWS calls with throttling or 500 errors (0 turns it off).
    pub fn set_faults(&self, rate: f64) {
        request(
            "POST",
            &format!("{}/_faults", self.url),
            &format!(r#"{{"rate": {rate}, "seed": 7}}"#),
        );
    }

    /// How many calls the emulator has answered with an injected fault.
    pub fn injected_faults(&self) -> u64 {
        let body = request("GET", &format!("{}/_faults", self.url), "");
        let value: serde_json::Value = serde_json::from_str(&body).expect("fault state is JSON");
        value["injected"].as_u64().unwrap_or(0)
    }

    /// Makes resources of a moto model (e.g. `cloudfront::distribution`) advance to their next
    /// state only after `polls` reads, so waiters really wait.
    pub fn slow_down(&self, model: &str, polls: u32) {
        let body = format!(
            r#"{{"model_name": "{model}", "transition": {{"progression": "manual", "times": {polls}}}}}"#
        );
        request(
            "POST",
            &format!("{}/moto-api/state-manager/set-transition", self.url),
            &body,
        );
    }
}

/// The requests the calling test module's emulator received while `run` ran, and what `run`
/// returned.
pub fn requests_during<T>(run: impl FnOnce() -> T) -> (Vec<Recorded>, T) {
    let before = Emulator::shared().recorded_requests().len();
    let result = run();
    let requests = Emulator::shared().recorded_requests().split_off(before);
    (requests, result)
}

/// The mutating requests the calling test module's emulator received while `run` ran.
pub fn writes_during(run: impl FnOnce()) -> Vec<String> {
    requests_during(run)
        .0
        .into_iter()
        .filter(|r| r.is_mutating())
        .map(|r| format!("{} {} {:?}", r.method, r.url, r.operation))
        .collect()
}

/// One request the emulator received.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// HTTP method.
    pub method: String,
    /// Full URL.
    pub url: String,
    /// The API operation (JSON target or query Action), when the protocol names one.
    pub operation: Option<String>,
    /// The service part of a JSON protocol's X-Amz-Target (e.g. `AWS242ServiceCatalogService`).
    pub target_prefix: Option<String>,
    /// The request body, decoded.
    pub body: String,
}

impl Recorded {
    /// Whether this request changes state: a mutating operation, or an S3 write.
    pub fn is_mutating(&self) -> bool {
        match &self.operation {
            Some(op) => ![
                "Describe", "Get", "List", "Validate", "Head", "Search", "Scan",
            ]
            .iter()
            .any(|read| op.starts_with(read)),
            None => matches!(self.method.as_str(), "PUT" | "DELETE" | "POST" | "PATCH"),
        }
    }
}

/// The emulator launcher (`tests/emulator/serve --launcher`): asked for an emulator with a line
/// on its stdin, it answers with that emulator's endpoint on its stdout.
struct Launcher {
    // Held, never waited for: the launcher stops when its stdin closes with this process.
    _child: Child,
    requests: ChildStdin,
    endpoints: BufReader<ChildStdout>,
}

/// The test run's launcher, started on first use.
fn launcher() -> &'static Mutex<Launcher> {
    static LAUNCHER: OnceLock<Mutex<Launcher>> = OnceLock::new();
    LAUNCHER.get_or_init(|| {
        let serve = repo().join("tests/emulator/serve");
        let mut child = Command::new(&serve)
            .args(["--launcher", "--parent", &std::process::id().to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|err| {
                panic!(
                    "cannot start {}: {err}; it needs python3 with venv and pip",
                    serve.display()
                )
            });
        let requests = child.stdin.take().expect("the launcher's stdin is piped");
        let endpoints = BufReader::new(child.stdout.take().expect("its stdout is piped"));
        Mutex::new(Launcher {
            _child: child,
            requests,
            endpoints,
        })
    })
}

fn start() -> Emulator {
    let url = {
        let mut launcher = launcher().lock().unwrap_or_else(|e| e.into_inner());
        let mut line = String::new();
        // A failed write shows as the missing endpoint below.
        let _ = writeln!(launcher.requests).and_then(|()| launcher.requests.flush());
        launcher
            .endpoints
            .read_line(&mut line)
            .expect("reading the emulator's endpoint");
        line.trim().to_owned()
    };
    assert!(
        url.starts_with("http://127.0.0.1:"),
        "the emulator did not start (launcher answered {url:?}); run tests/emulator/serve to see why"
    );
    // Start recording every request, so tests can prove what a run sent.
    http_post(&format!("{url}/moto-api/recorder/start-recording"));
    Emulator { url }
}

/// Minimal HTTP/1.1 over a TCP stream, enough for the emulator on loopback: (status, body).
fn exchange(method: &str, url: &str, body: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://").expect("loopback http URL");
    let (authority, path) = rest
        .split_once('/')
        .map_or((rest, "/".to_owned()), |(a, p)| (a, format!("/{p}")));
    let mut stream = std::net::TcpStream::connect(authority).expect("connecting to the emulator");
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, body.to_owned())
}

/// A request to moto's own API, which must succeed; returns the body.
fn request(method: &str, url: &str, body: &str) -> String {
    let (status, response) = exchange(method, url, body);
    assert!(
        (200..300).contains(&status),
        "{method} {url}: HTTP {status}"
    );
    response
}

/// GETs a loopback `http://` URL: (status, body). For the edge, whose refusals are answers.
pub fn get(url: &str) -> (u16, String) {
    exchange("GET", url, "")
}

/// PUTs `body` to a loopback `http://` URL (no content type): (status, body).
pub fn put(url: &str, body: &str) -> (u16, String) {
    exchange("PUT", url, body)
}

fn http_get(url: &str) -> String {
    request("GET", url, "")
}

fn http_post(url: &str) {
    request("POST", url, "");
}

/// Runs a Python snippet with boto3 (the emulator's environment) against this module's
/// emulator, as the account root unless the snippet passes keys to `client`, to set up what
/// cfsign does not create (roles, sessions, an organization) or to read state back; its last
/// line is JSON.
pub fn boto(script: &str) -> serde_json::Value {
    let emulator = Emulator::shared();
    let prelude = format!(
        "import json, boto3\n\
         def client(service, **keys):\n\
         \x20   keys = keys or dict(aws_access_key_id='testing', aws_secret_access_key='testing')\n\
         \x20   return boto3.client(service, endpoint_url='{}', region_name='us-east-1', **keys)\n",
        emulator.url
    );
    let out = Command::new(super::emulator_python())
        .arg("-c")
        .arg(format!("{prelude}{script}"))
        .output()
        .expect("the emulator's Python runs");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(text.lines().last().unwrap_or("null")).unwrap()
}
