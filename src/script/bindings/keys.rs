//! `keys::`: generating and loading signing keys. Private keys are opaque in recipes.

use std::sync::{Arc, OnceLock};

use rhai::plugin::*;
use rhai::{Engine, EvalAltResult};

use crate::aws::kms::KmsKey;
use crate::aws::plan::PLANNED;
use crate::aws::Aws;
use crate::keys::{self as host_keys, KeyType, PrivateKey};
use crate::script::host_error::HostError;
use crate::script::HostErrorExt as _;
use crate::sign::PolicySigner;

/// A signing key as recipes hold it: a private key in the host, or a key that never leaves
/// AWS KMS. Recipes pass it to `sign::` functions and to secret writes, never see a private
/// key's contents: printing one shows `<private key redacted>` (a KMS key shows its ARN).
#[derive(Clone)]
pub enum ScriptKey {
    /// A private key held by the host.
    Local(Arc<PrivateKey>),
    /// An asymmetric KMS key: every signature is a kms:Sign call.
    Kms(Arc<KmsHandle>),
    /// A KMS key a dry run planned to create: it has no public key yet, and cannot sign.
    PlannedKms,
}

/// A KMS key named by its ARN, opened (its public key read) only when it is first used: a
/// secret version may name a key already scheduled for deletion, whose ARN is all a recipe
/// needs then.
pub struct KmsHandle {
    aws: Aws,
    arn: String,
    opened: OnceLock<Arc<KmsKey>>,
}

impl KmsHandle {
    /// The KMS key `arn`, not read yet.
    pub fn new(aws: Aws, arn: String) -> Self {
        KmsHandle {
            aws,
            arn,
            opened: OnceLock::new(),
        }
    }

    /// A key already opened (its public key read), e.g. one just created.
    pub fn opened(aws: Aws, key: KmsKey) -> Self {
        KmsHandle {
            aws,
            arn: key.arn().to_owned(),
            opened: OnceLock::from(Arc::new(key)),
        }
    }

    /// The key's ARN.
    pub fn arn(&self) -> &str {
        &self.arn
    }

    /// The key, its public key read from KMS on first use.
    pub fn key(&self) -> Result<Arc<KmsKey>, String> {
        if let Some(key) = self.opened.get() {
            return Ok(Arc::clone(key));
        }
        let key = Arc::new(KmsKey::open(&self.aws, &self.arn).map_err(|e| e.to_string())?);
        Ok(Arc::clone(self.opened.get_or_init(|| key)))
    }
}

impl ScriptKey {
    /// What signs with this key, or why it cannot.
    pub fn signer(&self) -> Result<Arc<dyn PolicySigner>, String> {
        match self {
            ScriptKey::Local(key) => Ok(Arc::clone(key) as Arc<dyn PolicySigner>),
            ScriptKey::Kms(handle) => Ok(handle.key()? as Arc<dyn PolicySigner>),
            ScriptKey::PlannedKms => {
                Err("the KMS key is only planned (dry run): it cannot sign yet".into())
            }
        }
    }

    /// The public key as SPKI PEM; [`PLANNED`] for a planned key.
    pub fn public_key_pem(&self) -> Result<String, String> {
        match self {
            ScriptKey::Local(key) => key
                .public_key()
                .map(|public| public.to_pem().to_owned())
                .map_err(|e| e.to_string()),
            ScriptKey::Kms(handle) => Ok(handle.key()?.public_key().to_pem().to_owned()),
            ScriptKey::PlannedKms => Ok(PLANNED.to_owned()),
        }
    }
}

fn key_error(operation: &str, err: impl std::fmt::Display) -> HostError {
    HostError::new("keys", operation, "InvalidKey", err.to_string())
}

/// Key generation and loading.
#[export_module]
pub mod keys_module {
    use super::*;

    /// Generates an RSA-2048 key pair, the default CloudFront key type.
    ///
    /// ```rhai
    /// let key = keys::generate();
    /// print(key);                  // <private key redacted>
    /// let pem = key.public_key_pem();
    /// ```
    #[rhai_fn(name = "generate", return_raw)]
    pub fn generate_default(context: NativeCallContext) -> Result<ScriptKey, Box<EvalAltResult>> {
        generate(context, "rsa2048")
    }

    /// Generates a key pair of the given type: `"rsa2048"` or `"ecdsa-p256"`.
    #[rhai_fn(return_raw)]
    pub fn generate(
        context: NativeCallContext,
        key_type: &str,
    ) -> Result<ScriptKey, Box<EvalAltResult>> {
        let key_type: KeyType = key_type
            .parse()
            .map_err(|e| key_error("generate", e).raise(&context))?;
        host_keys::generate(key_type)
            .map(|key| ScriptKey::Local(Arc::new(key)))
            .map_err(|e| key_error("generate", e).raise(&context))
    }

    /// Loads a private key from PEM text (PKCS#8, PKCS#1 or SEC1), e.g. the `privateKey` field
    /// of a team's secret.
    #[rhai_fn(return_raw)]
    pub fn from_pem(
        context: NativeCallContext,
        pem: &str,
    ) -> Result<ScriptKey, Box<EvalAltResult>> {
        PrivateKey::from_pem(pem, None)
            .map(|key| ScriptKey::Local(Arc::new(key)))
            .map_err(|e| key_error("from_pem", e).raise(&context))
    }

    /// The public key as SPKI PEM: the form CloudFront accepts (a key-pair product parameter).
    /// For a KMS key, the public key KMS gives; `planned()` for one a dry run only planned.
    #[rhai_fn(global, pure, return_raw)]
    pub fn public_key_pem(
        context: NativeCallContext,
        key: &mut ScriptKey,
    ) -> Result<String, Box<EvalAltResult>> {
        key.public_key_pem()
            .map_err(|e| key_error("public_key_pem", e).raise(&context))
    }

    /// The key's algorithm: `"RSA-2048"` or `"ECDSA P-256"` (`planned()` for a planned KMS key).
    #[rhai_fn(global, pure, return_raw)]
    pub fn algorithm(
        context: NativeCallContext,
        key: &mut ScriptKey,
    ) -> Result<String, Box<EvalAltResult>> {
        if matches!(key, ScriptKey::PlannedKms) {
            return Ok(PLANNED.to_owned());
        }
        key.signer()
            .map(|signer| signer.algorithm().to_string())
            .map_err(|e| key_error("algorithm", e).raise(&context))
    }

    /// Whether the key lives in AWS KMS (it never leaves it: each signature is a kms:Sign call).
    #[rhai_fn(global, pure)]
    pub fn in_kms(key: &mut ScriptKey) -> bool {
        !matches!(key, ScriptKey::Local(_))
    }

    /// The ARN of a KMS key (`planned()` for one a dry run only planned); `""` for a private key
    /// held by the host.
    #[rhai_fn(global, pure)]
    pub fn kms_key_arn(key: &mut ScriptKey) -> String {
        match key {
            ScriptKey::Local(_) => String::new(),
            ScriptKey::Kms(key) => key.arn().to_owned(),
            ScriptKey::PlannedKms => PLANNED.to_owned(),
        }
    }

    /// `<private key redacted>` for a private key; `<KMS key ARN>` for a KMS key (its ARN is no
    /// secret: the key never leaves KMS).
    #[rhai_fn(global, pure, name = "to_string", name = "to_debug")]
    pub fn redacted(key: &mut ScriptKey) -> String {
        match key {
            ScriptKey::Local(_) => "<private key redacted>".into(),
            ScriptKey::Kms(key) => format!("<KMS key {}>", key.arn()),
            ScriptKey::PlannedKms => format!("<KMS key {PLANNED}>"),
        }
    }
}

pub(super) fn register(engine: &mut Engine) {
    engine.register_type_with_name::<ScriptKey>("PrivateKey");
    let module = exported_module!(keys_module);
    engine.register_static_module("keys", module.into());
}
