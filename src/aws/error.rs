//! Turning AWS SDK errors into host errors recipes can branch on.
//!
//! An error keeps the service's code and message and nothing of the response it came in: the
//! SDK's own full rendering (`DisplayErrorContext`) ends with the `Debug` form of the error,
//! which carries the raw HTTP response, body included, so an unreadable `GetSecretValue`
//! answer would put the secret in a recipe's error and a CI log.

use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use crate::aws::HostError;

/// The host error for a failed SDK call: the service's error code when there is one
/// (`ResourceNotFoundException`), otherwise what kind of failure it was.
pub fn sdk_error<E, R>(service: &str, operation: &str, err: SdkError<E, R>) -> HostError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    let (code, message) = match &err {
        SdkError::ServiceError(service_err) => {
            let err = service_err.err();
            (
                err.code().unwrap_or("ServiceError").to_owned(),
                err.message()
                    .map(str::to_owned)
                    .unwrap_or_else(|| "the service gave no message".to_owned()),
            )
        }
        SdkError::DispatchFailure(_) => ("ConnectionError".to_owned(), causes(&err)),
        SdkError::TimeoutError(_) => ("Timeout".to_owned(), causes(&err)),
        SdkError::ResponseError(_) => (
            "ResponseError".to_owned(),
            "the response could not be read as the API's answer (nothing of it is shown: it \
             may hold secret values)"
                .to_owned(),
        ),
        SdkError::ConstructionFailure(_) => ("InvalidRequest".to_owned(), causes(&err)),
        _ => ("Unknown".to_owned(), causes(&err)),
    };
    HostError::new(service, operation, code, message)
}

/// The error and its sources, by `Display` only (never `Debug`, which shows raw responses).
fn causes(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
