//! Signing keys that never leave AWS KMS: CloudFront accepts SHA-256 signatures
//! (`Hash-Algorithm=SHA256`), which an asymmetric KMS key can make, so no private key exists
//! on any disk, in any secret or in this process's memory.
//!
//! RSA_2048 keys sign with RSASSA_PKCS1_V1_5_SHA_256, ECC_NIST_P256 keys with ECDSA_SHA_256
//! (DER, as CloudFront wants it). Each signature is one `kms:Sign` call with the policy as the
//! message (`MessageType=RAW`: policies are far below KMS's 4,096-byte limit); throttling is
//! retried by the SDK's adaptive retry.

use aws_sdk_kms::primitives::Blob;
use aws_sdk_kms::types::{KeySpec, KeyState, KeyUsageType, MessageType, SigningAlgorithmSpec};

use super::{sdk_error, Aws};
use crate::aws::HostError;
use crate::keys::{KeyAlgorithm, KeyType, PublicKey};
use crate::sign::{HashAlgorithm, PolicySigner, SignError};

/// An asymmetric KMS key that signs CloudFront policies, with its public key (read once).
#[derive(Debug)]
pub struct KmsKey {
    aws: Aws,
    key_id: String,
    arn: String,
    public: PublicKey,
}

/// The deletion of a KMS key, as KMS reports it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct KeyDeletion {
    /// The key's ARN.
    pub key_id: String,
    /// Its state: `PendingDeletion` once scheduled, `Planned` in a dry run, `Gone` when KMS
    /// no longer knows the key.
    pub state: String,
    /// When KMS deletes it (RFC 3339; empty when not known).
    pub deletion_date: String,
    /// Whether its deletion was scheduled before this call (which then changed nothing).
    pub already_scheduled: bool,
}

impl KmsKey {
    /// The key `key_id` (an id, ARN or alias), checked to be a signing key CloudFront can use.
    pub fn open(aws: &Aws, key_id: &str) -> Result<Self, HostError> {
        let (arn, public) = read_public_key(aws, key_id)?;
        Ok(KmsKey {
            aws: aws.clone(),
            key_id: key_id.to_owned(),
            arn,
            public,
        })
    }

    /// The key's public key, as CloudFront takes it.
    pub fn public_key(&self) -> &PublicKey {
        &self.public
    }

    /// The key's ARN.
    pub fn arn(&self) -> &str {
        &self.arn
    }
}

impl PolicySigner for KmsKey {
    fn algorithm(&self) -> KeyAlgorithm {
        self.public.algorithm()
    }

    fn supports(&self, hash: HashAlgorithm) -> bool {
        hash == HashAlgorithm::Sha256
    }

    fn is_remote(&self) -> bool {
        true
    }

    fn sign_policy(&self, hash: HashAlgorithm, policy: &[u8]) -> Result<Vec<u8>, SignError> {
        if hash != HashAlgorithm::Sha256 {
            return Err(SignError::UnsupportedHash(hash));
        }
        let algorithm = match self.public.algorithm() {
            KeyAlgorithm::Rsa { .. } => SigningAlgorithmSpec::RsassaPkcs1V15Sha256,
            KeyAlgorithm::EcdsaP256 => SigningAlgorithmSpec::EcdsaSha256,
        };
        let out = self
            .aws
            .block_on(
                self.aws
                    .kms()
                    .sign()
                    .key_id(&self.key_id)
                    .message(Blob::new(policy))
                    .message_type(MessageType::Raw)
                    .signing_algorithm(algorithm)
                    .send(),
            )
            .map_err(|e| SignError::Remote(sdk_error("KMS", "Sign", e).to_string()))?;
        out.signature()
            .map(|blob| blob.as_ref().to_vec())
            .ok_or_else(|| SignError::Remote("KMS Sign returned no signature".into()))
    }
}

/// The ARN and public key of the KMS key `key_id` (an id, ARN or alias), refused unless it is
/// a signing key CloudFront can use.
fn read_public_key(aws: &Aws, key_id: &str) -> Result<(String, PublicKey), HostError> {
    let out = aws
        .operation("KMS", "GetPublicKey")
        .send(aws.kms().get_public_key().key_id(key_id).send())?;
    let unusable = |why: &str| {
        HostError::new(
            "KMS",
            "GetPublicKey",
            "InvalidKey",
            format!("KMS key {key_id} {why}: CloudFront signing needs an RSA_2048 or ECC_NIST_P256 key with key usage SIGN_VERIFY"),
        )
    };
    if out
        .key_usage()
        .is_some_and(|usage| *usage != KeyUsageType::SignVerify)
    {
        return Err(unusable("is not a signing key"));
    }
    let der = out
        .public_key()
        .ok_or_else(|| unusable("returned no public key"))?;
    // The key itself says what it is (RSA size, curve), whatever spec fields the answer carries.
    let public = PublicKey::from_der(der.as_ref()).map_err(|e| unusable(&e.to_string()))?;
    if public.algorithm().compatibility_warning().is_some() {
        return Err(unusable("is an RSA key of another size"));
    }
    let arn = out.key_id().unwrap_or(key_id).to_owned();
    Ok((arn, public))
}

/// Creates an asymmetric signing key of `key_type` in KMS, described by `description`, with
/// the key policy `policy` (JSON; `None` for KMS's default, which leaves access to IAM
/// policies). Returns the key, its public key read; `None` in a dry run, which records the
/// request instead.
pub fn create_signing_key(
    aws: &Aws,
    key_type: KeyType,
    description: &str,
    policy: Option<&str>,
) -> Result<Option<KmsKey>, HostError> {
    let spec = match key_type {
        KeyType::Rsa2048 => KeySpec::Rsa2048,
        KeyType::EcdsaP256 => KeySpec::EccNistP256,
    };
    let request = aws
        .kms()
        .create_key()
        .key_spec(spec)
        .key_usage(KeyUsageType::SignVerify)
        .description(description)
        .set_policy(policy.map(str::to_owned));
    let call = aws.operation("KMS", "CreateKey");
    if call.planned(request.as_input()) {
        return Ok(None);
    }
    let out = call.send(request.send())?;
    let arn = out
        .key_metadata()
        .and_then(|m| m.arn())
        .unwrap_or_default()
        .to_owned();
    // CreateKey's ARN, whatever form GetPublicKey's KeyId takes.
    let key = KmsKey::open(aws, &arn)?;
    Ok(Some(KmsKey { arn, ..key }))
}

/// A KMS key as DescribeKey tells it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct KeyView {
    /// The key's ARN.
    pub arn: String,
    /// Its state (`Enabled`, `Disabled`, `PendingDeletion`, ...).
    pub state: String,
    /// Its key spec (`RSA_2048`, `ECC_NIST_P256`, ...).
    pub key_spec: String,
    /// Its description.
    pub description: String,
    /// When KMS deletes it (RFC 3339; empty unless its deletion is scheduled).
    pub deletion_date: String,
}

/// The KMS key `key_id`, or `None` when KMS does not know it.
pub fn describe(aws: &Aws, key_id: &str) -> Result<Option<KeyView>, HostError> {
    let out = match aws.block_on(aws.kms().describe_key().key_id(key_id).send()) {
        Ok(out) => out,
        Err(e)
            if e.as_service_error()
                .is_some_and(|e| e.is_not_found_exception()) =>
        {
            return Ok(None)
        }
        Err(e) => return Err(sdk_error("KMS", "DescribeKey", e)),
    };
    let Some(m) = out.key_metadata() else {
        return Ok(None);
    };
    Ok(Some(KeyView {
        arn: m.arn().unwrap_or(key_id).to_owned(),
        state: m
            .key_state()
            .map(|s| s.as_str().to_owned())
            .unwrap_or_default(),
        key_spec: m
            .key_spec()
            .map(|s| s.as_str().to_owned())
            .unwrap_or_default(),
        description: m.description().unwrap_or_default().to_owned(),
        deletion_date: super::timestamp(m.deletion_date()),
    }))
}

/// Schedules the deletion of the KMS key `key_id` after `pending_days` (7 to 30: KMS's waiting
/// period, during which CancelKeyDeletion restores it). A key already pending deletion, or
/// one KMS no longer knows, is left as it is, so a run stopped after this step can repeat it.
pub fn schedule_deletion(
    aws: &Aws,
    key_id: &str,
    pending_days: i32,
) -> Result<KeyDeletion, HostError> {
    let Some(key) = describe(aws, key_id)? else {
        return Ok(KeyDeletion {
            key_id: key_id.to_owned(),
            state: "Gone".into(),
            deletion_date: String::new(),
            already_scheduled: true,
        });
    };
    let arn = key.arn;
    if key.state == KeyState::PendingDeletion.as_str() {
        return Ok(KeyDeletion {
            key_id: arn,
            state: key.state,
            deletion_date: key.deletion_date,
            already_scheduled: true,
        });
    }
    let request = aws
        .kms()
        .schedule_key_deletion()
        .key_id(&arn)
        .pending_window_in_days(pending_days);
    let call = aws.operation("KMS", "ScheduleKeyDeletion");
    if call.planned(request.as_input()) {
        return Ok(KeyDeletion {
            key_id: arn,
            state: "Planned".into(),
            deletion_date: String::new(),
            already_scheduled: false,
        });
    }
    let out = call.send(request.send())?;
    Ok(KeyDeletion {
        key_id: arn,
        state: out
            .key_state()
            .map_or("PendingDeletion", |s| s.as_str())
            .to_owned(),
        deletion_date: super::timestamp(out.deletion_date()),
        already_scheduled: false,
    })
}
