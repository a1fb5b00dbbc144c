//! The capability model: what a recipe may reach beyond its own computation.
//!
//! A recipe runs with the caller's AWS credentials (in CI, the platform's automation role), so a
//! recipe and every module it imports is code holding those credentials. The sandbox keeps what
//! such code can do small enough to review:
//!
//! - **Files** (`files::`, templates read for upload): only inside the repository root, found by
//!   canonical path, so neither `..` nor a symlink can leave it.
//! - **Imports**: by module name only (`import "rotation"`), found in the recipe's folder, then
//!   in the stdlib.
//! - **HTTP** (`http::`): to CloudFront viewer hosts only: `*.cloudfront.net`, the alternate
//!   domain names of the account's distributions, and hosts the caller allowed (`--allow-host`);
//!   plain `http://` only to a loopback AWS endpoint (the emulator's edge). Every address a host
//!   resolves to must be public (never link-local, such as the instance metadata service,
//!   loopback, or private ranges), unless the AWS endpoint itself is loopback, which then admits
//!   loopback. No redirect is followed; in a dry run nothing is sent.
//! - **Signing** (`sign::`): signatures live at most [`SandboxOptions::max_signature_lifetime`]
//!   seconds, and a resource pattern names its host (no bare `*`).
//! - **Keys** (`secretsmanager::put_signing_key`): only into `cfsign/...` secrets of the caller's
//!   own account.
//!
//! The run's operation budget, thread cap and deadline are in [`super::budget`].

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::{Component, Path, PathBuf};

/// The prefix of every secret cfsign writes keys to (`cfsign/<team>/...`).
pub const SECRET_PREFIX: &str = "cfsign/";

/// How a run's sandbox is set up.
#[derive(Debug, Clone)]
pub struct SandboxOptions {
    /// The repository root: files recipes read must be inside it; relative paths start here.
    pub root: PathBuf,
    /// Extra hosts `http::` may reach (`files.example.com`, or `*.example.com` for subdomains).
    pub allowed_hosts: Vec<String>,
    /// The AWS endpoint override (`--endpoint-url`), if any: a loopback one (the emulator) admits
    /// its own address for `http::`, the emulator's edge.
    pub endpoint_url: Option<String>,
    /// The longest lifetime a recipe may give a signed URL or cookie, in seconds.
    pub max_signature_lifetime: u64,
}

impl SandboxOptions {
    /// The default longest signature lifetime for recipes: one day.
    pub const DEFAULT_MAX_SIGNATURE_LIFETIME: u64 = 86_400;

    /// Options for a repository at `root` with no extra hosts and no endpoint override.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        SandboxOptions {
            root: root.into(),
            allowed_hosts: Vec::new(),
            endpoint_url: None,
            max_signature_lifetime: Self::DEFAULT_MAX_SIGNATURE_LIFETIME,
        }
    }
}

/// A refusal by the sandbox.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SandboxError {
    /// The repository root does not exist.
    #[error("the repository root {0} cannot be used: {1}")]
    Root(String, String),
    /// A file outside the repository root.
    #[error(
        "`{path}` is outside the repository ({root}); recipes read only the repository's own files"
    )]
    OutsideRoot {
        /// The path as given.
        path: String,
        /// The root.
        root: String,
    },
    /// A file that cannot be found.
    #[error("cannot read `{path}`: {reason}")]
    Unreadable {
        /// The path as given.
        path: String,
        /// Why.
        reason: String,
    },
    /// An import that is a path rather than a module name.
    #[error("`import \"{0}\"`: modules are imported by name (letters, digits and `_`, e.g. `import \"rotation\"`), found in the recipe's folder or the stdlib, never by path")]
    ModuleName(String),
    /// A URL `http::` may not reach.
    #[error("http:: may not reach `{url}`: {reason}")]
    Url {
        /// The URL without its query (a signed URL's signature is a credential).
        url: String,
        /// Why.
        reason: String,
    },
    /// A signature that would live longer than allowed.
    #[error("a signature valid for {requested}s is longer than recipes may sign for ({allowed}s); sign for less (`cfsign run --max-signature-lifetime` raises the cap)")]
    Lifetime {
        /// Seconds asked for.
        requested: u64,
        /// Seconds allowed.
        allowed: u64,
    },
    /// A resource pattern that does not name its host.
    #[error("resource pattern `{0}` must name its host (e.g. https://files.example.com/gallery/*): a wildcard in the scheme or host would grant every distribution trusting the key")]
    Pattern(String),
    /// A key written somewhere other than a cfsign secret of the caller's account.
    #[error("signing keys are written only to `cfsign/...` secrets of this account ({account}), not `{secret}`")]
    Secret {
        /// The secret id given.
        secret: String,
        /// The caller's account.
        account: String,
    },
}

/// The capabilities of one run (see the module docs).
#[derive(Debug, Clone)]
pub struct Sandbox {
    root: PathBuf,
    allowed_hosts: Vec<String>,
    loopback_endpoint: Option<String>,
    max_signature_lifetime: u64,
}

impl Sandbox {
    /// The sandbox `options` describe; the root must exist.
    pub fn new(options: SandboxOptions) -> Result<Self, SandboxError> {
        let root = options
            .root
            .canonicalize()
            .map_err(|e| SandboxError::Root(options.root.display().to_string(), e.to_string()))?;
        let loopback_endpoint = options
            .endpoint_url
            .as_deref()
            .and_then(|endpoint| url::Url::parse(endpoint).ok())
            .filter(|endpoint| endpoint.host().is_some_and(is_loopback_host))
            .and_then(|endpoint| authority(&endpoint));
        Ok(Sandbox {
            root,
            allowed_hosts: options
                .allowed_hosts
                .iter()
                .map(|host| host.to_ascii_lowercase())
                .collect(),
            loopback_endpoint,
            max_signature_lifetime: options.max_signature_lifetime,
        })
    }

    /// The repository root (canonical).
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The canonical path of a repository file named by a recipe (relative to the root, or
    /// absolute inside it).
    pub fn file(&self, path: &str) -> Result<PathBuf, SandboxError> {
        let joined = self.root.join(path);
        let canonical = joined
            .canonicalize()
            .map_err(|e| SandboxError::Unreadable {
                path: path.to_owned(),
                reason: e.to_string(),
            })?;
        if canonical.starts_with(&self.root) {
            Ok(canonical)
        } else {
            Err(SandboxError::OutsideRoot {
                path: path.to_owned(),
                root: self.root.display().to_string(),
            })
        }
    }

    /// Checks that `name` is a module name, not a path.
    pub fn check_module_name(name: &str) -> Result<(), SandboxError> {
        let valid = !name.is_empty()
            && name.len() <= 64
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            && Path::new(name)
                .components()
                .all(|c| matches!(c, Component::Normal(_)));
        if valid {
            Ok(())
        } else {
            Err(SandboxError::ModuleName(name.to_owned()))
        }
    }

    /// Checks the scheme and host of a URL for `http::`. `known_hosts` are the alternate domain
    /// names of the account's distributions, asked for only when the host is not admitted
    /// otherwise. Resolved addresses are checked separately ([`Sandbox::address_allowed`]).
    pub fn check_url(
        &self,
        url: &str,
        known_hosts: impl FnOnce() -> Vec<String>,
    ) -> Result<url::Url, SandboxError> {
        let refuse = |reason: &str| SandboxError::Url {
            url: without_query(url).to_owned(),
            reason: reason.to_owned(),
        };
        let parsed = url::Url::parse(url).map_err(|e| refuse(&e.to_string()))?;
        if !parsed.username().is_empty() || parsed.password().is_some() {
            return Err(refuse("URLs with credentials in them are not sent"));
        }
        let to_endpoint = self.loopback_endpoint.is_some()
            && authority(&parsed).as_deref() == self.loopback_endpoint.as_deref();
        match parsed.scheme() {
            "https" => {}
            "http" if to_endpoint => {}
            "http" => {
                return Err(refuse(
                    "only https:// is sent (plain http:// only to a loopback --endpoint-url)",
                ))
            }
            _ => return Err(refuse("only https:// URLs are sent")),
        }
        let host =
            match parsed.host() {
                Some(url::Host::Domain(host)) => host.to_ascii_lowercase(),
                Some(_) if to_endpoint => return Ok(parsed),
                Some(_) => return Err(refuse(
                    "an IP address is not a CloudFront host; use the distribution's domain name",
                )),
                None => return Err(refuse("the URL has no host")),
            };
        if to_endpoint || host.ends_with(".cloudfront.net") || self.host_listed(&host) {
            return Ok(parsed);
        }
        if known_hosts()
            .iter()
            .any(|known| known.eq_ignore_ascii_case(&host))
        {
            return Ok(parsed);
        }
        Err(refuse(
            "it is not a CloudFront host (*.cloudfront.net), an alternate domain name of one of \
             this account's distributions, or a host allowed with --allow-host",
        ))
    }

    fn host_listed(&self, host: &str) -> bool {
        self.allowed_hosts
            .iter()
            .any(|allowed| match allowed.strip_prefix("*.") {
                Some(parent) => host
                    .strip_suffix(parent)
                    .is_some_and(|sub| sub.ends_with('.') && sub.len() > 1),
                None => allowed == host,
            })
    }

    /// Whether loopback addresses are admitted: only when the AWS endpoint is loopback (the
    /// emulator).
    pub fn allows_loopback(&self) -> bool {
        self.loopback_endpoint.is_some()
    }

    /// Whether `http::` may connect to `address` in this run (see [`address_allowed`]).
    pub fn address_allowed(&self, address: IpAddr) -> bool {
        address_allowed(address, self.allows_loopback())
    }

    /// Checks a signature's lifetime (`expires` and `now` in epoch seconds).
    pub fn check_lifetime(&self, expires: u64, now: u64) -> Result<(), SandboxError> {
        let requested = expires.saturating_sub(now);
        if requested > self.max_signature_lifetime {
            Err(SandboxError::Lifetime {
                requested,
                allowed: self.max_signature_lifetime,
            })
        } else {
            Ok(())
        }
    }

    /// Checks that a resource pattern names its scheme and host without wildcards.
    pub fn check_pattern(pattern: &str) -> Result<(), SandboxError> {
        let names_host = pattern
            .split_once("://")
            .filter(|(scheme, _)| matches!(*scheme, "https" | "http"))
            .and_then(|(_, rest)| rest.split_once('/'))
            .is_some_and(|(host, _)| !host.is_empty() && !host.contains(['*', '?']));
        if names_host {
            Ok(())
        } else {
            Err(SandboxError::Pattern(pattern.to_owned()))
        }
    }

    /// Checks that a signing key goes to a `cfsign/...` secret of `account` (the caller's):
    /// a name, or an ARN in that account.
    pub fn check_key_secret(secret_id: &str, account: &str) -> Result<(), SandboxError> {
        let refuse = || SandboxError::Secret {
            secret: secret_id.to_owned(),
            account: account.to_owned(),
        };
        let name = match secret_id.strip_prefix("arn:") {
            Some(rest) => {
                // partition:secretsmanager:region:account:secret:name
                let parts: Vec<&str> = rest.splitn(6, ':').collect();
                match parts.as_slice() {
                    [_, "secretsmanager", _, owner, "secret", name] if *owner == account => *name,
                    _ => return Err(refuse()),
                }
            }
            None => secret_id,
        };
        let team_path = name.strip_prefix(SECRET_PREFIX).unwrap_or_default();
        if team_path.is_empty()
            || team_path
                .split('/')
                .any(|part| part.is_empty() || part == "..")
        {
            return Err(refuse());
        }
        Ok(())
    }
}

/// Whether `http::` may connect to `address`: public addresses always, loopback only when
/// `loopback` (a loopback AWS endpoint), link-local and private ranges never.
pub fn address_allowed(address: IpAddr, loopback: bool) -> bool {
    if is_loopback(address) {
        return loopback;
    }
    is_public(address)
}

/// `host:port` of a URL (the port made explicit), to compare origins.
fn authority(url: &url::Url) -> Option<String> {
    Some(format!(
        "{}:{}",
        url.host_str()?,
        url.port_or_known_default()?
    ))
}

fn is_loopback_host(host: url::Host<&str>) -> bool {
    match host {
        url::Host::Domain(name) => name.eq_ignore_ascii_case("localhost"),
        url::Host::Ipv4(ip) => ip.is_loopback(),
        url::Host::Ipv6(ip) => ip.is_loopback(),
    }
}

/// The URL up to its query: what may be shown of a signed URL.
pub fn without_query(url: &str) -> &str {
    url.split(['?', '#']).next().unwrap_or(url)
}

fn is_loopback(address: IpAddr) -> bool {
    match address {
        IpAddr::V4(ip) => ip.is_loopback(),
        IpAddr::V6(ip) => {
            ip.is_loopback() || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    }
}

/// Globally routable: not private, shared, link-local, loopback, documentation, benchmarking,
/// multicast, broadcast or unspecified (IANA special-purpose registries).
fn is_public(address: IpAddr) -> bool {
    match address {
        IpAddr::V4(ip) => is_public_v4(ip),
        IpAddr::V6(ip) => match ip.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(ip),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, _, _] = ip.octets();
    !(ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b))
        || (a == 198 && (18..20).contains(&b))
        || a >= 240)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    !(ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
        || first == 0x2001 && ip.segments()[1] == 0x0db8)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn make(endpoint: Option<&str>) -> (tempfile::TempDir, Sandbox) {
        let dir = tempfile::tempdir().unwrap();
        let mut options = SandboxOptions::new(dir.path());
        options.endpoint_url = endpoint.map(str::to_owned);
        options.allowed_hosts = vec!["files.example.com".into(), "*.media.example.org".into()];
        let sandbox = Sandbox::new(options).unwrap();
        (dir, sandbox)
    }

    #[test]
    fn files_stay_inside_the_root() {
        let (dir, sandbox) = make(None);
        std::fs::create_dir(dir.path().join("products")).unwrap();
        std::fs::write(dir.path().join("products/p.json"), "{}").unwrap();
        assert!(sandbox.file("products/p.json").is_ok());
        let absolute = dir.path().join("products/p.json");
        assert!(sandbox.file(absolute.to_str().unwrap()).is_ok());
        for outside in ["../outside.json", "/etc/passwd", "/proc/self/environ"] {
            assert!(
                matches!(
                    sandbox.file(outside),
                    Err(SandboxError::OutsideRoot { .. } | SandboxError::Unreadable { .. })
                ),
                "{outside}"
            );
        }
        std::os::unix::fs::symlink("/etc/hostname", dir.path().join("link")).unwrap();
        assert!(matches!(
            sandbox.file("link"),
            Err(SandboxError::OutsideRoot { .. })
        ));
    }

    #[test]
    fn modules_are_named_not_pathed() {
        assert!(Sandbox::check_module_name("rotation").is_ok());
        assert!(Sandbox::check_module_name("smoke_test").is_ok());
        for bad in ["../x", "/etc/x", "a/b", "", ".", "x.rhai"] {
            assert!(Sandbox::check_module_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn http_reaches_cloudfront_hosts_and_the_loopback_endpoint_only() {
        let (_dir, sandbox) = make(None);
        let none = Vec::new;
        assert!(sandbox
            .check_url("https://d111.cloudfront.net/a", none)
            .is_ok());
        assert!(sandbox
            .check_url("https://files.example.com/a", none)
            .is_ok());
        assert!(sandbox
            .check_url("https://x.media.example.org/a", none)
            .is_ok());
        assert!(sandbox
            .check_url("https://media.example.org/a", none)
            .is_err());
        assert!(sandbox
            .check_url("https://cdn.team.example/a", || vec![
                "cdn.team.example".into()
            ])
            .is_ok());
        for refused in [
            "http://d111.cloudfront.net/a",
            "https://169.254.169.254/latest/meta-data/",
            "http://169.254.169.254/latest/meta-data/",
            "https://example.com/a",
            "https://evilcloudfront.net/a",
            "file:///etc/passwd",
            "https://user:pw@d111.cloudfront.net/a",
            "http://127.0.0.1:4566/_edge/E1/a",
        ] {
            assert!(sandbox.check_url(refused, none).is_err(), "{refused}");
        }
        let (_dir, emulated) = make(Some("http://127.0.0.1:4566"));
        assert!(emulated
            .check_url("http://127.0.0.1:4566/_edge/E1/a", none)
            .is_ok());
        assert!(emulated.check_url("http://127.0.0.1:4567/a", none).is_err());
    }

    #[test]
    fn refused_urls_never_show_their_signature() {
        let (_dir, sandbox) = make(None);
        let err = sandbox
            .check_url(
                "https://example.com/a?Signature=SECRET&Key-Pair-Id=K1",
                Vec::new,
            )
            .unwrap_err()
            .to_string();
        assert!(!err.contains("SECRET"), "{err}");
    }

    #[test]
    fn only_public_addresses_unless_the_endpoint_is_loopback() {
        let (_dir, sandbox) = make(None);
        for refused in [
            "169.254.169.254",
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fd00:ec2::254",
            "fe80::1",
            "::ffff:169.254.169.254",
        ] {
            assert!(
                !sandbox.address_allowed(refused.parse().unwrap()),
                "{refused}"
            );
        }
        assert!(sandbox.address_allowed("13.32.1.1".parse().unwrap()));
        assert!(sandbox.address_allowed("2600:9000::1".parse().unwrap()));
        let (_dir, emulated) = make(Some("http://127.0.0.1:4566"));
        assert!(emulated.address_allowed("127.0.0.1".parse().unwrap()));
        assert!(!emulated.address_allowed("169.254.169.254".parse().unwrap()));
    }

    #[test]
    fn patterns_name_their_host() {
        assert!(Sandbox::check_pattern("https://files.example.com/*").is_ok());
        assert!(Sandbox::check_pattern("https://files.example.com/gallery/*").is_ok());
        for bad in [
            "*",
            "https://*",
            "https://*/a",
            "https://*.cloudfront.net/*",
            "*://h/*",
            "h/*",
        ] {
            assert!(Sandbox::check_pattern(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn keys_go_to_cfsign_secrets_of_this_account() {
        let account = "123456789012";
        for ok in [
            "cfsign/payments/signing-key",
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:cfsign/payments/signing-key-AbCdEf",
        ] {
            assert!(Sandbox::check_key_secret(ok, account).is_ok(), "{ok}");
        }
        for bad in [
            "prod/database",
            "cfsign/",
            "cfsign//x",
            "arn:aws:secretsmanager:us-east-1:999999999999:secret:cfsign/payments/signing-key-AbCdEf",
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:other/x",
        ] {
            assert!(Sandbox::check_key_secret(bad, account).is_err(), "{bad}");
        }
    }
}
