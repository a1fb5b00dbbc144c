//! Signing URLs and cookies with a key pair id and a private key.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use serde::Serialize;

use super::encoding;
use super::policy::Policy;
use super::resource::{self, ResourcePattern};
use super::SignError;
use crate::keys::{Digest, KeyAlgorithm, PrivateKey};

/// The digest CloudFront hashes the policy with before checking the signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum HashAlgorithm {
    /// SHA-1: CloudFront's default when no `Hash-Algorithm` parameter is sent.
    Sha1,
    /// SHA-256: announced with `Hash-Algorithm=SHA256`.
    Sha256,
}

impl HashAlgorithm {
    /// The default for a key: SHA-1 for RSA (what every SDK sends), SHA-256 for ECDSA (what
    /// AWS CLI v2 sends).
    pub fn default_for(algorithm: KeyAlgorithm) -> Self {
        match algorithm {
            KeyAlgorithm::Rsa { .. } => HashAlgorithm::Sha1,
            KeyAlgorithm::EcdsaP256 => HashAlgorithm::Sha256,
        }
    }

    /// The value of the `Hash-Algorithm` parameter, `None` for the implicit SHA-1.
    pub fn parameter_value(self) -> Option<&'static str> {
        match self {
            HashAlgorithm::Sha1 => None,
            HashAlgorithm::Sha256 => Some("SHA256"),
        }
    }

    /// Reads a `Hash-Algorithm` parameter value the way CloudFront does.
    pub fn from_parameter(value: Option<&str>) -> Option<Self> {
        match value {
            None | Some("SHA1") => Some(HashAlgorithm::Sha1),
            Some("SHA256") => Some(HashAlgorithm::Sha256),
            Some(_) => None,
        }
    }

    pub(crate) fn digest(self) -> Digest {
        match self {
            HashAlgorithm::Sha1 => Digest::Sha1,
            HashAlgorithm::Sha256 => Digest::Sha256,
        }
    }
}

impl fmt::Display for HashAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            HashAlgorithm::Sha1 => "SHA-1",
            HashAlgorithm::Sha256 => "SHA-256",
        })
    }
}

impl FromStr for HashAlgorithm {
    type Err = SignError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().replace('-', "").as_str() {
            "sha1" => Ok(HashAlgorithm::Sha1),
            "sha256" => Ok(HashAlgorithm::Sha256),
            _ => Err(SignError::UnknownHash(s.to_owned())),
        }
    }
}

/// When and from where a signature is valid.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Conditions {
    /// Expiry, epoch seconds (`DateLessThan`).
    pub expires: u64,
    /// Optional start, epoch seconds (`DateGreaterThan`); makes the policy custom.
    pub starts: Option<u64>,
    /// Optional IPv4 address or CIDR range (`IpAddress`); makes the policy custom.
    pub source_ip: Option<String>,
}

impl Conditions {
    /// Conditions with an expiry only: a canned policy unless a resource pattern is given.
    pub fn expiring_at(expires: u64) -> Self {
        Conditions {
            expires,
            ..Conditions::default()
        }
    }

    fn is_plain(&self) -> bool {
        self.starts.is_none() && self.source_ip.is_none()
    }

    /// Builds the policy for `resource`, validating the window and the IP range.
    fn policy_for(&self, resource: &str) -> Result<Policy, SignError> {
        if let Some(starts) = self.starts {
            if starts >= self.expires {
                return Err(SignError::StartsAfterExpiry {
                    starts,
                    expires: self.expires,
                });
            }
        }
        let source_ip = match &self.source_ip {
            Some(range) => Some(resource::normalize_ip_range(range)?),
            None => None,
        };
        Ok(Policy {
            resource: resource.to_owned(),
            expires: self.expires,
            starts: self.starts,
            source_ip,
        })
    }
}

/// The cookies that grant access under a policy, named as CloudFront reads them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignedCookies {
    /// `CloudFront-Expires` (canned policy only).
    #[serde(rename = "CloudFront-Expires", skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    /// `CloudFront-Policy` (custom policy only).
    #[serde(rename = "CloudFront-Policy", skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
    /// `CloudFront-Signature`.
    #[serde(rename = "CloudFront-Signature")]
    pub signature: String,
    /// `CloudFront-Key-Pair-Id`.
    #[serde(rename = "CloudFront-Key-Pair-Id")]
    pub key_pair_id: String,
    /// `CloudFront-Hash-Algorithm` (SHA-256 only).
    #[serde(
        rename = "CloudFront-Hash-Algorithm",
        skip_serializing_if = "Option::is_none"
    )]
    pub hash_algorithm: Option<String>,
}

impl SignedCookies {
    /// Cookie names and values in the order they are usually set.
    pub fn pairs(&self) -> Vec<(&'static str, &str)> {
        let mut pairs = Vec::with_capacity(4);
        if let Some(expires) = &self.expires {
            pairs.push(("CloudFront-Expires", expires.as_str()));
        }
        if let Some(policy) = &self.policy {
            pairs.push(("CloudFront-Policy", policy.as_str()));
        }
        pairs.push(("CloudFront-Signature", self.signature.as_str()));
        pairs.push(("CloudFront-Key-Pair-Id", self.key_pair_id.as_str()));
        if let Some(hash) = &self.hash_algorithm {
            pairs.push(("CloudFront-Hash-Algorithm", hash.as_str()));
        }
        pairs
    }
}

/// What makes the signature over a policy: a private key in this process, or a key that never
/// leaves a service such as AWS KMS (its implementation lives with the service's client).
pub trait PolicySigner: Send + Sync + fmt::Debug {
    /// The key's algorithm: it decides the signature's form and the default hash.
    fn algorithm(&self) -> KeyAlgorithm;

    /// Whether the key can sign with `hash` (a KMS RSA key cannot use SHA-1).
    fn supports(&self, hash: HashAlgorithm) -> bool {
        let _ = hash;
        true
    }

    /// Signs `policy` hashed with `hash`: PKCS#1 v1.5 for RSA, DER-encoded ECDSA for P-256.
    fn sign_policy(&self, hash: HashAlgorithm, policy: &[u8]) -> Result<Vec<u8>, SignError>;

    /// Whether each signature is a call to a service (its pace is set by concurrency and the
    /// service's quotas, not by cores).
    fn is_remote(&self) -> bool {
        false
    }
}

impl PolicySigner for PrivateKey {
    fn algorithm(&self) -> KeyAlgorithm {
        PrivateKey::algorithm(self)
    }

    fn sign_policy(&self, hash: HashAlgorithm, policy: &[u8]) -> Result<Vec<u8>, SignError> {
        Ok(self.sign(hash.digest(), policy)?)
    }
}

/// Signs URLs and cookies for one key pair. Cheap to clone; safe to share between threads.
#[derive(Debug, Clone)]
pub struct Signer {
    key: Arc<dyn PolicySigner>,
    key_pair_id: String,
    hash: HashAlgorithm,
}

/// The parts of a signature that become query parameters or cookies.
struct Signature {
    grant: Grant,
    /// The encoded signature.
    signature: String,
}

/// How CloudFront learns the policy: rebuilt from the expiry (canned) or sent along (custom).
enum Grant {
    Canned { expires: u64 },
    Custom { encoded_policy: String },
}

impl Signer {
    /// A signer for `key_pair_id` (the CloudFront public key id), hashing with the key's default
    /// algorithm (see [`HashAlgorithm::default_for`]).
    pub fn new(key: Arc<PrivateKey>, key_pair_id: &str) -> Result<Self, SignError> {
        Self::with_signer(key, key_pair_id)
    }

    /// A signer whose signatures another [`PolicySigner`] makes (a KMS key, say); the hash is
    /// the key's default, or SHA-256 when the key cannot sign with that.
    pub fn with_signer(key: Arc<dyn PolicySigner>, key_pair_id: &str) -> Result<Self, SignError> {
        resource::validate_key_pair_id(key_pair_id)?;
        let default = HashAlgorithm::default_for(key.algorithm());
        let hash = if key.supports(default) {
            default
        } else {
            HashAlgorithm::Sha256
        };
        Ok(Signer {
            key,
            key_pair_id: key_pair_id.to_owned(),
            hash,
        })
    }

    /// Uses `hash` instead of the key's default.
    pub fn with_hash(mut self, hash: HashAlgorithm) -> Self {
        self.hash = hash;
        self
    }

    /// The hash algorithm signatures use.
    pub fn hash(&self) -> HashAlgorithm {
        self.hash
    }

    /// Whether the signatures are made by a service (a KMS key) rather than in this process.
    pub fn is_remote(&self) -> bool {
        self.key.is_remote()
    }

    /// The key pair id the signatures name.
    pub fn key_pair_id(&self) -> &str {
        &self.key_pair_id
    }

    /// Signs raw policy bytes: the low-level operation under every URL and cookie.
    pub fn sign_policy(&self, policy_json: &[u8]) -> Result<Vec<u8>, SignError> {
        if !self.key.supports(self.hash) {
            return Err(SignError::UnsupportedHash(self.hash));
        }
        self.key.sign_policy(self.hash, policy_json)
    }

    /// Signs `url`. With no `resource` pattern, no start and no IP range the policy is canned
    /// (`Expires=`); otherwise it is custom (`Policy=`) and `url` must match the pattern.
    ///
    /// The URL is normalised first (see [`resource`](super::resource)): the result is the URL to
    /// hand out, and the string the signature covers. A custom policy without a `resource`
    /// takes the URL as its resource, so a URL holding `*` or `?` (which CloudFront reads as
    /// wildcards there) is refused: a URL never silently becomes a pattern.
    pub fn sign_url(
        &self,
        url: &str,
        resource: Option<&str>,
        conditions: &Conditions,
    ) -> Result<String, SignError> {
        let url = resource::normalize_url(url)?;
        let signature = match resource {
            Some(pattern) => {
                let pattern = ResourcePattern::new(pattern)?;
                pattern.check(&url)?;
                self.sign(conditions.policy_for(pattern.as_str())?, false)?
            }
            None if conditions.is_plain() => self.sign(conditions.policy_for(&url)?, true)?,
            None => {
                resource::check_no_wildcards(&url)?;
                self.sign(conditions.policy_for(&url)?, false)?
            }
        };
        let mut out = url;
        self.append_query(&signature, &mut out);
        Ok(out)
    }

    /// Signs an upload URL for `url` (see [`upload`](super::upload)): the URL with
    /// [`UPLOAD_MARKER`](super::UPLOAD_MARKER) (and the one `content_type` it may write, when
    /// given) added to its query, under a canned policy, the only kind cfsign's distribution
    /// admits writes with.
    pub fn sign_upload_url(
        &self,
        url: &str,
        content_type: Option<&str>,
        conditions: &Conditions,
    ) -> Result<String, SignError> {
        if !conditions.is_plain() {
            return Err(SignError::UploadNeedsCannedPolicy);
        }
        self.sign_url(&super::upload::mark(url, content_type)?, None, conditions)
    }

    /// Signs cookies for `resource` (a URL, or a pattern such as `https://cdn.example.com/*`).
    /// The policy is canned only for a plain URL with no start or IP range.
    pub fn signed_cookies(
        &self,
        resource: &str,
        conditions: &Conditions,
    ) -> Result<SignedCookies, SignError> {
        let pattern = ResourcePattern::new(resource)?;
        let canned = conditions.is_plain() && !resource.contains('*');
        let signature = self.sign(conditions.policy_for(pattern.as_str())?, canned)?;
        let (expires, policy) = match signature.grant {
            Grant::Canned { expires } => (Some(expires.to_string()), None),
            Grant::Custom { encoded_policy } => (None, Some(encoded_policy)),
        };
        Ok(SignedCookies {
            expires,
            policy,
            signature: signature.signature,
            key_pair_id: self.key_pair_id.clone(),
            hash_algorithm: self.hash.parameter_value().map(str::to_owned),
        })
    }

    /// Signs one custom policy for `pattern` and returns a signer that reuses that signature for
    /// every URL the pattern covers: the fast path for galleries and manifests.
    pub fn scope(&self, pattern: &str, conditions: &Conditions) -> Result<ScopedSigner, SignError> {
        let pattern = ResourcePattern::new(pattern)?;
        let signature = self.sign(conditions.policy_for(pattern.as_str())?, false)?;
        let mut suffix = String::new();
        self.append_query(&signature, &mut suffix);
        Ok(ScopedSigner {
            pattern,
            // `append_query` starts with a separator; the scoped signer chooses its own.
            suffix: suffix.split_off(1),
        })
    }

    fn sign(&self, policy: Policy, canned: bool) -> Result<Signature, SignError> {
        let json = policy.to_json();
        let signature = encoding::encode(&self.sign_policy(json.as_bytes())?);
        let grant = if canned {
            Grant::Canned {
                expires: policy.expires,
            }
        } else {
            Grant::Custom {
                encoded_policy: encoding::encode(json.as_bytes()),
            }
        };
        Ok(Signature { grant, signature })
    }

    /// Appends `?` or `&` and the signing parameters, in botocore's order.
    fn append_query(&self, signature: &Signature, out: &mut String) {
        out.push(if out.contains('?') { '&' } else { '?' });
        match &signature.grant {
            Grant::Canned { expires } => {
                out.push_str("Expires=");
                out.push_str(&expires.to_string());
            }
            Grant::Custom { encoded_policy } => {
                out.push_str("Policy=");
                out.push_str(encoded_policy);
            }
        }
        out.push_str("&Signature=");
        out.push_str(&signature.signature);
        out.push_str("&Key-Pair-Id=");
        out.push_str(&self.key_pair_id);
        if let Some(hash) = self.hash.parameter_value() {
            out.push_str("&Hash-Algorithm=");
            out.push_str(hash);
        }
    }
}

/// Signs any URL under one resource pattern with a single precomputed signature.
#[derive(Debug, Clone)]
pub struct ScopedSigner {
    pattern: ResourcePattern,
    suffix: String,
}

impl ScopedSigner {
    /// The pattern every URL must match.
    pub fn pattern(&self) -> &str {
        self.pattern.as_str()
    }

    /// Signs one URL (normalised, then checked against the pattern).
    pub fn sign_url(&self, url: &str) -> Result<String, SignError> {
        let mut out = resource::normalize_url(url)?;
        self.pattern.check(&out)?;
        out.push(if out.contains('?') { '&' } else { '?' });
        out.push_str(&self.suffix);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::{self, KeyType};
    use crate::sign::ResourceError;

    fn signer() -> Signer {
        let key = Arc::new(keys::generate(KeyType::EcdsaP256).unwrap());
        Signer::new(key, "K2JCJMDEHXQW5F").unwrap()
    }

    fn restricted() -> Conditions {
        Conditions {
            expires: 2_000_000_000,
            starts: None,
            source_ip: Some("203.0.113.0/24".into()),
        }
    }

    #[test]
    fn a_custom_policy_never_takes_a_wildcard_from_the_url() {
        let signer = signer();
        for url in [
            "https://h/teams/acme/%2A",
            "https://h/teams/acme/*",
            "https://h/teams/acme/a.jpg?size=1",
        ] {
            let err = signer.sign_url(url, None, &restricted()).unwrap_err();
            assert!(
                matches!(
                    err,
                    SignError::Resource(ResourceError::WildcardInUrl { .. })
                ),
                "{url}: {err}"
            );
            assert!(err.to_string().contains("--resource"), "{err}");
        }
        // Canned: CloudFront rebuilds the policy from the request URL, so nothing widens.
        let canned = signer
            .sign_url(
                "https://h/teams/acme/%2A",
                None,
                &Conditions::expiring_at(2_000_000_000),
            )
            .unwrap();
        assert!(canned.contains("Expires=2000000000"), "{canned}");
        // A pattern given explicitly is the caller's choice.
        let explicit = signer
            .sign_url(
                "https://h/teams/acme/a.jpg?size=1",
                Some("https://h/teams/acme/*"),
                &restricted(),
            )
            .unwrap();
        assert!(explicit.contains("Policy="), "{explicit}");
    }

    #[test]
    fn scope_checks_run_on_the_resolved_path() {
        let signer = signer();
        let scoped = signer
            .scope(
                "https://h/teams/acme/*",
                &Conditions::expiring_at(2_000_000_000),
            )
            .unwrap();
        for escape in [
            "https://h/teams/acme/%2e%2e/other/secret.pdf",
            "https://h/teams/acme/../other/secret.pdf",
            "https://h/teams/acme/..%2Fother/secret.pdf",
        ] {
            assert!(scoped.sign_url(escape).is_err(), "{escape}");
            assert!(
                signer
                    .sign_url(escape, Some("https://h/teams/acme/*"), &restricted())
                    .is_err(),
                "{escape}"
            );
        }
        assert!(scoped.sign_url("https://h/teams/acme/a.jpg").is_ok());
    }
}
