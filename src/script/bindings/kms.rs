//! `kms::`: signing keys that never leave AWS KMS, for KMS-backed teams. A key made here is a
//! `PrivateKey` value like any other (`sign::`, `secretsmanager::put_signing_key`,
//! `public_key_pem` take it), but no private key exists outside KMS: each signature is a
//! kms:Sign call, and the team's secret holds only the key's ARN.

use std::sync::Arc;

use rhai::plugin::*;
use rhai::{EvalAltResult, Map};
use serde_json::Value;

use super::aws_context::{aws, invalid};
use super::convert::{options as decode, to_map};
use super::keys::{KmsHandle, ScriptKey};
use crate::aws::kms;
use crate::keys::KeyType;
use crate::script::HostErrorExt as _;

const SERVICE: &str = "KMS";

/// `create_signing_key` options (a misspelt one is an error, not ignored).
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateOptions {
    description: String,
    policy: Option<Value>,
}

/// `schedule_key_deletion` options.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct DeletionOptions {
    pending_window_days: i64,
}

/// KMS signing keys.
#[export_module]
pub mod kms_module {
    use super::*;

    /// Creates an asymmetric signing key in KMS: `key_type` `"rsa2048"` (RSA_2048, signing
    /// with RSASSA_PKCS1_V1_5_SHA_256) or `"ecdsa-p256"` (ECC_NIST_P256, ECDSA_SHA_256).
    /// Options: `description` (required), `policy` (the key policy, a map; KMS's default
    /// leaves access to IAM policies). Returns the key (`key.kms_key_arn()`,
    /// `key.public_key_pem()`); in a dry run, a planned key that cannot sign.
    ///
    /// ```rhai
    /// let key = kms::create_signing_key("rsa2048", #{ description: "cfsign signing key for team payments" });
    /// let pem = key.public_key_pem();
    /// ```
    #[rhai_fn(return_raw)]
    pub fn create_signing_key(
        context: NativeCallContext,
        key_type: &str,
        options: Map,
    ) -> Result<ScriptKey, Box<EvalAltResult>> {
        let aws = aws(&context)?;
        let options: CreateOptions = decode(&context, SERVICE, "CreateKey", options)?;
        let key_type: KeyType = key_type
            .parse()
            .map_err(|e| invalid(&context, SERVICE, "CreateKey", format!("{e}")))?;
        let policy = options.policy.as_ref().map(Value::to_string);
        let created =
            kms::create_signing_key(&aws, key_type, &options.description, policy.as_deref())
                .map_err(|e| e.raise(&context))?;
        Ok(created.map_or(ScriptKey::PlannedKms, |created| {
            ScriptKey::Kms(Arc::new(KmsHandle::opened(aws.clone(), created)))
        }))
    }

    /// The KMS key `key_id` (an id, ARN or alias), or `()` when KMS does not know it:
    /// `#{arn, state, key_spec, description, deletion_date}`.
    #[rhai_fn(return_raw)]
    pub fn describe_key(
        context: NativeCallContext,
        key_id: &str,
    ) -> Result<Dynamic, Box<EvalAltResult>> {
        let key = kms::describe(&aws(&context)?, key_id).map_err(|e| e.raise(&context))?;
        Ok(key.map_or(Dynamic::UNIT, |key| Dynamic::from_map(to_map(key))))
    }

    /// Schedules the deletion of the KMS key `key_id` (an ARN) after `pending_window_days` (7
    /// to 30; until then CancelKeyDeletion restores it). A key already pending deletion, or
    /// one KMS no longer knows, is left as it is: `#{key_id, state, deletion_date,
    /// already_scheduled}`, state `"PendingDeletion"`, `"Gone"` or (dry run) `"Planned"`.
    #[rhai_fn(return_raw)]
    pub fn schedule_key_deletion(
        context: NativeCallContext,
        key_id: &str,
        options: Map,
    ) -> Result<Map, Box<EvalAltResult>> {
        let aws = aws(&context)?;
        let options: DeletionOptions = decode(&context, SERVICE, "ScheduleKeyDeletion", options)?;
        let days = i32::try_from(options.pending_window_days)
            .ok()
            .filter(|days| (7..=30).contains(days))
            .ok_or_else(|| {
                invalid(
                    &context,
                    SERVICE,
                    "ScheduleKeyDeletion",
                    format!(
                        "pending_window_days is {}: KMS waits 7 to 30 days before it deletes a key",
                        options.pending_window_days
                    ),
                )
            })?;
        kms::schedule_deletion(&aws, key_id, days)
            .map(to_map)
            .map_err(|e| e.raise(&context))
    }
}
