//! The dry-run plan: every mutating call a recipe would have made, in order, with its
//! parameters (secret values redacted).

use serde::Serialize;
use serde_json::Value;

/// One mutating call that was recorded instead of sent.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PlannedCall {
    /// e.g. `SecretsManager`.
    pub service: String,
    /// e.g. `PutSecretValue`.
    pub operation: String,
    /// The request parameters, with secret values replaced by `<redacted>`.
    pub parameters: Value,
}

impl PlannedCall {
    /// A planned call; parameter values under secret-looking names are redacted.
    pub fn new(service: &str, operation: &str, mut parameters: Value) -> Self {
        redact(&mut parameters);
        PlannedCall {
            service: service.to_owned(),
            operation: operation.to_owned(),
            parameters,
        }
    }
}

impl std::fmt::Display for PlannedCall {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {} {}", self.service, self.operation, self.parameters)
    }
}

/// The recorded calls.
pub type Plan = Vec<PlannedCall>;

/// What a dry run returns where only the real call could tell: the id or ARN of something it
/// would create, the status of a stack or record it would start. Recipes compare with it
/// through `planned()` and `is_planned(value)`, never by writing it out.
pub const PLANNED: &str = "(planned)";

const SECRET_NAMES: [&str; 3] = ["secret", "private", "password"];

fn redact(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (name, inner) in map.iter_mut() {
                let lower = name.to_ascii_lowercase();
                let secret = SECRET_NAMES.iter().any(|s| lower.contains(s))
                    && !lower.ends_with("id")
                    && !lower.ends_with("name")
                    && !lower.ends_with("arn");
                if secret && !inner.is_null() {
                    *inner = Value::String("<redacted>".into());
                } else {
                    redact(inner);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_values_are_redacted_but_names_and_ids_are_kept() {
        let call = PlannedCall::new(
            "SecretsManager",
            "PutSecretValue",
            serde_json::json!({
                "SecretId": "cfsign/payments/signing-key",
                "SecretString": "{\"privateKey\":\"...\"}",
                "VersionStages": ["AWSPENDING"],
                "Nested": [{"PrivateKey": "x", "Name": "n"}],
            }),
        );
        assert_eq!(call.parameters["SecretId"], "cfsign/payments/signing-key");
        assert_eq!(call.parameters["SecretString"], "<redacted>");
        assert_eq!(call.parameters["VersionStages"][0], "AWSPENDING");
        assert_eq!(call.parameters["Nested"][0]["PrivateKey"], "<redacted>");
        assert_eq!(call.parameters["Nested"][0]["Name"], "n");
    }
}
