//! Secrets Manager: a team's signing key read for recipes and the command line alike, and the
//! secret's versions, stages, tags and deletion, with the dry-run plan built from each request.

use super::{sdk_error, Aws};
use crate::aws::HostError;
use crate::keys::{SecretError, SigningSecret};

/// Which version of a secret to read.
#[derive(Debug, Clone, Copy)]
pub enum Version<'a> {
    /// The version a stage label is on (`AWSCURRENT`, `AWSPENDING`, ...).
    Stage(&'a str),
    /// A version by its id.
    Id(&'a str),
}

/// Why a signing key could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// Secrets Manager refused or failed (code and message only: never the response).
    #[error("{0}")]
    Aws(HostError),
    /// The value is not a signing-key secret.
    #[error(transparent)]
    Secret(#[from] SecretError),
}

/// Reads `version` of the signing-key secret `secret_id` (a name or an ARN); returns the
/// parsed secret and the id of the version read. The value's text is wiped once parsed.
pub fn signing_secret(
    aws: &Aws,
    secret_id: &str,
    version: Version<'_>,
) -> Result<(SigningSecret, String), ReadError> {
    let request = aws
        .secrets_manager()
        .get_secret_value()
        .secret_id(secret_id);
    let request = match version {
        Version::Stage(stage) => request.version_stage(stage),
        Version::Id(id) => request.version_id(id),
    };
    let out = aws
        .block_on(request.send())
        .map_err(|e| ReadError::Aws(sdk_error("SecretsManager", "GetSecretValue", e)))?;
    let text = zeroize::Zeroizing::new(out.secret_string().unwrap_or_default().to_owned());
    let secret = SigningSecret::parse(&text)?;
    Ok((secret, out.version_id().unwrap_or_default().to_owned()))
}

const SERVICE: &str = "SecretsManager";

/// A secret as DescribeSecret tells it.
#[derive(Debug, Clone, PartialEq)]
pub struct SecretView {
    /// Its ARN.
    pub arn: String,
    /// Its name.
    pub name: String,
    /// Its tags, as Secrets Manager lists them.
    pub tags: Vec<(String, String)>,
    /// Each version's id with its stage labels.
    pub versions: Vec<(String, Vec<String>)>,
    /// When its deletion was scheduled, if it was.
    pub deleted: Option<aws_smithy_types::DateTime>,
}

/// One version of a secret.
#[derive(Debug, Clone, PartialEq)]
pub struct VersionView {
    /// The version id.
    pub id: String,
    /// Its stage labels.
    pub stages: Vec<String>,
    /// When it was written.
    pub created: Option<aws_smithy_types::DateTime>,
}

/// Writes `value` as a new version of `secret_id` labelled `stages`; returns the version id
/// ([`PLANNED`](super::plan::PLANNED) in a dry run, which records the request, value redacted).
pub fn put_value(
    aws: &Aws,
    secret_id: &str,
    value: &str,
    stages: Vec<String>,
) -> Result<String, HostError> {
    let request = aws
        .secrets_manager()
        .put_secret_value()
        .secret_id(secret_id)
        .secret_string(value)
        .set_version_stages(Some(stages));
    let call = aws.operation(SERVICE, "PutSecretValue");
    if call.planned_hiding(request.as_input(), &["secret_string"]) {
        return Ok(super::plan::PLANNED.to_owned());
    }
    let out = call.send(request.send())?;
    Ok(out.version_id().unwrap_or_default().to_owned())
}

/// The secret `secret_id`, or `None` when Secrets Manager has no such secret
/// (ResourceNotFoundException only: a refusal is an error).
pub fn find(aws: &Aws, secret_id: &str) -> Result<Option<SecretView>, HostError> {
    let request = aws.secrets_manager().describe_secret().secret_id(secret_id);
    let out = match aws.block_on(request.send()) {
        Ok(out) => out,
        Err(e)
            if e.as_service_error()
                .is_some_and(|e| e.is_resource_not_found_exception()) =>
        {
            return Ok(None)
        }
        Err(e) => return Err(sdk_error(SERVICE, "DescribeSecret", e)),
    };
    let mut versions: Vec<(String, Vec<String>)> = out
        .version_ids_to_stages()
        .map(|stages| {
            stages
                .iter()
                .map(|(id, labels)| (id.clone(), labels.clone()))
                .collect()
        })
        .unwrap_or_default();
    versions.sort();
    Ok(Some(SecretView {
        arn: out.arn().unwrap_or_default().to_owned(),
        name: out.name().unwrap_or_default().to_owned(),
        tags: out
            .tags()
            .iter()
            .map(|t| {
                let key = t.key().unwrap_or_default().to_owned();
                (key, t.value().unwrap_or_default().to_owned())
            })
            .collect(),
        versions,
        deleted: out.deleted_date().copied(),
    }))
}

/// The secret `secret_id`; a missing one is an error (ResourceNotFoundException).
pub fn describe(aws: &Aws, secret_id: &str) -> Result<SecretView, HostError> {
    find(aws, secret_id)?.ok_or_else(|| {
        HostError::new(
            SERVICE,
            "DescribeSecret",
            "ResourceNotFoundException",
            format!("Secrets Manager can't find the specified secret: {secret_id}"),
        )
    })
}

/// The versions of `secret_id`, oldest first.
pub fn versions(aws: &Aws, secret_id: &str) -> Result<Vec<VersionView>, HostError> {
    let pages = aws.operation(SERVICE, "ListSecretVersionIds").send(
        aws.secrets_manager()
            .list_secret_version_ids()
            .secret_id(secret_id)
            .into_paginator()
            .send()
            .collect::<Result<Vec<_>, _>>(),
    )?;
    let mut versions: Vec<VersionView> = pages
        .iter()
        .flat_map(|page| page.versions())
        .map(|v| VersionView {
            id: v.version_id().unwrap_or_default().to_owned(),
            stages: v.version_stages().to_vec(),
            created: v.created_date().copied(),
        })
        .collect();
    versions.sort_by_key(|v| v.created.map(|t| (t.secs(), t.subsec_nanos())));
    Ok(versions)
}

/// Moves stage label `stage` onto version `move_to` and/or off version `remove_from`.
pub fn move_stage(
    aws: &Aws,
    secret_id: &str,
    stage: &str,
    move_to: Option<String>,
    remove_from: Option<String>,
) -> Result<(), HostError> {
    let request = aws
        .secrets_manager()
        .update_secret_version_stage()
        .secret_id(secret_id)
        .version_stage(stage)
        .set_move_to_version_id(move_to)
        .set_remove_from_version_id(remove_from);
    let call = aws.operation(SERVICE, "UpdateSecretVersionStage");
    if call.planned(request.as_input()) {
        return Ok(());
    }
    call.send(request.send())?;
    Ok(())
}

/// Adds or replaces `tags` on `secret_id`.
pub fn tag(aws: &Aws, secret_id: &str, tags: Vec<(String, String)>) -> Result<(), HostError> {
    let tags = tags
        .into_iter()
        .map(|(key, value)| {
            aws_sdk_secretsmanager::types::Tag::builder()
                .key(key)
                .value(value)
                .build()
        })
        .collect();
    let request = aws
        .secrets_manager()
        .tag_resource()
        .secret_id(secret_id)
        .set_tags(Some(tags));
    let call = aws.operation(SERVICE, "TagResource");
    if call.planned(request.as_input()) {
        return Ok(());
    }
    call.send(request.send())?;
    Ok(())
}

/// Schedules the deletion of `secret_id` after `recovery_days`, never forcing it; returns when
/// it will be deleted (`None` in a dry run).
pub fn schedule_deletion(
    aws: &Aws,
    secret_id: &str,
    recovery_days: i64,
) -> Result<Option<aws_smithy_types::DateTime>, HostError> {
    let request = aws
        .secrets_manager()
        .delete_secret()
        .secret_id(secret_id)
        .recovery_window_in_days(recovery_days);
    let call = aws.operation(SERVICE, "DeleteSecret");
    if call.planned(request.as_input()) {
        return Ok(None);
    }
    let out = call.send(request.send())?;
    Ok(out.deletion_date().copied())
}

/// The ARN of the secret `name`, created holding `value` unless it exists;
/// [`PLANNED`](super::plan::PLANNED) when a dry run would create it.
pub fn ensure(aws: &Aws, name: &str, value: &str) -> Result<String, HostError> {
    if let Some(existing) = find(aws, name)? {
        return Ok(existing.arn);
    }
    let request = aws
        .secrets_manager()
        .create_secret()
        .name(name)
        .secret_string(value);
    let call = aws.operation(SERVICE, "CreateSecret");
    if call.planned_hiding(request.as_input(), &["secret_string"]) {
        return Ok(super::plan::PLANNED.to_owned());
    }
    let out = call.send(request.send())?;
    Ok(out.arn().unwrap_or_default().to_owned())
}
