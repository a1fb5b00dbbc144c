//! `--secret`: the signing key read from the team's secret in Secrets Manager, so no key file
//! is needed (the integration role, an instance role or SSO credentials read it). A KMS-backed
//! team's secret names its KMS key instead, which then makes every signature (kms:Sign).

use std::sync::Arc;

use anyhow::{bail, Result};
use cfsign::aws::kms::KmsKey;
use cfsign::aws::secrets::{self, ReadError, Version};
use cfsign::aws::Aws;
use cfsign::keys::StoredKey;
use cfsign::sign::PolicySigner;

use super::AwsArgs;

/// Reads the key at `stage` of `secret` and its key pair id; `expected_id` (a --key-pair-id
/// given as well) must match the secret's.
pub fn read(
    secret: &str,
    stage: &str,
    expected_id: Option<&str>,
    aws_args: &AwsArgs,
) -> Result<(Arc<dyn PolicySigner>, String)> {
    let aws = Aws::new(aws_args.options(false), Arc::new(|_| {}));
    let (value, _) = match secrets::signing_secret(&aws, secret, Version::Stage(stage)) {
        Ok(found) => found,
        Err(ReadError::Aws(err)) => bail!("reading the signing key from {secret} ({stage}): {err}"),
        Err(ReadError::Secret(err)) => bail!("{secret} ({stage}): {err}"),
    };
    let (key_pair_id, key) = value.into_parts();
    let Some(key) = key else {
        bail!(
            "{secret} ({stage}) holds no signing key yet: the team's first key is written by \\
             recipes/provision.rhai"
        );
    };
    if let Some(expected) = expected_id.filter(|id| *id != key_pair_id) {
        bail!(
            "--key-pair-id {expected} is not the key pair id of the key in {secret} ({stage}), \\
             which is {key_pair_id}: leave --key-pair-id out to use the secret's"
        );
    }
    let signer: Arc<dyn PolicySigner> = match key {
        StoredKey::Private(key) => {
            if let Some(warning) = key.algorithm().compatibility_warning() {
                eprintln!("warning: {secret}: {warning}");
            }
            Arc::new(key)
        }
        StoredKey::Kms(arn) => Arc::new(KmsKey::open(&aws, &arn).map_err(|e| {
            anyhow::anyhow!("{secret} ({stage}) names the KMS key {arn}, which cannot sign: {e}")
        })?),
    };
    Ok((signer, key_pair_id))
}
