//! The recipe engine: Rhai with cfsign's host modules, sandboxed.
//!
//! A recipe is a `.rhai` file run by `cfsign run`. It reads its inputs from `vars`, imports
//! modules from its own folder and from `stdlib/`, and calls host modules (see [`bindings`]:
//! keys, signing, AWS services, HTTP, and global `parallel`). Limits stop runaway scripts;
//! errors carry file, line, column and the
//! chain of recipe functions (see [`error`]); host failures are catchable maps (see
//! [`host_error`]).

pub mod bindings;
pub mod doc;
pub mod error;
pub mod host_error;
mod parallel;
pub mod vars;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rhai::module_resolvers::{FileModuleResolver, ModuleResolversCollection};
use rhai::{Dynamic, Engine, Scope};

pub use error::{RecipeError, ScriptError};
pub use host_error::HostError;
pub use vars::Vars;

/// The sandbox every recipe runs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Script operations before the run is stopped (host calls that wait cost one each).
    pub max_operations: u64,
    /// Depth of nested function calls.
    pub max_call_levels: usize,
    /// Longest string, in bytes.
    pub max_string_size: usize,
    /// Largest array, in elements.
    pub max_array_size: usize,
    /// Largest object map, in entries.
    pub max_map_size: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_operations: 10_000_000,
            max_call_levels: 48,
            max_string_size: 16 * 1024 * 1024,
            max_array_size: 100_000,
            max_map_size: 100_000,
        }
    }
}

/// Where `print` and `debug` output goes.
pub type PrintSink = Arc<dyn Fn(&str) + Send + Sync>;

/// How to run a recipe.
#[derive(Clone)]
pub struct RunOptions {
    /// The recipe's inputs.
    pub vars: Vars,
    /// The shared module folder (`stdlib/`), searched after the recipe's own folder.
    pub stdlib: PathBuf,
    /// Sandbox limits.
    pub limits: Limits,
    /// Receives the recipe's `print` lines.
    pub print: PrintSink,
    /// AWS access for the AWS host modules (`None`: they fail with `NotConfigured`).
    pub aws: Option<crate::aws::Aws>,
}

/// Builds an engine with every host module, the sandbox limits and a module resolver that looks
/// in `recipe_dir` first and then in `stdlib`.
pub fn engine(recipe_dir: &Path, stdlib: &Path, limits: Limits, print: PrintSink) -> Engine {
    let mut engine = Engine::new();
    engine
        .set_max_operations(limits.max_operations)
        .set_max_call_levels(limits.max_call_levels)
        .set_max_string_size(limits.max_string_size)
        .set_max_array_size(limits.max_array_size)
        .set_max_map_size(limits.max_map_size)
        .set_max_expr_depths(64, 64)
        .set_strict_variables(true)
        .set_fail_on_invalid_map_property(true);

    let mut resolvers = ModuleResolversCollection::new();
    resolvers.push(FileModuleResolver::new_with_path(recipe_dir));
    resolvers.push(FileModuleResolver::new_with_path(stdlib));
    engine.set_module_resolver(resolvers);

    let on_print = Arc::clone(&print);
    engine.on_print(move |line| on_print(line));
    engine.on_debug(move |line, _source, _position| print(line));

    vars::register(&mut engine);
    bindings::register(&mut engine);
    engine.register_global_module(rhai::exported_module!(parallel::concurrency).into());
    engine
}

/// Compiles and runs the recipe at `path`; returns the value of its last expression.
pub fn run_file(path: &Path, options: &RunOptions) -> Result<Dynamic, RecipeError> {
    let source = std::fs::read_to_string(path).map_err(|source| RecipeError::Read {
        path: path.to_owned(),
        source,
    })?;
    let recipe_dir = path.parent().unwrap_or(Path::new("."));
    let mut engine = engine(
        recipe_dir,
        &options.stdlib,
        options.limits,
        Arc::clone(&options.print),
    );
    if let Some(aws) = &options.aws {
        // Host functions find the run's AWS access through the engine's tag.
        engine.set_default_tag(Dynamic::from(aws.clone()));
    }
    let file = path.display().to_string();
    let module_dirs = [recipe_dir, options.stdlib.as_path()];
    let script_error = |err: &rhai::EvalAltResult| {
        RecipeError::Script(Box::new(ScriptError::from_rhai(err, &file, &module_dirs)))
    };
    // `vars` is in scope while compiling, so strict variables accept it and nothing else.
    let mut scope = Scope::new();
    scope.push_constant("vars", options.vars.clone());
    let mut ast = engine
        .compile_with_scope(&scope, &source)
        .map_err(|err| script_error(&err.into()))?;
    ast.set_source(file.as_str());
    engine
        .eval_ast_with_scope::<Dynamic>(&mut scope, &ast)
        .map_err(|err| script_error(&err))
}
