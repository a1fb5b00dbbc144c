//! `http::`: plain HTTP requests for smoke tests (signed GETs and PUTs through CloudFront or the
//! emulator's edge). Every status is a result, not an error: a smoke test expects its 403s.

use std::sync::OnceLock;
use std::time::Duration;

use rhai::plugin::*;
use rhai::{EvalAltResult, Map};

use super::aws_context::aws_if_configured;
use crate::aws::PlannedCall;
use crate::script::HostError;

const SERVICE: &str = "HTTP";

fn agent() -> &'static ureq::Agent {
    static AGENT: OnceLock<ureq::Agent> = OnceLock::new();
    AGENT.get_or_init(|| {
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .allow_non_standard_methods(true)
            .build()
            .into()
    })
}

fn failed(
    context: &NativeCallContext,
    method: &str,
    message: impl Into<String>,
) -> Box<EvalAltResult> {
    HostError::new(SERVICE, method, "ConnectionError", message).raise(context)
}

/// In a dry run a request that changes something (anything but GET, HEAD, OPTIONS) is recorded
/// in the plan instead, without its query (a signed URL's signature is a credential), and
/// answered `#{status: 0, planned: true}`.
fn plan_if_dry_run(context: &NativeCallContext, method: &str, url: &str) -> Option<Map> {
    let aws = aws_if_configured(context).filter(|aws| aws.dry_run())?;
    if matches!(method, "GET" | "HEAD" | "OPTIONS") {
        return None;
    }
    let shown = url.split('?').next().unwrap_or(url);
    aws.record(PlannedCall::new(
        SERVICE,
        method,
        serde_json::json!({ "url": shown }),
    ));
    let mut map = Map::new();
    map.insert("status".into(), Dynamic::from(0 as rhai::INT));
    map.insert("headers".into(), Map::new().into());
    map.insert("body".into(), "".into());
    map.insert("planned".into(), true.into());
    Some(map)
}

fn send(
    context: &NativeCallContext,
    method: &str,
    url: &str,
    options: &Map,
) -> Result<Map, Box<EvalAltResult>> {
    let known = ["headers", "body"];
    if let Some(unknown) = options.keys().find(|k| !known.contains(&k.as_str())) {
        return Err(HostError::new(
            SERVICE,
            method,
            "InvalidInput",
            format!("unknown option `{unknown}`; the options are headers, body"),
        )
        .raise(context));
    }
    if let Some(planned) = plan_if_dry_run(context, method, url) {
        return Ok(planned);
    }
    let mut request = ureq::http::Request::builder().method(method).uri(url);
    if let Some(headers) = options.get("headers").and_then(|h| h.read_lock::<Map>()) {
        for (name, value) in headers.iter() {
            request = request.header(name.as_str(), value.to_string());
        }
    }
    let body = options
        .get("body")
        .map(|b| b.to_string().into_bytes())
        .unwrap_or_default();
    let request = request.body(body).map_err(|e| {
        HostError::new(SERVICE, method, "InvalidInput", e.to_string()).raise(context)
    })?;
    let mut response = agent()
        .run(request)
        .map_err(|e| failed(context, method, format!("{method} {url}: {e}")))?;
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
    let body = response.body_mut().read_to_vec().map_err(|e| {
        failed(
            context,
            method,
            format!("{method} {url}: reading the body: {e}"),
        )
    })?;
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
    /// (code `ConnectionError`). Header names in the result are lower-case. In a dry run, PUT,
    /// POST, PATCH and DELETE are recorded in the plan (URL without its query) and answered
    /// `#{status: 0, planned: true}` instead of sent.
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
        send(&context, &method.to_ascii_uppercase(), url, &options)
    }

    /// `GET url`.
    #[rhai_fn(return_raw)]
    pub fn get(context: NativeCallContext, url: &str) -> Result<Map, Box<EvalAltResult>> {
        send(&context, "GET", url, &Map::new())
    }

    /// `HEAD url`.
    #[rhai_fn(return_raw)]
    pub fn head(context: NativeCallContext, url: &str) -> Result<Map, Box<EvalAltResult>> {
        send(&context, "HEAD", url, &Map::new())
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
        send(&context, "PUT", url, &options)
    }
}
