//! `keys::`: generating and loading signing keys. Private keys are opaque in recipes.

use std::sync::Arc;

use rhai::plugin::*;
use rhai::{Engine, EvalAltResult};

use crate::keys::{self as host_keys, KeyType, PrivateKey};
use crate::script::host_error::HostError;
use crate::script::HostErrorExt as _;

/// A private key held by the host. Recipes can pass it to `sign::` functions and to secret
/// writes, never see its contents: printing one shows `<private key redacted>`.
#[derive(Clone)]
pub struct ScriptKey(pub Arc<PrivateKey>);

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
            .map(|key| ScriptKey(Arc::new(key)))
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
            .map(|key| ScriptKey(Arc::new(key)))
            .map_err(|e| key_error("from_pem", e).raise(&context))
    }

    /// The public key as SPKI PEM: the form CloudFront accepts (a key-pair product parameter).
    #[rhai_fn(global, pure, return_raw)]
    pub fn public_key_pem(
        context: NativeCallContext,
        key: &mut ScriptKey,
    ) -> Result<String, Box<EvalAltResult>> {
        key.0
            .public_key()
            .map(|public| public.to_pem().to_owned())
            .map_err(|e| key_error("public_key_pem", e).raise(&context))
    }

    /// The key's algorithm: `"RSA-2048"` or `"ECDSA P-256"`.
    #[rhai_fn(global, pure)]
    pub fn algorithm(key: &mut ScriptKey) -> String {
        key.0.algorithm().to_string()
    }

    /// Always `<private key redacted>`.
    #[rhai_fn(global, pure, name = "to_string", name = "to_debug")]
    pub fn redacted(_key: &mut ScriptKey) -> String {
        "<private key redacted>".into()
    }
}

pub(super) fn register(engine: &mut Engine) {
    engine.register_type_with_name::<ScriptKey>("PrivateKey");
    let module = exported_module!(keys_module);
    engine.register_static_module("keys", module.into());
}
