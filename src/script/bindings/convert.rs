//! Moving values between recipes and the SDKs: recipe option maps read into typed structs (so
//! a misspelt option is an error naming it), results built as JSON and handed over as maps.

use rhai::{Dynamic, EvalAltResult, Map, NativeCallContext};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::aws_context::invalid;
use crate::script::Limits;

/// Reads a recipe's option map into `T` (which should deny unknown fields). A wrong option is
/// an error naming it: ``bad options: `ip`: expected a string, got an integer``.
pub fn options<T: DeserializeOwned>(
    context: &NativeCallContext,
    service: &str,
    operation: &str,
    map: Map,
) -> Result<T, Box<EvalAltResult>> {
    from_value(&Dynamic::from_map(map))
        .map_err(|e| invalid(context, service, operation, format!("bad options: {e}")))
}

/// Reads a recipe value into `T`, refusing values nested deeper than
/// [`Limits::MAX_VALUE_DEPTH`] before anything recurses through them. The error names the
/// field at fault.
pub fn from_value<T: DeserializeOwned>(value: &Dynamic) -> Result<T, String> {
    check_depth(value)?;
    serde_path_to_error::deserialize(rhai::serde::DynamicDeserializer::new(value)).map_err(|e| {
        let path = e.path().to_string();
        let reason = describe(e.inner());
        if path == "." || reason.contains(&format!("`{path}`")) {
            reason
        } else {
            format!("`{path}`: {reason}")
        }
    })
}

/// A recipe value as JSON (for results, items and parameters), depth-checked like
/// [`from_value`].
pub fn to_json(value: &Dynamic) -> Result<Value, String> {
    from_value(value)
}

/// Rhai's deserializer words a type mismatch as "Output type incorrect: X (expecting Y)" and
/// serde's own messages (unknown fields) as syntax errors; say them plainly.
fn describe(err: &rhai::EvalAltResult) -> String {
    match err {
        rhai::EvalAltResult::ErrorMismatchOutputType(expected, actual, _) => {
            format!("expected {expected}, got {actual}")
        }
        rhai::EvalAltResult::ErrorParsing(
            rhai::ParseErrorType::BadInput(rhai::LexError::ImproperSymbol(_, message)),
            _,
        ) => message.clone(),
        other => other.to_string(),
    }
}

/// Errors when arrays and maps nest deeper than [`Limits::MAX_VALUE_DEPTH`]. The walk stops at
/// that depth, so a hostile value cannot exhaust the stack here either.
pub fn check_depth(value: &Dynamic) -> Result<(), String> {
    fn within(value: &Dynamic, depth: usize) -> bool {
        if depth > Limits::MAX_VALUE_DEPTH {
            return false;
        }
        if let Some(array) = value.read_lock::<rhai::Array>() {
            return array.iter().all(|item| within(item, depth + 1));
        }
        if let Some(map) = value.read_lock::<Map>() {
            return map.values().all(|item| within(item, depth + 1));
        }
        true
    }
    if within(value, 1) {
        Ok(())
    } else {
        Err(format!(
            "the value nests arrays or maps more than {} levels deep",
            Limits::MAX_VALUE_DEPTH
        ))
    }
}

/// A JSON object (or a view that serializes as one) as a Rhai map (anything else as an empty
/// map).
pub fn to_map(value: impl serde::Serialize) -> Map {
    rhai::serde::to_dynamic(value)
        .ok()
        .and_then(|d| d.try_cast::<Map>())
        .unwrap_or_default()
}

/// A JSON value (or a view that serializes as one) as a Rhai value.
pub fn to_dynamic(value: impl serde::Serialize) -> Dynamic {
    rhai::serde::to_dynamic(value).unwrap_or(Dynamic::UNIT)
}

/// A template parameter's text: strings as they are, lists joined with commas
/// (CommaDelimitedList), anything else as JSON would print it.
pub fn parameter_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Array(items) => items
            .iter()
            .map(parameter_text)
            .collect::<Vec<_>>()
            .join(","),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

pub use crate::aws::timestamp;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parameter_text_joins_lists_and_prints_scalars() {
        assert_eq!(parameter_text(&json!("a")), "a");
        assert_eq!(parameter_text(&json!(["a", "b"])), "a,b");
        assert_eq!(parameter_text(&json!(7)), "7");
        assert_eq!(parameter_text(&json!(true)), "true");
        assert_eq!(parameter_text(&Value::Null), "");
    }
}
