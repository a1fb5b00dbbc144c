//! Turning AWS SDK errors into host errors recipes can branch on.

use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use crate::script::HostError;

/// The host error for a failed SDK call: the service's error code when there is one
/// (`ResourceNotFoundException`), otherwise what kind of failure it was.
pub fn sdk_error<E, R>(service: &str, operation: &str, err: SdkError<E, R>) -> HostError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    let code = match &err {
        SdkError::ServiceError(service_err) => service_err
            .err()
            .code()
            .unwrap_or("ServiceError")
            .to_owned(),
        SdkError::DispatchFailure(_) => "ConnectionError".to_owned(),
        SdkError::TimeoutError(_) => "Timeout".to_owned(),
        SdkError::ResponseError(_) => "ResponseError".to_owned(),
        SdkError::ConstructionFailure(_) => "InvalidRequest".to_owned(),
        _ => "Unknown".to_owned(),
    };
    let message = match &err {
        SdkError::ServiceError(service_err) => service_err
            .err()
            .message()
            .map(str::to_owned)
            .unwrap_or_else(|| DisplayErrorContext(&err).to_string()),
        _ => DisplayErrorContext(&err).to_string(),
    };
    HostError::new(service, operation, code, message)
}
