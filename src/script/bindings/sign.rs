//! `sign::`: signed URLs, signed cookies and the verify explanation, for recipes.

use std::net::Ipv4Addr;

use rhai::plugin::*;
use rhai::{Dynamic, Engine, EvalAltResult, Map};
use serde::Deserialize;

use super::aws_context::{not_allowed, sandbox};
use super::convert;
use super::keys::ScriptKey;
use crate::keys::PublicKey;
use crate::script::host_error::HostError;
use crate::script::HostErrorExt as _;
use crate::script::Sandbox;
use crate::sign::{Conditions, HashAlgorithm, SignError, Signer, VerifyOptions};
use crate::timespec;

fn invalid(operation: &str, message: impl std::fmt::Display) -> HostError {
    HostError::new("sign", operation, "InvalidInput", message.to_string())
}

/// A time in an options map: epoch seconds, or text (RFC 3339, a date, epoch seconds).
#[derive(Deserialize)]
#[serde(untagged)]
enum When {
    Seconds(i64),
    Text(String),
}

impl When {
    fn epoch(&self, operation: &str) -> Result<u64, HostError> {
        match self {
            When::Seconds(seconds) => {
                u64::try_from(*seconds).map_err(|_| invalid(operation, "times must be positive"))
            }
            When::Text(text) => timespec::parse_instant(text).map_err(|e| invalid(operation, e)),
        }
    }

    fn seconds(&self, operation: &str) -> Result<u64, HostError> {
        match self {
            When::Seconds(seconds) => u64::try_from(*seconds)
                .map_err(|_| invalid(operation, "durations must be positive")),
            When::Text(text) => timespec::parse_duration(text)
                .map(|d| d.as_secs())
                .map_err(|e| invalid(operation, e)),
        }
    }
}

/// The options of `sign::url` and `sign::cookies`; anything else, or a value of the wrong type,
/// is an error naming it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SignOptions {
    expires_at: Option<When>,
    expires_in: Option<When>,
    starts_at: Option<When>,
    ip: Option<String>,
    resource: Option<String>,
    hash: Option<String>,
    upload: Option<bool>,
    content_type: Option<String>,
}

impl SignOptions {
    /// Signs `url` as these options say: an upload URL (`upload: true`, optionally binding
    /// `content_type`), or a download URL (optionally under `resource`).
    fn sign_url(
        &self,
        signer: &Signer,
        url: &str,
        conditions: &Conditions,
    ) -> Result<String, String> {
        let upload = self.upload.unwrap_or(false);
        if self.content_type.is_some() && !upload {
            return Err(
                "`content_type` binds an upload URL's content type: add `upload: true`".into(),
            );
        }
        let signed = match self.resource.as_deref() {
            Some(_) if upload => Err(SignError::UploadNeedsCannedPolicy),
            _ if upload => signer.sign_upload_url(url, self.content_type.as_deref(), conditions),
            resource => signer.sign_url(url, resource, conditions),
        };
        signed.map_err(|e| e.to_string())
    }
}

/// The options of `sign::verify`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VerifyRecipeOptions {
    at: Option<When>,
    ip: Option<String>,
    key_pair_id: Option<String>,
}

fn decode<T: serde::de::DeserializeOwned>(operation: &str, options: Map) -> Result<T, HostError> {
    convert::from_value(&Dynamic::from_map(options))
        .map_err(|e| invalid(operation, format!("bad options: {e}")))
}

/// The signer and conditions an options map describes, within the run's sandbox: the
/// lifetime is capped, and a resource pattern must name its host.
fn prepare(
    context: &NativeCallContext,
    operation: &str,
    key: &ScriptKey,
    key_pair_id: &str,
    options: &SignOptions,
) -> Result<(Signer, Conditions), Box<EvalAltResult>> {
    let raise = |e: HostError| e.raise(context);
    let signing = key.signer().map_err(|e| raise(invalid(operation, e)))?;
    let mut signer =
        Signer::with_signer(signing, key_pair_id).map_err(|e| raise(invalid(operation, e)))?;
    if let Some(hash) = &options.hash {
        let hash: HashAlgorithm = hash.parse().map_err(|e| raise(invalid(operation, e)))?;
        signer = signer.with_hash(hash);
    }
    let now = timespec::now();
    let expires = match (&options.expires_at, &options.expires_in) {
        (Some(at), None) => at.epoch(operation).map_err(raise)?,
        (None, Some(within)) => now.saturating_add(within.seconds(operation).map_err(raise)?),
        (None, None) => {
            return Err(raise(invalid(
                operation,
                "an expiration is required: give expires_at or expires_in",
            )))
        }
        (Some(_), Some(_)) => {
            return Err(raise(invalid(
                operation,
                "give expires_at or expires_in, not both",
            )))
        }
    };
    let sandbox = sandbox(context)?;
    sandbox
        .check_lifetime(expires, now)
        .map_err(|e| not_allowed(context, "sign", operation, e))?;
    if let Some(pattern) = &options.resource {
        Sandbox::check_pattern(pattern).map_err(|e| not_allowed(context, "sign", operation, e))?;
    }
    let starts = options
        .starts_at
        .as_ref()
        .map(|when| when.epoch(operation))
        .transpose()
        .map_err(raise)?;
    Ok((
        signer,
        Conditions {
            expires,
            starts,
            source_ip: options.ip.clone(),
        },
    ))
}

/// Signed URLs, cookies and verification.
#[export_module]
pub mod sign_module {
    use super::*;

    /// Signs `url` with `key` for the CloudFront public key `key_pair_id`. A KMS key (one read
    /// from a KMS-backed team's secret, or made by `kms::create_signing_key`) signs with
    /// kms:Sign and SHA-256.
    ///
    /// Options: `expires_in` (seconds or `"15m"`) or `expires_at` (epoch seconds or RFC 3339),
    /// and optionally `starts_at`, `ip` (IPv4 CIDR), `resource` (a wildcard pattern the URL must
    /// match), `hash` (`"sha1"` or `"sha256"`). Any of `starts_at`, `ip` and `resource` makes a
    /// custom policy. `upload: true` signs an upload URL (the URL with `cfsign-upload=1`, under
    /// a canned policy): the only URL cfsign's distribution accepts a PUT or POST with; with
    /// `content_type: "image/png"` it writes only that type.
    /// An unknown option, or one of the wrong type, is an error. Recipes sign for at most a day
    /// (`cfsign run --max-signature-lifetime`), and a `resource` pattern must name its host.
    ///
    /// ```rhai
    /// let url = sign::url(key, "K2JCJMDEHXQW5F", "https://cdn.example.com/a.jpg", #{ expires_in: "15m" });
    /// ```
    #[rhai_fn(return_raw)]
    pub fn url(
        context: NativeCallContext,
        key: ScriptKey,
        key_pair_id: &str,
        url: &str,
        options: Map,
    ) -> Result<String, Box<EvalAltResult>> {
        let options: SignOptions = decode("url", options).map_err(|e| e.raise(&context))?;
        let (signer, conditions) = prepare(&context, "url", &key, key_pair_id, &options)?;
        options
            .sign_url(&signer, url, &conditions)
            .map_err(|e| invalid("url", e).raise(&context))
    }

    /// Signed cookies for `resource` (a URL or a pattern such as `https://cdn.example.com/*`):
    /// a map of cookie names to values. Options as for `sign::url` (without `resource`); the
    /// resource must name its host, as a pattern given to `sign::url` must.
    #[rhai_fn(return_raw)]
    pub fn cookies(
        context: NativeCallContext,
        key: ScriptKey,
        key_pair_id: &str,
        resource: &str,
        options: Map,
    ) -> Result<Map, Box<EvalAltResult>> {
        let options: SignOptions = decode("cookies", options).map_err(|e| e.raise(&context))?;
        if options.upload.is_some() || options.content_type.is_some() {
            return Err(invalid(
                "cookies",
                "cookies cannot upload (the edge admits writes only with upload URLs): sign an upload URL with sign::url(..., #{ upload: true })",
            )
            .raise(&context));
        }
        if options.resource.is_some() {
            return Err(invalid(
                "cookies",
                "`resource` is the function's third argument for cookies, not an option",
            )
            .raise(&context));
        }
        let (signer, conditions) = prepare(&context, "cookies", &key, key_pair_id, &options)?;
        Sandbox::check_pattern(resource)
            .map_err(|e| not_allowed(&context, "sign", "cookies", e))?;
        let cookies = signer
            .signed_cookies(resource, &conditions)
            .map_err(|e| invalid("cookies", e).raise(&context))?;
        Ok(cookies
            .pairs()
            .into_iter()
            .map(|(name, value)| (name.into(), value.to_owned().into()))
            .collect())
    }

    /// Explains whether CloudFront would accept `signed_url` with `public_key_pem` in the key
    /// group: `#{decision, accepted, resource_url, policy_kind, policy, key_pair_id, checks: [...]}`,
    /// `decision` being `"accepted"`, `"rejected"` or `"undecided"` (nothing failed, but the
    /// key's id or the client's address is needed to decide). Options: `at` (a time; default
    /// now), `ip` (the client's IPv4 address), `key_pair_id` (the id CloudFront has for the
    /// public key).
    ///
    /// ```rhai
    /// let verdict = sign::verify(url, key.public_key_pem(), #{ key_pair_id: "K2JCJMDEHXQW5F" });
    /// if verdict.decision != "accepted" { throw `refused: ${verdict.checks}`; }
    /// ```
    #[rhai_fn(return_raw)]
    pub fn verify(
        context: NativeCallContext,
        signed_url: &str,
        public_key_pem: &str,
        options: Map,
    ) -> Result<Dynamic, Box<EvalAltResult>> {
        let raise = |e: HostError| e.raise(&context);
        let options: VerifyRecipeOptions = decode("verify", options).map_err(raise)?;
        let public =
            PublicKey::from_pem(public_key_pem).map_err(|e| raise(invalid("verify", e)))?;
        let at = match &options.at {
            Some(when) => when.epoch("verify").map_err(raise)?,
            None => timespec::now(),
        };
        let client_ip = options
            .ip
            .as_deref()
            .map(str::parse::<Ipv4Addr>)
            .transpose()
            .map_err(|e| {
                raise(invalid(
                    "verify",
                    format!("`ip` is not an IPv4 address: {e}"),
                ))
            })?;
        let verdict = crate::sign::verify_url(
            signed_url,
            &public,
            &VerifyOptions {
                at,
                client_ip,
                key_pair_id: options.key_pair_id,
            },
        );
        rhai::serde::to_dynamic(&verdict)
    }
}

pub(super) fn register(engine: &mut Engine) {
    let module = exported_module!(sign_module);
    engine.register_static_module("sign", module.into());
}
