//! `secretsmanager::`: the signing-key secret and its version stages, which carry rotation
//! state (AWSCURRENT, AWSPENDING, AWSPREVIOUS). Key material stays in the host: recipes write a
//! `PrivateKey` and read one back, never the PEM text.

use std::sync::Arc;

use rhai::plugin::*;
use rhai::{Array, EvalAltResult, Map};
use serde_json::json;

use super::aws_context::{aws, caller_account, invalid, not_allowed};
use super::convert::{options as decode, timestamp, to_dynamic};
use super::keys::{KmsHandle, ScriptKey};
use crate::aws::plan::PLANNED;
use crate::aws::secrets::{self, ReadError, Version};
use crate::keys::{SecretError, SigningSecret, StoredKey};
use crate::script::HostErrorExt as _;
use crate::script::Sandbox;

const SERVICE: &str = "SecretsManager";

fn strings(array: &Array) -> Vec<String> {
    array.iter().map(|v| v.to_string()).collect()
}

/// Checks that a key is written to a `cfsign/...` secret of the caller's own account (the
/// account is looked up once per run).
fn check_key_destination(
    context: &NativeCallContext,
    secret_id: &str,
) -> Result<(), Box<EvalAltResult>> {
    let account = caller_account(context)?;
    Sandbox::check_key_secret(secret_id, &account)
        .map_err(|e| not_allowed(context, SERVICE, "PutSecretValue", e))
}

/// Reads one version of a signing-key secret: by stage, or by id when `version_id` is given.
/// `label` names it in errors.
fn read_signing_key(
    context: &NativeCallContext,
    secret_id: &str,
    label: &str,
    version_id: Option<&str>,
) -> Result<Map, Box<EvalAltResult>> {
    let aws = aws(context)?;
    let version = match version_id {
        Some(id) => Version::Id(id),
        None => Version::Stage(label),
    };
    let (secret, version_id) =
        secrets::signing_secret(&aws, secret_id, version).map_err(|e| match e {
            ReadError::Aws(host) => host.raise(context),
            ReadError::Secret(SecretError::Format) => invalid(
                context,
                SERVICE,
                "GetSecretValue",
                format!(
                    "{secret_id} ({label}) is not a signing-key secret (expected JSON with \
                     keyPairId and privateKey, or kmsKeyArn)"
                ),
            ),
            ReadError::Secret(e) => invalid(
                context,
                SERVICE,
                "GetSecretValue",
                format!("{secret_id} ({label}): {e}"),
            ),
        })?;
    let (key_pair_id, key) = secret.into_parts();
    let key = match key {
        None => Dynamic::UNIT,
        Some(StoredKey::Private(key)) => Dynamic::from(ScriptKey::Local(Arc::new(key))),
        Some(StoredKey::Kms(arn)) => {
            Dynamic::from(ScriptKey::Kms(Arc::new(KmsHandle::new(aws.clone(), arn))))
        }
    };
    let mut map = Map::new();
    map.insert("key_pair_id".into(), key_pair_id.into());
    map.insert("key".into(), key);
    map.insert("version_id".into(), version_id.into());
    Ok(map)
}

/// `update_secret_version_stage` options (a misspelt one is an error, not ignored).
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct StageMove {
    move_to: Option<String>,
    remove_from: Option<String>,
}

/// Secrets.
#[export_module]
pub mod secretsmanager_module {
    use super::*;

    /// Writes a signing key as a new version of `secret_id`, labelled with `stages`
    /// (e.g. `["AWSPENDING"]`). The value is `{"keyPairId": ..., "privateKey": <PKCS#8 PEM>}`,
    /// or for a KMS key `{"keyPairId": ..., "kmsKeyArn": ...}` (no key material).
    /// Returns the new version id (`planned()` in a dry run, whose plan never shows the value). Keys go only to
    /// `cfsign/...` secrets of the caller's own account (a name, or an ARN in that account);
    /// anything else is refused with code `NotAllowed`.
    ///
    /// ```rhai
    /// let version = secretsmanager::put_signing_key(secret_arn, key, "K2JCJMDEHXQW5F", ["AWSPENDING"]);
    /// ```
    #[rhai_fn(return_raw)]
    pub fn put_signing_key(
        context: NativeCallContext,
        secret_id: &str,
        key: ScriptKey,
        key_pair_id: &str,
        stages: Array,
    ) -> Result<String, Box<EvalAltResult>> {
        let aws = aws(&context)?;
        // A secret a dry run only planned to create has no name yet to check.
        if !(aws.dry_run() && secret_id == PLANNED) {
            check_key_destination(&context, secret_id)?;
        }
        let value = match &key {
            ScriptKey::Local(key) => SigningSecret::to_json(key_pair_id, key)
                .map_err(|e| invalid(&context, SERVICE, "PutSecretValue", e.to_string()))?,
            ScriptKey::Kms(key) => SigningSecret::to_kms_json(key_pair_id, key.arn()).into(),
            // Only a dry run plans a KMS key, and its plan never shows the value.
            ScriptKey::PlannedKms => SigningSecret::to_kms_json(key_pair_id, PLANNED).into(),
        };
        secrets::put_value(&aws, secret_id, value.as_str(), strings(&stages))
            .map_err(|e| e.raise(&context))
    }

    /// Reads the signing key at version stage `stage` (e.g. `"AWSCURRENT"`):
    /// `#{key_pair_id, key, version_id}`, with `key` a `PrivateKey` (a KMS key for a
    /// KMS-backed team: `key.in_kms()`), or `()` while the secret still holds its empty
    /// placeholder.
    #[rhai_fn(return_raw)]
    pub fn get_signing_key(
        context: NativeCallContext,
        secret_id: &str,
        stage: &str,
    ) -> Result<Map, Box<EvalAltResult>> {
        read_signing_key(&context, secret_id, stage, None)
    }

    /// Reads the signing key in version `version_id`, as `get_signing_key` does (e.g. to check
    /// that every trusted public key has its private key in some version).
    #[rhai_fn(return_raw)]
    pub fn get_signing_key_version(
        context: NativeCallContext,
        secret_id: &str,
        version_id: &str,
    ) -> Result<Map, Box<EvalAltResult>> {
        read_signing_key(&context, secret_id, version_id, Some(version_id))
    }

    /// The secret's ARN, name, tags, versions with their stages, and when it was scheduled for
    /// deletion (RFC 3339, or `""`):
    /// `#{arn, name, tags: #{...}, versions: #{"<version id>": ["AWSCURRENT"], ...}, deleted}`.
    #[rhai_fn(return_raw)]
    pub fn describe_secret(
        context: NativeCallContext,
        secret_id: &str,
    ) -> Result<Map, Box<EvalAltResult>> {
        let secret =
            secrets::describe(&aws(&context)?, secret_id).map_err(|e| e.raise(&context))?;
        let versions: Map = secret
            .versions
            .into_iter()
            .map(|(id, stages)| {
                let stages: Array = stages.into_iter().map(Dynamic::from).collect();
                (id.into(), stages.into())
            })
            .collect();
        let tags: Map = secret
            .tags
            .into_iter()
            .map(|(key, value)| (key.into(), value.into()))
            .collect();
        let mut map = Map::new();
        map.insert("arn".into(), secret.arn.into());
        map.insert("name".into(), secret.name.into());
        map.insert("tags".into(), tags.into());
        map.insert("versions".into(), versions.into());
        map.insert("deleted".into(), timestamp(secret.deleted.as_ref()).into());
        Ok(map)
    }

    /// The secret's versions, oldest first: `[#{id, stages: [...], created}]` (`created` as
    /// RFC 3339), e.g. to tell how old the current key is.
    #[rhai_fn(return_raw)]
    pub fn list_versions(
        context: NativeCallContext,
        secret_id: &str,
    ) -> Result<Array, Box<EvalAltResult>> {
        let versions =
            secrets::versions(&aws(&context)?, secret_id).map_err(|e| e.raise(&context))?;
        Ok(versions
            .into_iter()
            .map(|v| {
                to_dynamic(json!({
                    "id": v.id,
                    "stages": v.stages,
                    "created": timestamp(v.created.as_ref()),
                }))
            })
            .collect())
    }

    /// Moves version stage `stage` to `move_to` (a version id) and/or off `remove_from`.
    /// Options: `move_to`, `remove_from`.
    ///
    /// ```rhai
    /// // promote: the pending version becomes current
    /// secretsmanager::update_secret_version_stage(arn, "AWSCURRENT", #{ move_to: pending, remove_from: current });
    /// ```
    #[rhai_fn(return_raw)]
    pub fn update_secret_version_stage(
        context: NativeCallContext,
        secret_id: &str,
        stage: &str,
        options: Map,
    ) -> Result<(), Box<EvalAltResult>> {
        let aws = aws(&context)?;
        let StageMove {
            move_to,
            remove_from,
        } = decode(&context, SERVICE, "UpdateSecretVersionStage", options)?;
        if move_to.is_none() && remove_from.is_none() {
            return Err(invalid(
                &context,
                SERVICE,
                "UpdateSecretVersionStage",
                "give move_to, remove_from or both",
            ));
        }
        secrets::move_stage(&aws, secret_id, stage, move_to, remove_from)
            .map_err(|e| e.raise(&context))
    }

    /// Adds or replaces tags on the secret.
    #[rhai_fn(return_raw)]
    pub fn tag_resource(
        context: NativeCallContext,
        secret_id: &str,
        tags: Map,
    ) -> Result<(), Box<EvalAltResult>> {
        let pairs: Vec<(String, String)> = tags
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        secrets::tag(&aws(&context)?, secret_id, pairs).map_err(|e| e.raise(&context))
    }

    /// Schedules the secret's deletion after `recovery_days` (7-30); never forces it. Returns when it
    /// will be deleted (`""` in a dry run).
    #[rhai_fn(return_raw)]
    pub fn schedule_deletion(
        context: NativeCallContext,
        secret_id: &str,
        recovery_days: i64,
    ) -> Result<String, Box<EvalAltResult>> {
        let aws = aws(&context)?;
        if !(7..=30).contains(&recovery_days) {
            return Err(invalid(
                &context,
                SERVICE,
                "DeleteSecret",
                "recovery_days must be 7 to 30",
            ));
        }
        let deletion = secrets::schedule_deletion(&aws, secret_id, recovery_days)
            .map_err(|e| e.raise(&context))?;
        Ok(deletion.map(|d| d.to_string()).unwrap_or_default())
    }

    /// Creates a secret named `name` holding `value` (not for key material: use
    /// `put_signing_key`). Returns its ARN (`planned()` when a dry run would create it); an
    /// existing secret of that name is reused.
    #[rhai_fn(return_raw)]
    pub fn create_secret(
        context: NativeCallContext,
        name: &str,
        value: &str,
    ) -> Result<String, Box<EvalAltResult>> {
        secrets::ensure(&aws(&context)?, name, value).map_err(|e| e.raise(&context))
    }
}
