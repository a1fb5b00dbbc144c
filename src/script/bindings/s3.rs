//! `s3::`: objects and content-addressed template uploads; the calls are `crate::aws::s3`'s,
//! each naming the caller's account as the bucket's expected owner.

use rhai::plugin::*;
use rhai::{Array, EvalAltResult, Map};

use super::aws_context::{aws, caller_account, read_file};
use super::convert::options as decode;
use crate::aws::s3::{self as calls, VersionEntry};
use crate::aws::Aws;
use crate::script::HostErrorExt as _;

/// The run's AWS access and the caller's account, which every call names as the owner.
fn access(context: &NativeCallContext) -> Result<(Aws, String), Box<EvalAltResult>> {
    Ok((aws(context)?, caller_account(context)?))
}

/// Deletes every version and delete marker of the keys under `prefix` (all of them when
/// `exact` is None); the number deleted (or that a dry run would delete).
fn purge(
    context: &NativeCallContext,
    bucket: &str,
    prefix: &str,
    exact: Option<&str>,
) -> Result<i64, Box<EvalAltResult>> {
    let (aws, owner) = access(context)?;
    let versions: Vec<VersionEntry> = calls::versions(&aws, bucket, prefix, &owner)
        .map_err(|e| e.raise(context))?
        .into_iter()
        .filter(|v| exact.is_none_or(|wanted| v.key == wanted))
        .collect();
    calls::delete_versions(&aws, bucket, &owner, &versions).map_err(|e| e.raise(context))?;
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
        let (aws, owner) = access(&context)?;
        calls::ensure_bucket(&aws, bucket, &owner).map_err(|e| e.raise(&context))
    }

    /// Writes `body` to `bucket`/`key`. Options: `content_type`. Returns `#{etag, version_id}`
    /// (an empty map in a dry run).
    #[rhai_fn(return_raw)]
    pub fn put_object(
        context: NativeCallContext,
        bucket: &str,
        key: &str,
        body: &str,
        options: Map,
    ) -> Result<Map, Box<EvalAltResult>> {
        let (aws, owner) = access(&context)?;
        let PutObjectOptions { content_type } = decode(&context, "S3", "PutObject", options)?;
        let body = body.as_bytes().to_vec();
        let written = calls::put_object(&aws, bucket, key, &owner, body, content_type.as_deref())
            .map_err(|e| e.raise(&context))?;
        let mut result = Map::new();
        if let Some(written) = written {
            result.insert("etag".into(), written.etag.into());
            result.insert("version_id".into(), written.version_id.into());
        }
        Ok(result)
    }

    /// Reads `bucket`/`key` as text: `#{body, content_type, etag}`.
    #[rhai_fn(return_raw)]
    pub fn get_object(
        context: NativeCallContext,
        bucket: &str,
        key: &str,
    ) -> Result<Map, Box<EvalAltResult>> {
        let (aws, owner) = access(&context)?;
        let object = calls::get_object(&aws, bucket, key, &owner).map_err(|e| e.raise(&context))?;
        let mut map = Map::new();
        map.insert(
            "body".into(),
            String::from_utf8_lossy(&object.bytes).into_owned().into(),
        );
        map.insert("content_type".into(), object.content_type.into());
        map.insert("etag".into(), object.etag.into());
        Ok(map)
    }

    /// The object's metadata `#{content_length, etag}`, or `()` when it does not exist.
    #[rhai_fn(return_raw)]
    pub fn head_object(
        context: NativeCallContext,
        bucket: &str,
        key: &str,
    ) -> Result<Dynamic, Box<EvalAltResult>> {
        let (aws, owner) = access(&context)?;
        let found =
            calls::object(&aws, bucket, key, Some(&owner)).map_err(|e| e.raise(&context))?;
        Ok(found.map_or(Dynamic::UNIT, |object| {
            let mut map = Map::new();
            map.insert("content_length".into(), object.content_length.into());
            map.insert("etag".into(), object.etag.into());
            map.into()
        }))
    }

    /// Deletes `bucket`/`key` (no error when it is already gone). On a versioned bucket this
    /// only adds a delete marker; `delete_object_versions` removes the object for good.
    #[rhai_fn(return_raw)]
    pub fn delete_object(
        context: NativeCallContext,
        bucket: &str,
        key: &str,
    ) -> Result<(), Box<EvalAltResult>> {
        let (aws, owner) = access(&context)?;
        calls::delete_object(&aws, bucket, key, &owner).map_err(|e| e.raise(&context))
    }

    /// Every version and delete marker under `prefix` (all pages), as
    /// `#{key, version_id, delete_marker}`: what a versioned bucket still holds after its
    /// objects were deleted (a bucket holding any cannot be deleted).
    #[rhai_fn(return_raw)]
    pub fn list_object_versions(
        context: NativeCallContext,
        bucket: &str,
        prefix: &str,
    ) -> Result<Array, Box<EvalAltResult>> {
        let (aws, owner) = access(&context)?;
        let versions =
            calls::versions(&aws, bucket, prefix, &owner).map_err(|e| e.raise(&context))?;
        Ok(versions
            .into_iter()
            .map(|v| {
                let mut map = Map::new();
                map.insert("key".into(), v.key.into());
                map.insert("version_id".into(), v.version_id.into());
                map.insert("delete_marker".into(), v.delete_marker.into());
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
    ) -> Result<Array, Box<EvalAltResult>> {
        let (aws, owner) = access(&context)?;
        let keys = calls::keys(&aws, bucket, prefix, &owner).map_err(|e| e.raise(&context))?;
        Ok(keys.into_iter().map(Dynamic::from).collect())
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
        let (aws, owner) = access(&context)?;
        let body = read_file(&context, "S3", "UploadTemplate", path)?;
        let upload = calls::upload_content_addressed(&aws, bucket, prefix, &owner, path, body)
            .map_err(|e| e.raise(&context))?;
        let mut map = Map::new();
        map.insert("key".into(), upload.key.into());
        map.insert("url".into(), upload.url.into());
        map.insert("sha256".into(), upload.sha256.into());
        map.insert("uploaded".into(), upload.uploaded.into());
        Ok(map)
    }
}
