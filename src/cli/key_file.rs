//! Loading key files named on the command line, with errors that name the file.

use std::path::Path;

use anyhow::{bail, Context, Result};
use cfsign::keys::{PrivateKey, PublicKey};
use zeroize::Zeroizing;

/// Reads a private key, decrypting it with the passphrase in `passphrase_env` when given, and
/// warns on stderr when CloudFront would not accept the key.
pub fn load_private_key(path: &Path, passphrase_env: Option<&str>) -> Result<PrivateKey> {
    let pem = Zeroizing::new(read(path, "private key")?);
    let passphrase = match passphrase_env {
        Some(var) => match std::env::var(var) {
            Ok(value) => Some(Zeroizing::new(value)),
            Err(_) => bail!(
                "--passphrase-env names `{var}`, but that environment variable is not set \
                 (or is not UTF-8)"
            ),
        },
        None => None,
    };
    let key = PrivateKey::from_pem(&pem, passphrase.as_ref().map(|p| p.as_bytes()))
        .with_context(|| format!("reading the private key {}", path.display()))?;
    if let Some(warning) = key.algorithm().compatibility_warning() {
        eprintln!("warning: {}: {warning}", path.display());
    }
    Ok(key)
}

/// Reads an SPKI PEM public key.
pub fn load_public_key(path: &Path) -> Result<PublicKey> {
    let pem = read(path, "public key")?;
    PublicKey::from_pem(&pem).with_context(|| format!("reading the public key {}", path.display()))
}

fn read(path: &Path, what: &str) -> Result<String> {
    let bytes = std::fs::read(path)
        .with_context(|| format!("cannot read the {what} file {}", path.display()))?;
    String::from_utf8(bytes).with_context(|| {
        format!(
            "the {what} file {} is not text: expected a PEM file (DER keys can be converted \
             with `openssl pkey -inform DER`)",
            path.display()
        )
    })
}
