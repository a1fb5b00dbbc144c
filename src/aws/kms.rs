//! Signing keys that never leave AWS KMS: CloudFront accepts SHA-256 signatures
//! (`Hash-Algorithm=SHA256`), which an asymmetric KMS key can make, so no private key exists
//! on any disk, in any secret or in this process's memory.
//!
//! RSA_2048 keys sign with RSASSA_PKCS1_V1_5_SHA_256, ECC_NIST_P256 keys with ECDSA_SHA_256
//! (DER, as CloudFront wants it). Each signature is one `kms:Sign` call with the policy as the
//! message (`MessageType=RAW`: policies are far below KMS's 4,096-byte limit); throttling is
//! retried by the SDK's adaptive retry.

use aws_sdk_kms::primitives::Blob;
use aws_sdk_kms::types::{KeySpec, KeyUsageType, MessageType, SigningAlgorithmSpec};

use super::{sdk_error, Aws};
use crate::aws::HostError;
use crate::keys::{KeyAlgorithm, KeyType, PublicKey};
use crate::sign::{HashAlgorithm, PolicySigner, SignError};

/// An asymmetric KMS key that signs CloudFront policies.
#[derive(Debug, Clone)]
pub struct KmsKey {
    aws: Aws,
    key_id: String,
    algorithm: KeyAlgorithm,
}

/// A signing key created in KMS: its ARN and the public key to give CloudFront.
#[derive(Debug)]
pub struct CreatedKey {
    /// The key's ARN.
    pub arn: String,
    /// Its public key (SPKI), as CloudFront takes it.
    pub public_key: PublicKey,
}

impl KmsKey {
    /// The key `key_id` (an id, ARN or alias), checked to be a signing key CloudFront can use.
    pub fn open(aws: &Aws, key_id: &str) -> Result<Self, HostError> {
        let public = public_key(aws, key_id)?;
        Ok(KmsKey {
            aws: aws.clone(),
            key_id: key_id.to_owned(),
            algorithm: public.algorithm(),
        })
    }

    /// The key's public key, as CloudFront takes it.
    pub fn public_key(&self) -> Result<PublicKey, HostError> {
        public_key(&self.aws, &self.key_id)
    }
}

impl PolicySigner for KmsKey {
    fn algorithm(&self) -> KeyAlgorithm {
        self.algorithm
    }

    fn supports(&self, hash: HashAlgorithm) -> bool {
        hash == HashAlgorithm::Sha256
    }

    fn sign_policy(&self, hash: HashAlgorithm, policy: &[u8]) -> Result<Vec<u8>, SignError> {
        if hash != HashAlgorithm::Sha256 {
            return Err(SignError::UnsupportedHash(hash));
        }
        let algorithm = match self.algorithm {
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

/// The public key of the KMS key `key_id`, refused unless it is a signing key CloudFront can use.
pub fn public_key(aws: &Aws, key_id: &str) -> Result<PublicKey, HostError> {
    let out = aws
        .block_on(aws.kms().get_public_key().key_id(key_id).send())
        .map_err(|e| sdk_error("KMS", "GetPublicKey", e))?;
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
    Ok(public)
}

/// Creates an asymmetric signing key of `key_type` in KMS, described by `description`.
pub fn create_signing_key(
    aws: &Aws,
    key_type: KeyType,
    description: &str,
) -> Result<CreatedKey, HostError> {
    let spec = match key_type {
        KeyType::Rsa2048 => KeySpec::Rsa2048,
        KeyType::EcdsaP256 => KeySpec::EccNistP256,
    };
    let out = aws
        .block_on(
            aws.kms()
                .create_key()
                .key_spec(spec)
                .key_usage(KeyUsageType::SignVerify)
                .description(description)
                .send(),
        )
        .map_err(|e| sdk_error("KMS", "CreateKey", e))?;
    let arn = out
        .key_metadata()
        .and_then(|m| m.arn())
        .unwrap_or_default()
        .to_owned();
    let public_key = public_key(aws, &arn)?;
    Ok(CreatedKey { arn, public_key })
}
