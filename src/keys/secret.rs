//! The signing-key secret document, as it is stored in Secrets Manager (docs/design.md §2):
//! one JSON object, readable from any SDK,
//! `{"keyPairId": "K2JCJMDEHXQW5F", "privateKey": "-----BEGIN PRIVATE KEY-----\n..."}`.
//!
//! This is the one place that reads and writes the format; the recipes' bindings, the CLI's
//! `--secret` and the Rust example all go through it. Every copy of the PEM it makes is wiped
//! when dropped; the JSON text a caller hands in is the caller's to wipe.

use serde::Deserialize;
use zeroize::{Zeroize, Zeroizing};

use super::{KeyError, PrivateKey};

/// A parsed signing-key secret: the key pair id and the private key, or no key yet (the
/// placeholder a freshly provisioned secret holds until cfsign writes the first key).
#[derive(Debug)]
pub struct SigningSecret {
    key_pair_id: String,
    key: Option<PrivateKey>,
}

/// Why a secret's value is not a signing-key secret. Never quotes the value.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    /// Not a JSON object with string fields `keyPairId` and `privateKey`.
    #[error("the secret is not a signing-key secret: expected JSON with keyPairId and privateKey strings")]
    Format,
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
        let key = if document.private_key.trim().is_empty() {
            None
        } else {
            Some(PrivateKey::from_pem(&document.private_key, None)?)
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

    /// The CloudFront public key id the key is trusted under (empty in a placeholder).
    pub fn key_pair_id(&self) -> &str {
        &self.key_pair_id
    }

    /// The key, or `None` while the secret holds the placeholder.
    pub fn key(&self) -> Option<&PrivateKey> {
        self.key.as_ref()
    }

    /// The key pair id and the key, taken apart.
    pub fn into_parts(self) -> (String, Option<PrivateKey>) {
        (self.key_pair_id, self.key)
    }
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
        assert_eq!(
            read.key().unwrap().public_key().unwrap().to_pem(),
            key.public_key().unwrap().to_pem()
        );
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
