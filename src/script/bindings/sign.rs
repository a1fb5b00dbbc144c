//! `sign::`: signed URLs, signed cookies and the verify explanation, for recipes.

use std::net::Ipv4Addr;
use std::sync::Arc;

use rhai::plugin::*;
use rhai::{Dynamic, Engine, EvalAltResult, Map};

use super::keys::ScriptKey;
use crate::keys::PublicKey;
use crate::script::host_error::HostError;
use crate::sign::{Conditions, HashAlgorithm, Signer, VerifyOptions};
use crate::timespec;

fn invalid(operation: &str, message: impl std::fmt::Display) -> HostError {
    HostError::new("sign", operation, "InvalidInput", message.to_string())
}

/// Reads an option that is a time: epoch seconds (integer) or text (RFC 3339, date, epoch).
fn instant(operation: &str, value: &Dynamic) -> Result<u64, HostError> {
    if let Ok(seconds) = value.as_int() {
        return u64::try_from(seconds).map_err(|_| invalid(operation, "times must be positive"));
    }
    let text = value.clone().into_string().map_err(|_| {
        invalid(
            operation,
            "a time must be epoch seconds or a string like 2026-12-01T12:00:00Z",
        )
    })?;
    timespec::parse_instant(&text).map_err(|e| invalid(operation, e))
}

/// Reads an option that is a duration: seconds (integer) or text such as `"15m"`.
fn duration_secs(operation: &str, value: &Dynamic) -> Result<u64, HostError> {
    if let Ok(seconds) = value.as_int() {
        return u64::try_from(seconds)
            .map_err(|_| invalid(operation, "durations must be positive"));
    }
    let text = value.clone().into_string().map_err(|_| {
        invalid(
            operation,
            "a duration must be seconds or a string like \"15m\"",
        )
    })?;
    timespec::parse_duration(&text)
        .map(|d| d.as_secs())
        .map_err(|e| invalid(operation, e))
}

fn text_option(options: &Map, name: &str) -> Option<String> {
    options.get(name).and_then(|v| v.clone().into_string().ok())
}

/// The signer and conditions an options map describes.
fn prepare(
    operation: &str,
    key: &ScriptKey,
    key_pair_id: &str,
    options: &Map,
) -> Result<(Signer, Conditions), HostError> {
    let known = [
        "expires_at",
        "expires_in",
        "starts_at",
        "ip",
        "resource",
        "hash",
    ];
    if let Some(unknown) = options.keys().find(|k| !known.contains(&k.as_str())) {
        return Err(invalid(
            operation,
            format!(
                "unknown option `{unknown}`; the options are {}",
                known.join(", ")
            ),
        ));
    }
    let mut signer =
        Signer::new(Arc::clone(&key.0), key_pair_id).map_err(|e| invalid(operation, e))?;
    if let Some(hash) = text_option(options, "hash") {
        let hash: HashAlgorithm = hash.parse().map_err(|e| invalid(operation, e))?;
        signer = signer.with_hash(hash);
    }
    let expires = match (options.get("expires_at"), options.get("expires_in")) {
        (Some(at), None) => instant(operation, at)?,
        (None, Some(within)) => timespec::now().saturating_add(duration_secs(operation, within)?),
        (None, None) => {
            return Err(invalid(
                operation,
                "an expiration is required: give expires_at or expires_in",
            ))
        }
        (Some(_), Some(_)) => {
            return Err(invalid(
                operation,
                "give expires_at or expires_in, not both",
            ))
        }
    };
    let starts = options
        .get("starts_at")
        .map(|v| instant(operation, v))
        .transpose()?;
    Ok((
        signer,
        Conditions {
            expires,
            starts,
            source_ip: text_option(options, "ip"),
        },
    ))
}

/// Signed URLs, cookies and verification.
#[export_module]
pub mod sign_module {
    use super::*;

    /// Signs `url` with `key` for the CloudFront public key `key_pair_id`.
    ///
    /// Options: `expires_in` (seconds or `"15m"`) or `expires_at` (epoch seconds or RFC 3339),
    /// and optionally `starts_at`, `ip` (IPv4 CIDR), `resource` (a wildcard pattern the URL must
    /// match), `hash` (`"sha1"` or `"sha256"`). Any of the optional ones makes a custom policy.
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
        let (signer, conditions) =
            prepare("url", &key, key_pair_id, &options).map_err(|e| e.raise(&context))?;
        let resource = text_option(&options, "resource");
        signer
            .sign_url(url, resource.as_deref(), &conditions)
            .map_err(|e| invalid("url", e).raise(&context))
    }

    /// Signed cookies for `resource` (a URL or a pattern such as `https://cdn.example.com/*`):
    /// a map of cookie names to values. Options as for `sign::url` (without `resource`).
    #[rhai_fn(return_raw)]
    pub fn cookies(
        context: NativeCallContext,
        key: ScriptKey,
        key_pair_id: &str,
        resource: &str,
        options: Map,
    ) -> Result<Map, Box<EvalAltResult>> {
        let (signer, conditions) =
            prepare("cookies", &key, key_pair_id, &options).map_err(|e| e.raise(&context))?;
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
    /// group: `#{accepted, resource_url, policy_kind, policy, key_pair_id, checks: [...]}`.
    /// Options: `at` (a time; default now), `ip` (the client's IPv4 address).
    #[rhai_fn(return_raw)]
    pub fn verify(
        context: NativeCallContext,
        signed_url: &str,
        public_key_pem: &str,
        options: Map,
    ) -> Result<Dynamic, Box<EvalAltResult>> {
        let raise = |e: HostError| e.raise(&context);
        let public =
            PublicKey::from_pem(public_key_pem).map_err(|e| raise(invalid("verify", e)))?;
        let at = match options.get("at") {
            Some(value) => instant("verify", value).map_err(raise)?,
            None => timespec::now(),
        };
        let client_ip = text_option(&options, "ip")
            .map(|ip| ip.parse::<Ipv4Addr>())
            .transpose()
            .map_err(|e| {
                raise(invalid(
                    "verify",
                    format!("`ip` is not an IPv4 address: {e}"),
                ))
            })?;
        let verdict =
            crate::sign::verify_url(signed_url, &public, &VerifyOptions { at, client_ip });
        rhai::serde::to_dynamic(&verdict)
    }
}

pub(super) fn register(engine: &mut Engine) {
    let module = exported_module!(sign_module);
    engine.register_static_module("sign", module.into());
}
