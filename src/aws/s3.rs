//! S3: buckets, objects, their versions and content-addressed uploads, shared by the recipes'
//! `s3::` functions and `cfsign doctor`.
//!
//! Every call that takes an `owner` names it as the bucket's expected owner
//! (`ExpectedBucketOwner`): a bucket of the same name in another account (a squatted
//! `cfsign-artifacts-<account>`) is refused by S3 instead of being written to or read from.
//! Every write is planned from its request in a dry run.

use aws_sdk_s3::types::{BucketLocationConstraint, CreateBucketConfiguration};
use aws_sdk_s3::types::{Delete, ObjectIdentifier};

use super::{sdk_error, Aws, HostError};

const SERVICE: &str = "S3";
/// The most keys one DeleteObjects takes.
const DELETE_BATCH: usize = 1000;

/// What `HeadObject` tells about an object.
#[derive(Debug, Clone, Default)]
pub struct ObjectView {
    /// Its size in bytes.
    pub content_length: i64,
    /// Its entity tag.
    pub etag: String,
}

/// An object as `GetObject` returns it.
#[derive(Debug, Clone, Default)]
pub struct ObjectBody {
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// Its content type.
    pub content_type: String,
    /// Its entity tag.
    pub etag: String,
}

/// What `PutObject` answered.
#[derive(Debug, Clone, Default)]
pub struct Written {
    /// The new object's entity tag.
    pub etag: String,
    /// Its version id (empty on an unversioned bucket).
    pub version_id: String,
}

/// One entry of `ListObjectVersions`: an object version or a delete marker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionEntry {
    /// The object's key.
    pub key: String,
    /// The version's id (`null` on a bucket that was never versioned).
    pub version_id: String,
    /// Whether it is a delete marker rather than a version.
    pub delete_marker: bool,
}

/// What [`upload_content_addressed`] did.
#[derive(Debug, Clone)]
pub struct Upload {
    /// The object's key: the prefix and the first 16 hex digits of the content's SHA-256.
    pub key: String,
    /// The object's URL (the endpoint's when one is set, else the bucket's regional URL).
    pub url: String,
    /// The content's SHA-256, in hex.
    pub sha256: String,
    /// Whether the object was new (a dry run reports what it would have uploaded).
    pub uploaded: bool,
}

/// The object `bucket`/`key`, or `None` when it does not exist; with `expected_owner`, S3
/// refuses (403) when the bucket belongs to another account.
pub fn object(
    aws: &Aws,
    bucket: &str,
    key: &str,
    expected_owner: Option<&str>,
) -> Result<Option<ObjectView>, HostError> {
    let request = aws
        .s3()
        .head_object()
        .bucket(bucket)
        .key(key)
        .set_expected_bucket_owner(expected_owner.map(str::to_owned));
    match aws.block_on(request.send()) {
        Ok(out) => Ok(Some(ObjectView {
            content_length: out.content_length().unwrap_or(0),
            etag: out.e_tag().unwrap_or_default().to_owned(),
        })),
        Err(err) if err.as_service_error().is_some_and(|e| e.is_not_found()) => Ok(None),
        Err(err) => Err(sdk_error(SERVICE, "HeadObject", err)),
    }
}

/// Creates `bucket` in the configured region unless it already exists and is `owner`'s;
/// whether it was created (or would be, in a dry run). A bucket of that name that S3 will not
/// show as `owner`'s (another account's, or unreadable) is an error, never used.
pub fn ensure_bucket(aws: &Aws, bucket: &str, owner: &str) -> Result<bool, HostError> {
    let client = aws.s3();
    let head = client
        .head_bucket()
        .bucket(bucket)
        .expected_bucket_owner(owner);
    match aws.block_on(head.send()) {
        Ok(_) => return Ok(false),
        Err(err) if err.as_service_error().is_some_and(|e| e.is_not_found()) => {}
        Err(err) => {
            let code = sdk_error(SERVICE, "HeadBucket", err).code;
            return Err(HostError::new(
                SERVICE,
                "HeadBucket",
                "InvalidInput",
                format!(
                    "bucket {bucket} exists but is not this account's ({owner}), or cannot be \
                     read ({code}); choose another bucket name"
                ),
            ));
        }
    }
    // us-east-1 is the one region CreateBucket refuses as a location constraint.
    let region = aws.config().region().map(|r| r.to_string());
    let location = region.filter(|r| r != "us-east-1").map(|region| {
        CreateBucketConfiguration::builder()
            .location_constraint(BucketLocationConstraint::from(region.as_str()))
            .build()
    });
    let request = client
        .create_bucket()
        .bucket(bucket)
        .set_create_bucket_configuration(location);
    let call = aws.operation(SERVICE, "CreateBucket");
    if call.planned(request.as_input()) {
        return Ok(true);
    }
    call.send(request.send())?;
    Ok(true)
}

/// Writes `body` to `bucket`/`key` of `owner`'s bucket; `None` in a dry run (which plans the
/// request with its length, not its body).
pub fn put_object(
    aws: &Aws,
    bucket: &str,
    key: &str,
    owner: &str,
    body: Vec<u8>,
    content_type: Option<&str>,
) -> Result<Option<Written>, HostError> {
    let request = aws
        .s3()
        .put_object()
        .bucket(bucket)
        .key(key)
        .expected_bucket_owner(owner)
        .content_length(body.len() as i64)
        .set_content_type(content_type.map(str::to_owned));
    // Planned before the body joins it: a plan shows the length, never the content.
    let call = aws.operation(SERVICE, "PutObject");
    if call.planned(request.as_input()) {
        return Ok(None);
    }
    let out = call.send(request.body(body.into()).send())?;
    Ok(Some(Written {
        etag: out.e_tag().unwrap_or_default().to_owned(),
        version_id: out.version_id().unwrap_or_default().to_owned(),
    }))
}

/// The object `bucket`/`key` of `owner`'s bucket, body and all.
pub fn get_object(
    aws: &Aws,
    bucket: &str,
    key: &str,
    owner: &str,
) -> Result<ObjectBody, HostError> {
    let request = aws
        .s3()
        .get_object()
        .bucket(bucket)
        .key(key)
        .expected_bucket_owner(owner);
    let out = aws.operation(SERVICE, "GetObject").send(request.send())?;
    let content_type = out.content_type().unwrap_or_default().to_owned();
    let etag = out.e_tag().unwrap_or_default().to_owned();
    let bytes = aws.block_on(out.body.collect()).map_err(|e| {
        HostError::new(
            SERVICE,
            "GetObject",
            "ResponseError",
            format!("reading the body of s3://{bucket}/{key}: {e}"),
        )
    })?;
    Ok(ObjectBody {
        bytes: bytes.into_bytes().to_vec(),
        content_type,
        etag,
    })
}

/// Deletes `bucket`/`key` of `owner`'s bucket (no error when it is already gone). On a
/// versioned bucket this only adds a delete marker; [`delete_versions`] removes versions.
pub fn delete_object(aws: &Aws, bucket: &str, key: &str, owner: &str) -> Result<(), HostError> {
    let request = aws
        .s3()
        .delete_object()
        .bucket(bucket)
        .key(key)
        .expected_bucket_owner(owner);
    let call = aws.operation(SERVICE, "DeleteObject");
    if call.planned(request.as_input()) {
        return Ok(());
    }
    call.send(request.send())?;
    Ok(())
}

/// The current keys under `prefix` (all pages).
pub fn keys(aws: &Aws, bucket: &str, prefix: &str, owner: &str) -> Result<Vec<String>, HostError> {
    let pages = aws.operation(SERVICE, "ListObjectsV2").send(
        aws.s3()
            .list_objects_v2()
            .bucket(bucket)
            .prefix(prefix)
            .expected_bucket_owner(owner)
            .into_paginator()
            .send()
            .collect::<Result<Vec<_>, _>>(),
    )?;
    Ok(pages
        .iter()
        .flat_map(|page| page.contents())
        .filter_map(|object| object.key())
        .map(str::to_owned)
        .collect())
}

/// Every version and delete marker under `prefix` (all pages). ListObjectVersions pages by key
/// and version-id markers; the SDK has no paginator for it.
pub fn versions(
    aws: &Aws,
    bucket: &str,
    prefix: &str,
    owner: &str,
) -> Result<Vec<VersionEntry>, HostError> {
    let mut found = Vec::new();
    let (mut key_marker, mut version_marker) = (None::<String>, None::<String>);
    loop {
        let request = aws
            .s3()
            .list_object_versions()
            .bucket(bucket)
            .prefix(prefix)
            .expected_bucket_owner(owner)
            .set_key_marker(key_marker.take())
            .set_version_id_marker(version_marker.take());
        let page = aws
            .operation(SERVICE, "ListObjectVersions")
            .send(request.send())?;
        let entry = |key: Option<&str>, version_id: Option<&str>, delete_marker| VersionEntry {
            key: key.unwrap_or_default().to_owned(),
            version_id: version_id.unwrap_or("null").to_owned(),
            delete_marker,
        };
        found.extend(
            page.versions()
                .iter()
                .map(|v| entry(v.key(), v.version_id(), false)),
        );
        found.extend(
            page.delete_markers()
                .iter()
                .map(|m| entry(m.key(), m.version_id(), true)),
        );
        if !page.is_truncated().unwrap_or(false) {
            return Ok(found);
        }
        key_marker = page.next_key_marker().map(str::to_owned);
        version_marker = page.next_version_id_marker().map(str::to_owned);
    }
}

/// Deletes exactly these versions (and delete markers), a thousand per DeleteObjects (its
/// limit); a version S3 could not delete is an error naming it. A dry run plans each batch.
pub fn delete_versions(
    aws: &Aws,
    bucket: &str,
    owner: &str,
    versions: &[VersionEntry],
) -> Result<(), HostError> {
    let invalid = |e: aws_sdk_s3::error::BuildError| {
        HostError::new(SERVICE, "DeleteObjects", "InvalidInput", e.to_string())
    };
    for batch in versions.chunks(DELETE_BATCH) {
        let objects = batch
            .iter()
            .map(|v| {
                ObjectIdentifier::builder()
                    .key(&v.key)
                    .version_id(&v.version_id)
                    .build()
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(invalid)?;
        let delete = Delete::builder()
            .set_objects(Some(objects))
            .quiet(true)
            .build()
            .map_err(invalid)?;
        let request = aws
            .s3()
            .delete_objects()
            .bucket(bucket)
            .expected_bucket_owner(owner)
            .delete(delete);
        let call = aws.operation(SERVICE, "DeleteObjects");
        if call.planned(request.as_input()) {
            continue;
        }
        let out = call.send(request.send())?;
        if let Some(error) = out.errors().first() {
            return Err(HostError::new(
                SERVICE,
                "DeleteObjects",
                error.code().unwrap_or("DeleteFailed"),
                format!(
                    "s3://{bucket}/{} version {}: {}",
                    error.key().unwrap_or_default(),
                    error.version_id().unwrap_or_default(),
                    error.message().unwrap_or_default(),
                ),
            ));
        }
    }
    Ok(())
}

/// The SHA-256 of `data`, in hex.
fn sha256_hex(data: &[u8]) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, data);
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// Uploads `body` under `prefix/`, named by its content hash, unless that object already
/// exists: the same content is never uploaded twice and changed content gets a new key. An
/// object already there is read back and must hold exactly this content (its hash is its
/// name), or the upload fails; `source` names the content in that error.
pub fn upload_content_addressed(
    aws: &Aws,
    bucket: &str,
    prefix: &str,
    owner: &str,
    source: &str,
    body: Vec<u8>,
) -> Result<Upload, HostError> {
    let sha256 = sha256_hex(&body);
    let key = format!("{}/{}.yaml", prefix.trim_end_matches('/'), &sha256[..16]);
    let exists = object(aws, bucket, &key, Some(owner))?.is_some();
    if exists {
        // Named by its hash is not the same as holding it: check before it is published.
        let stored_sha256 = sha256_hex(&get_object(aws, bucket, &key, owner)?.bytes);
        if stored_sha256 != sha256 {
            return Err(HostError::new(
                SERVICE,
                "UploadTemplate",
                "InvalidInput",
                format!(
                    "s3://{bucket}/{key} should hold {source} (sha256 {sha256}) but holds other \
                     content (sha256 {stored_sha256}): someone changed the artifact bucket; \
                     find out who before publishing, then delete the object"
                ),
            ));
        }
    } else {
        put_object(aws, bucket, &key, owner, body, Some("application/x-yaml"))?;
    }
    Ok(Upload {
        url: object_url(aws, bucket, &key),
        key,
        sha256,
        uploaded: !exists,
    })
}

/// The URL of `bucket`/`key`: under the endpoint when one is set (the emulator), else the
/// bucket's virtual-hosted regional URL.
fn object_url(aws: &Aws, bucket: &str, key: &str) -> String {
    match aws.config().endpoint_url() {
        Some(endpoint) => format!("{}/{bucket}/{key}", endpoint.trim_end_matches('/')),
        None => {
            let region = aws
                .config()
                .region()
                .map_or("us-east-1".to_owned(), |r| r.to_string());
            format!("https://{bucket}.s3.{region}.amazonaws.com/{key}")
        }
    }
}
