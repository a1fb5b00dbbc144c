//! cfsign: CloudFront signed URLs as a self-service capability.
//!
//! The library half of cfsign. [`sign`] and [`keys`] know nothing of AWS, Rhai or the command
//! line: a Rust application can depend on them alone to sign URLs with its team's secret.
//! [`script`] is the recipe engine that exposes them (and, later, AWS) to Rhai recipes.
#![deny(missing_docs)]

pub mod aws;
pub mod keys;
pub mod script;
pub mod sign;
pub mod timespec;

/// The Rust snippets in docs/signing.md, compiled as doc-tests so the guide cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../docs/signing.md")]
mod signing_guide {}
