//! Reading a team's signing key from Secrets Manager, for recipes and the command line alike.

use super::{sdk_error, Aws};
use crate::aws::HostError;
use crate::keys::{SecretError, SigningSecret};

/// Which version of a secret to read.
#[derive(Debug, Clone, Copy)]
pub enum Version<'a> {
    /// The version a stage label is on (`AWSCURRENT`, `AWSPENDING`, ...).
    Stage(&'a str),
    /// A version by its id.
    Id(&'a str),
}

/// Why a signing key could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// Secrets Manager refused or failed (code and message only: never the response).
    #[error("{0}")]
    Aws(HostError),
    /// The value is not a signing-key secret.
    #[error(transparent)]
    Secret(#[from] SecretError),
}

/// Reads `version` of the signing-key secret `secret_id` (a name or an ARN); returns the
/// parsed secret and the id of the version read. The value's text is wiped once parsed.
pub fn signing_secret(
    aws: &Aws,
    secret_id: &str,
    version: Version<'_>,
) -> Result<(SigningSecret, String), ReadError> {
    let request = aws
        .secrets_manager()
        .get_secret_value()
        .secret_id(secret_id);
    let request = match version {
        Version::Stage(stage) => request.version_stage(stage),
        Version::Id(id) => request.version_id(id),
    };
    let out = aws
        .block_on(request.send())
        .map_err(|e| ReadError::Aws(sdk_error("SecretsManager", "GetSecretValue", e)))?;
    let text = zeroize::Zeroizing::new(out.secret_string().unwrap_or_default().to_owned());
    let secret = SigningSecret::parse(&text)?;
    Ok((secret, out.version_id().unwrap_or_default().to_owned()))
}
