//! `s3::`: objects and content-addressed template uploads.
//!
//! Every call names the caller's account as the bucket's expected owner
//! (`ExpectedBucketOwner`): a bucket of the same name in another account (a squatted
//! `cfsign-artifacts-<account>`) is refused by S3 instead of being written to or read from.

use rhai::plugin::*;
use rhai::{EvalAltResult, Map};
use serde_json::json;

use super::aws_context::{aws, caller_account, fail, invalid, planned, read_file};
use super::convert::options as decode;

fn sha256_hex(data: &[u8]) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, data);
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// An object's bytes, content type and ETag, read as from a bucket `owner` owns.
fn read_object(
    context: &NativeCallContext,
    aws: &crate::aws::Aws,
    owner: &str,
    bucket: &str,
    key: &str,
) -> Result<(Vec<u8>, String, String), Box<EvalAltResult>> {
    let out = aws
        .block_on(
            aws.s3()
                .get_object()
                .bucket(bucket)
                .key(key)
                .expected_bucket_owner(owner)
                .send(),
        )
        .map_err(|e| fail(context, "S3", "GetObject", e))?;
    let content_type = out.content_type().unwrap_or_default().to_owned();
    let etag = out.e_tag().unwrap_or_default().to_owned();
    let bytes = aws
        .block_on(out.body.collect())
        .map_err(|e| invalid(context, "S3", "GetObject", format!("reading the body: {e}")))?
        .into_bytes();
    Ok((bytes.to_vec(), content_type, etag))
}

/// Every version and delete marker under `prefix` (all pages): `(key, version id, is a delete
/// marker)`. ListObjectVersions pages by key and version-id markers; the SDK has no paginator.
fn versions_under(
    context: &NativeCallContext,
    aws: &crate::aws::Aws,
    owner: &str,
    bucket: &str,
    prefix: &str,
) -> Result<Vec<(String, String, bool)>, Box<EvalAltResult>> {
    let mut found = Vec::new();
    let (mut key_marker, mut version_marker) = (None::<String>, None::<String>);
    loop {
        let page = aws
            .block_on(
                aws.s3()
                    .list_object_versions()
                    .bucket(bucket)
                    .prefix(prefix)
                    .expected_bucket_owner(owner)
                    .set_key_marker(key_marker.take())
                    .set_version_id_marker(version_marker.take())
                    .send(),
            )
            .map_err(|e| fail(context, "S3", "ListObjectVersions", e))?;
        for v in page.versions() {
            found.push((
                v.key().unwrap_or_default().to_owned(),
                v.version_id().unwrap_or("null").to_owned(),
                false,
            ));
        }
        for m in page.delete_markers() {
            found.push((
                m.key().unwrap_or_default().to_owned(),
                m.version_id().unwrap_or("null").to_owned(),
                true,
            ));
        }
        if !page.is_truncated().unwrap_or(false) {
            return Ok(found);
        }
        key_marker = page.next_key_marker().map(str::to_owned);
        version_marker = page.next_version_id_marker().map(str::to_owned);
    }
}

/// Deletes exactly these `(key, version id)` pairs, a thousand per DeleteObjects (its limit);
/// a version S3 could not delete is an error naming it.
fn delete_versions(
    context: &NativeCallContext,
    aws: &crate::aws::Aws,
    owner: &str,
    bucket: &str,
    versions: &[(String, String)],
) -> Result<(), Box<EvalAltResult>> {
    use aws_sdk_s3::types::{Delete, ObjectIdentifier};
    for batch in versions.chunks(1000) {
        let objects = batch
            .iter()
            .map(|(key, version)| {
                ObjectIdentifier::builder()
                    .key(key)
                    .version_id(version)
                    .build()
                    .map_err(|e| invalid(context, "S3", "DeleteObjects", e.to_string()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let delete = Delete::builder()
            .set_objects(Some(objects))
            .quiet(true)
            .build()
            .map_err(|e| invalid(context, "S3", "DeleteObjects", e.to_string()))?;
        let out = aws
            .block_on(
                aws.s3()
                    .delete_objects()
                    .bucket(bucket)
                    .expected_bucket_owner(owner)
                    .delete(delete)
                    .send(),
            )
            .map_err(|e| fail(context, "S3", "DeleteObjects", e))?;
        if let Some(error) = out.errors().first() {
            return Err(invalid(
                context,
                "S3",
                "DeleteObjects",
                format!(
                    "s3://{bucket}/{} version {}: {} ({})",
                    error.key().unwrap_or_default(),
                    error.version_id().unwrap_or_default(),
                    error.message().unwrap_or_default(),
                    error.code().unwrap_or_default()
                ),
            ));
        }
    }
    Ok(())
}

/// Deletes every version and delete marker of these keys under `prefix` (all of them when
/// `exact` is None); the number deleted. A dry run plans the DeleteObjects it would send.
fn purge(
    context: &NativeCallContext,
    bucket: &str,
    prefix: &str,
    exact: Option<&str>,
) -> Result<i64, Box<EvalAltResult>> {
    let aws = aws(context)?;
    let owner = caller_account(context)?;
    let versions: Vec<(String, String)> = versions_under(context, &aws, &owner, bucket, prefix)?
        .into_iter()
        .filter(|(key, _, _)| exact.is_none_or(|wanted| key == wanted))
        .map(|(key, version, _)| (key, version))
        .collect();
    if versions.is_empty() {
        return Ok(0);
    }
    let listed: Vec<_> = versions
        .iter()
        .map(|(key, version)| json!({ "Key": key, "VersionId": version }))
        .collect();
    if !planned(
        &aws,
        "S3",
        "DeleteObjects",
        json!({ "Bucket": bucket, "Delete": { "Objects": listed } }),
    ) {
        delete_versions(context, &aws, &owner, bucket, &versions)?;
    }
    Ok(versions.len() as i64)
}

/// `put_object` options (a misspelt one is an error, not ignored).
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct PutObjectOptions {
    content_type: Option<String>,
}

/// S3 objects.
#[export_module]
pub mod s3_module {
    use super::*;

    /// Creates `bucket` unless it already exists and is yours (idempotent). A bucket of that
    /// name owned by another account is an error, never used.
    #[rhai_fn(return_raw)]
    pub fn create_bucket(
        context: NativeCallContext,
        bucket: &str,
    ) -> Result<bool, Box<EvalAltResult>> {
        let aws = aws(&context)?;
        let owner = caller_account(&context)?;
        let client = aws.s3();
        match aws.block_on(
            client
                .head_bucket()
                .bucket(bucket)
                .expected_bucket_owner(&owner)
                .send(),
        ) {
            Ok(_) => return Ok(false),
            Err(err) if err.as_service_error().is_some_and(|e| e.is_not_found()) => {}
            Err(err) => {
                return Err(invalid(
                    &context,
                    "S3",
                    "HeadBucket",
                    format!(
                        "bucket {bucket} exists but is not this account's ({owner}), or cannot \
                         be read ({}); choose another bucket name",
                        crate::aws::sdk_error("S3", "HeadBucket", err).code
                    ),
                ))
            }
        }
        if planned(&aws, "S3", "CreateBucket", json!({ "Bucket": bucket })) {
            return Ok(true);
        }
        let region = aws.config().region().map(|r| r.to_string());
        let mut request = client.create_bucket().bucket(bucket);
        if let Some(region) = region.filter(|r| r != "us-east-1") {
            request = request.create_bucket_configuration(
                aws_sdk_s3::types::CreateBucketConfiguration::builder()
                    .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::from(
                        region.as_str(),
                    ))
                    .build(),
            );
        }
        aws.block_on(request.send())
            .map_err(|e| fail(&context, "S3", "CreateBucket", e))?;
        Ok(true)
    }

    /// Writes `body` to `bucket`/`key`. Options: `content_type`. Returns `#{etag, version_id}`.
    #[rhai_fn(return_raw)]
    pub fn put_object(
        context: NativeCallContext,
        bucket: &str,
        key: &str,
        body: &str,
        options: Map,
    ) -> Result<Map, Box<EvalAltResult>> {
        let aws = aws(&context)?;
        let owner = caller_account(&context)?;
        let PutObjectOptions { content_type } = decode(&context, "S3", "PutObject", options)?;
        let mut result = Map::new();
        if planned(
            &aws,
            "S3",
            "PutObject",
            json!({ "Bucket": bucket, "Key": key, "ContentLength": body.len(), "ContentType": content_type }),
        ) {
            return Ok(result);
        }
        let mut request = aws
            .s3()
            .put_object()
            .bucket(bucket)
            .key(key)
            .expected_bucket_owner(&owner)
            .body(body.as_bytes().to_vec().into());
        if let Some(content_type) = content_type {
            request = request.content_type(content_type);
        }
        let out = aws
            .block_on(request.send())
            .map_err(|e| fail(&context, "S3", "PutObject", e))?;
        result.insert("etag".into(), out.e_tag().unwrap_or_default().into());
        result.insert(
            "version_id".into(),
            out.version_id().unwrap_or_default().into(),
        );
        Ok(result)
    }

    /// Reads `bucket`/`key` as text: `#{body, content_type, etag}`.
    #[rhai_fn(return_raw)]
    pub fn get_object(
        context: NativeCallContext,
        bucket: &str,
        key: &str,
    ) -> Result<Map, Box<EvalAltResult>> {
        let aws = aws(&context)?;
        let owner = caller_account(&context)?;
        let (bytes, content_type, etag) = read_object(&context, &aws, &owner, bucket, key)?;
        let mut map = Map::new();
        map.insert(
            "body".into(),
            String::from_utf8_lossy(&bytes).into_owned().into(),
        );
        map.insert("content_type".into(), content_type.into());
        map.insert("etag".into(), etag.into());
        Ok(map)
    }

    /// The object's metadata `#{content_length, etag}`, or `()` when it does not exist.
    #[rhai_fn(return_raw)]
    pub fn head_object(
        context: NativeCallContext,
        bucket: &str,
        key: &str,
    ) -> Result<Dynamic, Box<EvalAltResult>> {
        let aws = aws(&context)?;
        let owner = caller_account(&context)?;
        match crate::aws::s3::object(&aws, bucket, key, Some(&owner)) {
            Ok(Some(object)) => {
                let mut map = Map::new();
                map.insert("content_length".into(), object.content_length.into());
                map.insert("etag".into(), object.etag.into());
                Ok(map.into())
            }
            Ok(None) => Ok(Dynamic::UNIT),
            Err(err) => Err(fail(&context, "S3", "HeadObject", *err)),
        }
    }

    /// Deletes `bucket`/`key` (no error when it is already gone). On a versioned bucket this
    /// only adds a delete marker; `delete_object_versions` removes the object for good.
    #[rhai_fn(return_raw)]
    pub fn delete_object(
        context: NativeCallContext,
        bucket: &str,
        key: &str,
    ) -> Result<(), Box<EvalAltResult>> {
        let aws = aws(&context)?;
        let owner = caller_account(&context)?;
        if planned(
            &aws,
            "S3",
            "DeleteObject",
            json!({ "Bucket": bucket, "Key": key }),
        ) {
            return Ok(());
        }
        aws.block_on(
            aws.s3()
                .delete_object()
                .bucket(bucket)
                .key(key)
                .expected_bucket_owner(&owner)
                .send(),
        )
        .map_err(|e| fail(&context, "S3", "DeleteObject", e))?;
        Ok(())
    }

    /// Every version and delete marker under `prefix` (all pages), as
    /// `#{key, version_id, delete_marker}`: what a versioned bucket still holds after its
    /// objects were deleted (a bucket holding any cannot be deleted).
    #[rhai_fn(return_raw)]
    pub fn list_object_versions(
        context: NativeCallContext,
        bucket: &str,
        prefix: &str,
    ) -> Result<rhai::Array, Box<EvalAltResult>> {
        let aws = aws(&context)?;
        let owner = caller_account(&context)?;
        Ok(versions_under(&context, &aws, &owner, bucket, prefix)?
            .into_iter()
            .map(|(key, version_id, delete_marker)| {
                let mut map = Map::new();
                map.insert("key".into(), key.into());
                map.insert("version_id".into(), version_id.into());
                map.insert("delete_marker".into(), delete_marker.into());
                Dynamic::from_map(map)
            })
            .collect())
    }

    /// Empties `bucket`: deletes every version and delete marker of every object (exact
    /// versions, so a versioned bucket is left with nothing). Returns how many went.
    #[rhai_fn(return_raw)]
    pub fn empty_bucket(
        context: NativeCallContext,
        bucket: &str,
    ) -> Result<i64, Box<EvalAltResult>> {
        purge(&context, bucket, "", None)
    }

    /// Deletes every version and delete marker of `bucket`/`key` (on a versioned bucket a
    /// plain DeleteObject only adds a marker). Returns how many went.
    #[rhai_fn(return_raw)]
    pub fn delete_object_versions(
        context: NativeCallContext,
        bucket: &str,
        key: &str,
    ) -> Result<i64, Box<EvalAltResult>> {
        purge(&context, bucket, key, Some(key))
    }

    /// The keys under `prefix` (all pages): the current objects. A versioned bucket also holds
    /// older versions and delete markers (`list_object_versions`, `empty_bucket`).
    #[rhai_fn(return_raw)]
    pub fn list_objects(
        context: NativeCallContext,
        bucket: &str,
        prefix: &str,
    ) -> Result<rhai::Array, Box<EvalAltResult>> {
        let aws = aws(&context)?;
        let owner = caller_account(&context)?;
        let pages = aws
            .block_on(
                aws.s3()
                    .list_objects_v2()
                    .bucket(bucket)
                    .prefix(prefix)
                    .expected_bucket_owner(&owner)
                    .into_paginator()
                    .send()
                    .collect::<Result<Vec<_>, _>>(),
            )
            .map_err(|e| fail(&context, "S3", "ListObjectsV2", e))?;
        Ok(pages
            .iter()
            .flat_map(|page| page.contents())
            .filter_map(|object| object.key())
            .map(|key| Dynamic::from(key.to_owned()))
            .collect())
    }

    /// Uploads the file at `path` under `prefix/`, named by its content hash, unless that object
    /// already exists: the same template is never uploaded twice and a changed one gets a new
    /// key. An object already there is read back and must hold exactly this content (its hash
    /// is its name), or the upload fails. Returns `#{key, url, sha256, uploaded}`.
    ///
    /// ```rhai
    /// let t = s3::upload_template("my-artifacts", "products/s3-bucket/template.yaml", "s3-bucket");
    /// if t.uploaded { print(`new version of s3-bucket: ${t.sha256}`); }
    /// ```
    #[rhai_fn(return_raw)]
    pub fn upload_template(
        context: NativeCallContext,
        bucket: &str,
        path: &str,
        prefix: &str,
    ) -> Result<Map, Box<EvalAltResult>> {
        let aws = aws(&context)?;
        let owner = caller_account(&context)?;
        let body = read_file(&context, "S3", "UploadTemplate", path)?;
        let sha256 = sha256_hex(&body);
        let key = format!("{}/{}.yaml", prefix.trim_end_matches('/'), &sha256[..16]);
        let exists = match aws.block_on(
            aws.s3()
                .head_object()
                .bucket(bucket)
                .key(&key)
                .expected_bucket_owner(&owner)
                .send(),
        ) {
            Ok(_) => true,
            Err(err) if err.as_service_error().is_some_and(|e| e.is_not_found()) => false,
            Err(err) => return Err(fail(&context, "S3", "HeadObject", err)),
        };
        if exists {
            // Named by its hash is not the same as holding it: check before it is published.
            let (stored, _, _) = read_object(&context, &aws, &owner, bucket, &key)?;
            let stored_sha256 = sha256_hex(&stored);
            if stored_sha256 != sha256 {
                return Err(invalid(
                    &context,
                    "S3",
                    "UploadTemplate",
                    format!(
                        "s3://{bucket}/{key} should hold {path} (sha256 {sha256}) but holds other \
                         content (sha256 {stored_sha256}): someone changed the artifact bucket; \
                         find out who before publishing, then delete the object"
                    ),
                ));
            }
        }
        let uploaded = !exists
            && !planned(
                &aws,
                "S3",
                "PutObject",
                json!({ "Bucket": bucket, "Key": key, "ContentLength": body.len() }),
            );
        if uploaded {
            aws.block_on(
                aws.s3()
                    .put_object()
                    .bucket(bucket)
                    .key(&key)
                    .expected_bucket_owner(&owner)
                    .content_type("application/x-yaml")
                    .body(body.into())
                    .send(),
            )
            .map_err(|e| fail(&context, "S3", "PutObject", e))?;
        }
        let region = aws
            .config()
            .region()
            .map_or("us-east-1".to_owned(), |r| r.to_string());
        let url = match aws.config().endpoint_url() {
            Some(endpoint) => format!("{}/{bucket}/{key}", endpoint.trim_end_matches('/')),
            None => format!("https://{bucket}.s3.{region}.amazonaws.com/{key}"),
        };
        let mut map = Map::new();
        map.insert("key".into(), key.into());
        map.insert("url".into(), url.into());
        map.insert("sha256".into(), sha256.into());
        map.insert("uploaded".into(), (!exists).into());
        Ok(map)
    }
}
