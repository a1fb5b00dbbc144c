//! cfsign: CloudFront signed URLs as a self-service capability.
//!
//! The library half of cfsign, in layers that depend one way: [`sign`] and [`keys`] know nothing
//! of AWS, Rhai or the command line (with `default-features = false` they are all there is: a
//! Rust application depends on them alone to sign URLs with its team's secret); `aws` (feature
//! `aws`) holds the typed AWS operations; `script` (feature `script`) is the recipe engine that
//! exposes both to Rhai recipes.
#![deny(missing_docs)]

#[cfg(feature = "aws")]
pub mod aws;
pub mod keys;
#[cfg(feature = "script")]
pub mod script;
pub mod sign;
pub mod timespec;

/// The Rust snippets in docs/signing.md, compiled as doc-tests so the guide cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../docs/signing.md")]
mod signing_guide {}
