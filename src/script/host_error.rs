//! Errors raised by host functions, shaped so recipes can `try`/`catch` them.
//!
//! A host error reaches `catch (e)` as a map: `e.service`, `e.operation`, `e.code`,
//! `e.message`. Uncaught, it is reported as `SERVICE OPERATION failed: CODE: MESSAGE`.

use rhai::{Dynamic, EvalAltResult, Map, NativeCallContext};

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

    /// The map a recipe's `catch (e)` receives.
    pub fn to_map(&self) -> Map {
        let mut map = Map::new();
        map.insert("service".into(), self.service.clone().into());
        map.insert("operation".into(), self.operation.clone().into());
        map.insert("code".into(), self.code.clone().into());
        map.insert("message".into(), self.message.clone().into());
        map
    }

    /// Reads a host error back from a thrown value (for reporting uncaught errors).
    pub fn from_dynamic(value: &Dynamic) -> Option<Self> {
        let map = value.read_lock::<Map>()?;
        let field = |name: &str| map.get(name).and_then(|v| v.clone().into_string().ok());
        Some(HostError {
            service: field("service")?,
            operation: field("operation")?,
            code: field("code")?,
            message: field("message")?,
        })
    }
}

impl HostError {
    /// The Rhai error to return from a host function, positioned at the recipe's call.
    pub fn raise(self, context: &NativeCallContext) -> Box<EvalAltResult> {
        EvalAltResult::ErrorRuntime(Dynamic::from_map(self.to_map()), context.call_position())
            .into()
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
