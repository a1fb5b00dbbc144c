//! Signing keys: generation, PEM loading and the redacted private-key type.
//!
//! This module owns key material and nothing else: it knows no URLs, AWS or Rhai. A
//! [`PrivateKey`] never shows its contents: `Debug` and `Display` print
//! `<private key redacted>`, errors describe a damaged PEM without quoting it, and the only way
//! out is [`PrivateKey::to_pkcs8_pem`] (for writing a secret or a file the user asked for).
//!
//! What is wiped: the key (AWS-LC cleanses the memory it frees when the `PrivateKey` drops), and
//! every PEM or DER copy this module makes while reading or exporting one (`Zeroizing`). What is
//! not: the text a caller passes to [`PrivateKey::from_pem`] belongs to the caller, who must wipe
//! it (the CLI does); docs/signing.md lists what cfsign as a whole does and cannot wipe.

mod evp;
mod pem;
pub mod secret;

use std::fmt;
use std::str::FromStr;

use zeroize::Zeroizing;

pub(crate) use evp::Digest;
use evp::{EvpKey, Family};
pub use secret::{SecretError, SigningSecret, StoredKey};

/// What a signing key is, as CloudFront sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeyAlgorithm {
    /// RSA with the given modulus size. CloudFront accepts 2048-bit public keys only.
    Rsa {
        /// Modulus size in bits.
        bits: u32,
    },
    /// ECDSA on NIST P-256.
    EcdsaP256,
}

impl KeyAlgorithm {
    /// A warning when CloudFront would refuse the matching public key, `None` when it is fine.
    pub fn compatibility_warning(&self) -> Option<String> {
        match self {
            KeyAlgorithm::Rsa { bits } if *bits != 2048 => Some(format!(
                "this is a {bits}-bit RSA key; CloudFront accepts only 2048-bit RSA public keys, \
                 so URLs signed with it will be refused (generate one with `cfsign keygen`)"
            )),
            _ => None,
        }
    }
}

impl fmt::Display for KeyAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyAlgorithm::Rsa { bits } => write!(f, "RSA-{bits}"),
            KeyAlgorithm::EcdsaP256 => f.write_str("ECDSA P-256"),
        }
    }
}

/// The kinds of key `cfsign keygen` makes: the two CloudFront accepts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum KeyType {
    /// RSA-2048, the default everywhere (the key type the epic asks for).
    #[default]
    Rsa2048,
    /// ECDSA P-256: about fifteen times cheaper to sign with, and shorter URLs.
    EcdsaP256,
}

impl KeyType {
    /// The name used on the command line and in recipes.
    pub fn name(self) -> &'static str {
        match self {
            KeyType::Rsa2048 => "rsa2048",
            KeyType::EcdsaP256 => "ecdsa-p256",
        }
    }
}

impl fmt::Display for KeyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for KeyType {
    type Err = KeyError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "rsa2048" | "rsa-2048" | "rsa" => Ok(KeyType::Rsa2048),
            "ecdsa-p256" | "ecdsap256" | "ecdsa" | "p256" | "p-256" => Ok(KeyType::EcdsaP256),
            _ => Err(KeyError::UnknownKeyType(s.to_owned())),
        }
    }
}

/// Everything that can go wrong reading or making a key.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The text holds no PEM block at all.
    #[error(
        "not a PEM key: expected text between `-----BEGIN ...-----` and `-----END ...-----` lines"
    )]
    NotPem,
    /// A PEM block is damaged (bad base64, mismatched labels, truncated).
    #[error("corrupt PEM: {0}")]
    CorruptPem(String),
    /// A public key or certificate was given where a private key is needed.
    #[error("this is a {found}, not a private key: pass the private key that belongs to it (the PEM file labelled `PRIVATE KEY`)")]
    PublicKeyGivenAsPrivate {
        /// What the PEM label says it is.
        found: String,
    },
    /// A private key was given where a public key is expected.
    #[error("this is a private key; pass the public key (`-----BEGIN PUBLIC KEY-----`), which `cfsign keygen` writes as public_key.pem")]
    PrivateKeyGivenAsPublic,
    /// The PEM block is something other than a key.
    #[error("unexpected PEM block `{0}`: expected a private key (PKCS#8 `PRIVATE KEY`, `RSA PRIVATE KEY` or `EC PRIVATE KEY`)")]
    UnexpectedPemLabel(String),
    /// An encrypted key was given without a passphrase.
    #[error("the private key is encrypted: give its passphrase (`--passphrase-env VAR` names the environment variable that holds it)")]
    PassphraseRequired,
    /// Decryption failed: almost always a wrong passphrase.
    #[error("could not decrypt the private key: wrong passphrase, or an encryption scheme other than PBES2 (PBKDF2 or scrypt with AES)")]
    DecryptionFailed,
    /// OpenSSL's legacy PEM encryption (`Proc-Type: 4,ENCRYPTED`).
    #[error("legacy OpenSSL PEM encryption is not supported: convert the key with `openssl pkcs8 -topk8 -v2 aes-256-cbc -in OLD.pem -out NEW.pem`")]
    LegacyEncryption,
    /// The DER inside the PEM is not a key AWS-LC can parse.
    #[error(
        "the {what} could not be parsed: the PEM armour is fine but the key inside is malformed"
    )]
    Malformed {
        /// "private key" or "public key".
        what: &'static str,
    },
    /// A key CloudFront cannot use (another curve, Ed25519, DSA, ...).
    #[error("unsupported key type {0}: CloudFront accepts RSA-2048 and ECDSA P-256 keys")]
    Unsupported(String),
    /// An unknown `--type` value.
    #[error("unknown key type `{0}`: use `rsa2048` or `ecdsa-p256`")]
    UnknownKeyType(String),
    /// The cryptographic library failed (out of memory, in practice).
    #[error("AWS-LC failed to {0}")]
    Crypto(&'static str),
}

/// A private signing key. Its contents never appear in `Debug`, `Display` or errors; AWS-LC
/// cleanses its memory when the last reference is dropped.
pub struct PrivateKey {
    evp: EvpKey,
    algorithm: KeyAlgorithm,
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<private key redacted>")
    }
}

impl fmt::Display for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<private key redacted>")
    }
}

impl PrivateKey {
    /// Reads a PEM private key: PKCS#8, PKCS#1 (`RSA PRIVATE KEY`), SEC1 (`EC PRIVATE KEY`), or
    /// encrypted PKCS#8 (`ENCRYPTED PRIVATE KEY`) with `passphrase`.
    pub fn from_pem(pem: &str, passphrase: Option<&[u8]>) -> Result<Self, KeyError> {
        let block = pem::find_key_block(pem)?;
        let der = match block.label.as_str() {
            "PRIVATE KEY" | "RSA PRIVATE KEY" | "EC PRIVATE KEY" => block.der,
            "ENCRYPTED PRIVATE KEY" => {
                let passphrase = passphrase.ok_or(KeyError::PassphraseRequired)?;
                pem::decrypt_pkcs8(&block.der, passphrase)?
            }
            label @ ("PUBLIC KEY" | "RSA PUBLIC KEY" | "CERTIFICATE") => {
                return Err(KeyError::PublicKeyGivenAsPrivate {
                    found: label.to_ascii_lowercase(),
                })
            }
            other => return Err(KeyError::UnexpectedPemLabel(other.to_owned())),
        };
        Self::from_der(&der)
    }

    /// Reads a DER private key (PKCS#8, PKCS#1 or SEC1).
    pub fn from_der(der: &[u8]) -> Result<Self, KeyError> {
        let evp = EvpKey::private_from_der(der).ok_or(KeyError::Malformed {
            what: "private key",
        })?;
        let algorithm = algorithm_of(&evp)?;
        Ok(PrivateKey { evp, algorithm })
    }

    /// What kind of key this is.
    pub fn algorithm(&self) -> KeyAlgorithm {
        self.algorithm
    }

    /// The matching public key.
    pub fn public_key(&self) -> Result<PublicKey, KeyError> {
        let der = self
            .evp
            .public_key_der()
            .ok_or(KeyError::Crypto("encode a public key"))?;
        PublicKey::from_der(&der)
    }

    /// The key as PKCS#8 PEM. This is the one way key material leaves the type: call it only to
    /// write a secret value or a file the user asked for. The returned text is wiped when
    /// dropped; copies the caller makes of it are the caller's to wipe.
    pub fn to_pkcs8_pem(&self) -> Result<Zeroizing<String>, KeyError> {
        let der = self
            .evp
            .private_key_pkcs8_der()
            .ok_or(KeyError::Crypto("encode a private key"))?;
        pem::encode("PRIVATE KEY", &der).map(Zeroizing::new)
    }

    /// Signs `message` with `digest`.
    pub(crate) fn sign(&self, digest: Digest, message: &[u8]) -> Result<Vec<u8>, KeyError> {
        self.evp
            .sign(digest, message)
            .ok_or(KeyError::Crypto("sign"))
    }
}

/// A public key, as uploaded to CloudFront (SPKI PEM).
pub struct PublicKey {
    evp: EvpKey,
    algorithm: KeyAlgorithm,
    pem: String,
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicKey")
            .field("algorithm", &self.algorithm)
            .finish()
    }
}

impl PublicKey {
    /// Reads an SPKI PEM public key (`-----BEGIN PUBLIC KEY-----`).
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        let block = pem::find_key_block(pem)?;
        match block.label.as_str() {
            "PUBLIC KEY" => Self::from_der(&block.der),
            "PRIVATE KEY" | "RSA PRIVATE KEY" | "EC PRIVATE KEY" | "ENCRYPTED PRIVATE KEY" => {
                Err(KeyError::PrivateKeyGivenAsPublic)
            }
            other => Err(KeyError::UnexpectedPemLabel(other.to_owned())),
        }
    }

    /// Reads a DER SubjectPublicKeyInfo.
    pub fn from_der(der: &[u8]) -> Result<Self, KeyError> {
        let evp = EvpKey::public_from_der(der).ok_or(KeyError::Malformed { what: "public key" })?;
        let algorithm = algorithm_of(&evp)?;
        let pem = pem::encode("PUBLIC KEY", der)?;
        Ok(PublicKey {
            evp,
            algorithm,
            pem,
        })
    }

    /// What kind of key this is.
    pub fn algorithm(&self) -> KeyAlgorithm {
        self.algorithm
    }

    /// The SPKI PEM text CloudFront accepts as a public key's `EncodedKey`.
    pub fn to_pem(&self) -> &str {
        &self.pem
    }

    /// Checks a signature over `message`.
    pub(crate) fn verify(&self, digest: Digest, message: &[u8], signature: &[u8]) -> bool {
        self.evp.verify(digest, message, signature)
    }
}

/// Generates a new key of the given type.
pub fn generate(key_type: KeyType) -> Result<PrivateKey, KeyError> {
    use aws_lc_rs::encoding::AsDer;
    use aws_lc_rs::signature::{EcdsaKeyPair, RsaKeyPair, ECDSA_P256_SHA256_ASN1_SIGNING};

    let der = match key_type {
        KeyType::Rsa2048 => {
            let pair = RsaKeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048)
                .map_err(|_| KeyError::Crypto("generate a key"))?;
            let der = pair
                .as_der()
                .map_err(|_| KeyError::Crypto("generate a key"))?;
            Zeroizing::new(der.as_ref().to_vec())
        }
        KeyType::EcdsaP256 => {
            let pair = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_ASN1_SIGNING)
                .map_err(|_| KeyError::Crypto("generate a key"))?;
            let der = pair
                .to_pkcs8v1()
                .map_err(|_| KeyError::Crypto("generate a key"))?;
            Zeroizing::new(der.as_ref().to_vec())
        }
    };
    PrivateKey::from_der(&der)
}

fn algorithm_of(evp: &EvpKey) -> Result<KeyAlgorithm, KeyError> {
    match evp.family() {
        Family::Rsa { bits } => Ok(KeyAlgorithm::Rsa { bits }),
        Family::EcP256 => Ok(KeyAlgorithm::EcdsaP256),
        Family::EcOther => Err(KeyError::Unsupported(
            "ECDSA on a curve other than P-256".into(),
        )),
        Family::Other => Err(KeyError::Unsupported("(not RSA or ECDSA)".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_rsa_key_is_2048_bits_and_round_trips_through_pem() {
        let key = generate(KeyType::Rsa2048).unwrap();
        assert_eq!(key.algorithm(), KeyAlgorithm::Rsa { bits: 2048 });
        let pem = key.to_pkcs8_pem().unwrap();
        let (label, _) = pkcs8::der::pem::decode_vec(pem.as_bytes()).unwrap();
        assert_eq!(label, "PRIVATE KEY");
        let again = PrivateKey::from_pem(&pem, None).unwrap();
        assert_eq!(
            again.public_key().unwrap().to_pem(),
            key.public_key().unwrap().to_pem()
        );
    }

    #[test]
    fn generated_ecdsa_key_signs_and_verifies() {
        let key = generate(KeyType::EcdsaP256).unwrap();
        assert_eq!(key.algorithm(), KeyAlgorithm::EcdsaP256);
        let public = key.public_key().unwrap();
        let sig = key.sign(Digest::Sha256, b"policy").unwrap();
        assert!(public.verify(Digest::Sha256, b"policy", &sig));
        assert!(!public.verify(Digest::Sha256, b"policz", &sig));
        assert!(!public.verify(Digest::Sha1, b"policy", &sig));
    }

    #[test]
    fn private_key_never_prints_its_material() {
        let key = generate(KeyType::Rsa2048).unwrap();
        assert_eq!(format!("{key}"), "<private key redacted>");
        assert_eq!(format!("{key:?}"), "<private key redacted>");
    }

    #[test]
    fn public_key_is_refused_where_a_private_key_is_needed() {
        let public = generate(KeyType::EcdsaP256).unwrap().public_key().unwrap();
        let err = PrivateKey::from_pem(public.to_pem(), None).unwrap_err();
        assert!(
            matches!(err, KeyError::PublicKeyGivenAsPrivate { .. }),
            "{err}"
        );
    }

    #[test]
    fn private_key_is_refused_where_a_public_key_is_needed() {
        let pem = generate(KeyType::EcdsaP256)
            .unwrap()
            .to_pkcs8_pem()
            .unwrap();
        let err = PublicKey::from_pem(&pem).unwrap_err();
        assert!(matches!(err, KeyError::PrivateKeyGivenAsPublic), "{err}");
    }

    #[test]
    fn text_without_pem_is_not_a_key() {
        assert!(matches!(
            PrivateKey::from_pem("hello", None),
            Err(KeyError::NotPem)
        ));
    }

    #[test]
    fn a_damaged_begin_line_says_so() {
        let pem = generate(KeyType::EcdsaP256)
            .unwrap()
            .to_pkcs8_pem()
            .unwrap();
        let damaged = pem.replacen("KEY-----", "KEY----", 1);
        let err = PrivateKey::from_pem(&damaged, None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("BEGIN line is damaged"), "{err}");
    }

    #[test]
    fn rsa_key_of_another_size_gets_a_warning() {
        assert!(KeyAlgorithm::Rsa { bits: 1024 }
            .compatibility_warning()
            .is_some());
        assert!(KeyAlgorithm::Rsa { bits: 2048 }
            .compatibility_warning()
            .is_none());
        assert!(KeyAlgorithm::EcdsaP256.compatibility_warning().is_none());
    }

    #[test]
    fn key_type_names_parse() {
        assert_eq!("rsa2048".parse::<KeyType>().unwrap(), KeyType::Rsa2048);
        assert_eq!("ecdsa-p256".parse::<KeyType>().unwrap(), KeyType::EcdsaP256);
        assert!("dsa".parse::<KeyType>().is_err());
    }
}
