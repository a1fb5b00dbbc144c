//! The recipe engine: Rhai with cfsign's host modules, sandboxed.
//!
//! A recipe is a `.rhai` file run by `cfsign run`. It declares its inputs ([`inputs`]) and
//! reads them from `vars`, imports
//! modules by name from its own folder and from `stdlib/`, and calls host modules (see
//! [`bindings`]: keys, signing, AWS services, HTTP, and global `parallel`). The sandbox
//! ([`sandbox`]) bounds what it can reach; limits ([`Limits`], [`budget`]) stop runaway scripts;
//! errors carry file, line, column and the
//! chain of recipe functions (see [`error`]); host failures are catchable maps (see
//! [`host_error`]).

pub mod bindings;
pub mod budget;
pub mod doc;
pub mod error;
pub mod host_error;
pub mod inputs;
mod modules;
mod parallel;
pub mod sandbox;
pub mod vars;

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use rhai::{Dynamic, Engine, NativeCallContext, Scope};

pub use budget::Budget;
pub use error::{RecipeError, ScriptError};
pub use host_error::{HostError, HostErrorExt};
pub use sandbox::{Sandbox, SandboxError, SandboxOptions};
pub use vars::Vars;

/// The limits every recipe runs within. They hold for the whole run: `parallel` workers share
/// the operation budget and the thread cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Script operations for the whole run before it is stopped (host calls that wait cost one
    /// each).
    pub max_operations: u64,
    /// Depth of nested function calls.
    pub max_call_levels: usize,
    /// Longest string, in bytes.
    pub max_string_size: usize,
    /// Largest array, in elements.
    pub max_array_size: usize,
    /// Largest object map, in entries.
    pub max_map_size: usize,
    /// Threads all `parallel` calls of the run may use at once, beyond the recipe's own.
    pub max_threads: usize,
}

impl Limits {
    /// How deeply arrays and maps may nest in a value handed to the host (JSON results,
    /// options, items): deeper values are refused before anything recurses through them.
    pub const MAX_VALUE_DEPTH: usize = 64;

    /// The stack of every thread a recipe runs on (its own and `parallel` workers'): Rhai's
    /// size checks recurse through nested values, and a recipe may nest them as deep as the
    /// array limit allows, so the default 2 MiB of a spawned thread is not enough. Only what
    /// is used is ever committed.
    pub const THREAD_STACK_SIZE: usize = 256 * 1024 * 1024;
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_operations: 10_000_000,
            max_call_levels: 48,
            max_string_size: 16 * 1024 * 1024,
            max_array_size: 100_000,
            max_map_size: 100_000,
            max_threads: 64,
        }
    }
}

/// Where `print` and `debug` output goes.
pub use crate::aws::PrintSink;

/// How to run a recipe.
#[derive(Clone)]
pub struct RunOptions {
    /// The recipe's inputs.
    pub vars: Vars,
    /// The shared module folder (`stdlib/`), searched after the recipe's own folder.
    pub stdlib: PathBuf,
    /// What the recipe may reach (files, hosts, signature lifetimes).
    pub sandbox: SandboxOptions,
    /// Sandbox limits.
    pub limits: Limits,
    /// Receives the recipe's `print` lines.
    pub print: PrintSink,
    /// AWS access for the AWS host modules (`None`: they fail with `NotConfigured`).
    pub aws: Option<crate::aws::Aws>,
}

/// What host functions know of the run they serve (the engine's tag): its AWS access, its
/// sandbox and budget, and what it has looked up once.
#[derive(Clone)]
pub struct RunContext {
    /// AWS access, if the run has any.
    pub aws: Option<crate::aws::Aws>,
    /// The run's capabilities.
    pub sandbox: Arc<Sandbox>,
    /// The run's shared operation budget and thread cap.
    pub budget: Arc<Budget>,
    lookups: Arc<Lookups>,
}

/// Facts a run looks up at most once.
#[derive(Default)]
struct Lookups {
    account: OnceLock<String>,
    distribution_hosts: OnceLock<Vec<String>>,
}

impl RunContext {
    /// A context for a run with these parts.
    pub fn new(aws: Option<crate::aws::Aws>, sandbox: Sandbox, budget: Arc<Budget>) -> Self {
        RunContext {
            aws,
            sandbox: Arc::new(sandbox),
            budget,
            lookups: Arc::default(),
        }
    }

    /// The context of the run a host function was called from.
    pub fn of(context: &NativeCallContext) -> Option<RunContext> {
        context
            .tag()
            .and_then(|tag| tag.clone().try_cast::<RunContext>())
    }

    /// The caller's AWS account id, looked up once with `fetch`.
    pub fn account<E>(&self, fetch: impl FnOnce() -> Result<String, E>) -> Result<String, E> {
        once(&self.lookups.account, fetch)
    }

    /// The alternate domain names of the account's distributions, looked up once with `fetch`.
    pub fn distribution_hosts<E>(
        &self,
        fetch: impl FnOnce() -> Result<Vec<String>, E>,
    ) -> Result<Vec<String>, E> {
        once(&self.lookups.distribution_hosts, fetch)
    }
}

fn once<T: Clone, E>(cell: &OnceLock<T>, fetch: impl FnOnce() -> Result<T, E>) -> Result<T, E> {
    if let Some(value) = cell.get() {
        return Ok(value.clone());
    }
    let value = fetch()?;
    Ok(cell.get_or_init(|| value).clone())
}

/// Builds an engine with every host module, the limits (the operation budget drawn from
/// `budget`) and a module resolver that finds modules by name in `module_dirs`, in order.
pub fn engine(
    module_dirs: &[&Path],
    limits: Limits,
    budget: Arc<Budget>,
    print: PrintSink,
) -> Engine {
    let mut engine = Engine::new();
    engine
        // The run's budget replaces Rhai's per-evaluation count, which restarts in every
        // `parallel` callback.
        .set_max_operations(0)
        .set_max_call_levels(limits.max_call_levels)
        .set_max_string_size(limits.max_string_size)
        .set_max_array_size(limits.max_array_size)
        .set_max_map_size(limits.max_map_size)
        .set_max_expr_depths(64, 64)
        .set_strict_variables(true)
        .set_fail_on_invalid_map_property(true);
    engine.on_progress(move |_| {
        if budget.spend_operation() {
            None
        } else {
            Some(budget.exhausted_message().into())
        }
    });
    engine.set_module_resolver(modules::NamedModules::new(module_dirs));

    let on_print = Arc::clone(&print);
    engine.on_print(move |line| on_print(line));
    engine.on_debug(move |line, _source, _position| print(line));

    vars::register(&mut engine);
    bindings::register(&mut engine);
    engine.register_global_module(rhai::exported_module!(parallel::concurrency).into());
    engine
}

/// Compiles and runs the recipe at `path`; returns the value of its last expression. The
/// recipe runs on a thread of its own with [`Limits::THREAD_STACK_SIZE`], whatever thread
/// calls this.
pub fn run_file(path: &Path, options: &RunOptions) -> Result<Dynamic, RecipeError> {
    std::thread::scope(|scope| {
        let recipe = std::thread::Builder::new()
            .name("recipe".into())
            .stack_size(Limits::THREAD_STACK_SIZE)
            .spawn_scoped(scope, || run_here(path, options))
            .map_err(|source| RecipeError::Read {
                path: path.to_owned(),
                source,
            })?;
        recipe
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

fn run_here(path: &Path, options: &RunOptions) -> Result<Dynamic, RecipeError> {
    let source = std::fs::read_to_string(path).map_err(|source| RecipeError::Read {
        path: path.to_owned(),
        source,
    })?;
    let recipe_dir = path.parent().unwrap_or(Path::new("."));
    let sandbox = Sandbox::new(options.sandbox.clone()).map_err(RecipeError::Sandbox)?;
    let budget = Budget::new(&options.limits);
    let module_dirs = [recipe_dir, options.stdlib.as_path()];
    let mut engine = engine(
        &module_dirs,
        options.limits,
        Arc::clone(&budget),
        Arc::clone(&options.print),
    );
    // Host functions find the run's AWS access, sandbox and budget through the engine's tag.
    engine.set_default_tag(Dynamic::from(RunContext::new(
        options.aws.clone(),
        sandbox,
        budget,
    )));
    let file = path.display().to_string();
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
