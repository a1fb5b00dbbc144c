//! `cfsign doctor`: the live answer to "why is this a 403?".
//!
//! It finds the distribution serving the URL's host, the cache behavior for its path and the
//! key groups that behavior trusts; checks that the URL's key pair id is one of their public
//! keys and verifies the signature with the key CloudFront holds; then sends the request and
//! names the cause of the answer (signature, policy, expiry, untrusted key, origin access
//! denied by the bucket policy, no such object, WAF, clock skew), each with its fix.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use cfsign::aws::cloudfront::{self, BehaviorView, DistributionView};
use cfsign::aws::{sdk_error, Aws};
use cfsign::keys::PublicKey;
use cfsign::sign::{
    verify_cookies, verify_url, without_signing_parameters, Decision, Outcome, Verdict,
    VerifyOptions,
};
use clap::{Args, ValueEnum};
use serde::Serialize;

use super::{time, verify, AwsArgs, EXIT_OK, EXIT_REJECTED};

/// Arguments of `cfsign doctor`.
#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// The signed URL exactly as the client requests it (with --cookies: the URL the cookies
    /// are sent with).
    url: String,
    /// Send the signed cookies in FILE (`-`: stdin) with the request: the `Set-Cookie:` lines
    /// `cfsign cookies` prints, a `Cookie:` header, or its `--json` output.
    #[arg(long, value_name = "FILE")]
    cookies: Option<PathBuf>,
    /// The method of the live request; doctor never writes, so uploads are diagnosed with HEAD
    /// or GET on the same URL.
    #[arg(long, value_enum, default_value = "get")]
    method: Method,
    #[command(flatten)]
    aws: AwsArgs,
    /// Print the diagnosis as JSON.
    #[arg(long)]
    json: bool,
}

/// The methods doctor sends.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum Method {
    Get,
    Head,
}

impl Method {
    fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Head => "HEAD",
        }
    }
}

/// Why the request got the answer it got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
enum Cause {
    /// CloudFront served the request.
    Accepted,
    /// No distribution in the account serves the URL's host.
    NoDistribution,
    /// The URL carries no signature, or one that does not match the policy and key.
    Signature,
    /// The signed policy does not cover this URL, this client or it is malformed.
    Policy,
    /// The URL has expired, or is not valid yet.
    Expired,
    /// The key pair id is not in a key group the behavior trusts.
    UntrustedKey,
    /// CloudFront passed the request on, and the bucket policy refused the distribution.
    OriginDenied,
    /// CloudFront passed the request on, and the object does not exist.
    MissingObject,
    /// A web ACL in front of the distribution blocked the request.
    Waf,
    /// This machine's clock and CloudFront's disagree enough to change the verdict.
    ClockSkew,
    /// Refused for a reason doctor cannot see.
    Unknown,
}

/// The live answer.
#[derive(Debug, Clone, Serialize)]
struct Answer {
    status: u16,
    /// CloudFront's `X-Cache` header.
    x_cache: Option<String>,
    /// The error code in the body (`AccessDenied`, `NoSuchKey`, ...).
    error_code: Option<String>,
    /// The body's error message.
    error_message: Option<String>,
    /// Whether the error is S3's (it carries S3's request id), not CloudFront's own.
    from_origin: bool,
    /// CloudFront's clock minus this machine's, seconds (from the `Date` header).
    clock_skew_seconds: Option<i64>,
}

/// Everything doctor found, in the order it looked.
#[derive(Debug, Clone, Serialize)]
struct Diagnosis {
    /// The URL without its signing parameters.
    resource_url: String,
    distribution_id: Option<String>,
    distribution_domain_name: Option<String>,
    /// The behavior's path pattern (`*` for the default behavior).
    behavior: Option<String>,
    trusted_key_groups: Vec<String>,
    key_pair_id: Option<String>,
    /// The trusted key group that holds the key pair id.
    key_group: Option<String>,
    /// The signature and policy checks, with the key CloudFront holds.
    verdict: Option<Verdict>,
    /// What the distribution answered.
    answer: Option<Answer>,
    cause: Cause,
    /// Why, in a sentence.
    explanation: String,
    /// What to do about it.
    fix: Option<String>,
}

impl Diagnosis {
    fn conclude(&mut self, cause: Cause, explanation: impl Into<String>, fix: Option<String>) {
        self.cause = cause;
        self.explanation = explanation.into();
        self.fix = fix;
    }
}

/// Runs `cfsign doctor`; exits 0 when the request was served, 1 when it was refused.
pub fn run(args: &DoctorArgs) -> Result<u8> {
    let cookies = match &args.cookies {
        Some(file) => verify::read_cookies(file)?,
        None => Vec::new(),
    };
    let parsed = url::Url::parse(&args.url).context("reading the URL")?;
    let aws = Aws::new(args.aws.options(false), Arc::new(|_| {}));
    let mut diagnosis = Diagnosis {
        resource_url: without_signing_parameters(&args.url),
        distribution_id: None,
        distribution_domain_name: None,
        behavior: None,
        trusted_key_groups: Vec::new(),
        key_pair_id: signing_value(&parsed, &cookies, "Key-Pair-Id"),
        key_group: None,
        verdict: None,
        answer: None,
        cause: Cause::Unknown,
        explanation: String::new(),
        fix: None,
    };
    diagnose(&aws, args, &parsed, &cookies, &mut diagnosis)?;
    print(&diagnosis, args.json)?;
    Ok(if diagnosis.cause == Cause::Accepted {
        EXIT_OK
    } else {
        EXIT_REJECTED
    })
}

fn diagnose(
    aws: &Aws,
    args: &DoctorArgs,
    url: &url::Url,
    cookies: &[(String, String)],
    diagnosis: &mut Diagnosis,
) -> Result<()> {
    let host = url.host_str().unwrap_or_default().to_owned();
    let Some((id, path)) = locate(aws, url)? else {
        diagnosis.conclude(
            Cause::NoDistribution,
            format!("no distribution in this account serves {host}"),
            Some(format!(
                "use the distribution's domain name or an alternate domain name it lists, with \
                 credentials of the account that owns it (--profile); a CNAME for {host} must \
                 point at that distribution"
            )),
        );
        return Ok(());
    };
    let distribution = cloudfront::distribution(aws, &id)
        .map_err(|e| failed("GetDistribution", format!("reading distribution {id}"), *e))?;
    diagnosis.distribution_id = Some(distribution.id.clone());
    diagnosis.distribution_domain_name = Some(distribution.domain_name.clone());
    let behavior = distribution
        .behavior_for(&path)
        .cloned()
        .context("the distribution has no default cache behavior")?;
    diagnosis.behavior = Some(behavior.path_pattern.clone().unwrap_or_else(|| "*".into()));
    diagnosis.trusted_key_groups = behavior.trusted_key_groups.clone();

    let key = if behavior.trusted_key_groups.is_empty() {
        None
    } else {
        check_signature(aws, &behavior, url, cookies, diagnosis)?
    };
    let answer = send(args, cookies)?;
    let skew = answer.clock_skew_seconds;
    diagnosis.answer = Some(answer);
    if diagnosis.cause != Cause::Unknown {
        // The key is not trusted: nothing CloudFront could answer changes that.
        return Ok(());
    }
    if let (Some(verdict), Some(key)) = (diagnosis.verdict.clone(), &key) {
        if let Some(skewed) = skewed_verdict(&verdict, url, cookies, key, diagnosis, skew) {
            diagnosis.conclude(
                Cause::ClockSkew,
                skewed,
                Some(
                    "set this machine's clock (and the signer's) from NTP: the expiry is computed \
                 from the signer's clock and checked against CloudFront's"
                        .into(),
                ),
            );
            return Ok(());
        }
        if verdict.decision == Decision::Rejected {
            conclude_from_verdict(&verdict, diagnosis);
            return Ok(());
        }
    }
    classify_answer(aws, &distribution, &behavior, &path, diagnosis);
    Ok(())
}

/// A failed CloudFront call, said with what doctor was doing.
fn failed<E>(operation: &str, doing: String, err: SdkError<E, HttpResponse>) -> anyhow::Error
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    anyhow::anyhow!("{doing}: {}", sdk_error("CloudFront", operation, err))
}

/// The distribution for the URL and the path it sees: by host (its domain name or an
/// alternate domain name), else, against an emulator endpoint, its viewer address
/// `/_edge/<distribution-id>/<path>`.
fn locate(aws: &Aws, url: &url::Url) -> Result<Option<(String, String)>> {
    let host = url.host_str().unwrap_or_default();
    let found = cloudfront::distribution_serving(aws, host).map_err(|e| {
        failed(
            "ListDistributions",
            "finding the distribution".to_owned(),
            *e,
        )
    })?;
    if let Some(id) = found {
        return Ok(Some((id, url.path().to_owned())));
    }
    if aws.has_endpoint_override() {
        if let Some(rest) = url.path().strip_prefix("/_edge/") {
            let (id, path) = rest.split_once('/').unwrap_or((rest, ""));
            return Ok(Some((id.to_owned(), format!("/{path}"))));
        }
    }
    Ok(None)
}

/// Whether a trusted key group holds the URL's key, and the verdict with that key; returns the
/// key CloudFront holds when it is trusted.
fn check_signature(
    aws: &Aws,
    behavior: &BehaviorView,
    url: &url::Url,
    cookies: &[(String, String)],
    diagnosis: &mut Diagnosis,
) -> Result<Option<PublicKey>> {
    let Some(key_pair_id) = diagnosis.key_pair_id.clone() else {
        diagnosis.conclude(
            Cause::Signature,
            format!(
                "the behavior for this path trusts key groups ({}), and the request carries no \
                 Key-Pair-Id (CloudFront answers 403 MissingKey)",
                behavior.trusted_key_groups.join(", ")
            ),
            Some("sign the URL (cfsign sign) or send the signed cookies (--cookies)".into()),
        );
        return Ok(None);
    };
    let mut members = Vec::new();
    for group_id in &behavior.trusted_key_groups {
        let group = cloudfront::key_group(aws, group_id)
            .map_err(|e| failed("GetKeyGroup", format!("reading key group {group_id}"), *e))?;
        if group.items.contains(&key_pair_id) {
            diagnosis.key_group = Some(group_id.clone());
        }
        members.push(format!("{group_id}: {}", group.items.join(", ")));
    }
    if diagnosis.key_group.is_none() {
        diagnosis.conclude(
            Cause::UntrustedKey,
            format!(
                "Key-Pair-Id {key_pair_id} is not in a key group this behavior trusts ({})",
                members.join("; ")
            ),
            Some(
                "sign with a key in the group (a team's current key: cfsign sign --secret \
                 cfsign/TEAM/signing-key), or stage the new key in the key-pair product first \
                 (recipes/rotate.rhai); key group changes take minutes to reach every edge"
                    .into(),
            ),
        );
        return Ok(None);
    }
    let key = cloudfront::public_key(aws, &key_pair_id).map_err(|e| {
        failed(
            "GetPublicKey",
            format!("reading public key {key_pair_id}"),
            *e,
        )
    })?;
    let key = PublicKey::from_pem(&key.encoded_key)
        .with_context(|| format!("reading the public key CloudFront holds as {key_pair_id}"))?;
    diagnosis.verdict = Some(judge(url, cookies, &key, &key_pair_id, time::now()));
    Ok(Some(key))
}

fn judge(
    url: &url::Url,
    cookies: &[(String, String)],
    key: &PublicKey,
    key_pair_id: &str,
    at: u64,
) -> Verdict {
    let options = VerifyOptions {
        at,
        client_ip: None,
        key_pair_id: Some(key_pair_id.to_owned()),
    };
    if cookies.is_empty() {
        verify_url(url.as_str(), key, &options)
    } else {
        let pairs: Vec<(&str, &str)> = cookies
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str()))
            .collect();
        verify_cookies(url.as_str(), &pairs, key, &options)
    }
}

/// When CloudFront's clock is off from this machine's by more than a minute and the verdict at
/// CloudFront's time differs from the one at ours, says so.
fn skewed_verdict(
    verdict: &Verdict,
    url: &url::Url,
    cookies: &[(String, String)],
    key: &PublicKey,
    diagnosis: &Diagnosis,
    skew: Option<i64>,
) -> Option<String> {
    let skew = skew.filter(|s| s.abs() > 60)?;
    let key_pair_id = diagnosis.key_pair_id.as_deref()?;
    let theirs = time::now().saturating_add_signed(skew);
    let at_cloudfront = judge(url, cookies, key, key_pair_id, theirs);
    if at_cloudfront.decision == verdict.decision {
        return None;
    }
    Some(format!(
        "CloudFront's clock is {skew:+} s from this machine's; at CloudFront's time the URL is {} \
         and at ours {}",
        decision_word(at_cloudfront.decision),
        decision_word(verdict.decision)
    ))
}

fn decision_word(decision: Decision) -> &'static str {
    match decision {
        Decision::Accepted => "valid",
        Decision::Rejected => "refused",
        Decision::Undecided => "undecided",
    }
}

/// The cause when the signature or policy checks failed with the key CloudFront holds.
fn conclude_from_verdict(verdict: &Verdict, diagnosis: &mut Diagnosis) {
    let Some(failed) = verdict.first_failure() else {
        return;
    };
    let (cause, fix) = match failed.name {
        "signature" => (
            Cause::Signature,
            "the URL was changed after signing (a parameter, the path, the query), or it was \
             signed with another private key than the one CloudFront holds as its Key-Pair-Id: \
             sign it again with the team's current key and hand it out unchanged",
        ),
        "time" => (
            Cause::Expired,
            "sign a new URL (the expiry is the signer's choice: cfsign sign --expires-in)",
        ),
        _ => (
            Cause::Policy,
            "sign for this URL (or pass --resource with a pattern that covers it) and check the \
             policy's conditions (cfsign verify explains each)",
        ),
    };
    diagnosis.conclude(cause, failed.detail.clone(), Some(fix.into()));
}

/// The cause when the signature holds, from what the distribution answered.
fn classify_answer(
    aws: &Aws,
    distribution: &DistributionView,
    behavior: &BehaviorView,
    path: &str,
    diagnosis: &mut Diagnosis,
) {
    let Some(answer) = diagnosis.answer.clone() else {
        return;
    };
    if answer.status < 400 {
        diagnosis.conclude(Cause::Accepted, format!("served ({})", answer.status), None);
        return;
    }
    let origin = distribution.origin(&behavior.target_origin_id);
    let bucket = origin.and_then(|o| o.bucket()).map(str::to_owned);
    let key = percent_encoding::percent_decode_str(path.trim_start_matches('/'))
        .decode_utf8_lossy()
        .into_owned();
    if let Some(bucket) = &bucket {
        // S3 answers 403, not 404, for a missing key when the distribution may not list the
        // bucket, so the object itself is looked up.
        if let Ok(None) = cfsign::aws::s3::object(aws, bucket, &key, None) {
            diagnosis.conclude(
                Cause::MissingObject,
                format!(
                    "s3://{bucket}/{key} does not exist ({} from the origin)",
                    answer.status
                ),
                Some("upload the object first, or check the URL's path".into()),
            );
            return;
        }
    }
    if answer.status == 404 {
        diagnosis.conclude(
            Cause::MissingObject,
            format!("the origin has no object for {path}"),
            Some("upload the object first, or check the URL's path".into()),
        );
        return;
    }
    let without_oac = origin.is_some_and(|o| o.origin_access_control_id.is_none());
    if answer.from_origin || without_oac {
        let bucket = bucket.unwrap_or_else(|| "the origin bucket".into());
        let reason = if without_oac {
            "the origin has no origin access control, so CloudFront's requests are unsigned"
        } else {
            "the bucket policy does not grant the distribution this request"
        };
        diagnosis.conclude(
            Cause::OriginDenied,
            format!("CloudFront accepted the signature and {bucket} refused it: {reason}"),
            Some(format!(
                "the bucket policy must allow cloudfront.amazonaws.com s3:GetObject on \
                 arn:aws:s3:::{bucket}/* with AWS:SourceArn {} through an origin access control \
                 (the s3-bucket product with DistributionArn set; provision.rhai wires it)",
                distribution.arn
            )),
        );
        return;
    }
    if let Some(acl) = &distribution.web_acl_id {
        diagnosis.conclude(
            Cause::Waf,
            format!(
                "the signature holds and the origin was not reached: the web ACL {acl} in front \
                 of the distribution blocked the request"
            ),
            Some("look the request up in the web ACL's sampled requests or logs".into()),
        );
        return;
    }
    diagnosis.conclude(
        Cause::Unknown,
        format!(
            "CloudFront answered {} {} though the signature verifies with the key it holds",
            answer.status,
            answer.error_code.clone().unwrap_or_default()
        ),
        Some(
            "a key just added to the key group takes minutes to reach every edge: retry \
             shortly; an IP-restricted policy must name this client's address"
                .into(),
        ),
    );
}

/// Sends the request and reads what the answer says about itself.
fn send(args: &DoctorArgs, cookies: &[(String, String)]) -> Result<Answer> {
    let config = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .max_redirects(0)
        .build();
    let agent = ureq::Agent::new_with_config(config);
    let mut request = ureq::http::Request::builder()
        .method(args.method.as_str())
        .uri(&args.url);
    if !cookies.is_empty() {
        let header: Vec<String> = cookies.iter().map(|(n, v)| format!("{n}={v}")).collect();
        request = request.header("Cookie", header.join("; "));
    }
    let request = request
        .body(())
        .context("the URL cannot be sent as a request")?;
    let mut response = agent.run(request).with_context(|| {
        format!(
            "sending {} {}",
            args.method.as_str(),
            without_signing_parameters(&args.url)
        )
    })?;
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let x_cache = header("x-cache");
    let s3_request_id = header("x-amz-request-id");
    let date = header("date");
    let status = response.status().as_u16();
    let body = if status >= 400 {
        response
            .body_mut()
            .with_config()
            .limit(64 * 1024)
            .read_to_string()
            .unwrap_or_default()
    } else {
        String::new()
    };
    Ok(Answer {
        status,
        x_cache,
        error_code: element(&body, "Code"),
        error_message: element(&body, "Message"),
        from_origin: s3_request_id.is_some() || body.contains("<RequestId>"),
        clock_skew_seconds: date.as_deref().and_then(skew_from),
    })
}

/// CloudFront's clock minus ours, from an HTTP `Date` header.
fn skew_from(date: &str) -> Option<i64> {
    let theirs = jiff::fmt::rfc2822::parse(date)
        .ok()?
        .timestamp()
        .as_second();
    i64::try_from(time::now()).ok().map(|ours| theirs - ours)
}

/// The text of the first `<name>` element of an XML error body.
fn element(body: &str, name: &str) -> Option<String> {
    let start = body.find(&format!("<{name}>"))? + name.len() + 2;
    let end = body[start..].find(&format!("</{name}>"))? + start;
    Some(body[start..end].to_owned())
}

/// The value of a signing parameter, from the query or the cookies.
fn signing_value(url: &url::Url, cookies: &[(String, String)], name: &str) -> Option<String> {
    if cookies.is_empty() {
        url.query_pairs()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.into_owned())
    } else {
        let cookie = format!("CloudFront-{name}");
        cookies
            .iter()
            .find(|(key, _)| *key == cookie)
            .map(|(_, value)| value.clone())
    }
}

fn print(diagnosis: &Diagnosis, json: bool) -> Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(diagnosis)?);
        return Ok(());
    }
    let row = |name: &str, value: &str| println!("{name:<13} {value}");
    row("url", &diagnosis.resource_url);
    if let (Some(id), Some(domain)) = (
        &diagnosis.distribution_id,
        &diagnosis.distribution_domain_name,
    ) {
        row("distribution", &format!("{id} ({domain})"));
    }
    if let Some(behavior) = &diagnosis.behavior {
        let trust = if diagnosis.trusted_key_groups.is_empty() {
            "serves unsigned requests".to_owned()
        } else {
            format!(
                "trusts key groups {}",
                diagnosis.trusted_key_groups.join(", ")
            )
        };
        row("behavior", &format!("{behavior}: {trust}"));
    }
    if let Some(id) = &diagnosis.key_pair_id {
        let group = match &diagnosis.key_group {
            Some(group) => format!("in key group {group}"),
            None => "in no trusted key group".to_owned(),
        };
        row("key pair id", &format!("{id} ({group})"));
    }
    if let Some(verdict) = &diagnosis.verdict {
        for check in &verdict.checks {
            let mark = match check.outcome {
                Outcome::Pass => "ok  ",
                Outcome::Fail => "FAIL",
                Outcome::Unknown => "?   ",
            };
            row(check.name, &format!("{mark} {}", check.detail));
        }
    }
    if let Some(answer) = &diagnosis.answer {
        let code = answer.error_code.as_deref().unwrap_or("");
        let cache = answer.x_cache.as_deref().unwrap_or("no X-Cache");
        row("answer", &format!("{} {code} ({cache})", answer.status));
    }
    row(
        "cause",
        &format!(
            "{} — {}",
            cause_name(diagnosis.cause),
            diagnosis.explanation
        ),
    );
    if let Some(fix) = &diagnosis.fix {
        row("fix", fix);
    }
    Ok(())
}

fn cause_name(cause: Cause) -> String {
    serde_json::to_value(cause)
        .ok()
        .and_then(|v| v.as_str().map(str::to_uppercase))
        .unwrap_or_default()
}
