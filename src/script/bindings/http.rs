//! `http::`: plain HTTP requests for smoke tests (signed GETs and PUTs through CloudFront or the
//! emulator's edge). Every status is a result, not an error: a smoke test expects its 403s.
//! Where a request may go is the sandbox's decision ([`crate::script::sandbox`]): CloudFront
//! hosts, public addresses, no redirects, nothing sent in a dry run.

use std::net::IpAddr;
use std::sync::OnceLock;
use std::time::Duration;

use rhai::plugin::*;
use rhai::{EvalAltResult, Map};
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{DefaultConnector, NextTimeout};

use super::aws_context::{aws_if_configured, not_allowed, run_context};
use super::convert::options as decode;
use crate::aws::PlannedCall;
use crate::script::sandbox::{self, without_query};
use crate::script::HostErrorExt as _;
use crate::script::{HostError, RunContext};

const SERVICE: &str = "HTTP";

/// The resolver's refusal: every address of the host is one the sandbox does not admit.
#[derive(Debug, thiserror::Error)]
#[error("every address of the host is refused by the sandbox ({0:?}): http:: reaches public addresses only (never link-local, private or loopback ones)")]
struct AddressRefused(Vec<IpAddr>);

/// Resolves names as the system does, then keeps only the addresses the sandbox admits, so
/// the address checked is the address connected to (no rebinding between check and use).
#[derive(Debug)]
struct CheckedResolver {
    loopback: bool,
}

impl Resolver for CheckedResolver {
    fn resolve(
        &self,
        uri: &ureq::http::Uri,
        config: &ureq::config::Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let resolved = DefaultResolver::default().resolve(uri, config, timeout)?;
        let mut kept = self.empty();
        for address in resolved
            .iter()
            .filter(|a| sandbox::address_allowed(a.ip(), self.loopback))
        {
            kept.push(*address);
        }
        if kept.is_empty() {
            let addresses = resolved.iter().map(|a| a.ip()).collect();
            return Err(ureq::Error::Other(Box::new(AddressRefused(addresses))));
        }
        Ok(kept)
    }
}

/// The agent for a run: statuses are results, no redirect is followed (a redirect could lead
/// anywhere), no proxy from the environment (it would resolve for us), addresses checked.
fn agent(loopback: bool) -> &'static ureq::Agent {
    static PUBLIC: OnceLock<ureq::Agent> = OnceLock::new();
    static WITH_LOOPBACK: OnceLock<ureq::Agent> = OnceLock::new();
    let cell = if loopback { &WITH_LOOPBACK } else { &PUBLIC };
    cell.get_or_init(|| {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .allow_non_standard_methods(true)
            .max_redirects(0)
            .proxy(None)
            .build();
        ureq::Agent::with_parts(
            config,
            DefaultConnector::default(),
            CheckedResolver { loopback },
        )
    })
}

fn failed(
    context: &NativeCallContext,
    method: &str,
    url: &str,
    reason: impl std::fmt::Display,
) -> Box<EvalAltResult> {
    // What a signed URL carries after `?` is a credential: never in an error.
    let shown = without_query(url);
    let mut reason = reason.to_string();
    if let Some(query) = url.get(shown.len()..).filter(|q| !q.is_empty()) {
        reason = reason.replace(query, "?…");
    }
    HostError::new(
        SERVICE,
        method,
        "ConnectionError",
        format!("{method} {shown}: {reason}"),
    )
    .raise(context)
}

/// In a dry run nothing is sent: the request is recorded in the plan, without its query (a
/// signed URL's signature is a credential), and answered `#{status: 0, planned: true}`.
fn plan_if_dry_run(context: &NativeCallContext, method: &str, url: &str) -> Option<Map> {
    let aws = aws_if_configured(context).filter(|aws| aws.dry_run())?;
    aws.record(PlannedCall::new(
        SERVICE,
        method,
        serde_json::json!({ "url": without_query(url) }),
    ));
    let mut map = Map::new();
    map.insert("status".into(), Dynamic::from(0 as rhai::INT));
    map.insert("headers".into(), Map::new().into());
    map.insert("body".into(), "".into());
    map.insert("planned".into(), true.into());
    Some(map)
}

/// The alternate domain names of the account's distributions, for the sandbox's host check
/// (looked up once per run; none without AWS access).
fn distribution_hosts(run: &RunContext) -> Vec<String> {
    let Some(aws) = run.aws.clone() else {
        return Vec::new();
    };
    run.distribution_hosts(|| crate::aws::cloudfront_aliases(&aws))
        .unwrap_or_default()
}

/// `http::request` options (a misspelt one is an error, not ignored).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RequestOptions {
    /// Request headers, by name.
    #[serde(default)]
    headers: std::collections::BTreeMap<String, String>,
    /// The request body.
    #[serde(default)]
    body: String,
}

fn send(
    context: &NativeCallContext,
    method: &str,
    url: &str,
    options: Map,
) -> Result<Map, Box<EvalAltResult>> {
    let RequestOptions { headers, body } = decode(context, SERVICE, method, options)?;
    let run = run_context(context)?;
    run.sandbox
        .check_url(url, || distribution_hosts(&run))
        .map_err(|e| not_allowed(context, SERVICE, method, e))?;
    if let Some(planned) = plan_if_dry_run(context, method, url) {
        return Ok(planned);
    }
    let mut request = ureq::http::Request::builder().method(method).uri(url);
    for (name, value) in &headers {
        request = request.header(name.as_str(), value.as_str());
    }
    let request = request.body(body.into_bytes()).map_err(|e| {
        HostError::new(SERVICE, method, "InvalidInput", e.to_string()).raise(context)
    })?;
    let mut response = agent(run.sandbox.allows_loopback())
        .run(request)
        .map_err(|e| match &e {
            ureq::Error::Other(cause) if cause.is::<AddressRefused>() => not_allowed(
                context,
                SERVICE,
                method,
                format!("{}: {cause}", without_query(url)),
            ),
            _ => failed(context, method, url, e),
        })?;
    let headers: Map = response
        .headers()
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().into(),
                String::from_utf8_lossy(value.as_bytes())
                    .into_owned()
                    .into(),
            )
        })
        .collect();
    let status = i64::from(response.status().as_u16());
    let body = response
        .body_mut()
        .read_to_vec()
        .map_err(|e| failed(context, method, url, format!("reading the body: {e}")))?;
    let mut map = Map::new();
    map.insert("status".into(), status.into());
    map.insert("headers".into(), headers.into());
    map.insert(
        "body".into(),
        String::from_utf8_lossy(&body).into_owned().into(),
    );
    Ok(map)
}

/// HTTP requests.
#[export_module]
pub mod http_module {
    use super::*;

    /// Sends `method` to `url`. Options: `headers` (a map), `body` (text). Returns
    /// `#{status, headers, body}` whatever the status; only a failure to connect is an error
    /// (code `ConnectionError`). Header names in the result are lower-case. Only CloudFront
    /// hosts are reached (`*.cloudfront.net`, the alternate domain names of the account's
    /// distributions, `--allow-host`; the emulator's edge), at public addresses; anything else
    /// is refused with code `NotAllowed` before a connection is made. In a dry run nothing is
    /// sent: the request is recorded in the plan (URL without its query) and answered
    /// `#{status: 0, planned: true}`.
    ///
    /// ```rhai
    /// let r = http::request("DELETE", signed_url, #{});
    /// if r.status != 403 { throw `DELETE should be refused, got ${r.status}`; }
    /// ```
    #[rhai_fn(return_raw)]
    pub fn request(
        context: NativeCallContext,
        method: &str,
        url: &str,
        options: Map,
    ) -> Result<Map, Box<EvalAltResult>> {
        send(&context, &method.to_ascii_uppercase(), url, options)
    }

    /// `GET url`.
    #[rhai_fn(return_raw)]
    pub fn get(context: NativeCallContext, url: &str) -> Result<Map, Box<EvalAltResult>> {
        send(&context, "GET", url, Map::new())
    }

    /// `HEAD url`.
    #[rhai_fn(return_raw)]
    pub fn head(context: NativeCallContext, url: &str) -> Result<Map, Box<EvalAltResult>> {
        send(&context, "HEAD", url, Map::new())
    }

    /// `PUT url` with `body`.
    #[rhai_fn(return_raw)]
    pub fn put(
        context: NativeCallContext,
        url: &str,
        body: &str,
    ) -> Result<Map, Box<EvalAltResult>> {
        let mut options = Map::new();
        options.insert("body".into(), body.into());
        send(&context, "PUT", url, options)
    }
}
