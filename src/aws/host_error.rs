//! The error every host operation fails with (an AWS call, a wait, a key or URL operation): a
//! service, an operation, a stable code and a message for people. The scripting layer hands it
//! to recipes as a map they can `catch` (`script::host_error`).

/// A failure in a host operation (AWS or otherwise).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostError {
    /// The service or host module, e.g. `SecretsManager`, `sign`.
    pub service: String,
    /// The operation, e.g. `GetSecretValue`, `url`.
    pub operation: String,
    /// A stable code recipes can branch on, e.g. `ResourceNotFoundException`, `InvalidInput`.
    pub code: String,
    /// What went wrong, for people.
    pub message: String,
}

impl HostError {
    /// A host error with all four parts.
    pub fn new(
        service: impl Into<String>,
        operation: impl Into<String>,
        code: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        HostError {
            service: service.into(),
            operation: operation.into(),
            code: code.into(),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for HostError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {} failed: {}: {}",
            self.service, self.operation, self.code, self.message
        )
    }
}

impl std::error::Error for HostError {}
