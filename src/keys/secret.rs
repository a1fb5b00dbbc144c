//! The signing-key secret document, as it is stored in Secrets Manager (docs/design.md §2):
//! one JSON object, readable from any SDK,
//! `{"keyPairId": "K2JCJMDEHXQW5F", "privateKey": "-----BEGIN PRIVATE KEY-----\n..."}`, or, for
//! a team whose keys never leave AWS KMS, `{"keyPairId": "K2JCJMDEHXQW5F", "kmsKeyArn":
//! "arn:aws:kms:..."}` (no private key anywhere in the secret).
//!
//! This is the one place that reads and writes the format; the recipes' bindings, the CLI's
//! `--secret` and the Rust example all go through it. Every copy of the PEM it makes is wiped
//! when dropped; the JSON text a caller hands in is the caller's to wipe.

use serde::Deserialize;
use zeroize::{Zeroize, Zeroizing};

use super::{KeyError, PrivateKey};

/// A parsed signing-key secret: the key pair id and the key (a private key, or the KMS key
/// that signs), or no key yet (the placeholder a freshly provisioned secret holds until cfsign
/// writes the first key).
#[derive(Debug)]
pub struct SigningSecret {
    key_pair_id: String,
    key: Option<StoredKey>,
}

/// The key a signing-key secret names.
#[derive(Debug)]
pub enum StoredKey {
    /// The private key itself (`privateKey`).
    Private(PrivateKey),
    /// The ARN of an asymmetric KMS key that signs (`kmsKeyArn`): the secret holds no key.
    Kms(String),
}

/// Why a secret's value is not a signing-key secret. Never quotes the value.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    /// Not a JSON object with string fields `keyPairId` and `privateKey` (or `kmsKeyArn`).
    #[error("the secret is not a signing-key secret: expected JSON with keyPairId and privateKey (or kmsKeyArn) strings")]
    Format,
    /// Both `privateKey` and `kmsKeyArn` are set: which key signs would be a guess.
    #[error("the secret names both a privateKey and a kmsKeyArn: a signing-key secret holds one")]
    TwoKeys,
    /// `kmsKeyArn` is not a KMS key ARN.
    #[error("the secret's kmsKeyArn is not a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID)")]
    KmsKeyArn,
    /// The PEM in `privateKey` is not a key CloudFront accepts.
    #[error("the secret's privateKey: {0}")]
    Key(#[from] KeyError),
}

/// The document as stored; its `Drop` wipes the PEM.
#[derive(Deserialize)]
struct Document {
    #[serde(rename = "keyPairId", default)]
    key_pair_id: String,
    #[serde(rename = "privateKey", default)]
    private_key: String,
    #[serde(rename = "kmsKeyArn", default)]
    kms_key_arn: String,
}

impl Drop for Document {
    fn drop(&mut self) {
        self.private_key.zeroize();
    }
}

impl SigningSecret {
    /// Reads a secret's value (its `SecretString`).
    pub fn parse(value: &str) -> Result<Self, SecretError> {
        let document: Document = serde_json::from_str(value).map_err(|_| SecretError::Format)?;
        let private = !document.private_key.trim().is_empty();
        let kms_key_arn = document.kms_key_arn.trim();
        let key = match (private, kms_key_arn.is_empty()) {
            (true, false) => return Err(SecretError::TwoKeys),
            (true, true) => Some(StoredKey::Private(PrivateKey::from_pem(
                &document.private_key,
                None,
            )?)),
            (false, false) if is_kms_key_arn(kms_key_arn) => {
                Some(StoredKey::Kms(kms_key_arn.to_owned()))
            }
            (false, false) => return Err(SecretError::KmsKeyArn),
            (false, true) => None,
        };
        Ok(SigningSecret {
            key_pair_id: document.key_pair_id.clone(),
            key,
        })
    }

    /// The value to store for `key` under `key_pair_id` (wiped when dropped).
    pub fn to_json(key_pair_id: &str, key: &PrivateKey) -> Result<Zeroizing<String>, KeyError> {
        let pem = key.to_pkcs8_pem()?;
        let value = serde_json::json!({ "keyPairId": key_pair_id, "privateKey": pem.as_str() });
        Ok(Zeroizing::new(value.to_string()))
    }

    /// The value to store for the KMS key `kms_key_arn` under `key_pair_id`: no key material.
    pub fn to_kms_json(key_pair_id: &str, kms_key_arn: &str) -> String {
        serde_json::json!({ "keyPairId": key_pair_id, "kmsKeyArn": kms_key_arn }).to_string()
    }

    /// The CloudFront public key id the key is trusted under (empty in a placeholder).
    pub fn key_pair_id(&self) -> &str {
        &self.key_pair_id
    }

    /// The key, or `None` while the secret holds the placeholder.
    pub fn key(&self) -> Option<&StoredKey> {
        self.key.as_ref()
    }

    /// The key pair id and the key, taken apart.
    pub fn into_parts(self) -> (String, Option<StoredKey>) {
        (self.key_pair_id, self.key)
    }
}

/// Whether `arn` has the shape of a KMS key ARN (`arn:PARTITION:kms:REGION:ACCOUNT:key/ID`).
fn is_kms_key_arn(arn: &str) -> bool {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    matches!(parts.as_slice(), ["arn", partition, "kms", region, account, resource]
        if partition.starts_with("aws")
            && !region.is_empty()
            && account.len() == 12
            && account.bytes().all(|b| b.is_ascii_digit())
            && resource.strip_prefix("key/").is_some_and(|id| !id.is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::{generate, KeyType};

    #[test]
    fn a_written_secret_reads_back_as_the_same_key() {
        let key = generate(KeyType::EcdsaP256).unwrap();
        let value = SigningSecret::to_json("K2JCJMDEHXQW5F", &key).unwrap();
        let read = SigningSecret::parse(&value).unwrap();
        assert_eq!(read.key_pair_id(), "K2JCJMDEHXQW5F");
        let Some(StoredKey::Private(read_key)) = read.key() else {
            panic!("no private key read back");
        };
        assert_eq!(
            read_key.public_key().unwrap().to_pem(),
            key.public_key().unwrap().to_pem()
        );
    }

    #[test]
    fn a_kms_secret_names_its_key_and_holds_no_key_material() {
        let arn = "arn:aws:kms:us-east-1:123456789012:key/0a1b2c3d-4e5f-6789-abcd-ef0123456789";
        let value = SigningSecret::to_kms_json("K2JCJMDEHXQW5F", arn);
        assert!(!value.contains("privateKey"), "{value}");
        let read = SigningSecret::parse(&value).unwrap();
        assert_eq!(read.key_pair_id(), "K2JCJMDEHXQW5F");
        assert!(matches!(read.key(), Some(StoredKey::Kms(found)) if found == arn));
        let both = format!(
            r#"{{"keyPairId":"K1","privateKey":"-----BEGIN PRIVATE KEY-----\nAA\n-----END PRIVATE KEY-----","kmsKeyArn":"{arn}"}}"#
        );
        assert!(matches!(
            SigningSecret::parse(&both),
            Err(SecretError::TwoKeys)
        ));
        for bad in [
            "alias/cfsign",
            "arn:aws:kms:us-east-1:123456789012:alias/cfsign",
            "arn:aws:kms:us-east-1:1234:key/abc",
            "arn:aws:secretsmanager:us-east-1:123456789012:key/abc",
        ] {
            let value = format!(r#"{{"keyPairId":"K1","kmsKeyArn":"{bad}"}}"#);
            assert!(
                matches!(SigningSecret::parse(&value), Err(SecretError::KmsKeyArn)),
                "{bad}"
            );
        }
    }

    #[test]
    fn the_placeholder_has_no_key_and_other_values_are_refused() {
        let placeholder = SigningSecret::parse(r#"{"keyPairId":"","privateKey":""}"#).unwrap();
        assert!(placeholder.key().is_none());
        assert!(SigningSecret::parse("{}").unwrap().key().is_none());
        let partial = SigningSecret::parse(r#"{"keyPairId":"K1"}"#).unwrap();
        assert_eq!(partial.key_pair_id(), "K1");
        assert!(partial.key().is_none());
        for bad in ["not json", "[1]", r#""just text""#, r#"{"privateKey": 7}"#] {
            assert!(
                matches!(SigningSecret::parse(bad), Err(SecretError::Format)),
                "{bad}"
            );
        }
        let damaged = r#"{"keyPairId":"K1","privateKey":"-----BEGIN PRIVATE KEY----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----"}"#;
        let err = SigningSecret::parse(damaged).unwrap_err().to_string();
        assert!(!err.contains("MIIEvQIBADANBgkqhkiG9w0BAQEFAASC"), "{err}");
    }
}
