//! `s3::`: objects and content-addressed template uploads.
//!
//! Every call names the caller's account as the bucket's expected owner
//! (`ExpectedBucketOwner`): a bucket of the same name in another account (a squatted
//! `cfsign-artifacts-<account>`) is refused by S3 instead of being written to or read from.

use rhai::plugin::*;
use rhai::{EvalAltResult, Map};
use serde_json::json;

use super::aws_context::{aws, caller_account, fail, invalid, planned, read_file};

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
        let content_type = options.get("content_type").map(|v| v.to_string());
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

    /// Deletes `bucket`/`key` (no error when it is already gone).
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

    /// The keys under `prefix` (all pages), e.g. to empty a bucket before its stack is deleted.
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
