//! The `vars` map recipes read their inputs from (`--var key=value`, `--vars-file FILE.json`).

use std::collections::BTreeMap;
use std::sync::Arc;

use rhai::plugin::*;
use rhai::{Dynamic, EvalAltResult, Position};

/// Recipe inputs. Reading one that was not given is an error that names it; `vars.get(name,
/// default)` and `vars.has(name)` cover optional ones.
#[derive(Debug, Clone, Default)]
pub struct Vars(Arc<BTreeMap<String, Dynamic>>);

impl Vars {
    /// Wraps the given values.
    pub fn new(values: BTreeMap<String, Dynamic>) -> Self {
        Vars(Arc::new(values))
    }

    /// The value of `name`, or an error telling how to give it.
    pub fn require(&self, name: &str) -> Result<Dynamic, Box<EvalAltResult>> {
        self.0.get(name).cloned().ok_or_else(|| {
            EvalAltResult::ErrorRuntime(
                format!(
                    "variable `{name}` was not given: pass --var {name}=VALUE (or put it in \
                     --vars-file); a recipe can make it optional with vars.get(\"{name}\", default)"
                )
                .into(),
                Position::NONE,
            )
            .into()
        })
    }

    /// The value of `name`, or `default`.
    pub fn get_or(&self, name: &str, default: Dynamic) -> Dynamic {
        self.0.get(name).cloned().unwrap_or(default)
    }

    /// Whether `name` was given.
    pub fn has(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }

    /// The names that were given.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }
}

/// Reading recipe inputs.
#[export_module]
pub mod vars_api {
    use super::*;

    /// `vars.NAME` / `vars["NAME"]`: the input, or an error naming it when it was not given.
    #[rhai_fn(index_get, pure, return_raw)]
    pub fn require(vars: &mut Vars, name: &str) -> Result<Dynamic, Box<EvalAltResult>> {
        vars.require(name)
    }

    /// The input `name`, or `default` when it was not given.
    ///
    /// ```rhai
    /// let keep = vars.get("keep_versions", 3);
    /// ```
    #[rhai_fn(global, pure, name = "get")]
    pub fn get_or(vars: &mut Vars, name: &str, default: Dynamic) -> Dynamic {
        vars.get_or(name, default)
    }

    /// Whether the input `name` was given.
    #[rhai_fn(global, pure)]
    pub fn has(vars: &mut Vars, name: &str) -> bool {
        vars.has(name)
    }

    /// The names of the inputs given, e.g. `vars(team, region)`.
    #[rhai_fn(global, pure, name = "to_string", name = "to_debug")]
    pub fn describe(vars: &mut Vars) -> String {
        format!("vars({})", vars.names().collect::<Vec<_>>().join(", "))
    }
}

/// Registers the `Vars` type and its functions.
pub(super) fn register(engine: &mut rhai::Engine) {
    engine.register_type_with_name::<Vars>("Vars");
    engine.register_global_module(rhai::exported_module!(vars_api).into());
}
