//! S3 reads as typed views, shared by the recipes' `s3::` functions and `cfsign doctor`.

use aws_sdk_s3::operation::head_object::HeadObjectError;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;

use super::Aws;

/// What `HeadObject` tells about an object.
#[derive(Debug, Clone, Default)]
pub struct ObjectView {
    /// Its size in bytes.
    pub content_length: i64,
    /// Its entity tag.
    pub etag: String,
}

/// A failed S3 call.
pub type S3Error<E> = Box<SdkError<E, HttpResponse>>;

/// The object `bucket`/`key`, or `None` when it does not exist; with `expected_owner`, S3
/// refuses (403) when the bucket belongs to another account.
pub fn object(
    aws: &Aws,
    bucket: &str,
    key: &str,
    expected_owner: Option<&str>,
) -> Result<Option<ObjectView>, S3Error<HeadObjectError>> {
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
        Err(err) => Err(Box::new(err)),
    }
}
