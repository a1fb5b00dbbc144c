//! Host errors as recipes see them: a failed host function raises a [`HostError`] that reaches
//! `catch (e)` as a map: `e.service`, `e.operation`, `e.code`, `e.message`. Uncaught, it is
//! reported as `SERVICE OPERATION failed: CODE: MESSAGE`.

use rhai::{Dynamic, EvalAltResult, Map, NativeCallContext};

pub use crate::aws::HostError;

/// What the scripting layer does with a [`HostError`]: raise it into a recipe and read it back.
pub trait HostErrorExt: Sized {
    /// The map a recipe's `catch (e)` receives.
    fn to_map(&self) -> Map;
    /// Reads a host error back from a thrown value (for reporting uncaught errors).
    fn from_dynamic(value: &Dynamic) -> Option<Self>;
    /// The Rhai error to return from a host function, positioned at the recipe's call.
    fn raise(self, context: &NativeCallContext) -> Box<EvalAltResult>;
}

impl HostErrorExt for HostError {
    fn to_map(&self) -> Map {
        let mut map = Map::new();
        map.insert("service".into(), self.service.clone().into());
        map.insert("operation".into(), self.operation.clone().into());
        map.insert("code".into(), self.code.clone().into());
        map.insert("message".into(), self.message.clone().into());
        map
    }

    fn from_dynamic(value: &Dynamic) -> Option<Self> {
        let map = value.read_lock::<Map>()?;
        let field = |name: &str| map.get(name).and_then(|v| v.clone().into_string().ok());
        Some(HostError {
            service: field("service")?,
            operation: field("operation")?,
            code: field("code")?,
            message: field("message")?,
        })
    }

    fn raise(self, context: &NativeCallContext) -> Box<EvalAltResult> {
        EvalAltResult::ErrorRuntime(Dynamic::from_map(self.to_map()), context.call_position())
            .into()
    }
}
