//! `secretsmanager::`: the signing-key secret and its version stages, which carry rotation
//! state (AWSCURRENT, AWSPENDING, AWSPREVIOUS). Key material stays in the host: recipes write a
//! `PrivateKey` and read one back, never the PEM text.

use std::sync::Arc;

use rhai::plugin::*;
use rhai::{Array, EvalAltResult, Map};
use serde_json::json;

use super::aws_context::{aws, caller_account, fail, invalid, not_allowed, planned};
use super::convert::{options as decode, timestamp, to_dynamic};
use super::keys::ScriptKey;
use crate::aws::secrets::{self, ReadError, Version};
use crate::keys::{SecretError, SigningSecret};
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
                     keyPairId and privateKey)"
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
    let mut map = Map::new();
    map.insert("key_pair_id".into(), key_pair_id.into());
    map.insert(
        "key".into(),
        key.map_or(Dynamic::UNIT, |key| Dynamic::from(ScriptKey(Arc::new(key)))),
    );
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
    /// (e.g. `["AWSPENDING"]`). The value is `{"keyPairId": ..., "privateKey": <PKCS#8 PEM>}`.
    /// Returns the new version id. In a dry run the value is never shown. Keys go only to
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
        let stages = strings(&stages);
        // A secret a dry run only planned to create has no name yet to check.
        if !(aws.dry_run() && secret_id == crate::aws::plan::PLANNED) {
            check_key_destination(&context, secret_id)?;
        }
        if planned(
            &aws,
            SERVICE,
            "PutSecretValue",
            json!({ "SecretId": secret_id, "SecretString": "<signing key>", "KeyPairId": key_pair_id, "VersionStages": stages }),
        ) {
            return Ok("dry-run".into());
        }
        let value = SigningSecret::to_json(key_pair_id, &key.0)
            .map_err(|e| invalid(&context, SERVICE, "PutSecretValue", e.to_string()))?;
        let out = aws
            .block_on(
                aws.secrets_manager()
                    .put_secret_value()
                    .secret_id(secret_id)
                    .secret_string(value.as_str())
                    .set_version_stages(Some(stages))
                    .send(),
            )
            .map_err(|e| fail(&context, SERVICE, "PutSecretValue", e))?;
        Ok(out.version_id().unwrap_or_default().to_owned())
    }

    /// Reads the signing key at version stage `stage` (e.g. `"AWSCURRENT"`):
    /// `#{key_pair_id, key, version_id}`, with `key` a `PrivateKey` (or `()` while the secret
    /// still holds its empty placeholder).
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
        let aws = aws(&context)?;
        let out = aws
            .block_on(
                aws.secrets_manager()
                    .describe_secret()
                    .secret_id(secret_id)
                    .send(),
            )
            .map_err(|e| fail(&context, SERVICE, "DescribeSecret", e))?;
        let mut versions = Map::new();
        if let Some(stages) = out.version_ids_to_stages() {
            for (version, labels) in stages {
                let labels: Array = labels.iter().map(|l| l.clone().into()).collect();
                versions.insert(version.as_str().into(), labels.into());
            }
        }
        let mut tags = Map::new();
        for tag in out.tags() {
            tags.insert(
                tag.key().unwrap_or_default().into(),
                tag.value().unwrap_or_default().into(),
            );
        }
        let mut map = Map::new();
        map.insert("arn".into(), out.arn().unwrap_or_default().into());
        map.insert("name".into(), out.name().unwrap_or_default().into());
        map.insert("tags".into(), tags.into());
        map.insert("versions".into(), versions.into());
        map.insert("deleted".into(), timestamp(out.deleted_date()).into());
        Ok(map)
    }

    /// The secret's versions, oldest first: `[#{id, stages: [...], created}]` (`created` as
    /// RFC 3339), e.g. to tell how old the current key is.
    #[rhai_fn(return_raw)]
    pub fn list_versions(
        context: NativeCallContext,
        secret_id: &str,
    ) -> Result<Array, Box<EvalAltResult>> {
        let aws = aws(&context)?;
        let pages = aws
            .block_on(
                aws.secrets_manager()
                    .list_secret_version_ids()
                    .secret_id(secret_id)
                    .into_paginator()
                    .send()
                    .collect::<Result<Vec<_>, _>>(),
            )
            .map_err(|e| fail(&context, SERVICE, "ListSecretVersionIds", e))?;
        let mut versions: Vec<serde_json::Value> = pages
            .iter()
            .flat_map(|page| page.versions())
            .map(|v| {
                json!({
                    "id": v.version_id(),
                    "stages": v.version_stages(),
                    "created": timestamp(v.created_date()),
                })
            })
            .collect();
        versions.sort_by(|a, b| a["created"].as_str().cmp(&b["created"].as_str()));
        Ok(versions.into_iter().map(to_dynamic).collect())
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
        if planned(
            &aws,
            SERVICE,
            "UpdateSecretVersionStage",
            json!({ "SecretId": secret_id, "VersionStage": stage, "MoveToVersionId": move_to, "RemoveFromVersionId": remove_from }),
        ) {
            return Ok(());
        }
        aws.block_on(
            aws.secrets_manager()
                .update_secret_version_stage()
                .secret_id(secret_id)
                .version_stage(stage)
                .set_move_to_version_id(move_to)
                .set_remove_from_version_id(remove_from)
                .send(),
        )
        .map_err(|e| fail(&context, SERVICE, "UpdateSecretVersionStage", e))?;
        Ok(())
    }

    /// Adds or replaces tags on the secret.
    #[rhai_fn(return_raw)]
    pub fn tag_resource(
        context: NativeCallContext,
        secret_id: &str,
        tags: Map,
    ) -> Result<(), Box<EvalAltResult>> {
        let aws = aws(&context)?;
        let pairs: Vec<(String, String)> = tags
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        if planned(
            &aws,
            SERVICE,
            "TagResource",
            json!({ "SecretId": secret_id, "Tags": pairs }),
        ) {
            return Ok(());
        }
        let tags = pairs
            .into_iter()
            .map(|(k, v)| {
                aws_sdk_secretsmanager::types::Tag::builder()
                    .key(k)
                    .value(v)
                    .build()
            })
            .collect();
        aws.block_on(
            aws.secrets_manager()
                .tag_resource()
                .secret_id(secret_id)
                .set_tags(Some(tags))
                .send(),
        )
        .map_err(|e| fail(&context, SERVICE, "TagResource", e))?;
        Ok(())
    }

    /// Schedules the secret's deletion after `recovery_days` (7-30); never forces it.
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
        if planned(
            &aws,
            SERVICE,
            "DeleteSecret",
            json!({ "SecretId": secret_id, "RecoveryWindowInDays": recovery_days }),
        ) {
            return Ok(String::new());
        }
        let out = aws
            .block_on(
                aws.secrets_manager()
                    .delete_secret()
                    .secret_id(secret_id)
                    .recovery_window_in_days(recovery_days)
                    .send(),
            )
            .map_err(|e| fail(&context, SERVICE, "DeleteSecret", e))?;
        Ok(out
            .deletion_date()
            .map(|d| d.to_string())
            .unwrap_or_default())
    }

    /// Creates a secret named `name` holding `value` (not for key material: use
    /// `put_signing_key`). Returns its ARN; an existing secret of that name is reused.
    #[rhai_fn(return_raw)]
    pub fn create_secret(
        context: NativeCallContext,
        name: &str,
        value: &str,
    ) -> Result<String, Box<EvalAltResult>> {
        let aws = aws(&context)?;
        let client = aws.secrets_manager();
        if let Ok(existing) = aws.block_on(client.describe_secret().secret_id(name).send()) {
            return Ok(existing.arn().unwrap_or_default().to_owned());
        }
        if planned(
            &aws,
            SERVICE,
            "CreateSecret",
            json!({ "Name": name, "SecretString": value }),
        ) {
            return Ok(String::new());
        }
        let out = aws
            .block_on(
                client
                    .create_secret()
                    .name(name)
                    .secret_string(value)
                    .send(),
            )
            .map_err(|e| fail(&context, SERVICE, "CreateSecret", e))?;
        Ok(out.arn().unwrap_or_default().to_owned())
    }
}
