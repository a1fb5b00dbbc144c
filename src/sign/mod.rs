//! CloudFront signed URLs and cookies: policies, signing, and explaining a verdict.
//!
//! No AWS, no Rhai, no command line: this module (with [`crate::keys`]) is what an application
//! needs to sign URLs with its team's key.
//!
//! ```
//! use std::sync::Arc;
//! use cfsign::keys::{self, KeyType};
//! use cfsign::sign::{Conditions, Signer};
//!
//! let key = Arc::new(keys::generate(KeyType::EcdsaP256)?);
//! let signer = Signer::new(key, "K2JCJMDEHXQW5F")?;
//! let url = signer.sign_url(
//!     "https://d111111abcdef8.cloudfront.net/reports/q3.pdf",
//!     None,
//!     &Conditions::expiring_at(1_893_456_000),
//! )?;
//! assert!(url.starts_with("https://d111111abcdef8.cloudfront.net/reports/q3.pdf?Expires=1893456000&Signature="));
//! assert!(url.ends_with("&Key-Pair-Id=K2JCJMDEHXQW5F&Hash-Algorithm=SHA256"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod encoding;
#[cfg(test)]
mod fuzz;
mod policy;
pub mod resource;
mod signer;
pub mod upload;
mod verify;

pub use policy::{Policy, PolicyError};
pub use resource::{normalize_url, ResourceError, ResourcePattern};
pub use signer::{Conditions, HashAlgorithm, PolicySigner, ScopedSigner, SignedCookies, Signer};
pub use upload::{CONTENT_TYPE_PARAMETER, UPLOAD_MARKER};
pub use verify::{
    cookies_from_text, verify_cookies, verify_url, without_signing_parameters, Check, Decision,
    Outcome, Verdict, VerifyOptions,
};

use crate::keys::KeyError;

/// Why a URL or cookie could not be signed.
#[derive(Debug, thiserror::Error)]
pub enum SignError {
    /// The URL, pattern, IP range or key pair id is not acceptable.
    #[error(transparent)]
    Resource(#[from] ResourceError),
    /// The key failed.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// The validity window is empty.
    #[error("the active date (starts at {starts}) must be before the expiration date ({expires})")]
    StartsAfterExpiry {
        /// `DateGreaterThan`, epoch seconds.
        starts: u64,
        /// `DateLessThan`, epoch seconds.
        expires: u64,
    },
    /// An unknown hash name.
    #[error("unknown hash algorithm `{0}`: use sha1 or sha256")]
    UnknownHash(String),
    /// The key cannot sign with this hash (a KMS RSA key signs with SHA-256 only).
    #[error("this key cannot sign with {0}; CloudFront accepts SHA-256 too (Hash-Algorithm=SHA256): use --hash sha256")]
    UnsupportedHash(HashAlgorithm),
    /// The service holding the key failed to sign (its code and message).
    #[error("the key's service could not sign: {0}")]
    Remote(String),
    /// An upload URL needs a canned policy: the edge refuses writes signed any other way.
    #[error("an upload URL is signed with a canned policy (the edge refuses writes under a custom one): leave out the start time, IP range and resource pattern")]
    UploadNeedsCannedPolicy,
    /// The URL already carries a parameter of upload URLs.
    #[error("`{url}` already carries `{parameter}`: give the plain URL, cfsign adds it when it signs an upload URL")]
    AlreadyUploadUrl {
        /// The URL as given.
        url: String,
        /// The upload URL parameter it carries.
        parameter: String,
    },
    /// An upload URL's content type is not one exact media type.
    #[error("`{0}` is not a content type an upload URL can bind: give one media type such as image/png (no wildcard, no parameters)")]
    ContentType(String),
}
