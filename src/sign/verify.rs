//! Explaining what CloudFront would decide about a signed URL, and why.
//!
//! This answers "why is my URL a 403?": every check CloudFront makes is reported with its
//! outcome and a sentence a person can act on.

use std::net::Ipv4Addr;
use std::time::Duration;

use serde::Serialize;

use super::encoding;
use super::policy::Policy;
use super::resource::{ResourcePattern, SIGNING_PARAMETERS};
use super::signer::HashAlgorithm;
use crate::keys::PublicKey;

/// The moment, the client and the key a URL is judged for.
#[derive(Debug, Clone, Default)]
pub struct VerifyOptions {
    /// The request time, epoch seconds.
    pub at: u64,
    /// The client address, when known; an IP-restricted policy is otherwise undecided.
    pub client_ip: Option<Ipv4Addr>,
    /// The id CloudFront has for the public key given (its public key id, e.g.
    /// `K2JCJMDEHXQW5F`). CloudFront checks the signature with the key the URL's `Key-Pair-Id`
    /// names, so without this the verdict cannot tell whether the given key is that one.
    pub key_pair_id: Option<String>,
}

/// The result of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// CloudFront would accept this part.
    Pass,
    /// CloudFront would refuse the request because of this part.
    Fail,
    /// Cannot be decided from what was given (e.g. an IP range without `--ip`).
    Unknown,
}

/// One check CloudFront makes, with an explanation.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// Short name: `parameters`, `policy`, `key-pair-id`, `signature`, `resource`, `time`, `ip`.
    pub name: &'static str,
    /// What CloudFront would decide.
    pub outcome: Outcome,
    /// Why, in a sentence.
    pub detail: String,
}

/// What CloudFront would do with the URL, as far as the given facts tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    /// Every check passed: CloudFront would serve the URL.
    Accepted,
    /// A check failed: CloudFront would answer 403.
    Rejected,
    /// Nothing failed, but a check could not be decided from what was given (the client's
    /// address for an IP-restricted policy, or the key's id): no promise either way.
    Undecided,
}

/// The full explanation for one signed URL.
#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    /// The decision: accepted only when every check passed.
    pub decision: Decision,
    /// True only when [`Verdict::decision`] is [`Decision::Accepted`].
    pub accepted: bool,
    /// The URL without its signing parameters: what the policy's resource must cover.
    pub resource_url: String,
    /// `canned` or `custom`, once the parameters were readable.
    pub policy_kind: Option<&'static str>,
    /// The policy document that was signed.
    pub policy: Option<String>,
    /// The key pair id the URL names.
    pub key_pair_id: Option<String>,
    /// Every check, in the order CloudFront makes them.
    pub checks: Vec<Check>,
}

impl Verdict {
    /// The first failed check, if any: the reason for a 403.
    pub fn first_failure(&self) -> Option<&Check> {
        self.checks.iter().find(|c| c.outcome == Outcome::Fail)
    }

    /// The first check that could not be decided, if any.
    pub fn first_unknown(&self) -> Option<&Check> {
        self.checks.iter().find(|c| c.outcome == Outcome::Unknown)
    }

    fn decide(&mut self) {
        self.decision = if self.first_failure().is_some() {
            Decision::Rejected
        } else if self.first_unknown().is_some() {
            Decision::Undecided
        } else {
            Decision::Accepted
        };
        self.accepted = self.decision == Decision::Accepted;
    }
}

/// The signing parameters found in a URL's query string.
#[derive(Default)]
struct Parameters<'a> {
    expires: Option<&'a str>,
    policy: Option<&'a str>,
    signature: Option<&'a str>,
    key_pair_id: Option<&'a str>,
    hash_algorithm: Option<&'a str>,
}

impl<'a> Parameters<'a> {
    fn slot(&mut self, name: &str) -> &mut Option<&'a str> {
        match name {
            "Expires" => &mut self.expires,
            "Policy" => &mut self.policy,
            "Signature" => &mut self.signature,
            "Key-Pair-Id" => &mut self.key_pair_id,
            _ => &mut self.hash_algorithm,
        }
    }
}

/// The URL without its signing parameters: what a policy's resource must cover, and how a
/// signed URL (a bearer credential) is shown in messages and reports.
pub fn without_signing_parameters(signed_url: &str) -> String {
    split_signed_url(signed_url).0
}

/// Splits a signed URL into the resource URL and its signing parameters; duplicates are errors.
fn split_signed_url(url: &str) -> (String, Result<Parameters<'_>, String>) {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let mut kept = Vec::new();
    let mut params = Parameters::default();
    let mut duplicated = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        if SIGNING_PARAMETERS.contains(&name) {
            let slot = params.slot(name);
            if slot.replace(value).is_some() && !duplicated.contains(&name) {
                duplicated.push(name);
            }
        } else {
            kept.push(pair);
        }
    }
    let resource_url = if kept.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    let params = if duplicated.is_empty() {
        Ok(params)
    } else {
        Err(format!(
            "duplicated signing parameter(s): {}; CloudFront refuses such URLs",
            duplicated.join(", ")
        ))
    };
    (resource_url, params)
}

fn check(name: &'static str, outcome: Outcome, detail: impl Into<String>) -> Check {
    Check {
        name,
        outcome,
        detail: detail.into(),
    }
}

/// Explains whether CloudFront would accept `signed_url` with `key` in the key group.
pub fn verify_url(signed_url: &str, key: &PublicKey, options: &VerifyOptions) -> Verdict {
    let (resource_url, params) = split_signed_url(signed_url);
    judge(resource_url, params, Carrier::Query, key, options)
}

/// Explains whether CloudFront would accept a request for `url` that carries `cookies`
/// (name and value pairs, as a browser sends them: `CloudFront-Policy`, `CloudFront-Signature`,
/// ...; other cookies are ignored) with `key` in the key group. The URL is the one requested,
/// without signing parameters of its own.
pub fn verify_cookies(
    url: &str,
    cookies: &[(&str, &str)],
    key: &PublicKey,
    options: &VerifyOptions,
) -> Verdict {
    let (resource_url, query_params) = split_signed_url(url);
    let params = match query_params {
        Ok(query) if query.signature.is_some() || query.key_pair_id.is_some() => Err(
            "the URL carries its own signature (a signed URL): CloudFront reads that, not the \
             cookies; verify it without --cookies"
                .to_owned(),
        ),
        _ => cookie_parameters(cookies),
    };
    judge(resource_url, params, Carrier::Cookies, key, options)
}

/// Where the signing parameters came from, for the explanation.
#[derive(Clone, Copy)]
enum Carrier {
    Query,
    Cookies,
}

/// The signing parameters in `CloudFront-*` cookies; a duplicated one is an error.
fn cookie_parameters<'a>(cookies: &[(&'a str, &'a str)]) -> Result<Parameters<'a>, String> {
    let mut params = Parameters::default();
    let mut duplicated = Vec::new();
    for (name, value) in cookies {
        let Some(parameter) = name.strip_prefix("CloudFront-") else {
            continue;
        };
        if let Some(parameter) = SIGNING_PARAMETERS.iter().find(|p| **p == parameter) {
            if params.slot(parameter).replace(value).is_some() && !duplicated.contains(name) {
                duplicated.push(*name);
            }
        }
    }
    if duplicated.is_empty() {
        Ok(params)
    } else {
        Err(format!(
            "duplicated cookie(s): {}; send each CloudFront cookie once",
            duplicated.join(", ")
        ))
    }
}

fn judge(
    resource_url: String,
    params: Result<Parameters<'_>, String>,
    carrier: Carrier,
    key: &PublicKey,
    options: &VerifyOptions,
) -> Verdict {
    let mut verdict = Verdict {
        decision: Decision::Rejected,
        accepted: false,
        resource_url,
        policy_kind: None,
        policy: None,
        key_pair_id: None,
        checks: Vec::new(),
    };
    let params = match params.and_then(|p| complete(&p, carrier).map(|()| p)) {
        Ok(params) => params,
        Err(problem) => {
            verdict
                .checks
                .push(check("parameters", Outcome::Fail, problem));
            return verdict;
        }
    };
    verdict.key_pair_id = params.key_pair_id.map(str::to_owned);
    verdict.checks.push(check(
        "parameters",
        Outcome::Pass,
        match carrier {
            Carrier::Query => "Signature, Key-Pair-Id and Expires or Policy present once each",
            Carrier::Cookies => {
                "CloudFront-Signature, -Key-Pair-Id and -Expires or -Policy cookies present once each"
            }
        },
    ));

    let (policy, policy_json) = match read_policy(&params, &verdict.resource_url) {
        Ok(found) => found,
        Err(problem) => {
            verdict.checks.push(check("policy", Outcome::Fail, problem));
            return verdict;
        }
    };
    let canned = params.expires.is_some();
    verdict.policy_kind = Some(if canned { "canned" } else { "custom" });
    verdict.policy = Some(String::from_utf8_lossy(&policy_json).into_owned());
    verdict.checks.push(check(
        "policy",
        Outcome::Pass,
        if canned {
            "canned policy rebuilt from Expires and the URL".to_owned()
        } else {
            "custom policy decoded from the Policy parameter".to_owned()
        },
    ));

    verdict
        .checks
        .push(key_pair_id_check(&params, options.key_pair_id.as_deref()));
    verdict
        .checks
        .push(signature_check(&params, &policy_json, key));
    verdict
        .checks
        .push(resource_check(&policy, &verdict.resource_url, canned));
    verdict.checks.push(time_check(&policy, options.at));
    verdict.checks.push(ip_check(&policy, options.client_ip));
    verdict.decide();
    verdict
}

fn complete(params: &Parameters<'_>, carrier: Carrier) -> Result<(), String> {
    let mut missing = Vec::new();
    if params.signature.is_none() {
        missing.push("Signature");
    }
    if params.key_pair_id.is_none() {
        missing.push("Key-Pair-Id");
    }
    if params.expires.is_none() && params.policy.is_none() {
        missing.push("Expires or Policy");
    }
    if !missing.is_empty() {
        return Err(match carrier {
            Carrier::Query => format!("missing signing parameter(s): {}", missing.join(", ")),
            Carrier::Cookies => format!(
                "missing cookie(s): {}",
                missing
                    .iter()
                    .map(|name| format!("CloudFront-{}", name.replace(" or ", " or CloudFront-")))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        });
    }
    if params.expires.is_some() && params.policy.is_some() {
        return Err("both Expires and Policy are present; a URL carries one or the other".into());
    }
    Ok(())
}

fn read_policy(params: &Parameters<'_>, resource_url: &str) -> Result<(Policy, Vec<u8>), String> {
    if let Some(expires) = params.expires {
        let expires = expires
            .parse::<u64>()
            .map_err(|_| format!("Expires=`{expires}` is not a whole number of epoch seconds"))?;
        let policy = Policy {
            resource: resource_url.to_owned(),
            expires,
            starts: None,
            source_ip: None,
        };
        let json = policy.to_json().into_bytes();
        return Ok((policy, json));
    }
    let encoded = params.policy.unwrap_or_default();
    let json = encoding::decode(encoded).ok_or(
        "the Policy parameter is not CloudFront base64 (was the URL truncated or re-encoded?)",
    )?;
    let policy = Policy::from_json(&json).map_err(|err| err.to_string())?;
    Ok((policy, json))
}

fn key_pair_id_check(params: &Parameters<'_>, given: Option<&str>) -> Check {
    let named = params.key_pair_id.unwrap_or_default();
    match given {
        None => check(
            "key-pair-id",
            Outcome::Unknown,
            format!(
                "the URL names key pair id {named}: CloudFront checks the signature with the \
                 public key it has under that id, so the given key must be {named} in a trusted \
                 key group (give the key's id to check it: --key-pair-id, or key_pair_id in a recipe)"
            ),
        ),
        Some(id) if id == named => check(
            "key-pair-id",
            Outcome::Pass,
            format!("the URL names {named}, the id of the given key"),
        ),
        Some(id) => check(
            "key-pair-id",
            Outcome::Fail,
            format!(
                "the URL names key pair id {named}, but the given key is {id}: CloudFront checks \
                 the signature with {named}'s public key (sign with --key-pair-id {id}, or verify \
                 with {named}'s public key)"
            ),
        ),
    }
}

fn signature_check(params: &Parameters<'_>, policy_json: &[u8], key: &PublicKey) -> Check {
    let Some(hash) = HashAlgorithm::from_parameter(params.hash_algorithm) else {
        return check(
            "signature",
            Outcome::Fail,
            format!(
                "Hash-Algorithm=`{}` is not SHA1 or SHA256",
                params.hash_algorithm.unwrap_or_default()
            ),
        );
    };
    let Some(signature) = encoding::decode(params.signature.unwrap_or_default()) else {
        return check(
            "signature",
            Outcome::Fail,
            "the Signature parameter is not CloudFront base64 (was the URL truncated or re-encoded?)",
        );
    };
    if key.verify(hash.digest(), policy_json, &signature) {
        check(
            "signature",
            Outcome::Pass,
            format!(
                "valid {} {hash} signature for the given public key",
                key.algorithm()
            ),
        )
    } else {
        check(
            "signature",
            Outcome::Fail,
            format!(
                "not a valid {} {hash} signature for this public key: signed with another key, \
                 or the URL or policy changed after signing",
                key.algorithm()
            ),
        )
    }
}

fn resource_check(policy: &Policy, resource_url: &str, canned: bool) -> Check {
    if canned {
        return check(
            "resource",
            Outcome::Pass,
            "canned policy: the signature covers exactly this URL",
        );
    }
    let matches = ResourcePattern::new(&policy.resource)
        .map(|pattern| pattern.matches(resource_url))
        .unwrap_or(false);
    if matches {
        check(
            "resource",
            Outcome::Pass,
            format!("`{}` covers `{resource_url}`", policy.resource),
        )
    } else {
        check(
            "resource",
            Outcome::Fail,
            format!(
                "the policy grants `{}`, which does not cover `{resource_url}`",
                policy.resource
            ),
        )
    }
}

fn time_check(policy: &Policy, at: u64) -> Check {
    if let Some(starts) = policy.starts {
        if at <= starts {
            return check(
                "time",
                Outcome::Fail,
                format!(
                    "not valid yet: valid from {} (in {})",
                    rfc3339(starts),
                    human(starts - at)
                ),
            );
        }
    }
    if at >= policy.expires {
        check(
            "time",
            Outcome::Fail,
            format!(
                "expired {} ago, at {}",
                human(at - policy.expires),
                rfc3339(policy.expires)
            ),
        )
    } else {
        check(
            "time",
            Outcome::Pass,
            format!(
                "valid until {} (another {})",
                rfc3339(policy.expires),
                human(policy.expires - at)
            ),
        )
    }
}

fn ip_check(policy: &Policy, client_ip: Option<Ipv4Addr>) -> Check {
    let Some(range) = &policy.source_ip else {
        return check("ip", Outcome::Pass, "no IP restriction");
    };
    let Ok(net) = range.parse::<ipnet::Ipv4Net>() else {
        return check(
            "ip",
            Outcome::Fail,
            format!("the policy's IP range `{range}` is not an IPv4 CIDR range"),
        );
    };
    match client_ip {
        None => check(
            "ip",
            Outcome::Unknown,
            format!("restricted to {range}; pass the client's address (--ip) to check it"),
        ),
        Some(ip) if net.contains(&ip) => check("ip", Outcome::Pass, format!("{ip} is in {range}")),
        Some(ip) => check("ip", Outcome::Fail, format!("{ip} is outside {range}")),
    }
}

/// An instant as RFC 3339; one past year 9999 (which RFC 3339 cannot write) as epoch seconds.
fn rfc3339(epoch: u64) -> String {
    i64::try_from(epoch)
        .ok()
        .and_then(|seconds| jiff::Timestamp::from_second(seconds).ok())
        .map_or_else(
            || format!("epoch {epoch} (after the year 9999)"),
            |timestamp| timestamp.to_string(),
        )
}

/// A duration rounded to what a person needs: minutes past an hour, hours past a day.
fn human(seconds: u64) -> String {
    let rounded = match seconds {
        s if s >= 86_400 => s - s % 3_600,
        s if s >= 3_600 => s - s % 60,
        s => s,
    };
    humantime::format_duration(Duration::from_secs(rounded)).to_string()
}

/// Cookie names and values from `Set-Cookie:` lines (the first pair of each; the rest are
/// attributes), `Cookie:` headers (every pair), or a JSON object of names to values: what
/// `cfsign cookies` prints, or what a browser sent, for [`verify_cookies`].
pub fn cookies_from_text(text: &str) -> Vec<(String, String)> {
    if let Ok(serde_json::Value::Object(map)) = serde_json::from_str(text.trim()) {
        return map
            .into_iter()
            .filter_map(|(name, value)| value.as_str().map(|v| (name, v.to_owned())))
            .collect();
    }
    let pair = |text: &str| {
        let (name, value) = text.trim().split_once('=')?;
        Some((name.trim().to_owned(), value.trim().to_owned()))
    };
    let mut cookies = Vec::new();
    for line in text.lines() {
        let (header, rest) = line.split_once(':').unwrap_or(("", line));
        match header.trim().to_ascii_lowercase().as_str() {
            "set-cookie" => cookies.extend(rest.split(';').next().and_then(pair)),
            "cookie" => cookies.extend(rest.split(';').filter_map(pair)),
            _ => {}
        }
    }
    cookies
}

#[cfg(test)]
mod tests {
    #[test]
    fn cookies_are_read_from_set_cookie_lines_a_cookie_header_or_json() {
        let set = "Set-Cookie: CloudFront-Policy=abc_; Domain=d.net; Path=/; Secure\n\
                   set-cookie: CloudFront-Signature=x~y; Path=/\n";
        assert_eq!(
            cookies_from_text(set),
            [
                ("CloudFront-Policy".to_owned(), "abc_".to_owned()),
                ("CloudFront-Signature".to_owned(), "x~y".to_owned())
            ]
        );
        let header = "Cookie: session=1; CloudFront-Key-Pair-Id=K1";
        assert_eq!(cookies_from_text(header).len(), 2);
        let json = r#"{"CloudFront-Expires": "10", "CloudFront-Signature": "s"}"#;
        assert_eq!(cookies_from_text(json).len(), 2);
        assert!(cookies_from_text("nothing here").is_empty());
    }

    use std::sync::Arc;

    use super::*;
    use crate::keys::{self, KeyType};
    use crate::sign::{Conditions, Signer};

    const ID: &str = "K2JCJMDEHXQW5F";

    fn signed(conditions: &Conditions, resource: Option<&str>) -> (String, PublicKey) {
        let key = Arc::new(keys::generate(KeyType::EcdsaP256).unwrap());
        let public = key.public_key().unwrap();
        let url = Signer::new(key, ID)
            .unwrap()
            .sign_url("https://h/a.jpg", resource, conditions)
            .unwrap();
        (url, public)
    }

    fn options(key_pair_id: Option<&str>, client_ip: Option<&str>) -> VerifyOptions {
        VerifyOptions {
            at: 1_000,
            client_ip: client_ip.map(|ip| ip.parse().unwrap()),
            key_pair_id: key_pair_id.map(str::to_owned),
        }
    }

    fn outcome(verdict: &Verdict, name: &str) -> Outcome {
        verdict
            .checks
            .iter()
            .find(|c| c.name == name)
            .unwrap()
            .outcome
    }

    #[test]
    fn the_key_pair_id_is_checked_against_the_given_key() {
        let (url, public) = signed(&Conditions::expiring_at(2_000), None);
        let right = verify_url(&url, &public, &options(Some(ID), None));
        assert_eq!(right.decision, Decision::Accepted, "{right:#?}");
        assert!(right.accepted);

        let wrong = verify_url(&url, &public, &options(Some("K3OTHERKEY"), None));
        assert_eq!(wrong.decision, Decision::Rejected);
        assert_eq!(outcome(&wrong, "key-pair-id"), Outcome::Fail);
        assert!(wrong.first_failure().unwrap().detail.contains("K3OTHERKEY"));

        let unknown = verify_url(&url, &public, &options(None, None));
        assert_eq!(unknown.decision, Decision::Undecided);
        assert!(!unknown.accepted);
        let detail = &unknown.first_unknown().unwrap().detail;
        assert!(detail.contains(&format!("must be {ID}")), "{detail}");
    }

    #[test]
    fn an_ip_restricted_url_without_the_client_address_is_undecided() {
        let conditions = Conditions {
            expires: 2_000,
            starts: None,
            source_ip: Some("203.0.113.0/24".into()),
        };
        let (url, public) = signed(&conditions, Some("https://h/*"));
        let undecided = verify_url(&url, &public, &options(Some(ID), None));
        assert_eq!(undecided.decision, Decision::Undecided);
        assert_eq!(outcome(&undecided, "ip"), Outcome::Unknown);
        let inside = verify_url(&url, &public, &options(Some(ID), Some("203.0.113.9")));
        assert_eq!(inside.decision, Decision::Accepted);
        let outside = verify_url(&url, &public, &options(Some(ID), Some("198.51.100.1")));
        assert_eq!(outside.decision, Decision::Rejected);
    }

    #[test]
    fn signed_cookies_are_judged_for_the_url_they_are_sent_with() {
        let key = Arc::new(keys::generate(KeyType::EcdsaP256).unwrap());
        let public = key.public_key().unwrap();
        let signer = Signer::new(key, ID).unwrap();
        let gallery = signer
            .signed_cookies("https://h/gallery/*", &Conditions::expiring_at(2_000))
            .unwrap();
        let pairs = gallery.pairs();
        let options = options(Some(ID), None);
        let inside = verify_cookies("https://h/gallery/a.jpg", &pairs, &public, &options);
        assert_eq!(inside.decision, Decision::Accepted, "{inside:#?}");
        assert_eq!(inside.policy_kind, Some("custom"));
        let outside = verify_cookies("https://h/private/a.jpg", &pairs, &public, &options);
        assert_eq!(outside.first_failure().unwrap().name, "resource");

        let canned = signer
            .signed_cookies("https://h/a.jpg", &Conditions::expiring_at(2_000))
            .unwrap();
        let canned_pairs = canned.pairs();
        let exact = verify_cookies("https://h/a.jpg", &canned_pairs, &public, &options);
        assert_eq!(exact.decision, Decision::Accepted, "{exact:#?}");
        let other = verify_cookies("https://h/b.jpg", &canned_pairs, &public, &options);
        assert_eq!(other.first_failure().unwrap().name, "signature");

        let partial: Vec<_> = pairs
            .iter()
            .copied()
            .filter(|(n, _)| *n != "CloudFront-Signature")
            .collect();
        let missing = verify_cookies("https://h/gallery/a.jpg", &partial, &public, &options);
        assert!(
            missing.checks[0].detail.contains("CloudFront-Signature"),
            "{missing:#?}"
        );
        let mut twice = pairs.clone();
        twice.push(pairs[0]);
        let duplicated = verify_cookies("https://h/gallery/a.jpg", &twice, &public, &options);
        assert!(duplicated.checks[0].detail.contains("duplicated cookie"));
        let signed_url = format!("https://h/gallery/a.jpg?Expires=1&Signature=AA&Key-Pair-Id={ID}");
        let both = verify_cookies(&signed_url, &pairs, &public, &options);
        assert!(both.checks[0].detail.contains("without --cookies"));
    }

    #[test]
    fn dates_past_the_year_9999_are_reported_not_panicked_on() {
        for expires in [253_402_300_800u64, i64::MAX as u64, u64::MAX] {
            let url = format!("https://h/a.jpg?Expires={expires}&Signature=AAAA&Key-Pair-Id={ID}");
            let public = keys::generate(KeyType::EcdsaP256)
                .unwrap()
                .public_key()
                .unwrap();
            let verdict = verify_url(&url, &public, &options(Some(ID), None));
            let time = verdict.checks.iter().find(|c| c.name == "time").unwrap();
            assert!(
                time.detail.contains("after the year 9999"),
                "{}",
                time.detail
            );
            assert_eq!(verdict.decision, Decision::Rejected);
        }
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
    }
}
