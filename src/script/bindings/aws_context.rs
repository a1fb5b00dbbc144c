//! Reaching the run's [`Aws`] and sandbox from a host function, and the conventions every AWS
//! binding shares: errors as host errors at the call, dry-run recording for mutating calls,
//! repository files read through the sandbox.

use rhai::{EvalAltResult, NativeCallContext};

use crate::aws::{sdk_error, Aws};
use crate::script::HostErrorExt as _;
use crate::script::{HostError, RunContext, Sandbox};

/// The run's context (set as the engine's default tag).
pub fn run_context(context: &NativeCallContext) -> Result<RunContext, Box<EvalAltResult>> {
    RunContext::of(context).ok_or_else(|| {
        HostError::new(
            "engine",
            "configure",
            "NotConfigured",
            "this engine was built without a run context",
        )
        .raise(context)
    })
}

/// The run's sandbox.
pub fn sandbox(context: &NativeCallContext) -> Result<std::sync::Arc<Sandbox>, Box<EvalAltResult>> {
    run_context(context).map(|run| run.sandbox)
}

/// The caller's AWS account id (STS `GetCallerIdentity`, once per run).
pub fn caller_account(context: &NativeCallContext) -> Result<String, Box<EvalAltResult>> {
    let run = run_context(context)?;
    let aws = aws(context)?;
    run.account(|| {
        aws.block_on(aws.sts().get_caller_identity().send())
            .map(|out| out.account().unwrap_or_default().to_owned())
            .map_err(|e| fail(context, "STS", "GetCallerIdentity", e))
    })
}

/// The run's AWS access.
pub fn aws(context: &NativeCallContext) -> Result<Aws, Box<EvalAltResult>> {
    RunContext::of(context)
        .and_then(|run| run.aws)
        .ok_or_else(|| {
            HostError::new(
                "aws",
                "configure",
                "NotConfigured",
                "this engine has no AWS access configured",
            )
            .raise(context)
        })
}

/// The run's AWS access if it has any (recipes that only sign have none).
pub fn aws_if_configured(context: &NativeCallContext) -> Option<Aws> {
    RunContext::of(context).and_then(|run| run.aws)
}

/// What a recipe can ask about its run.
#[rhai::plugin::export_module]
pub mod run_module {
    use rhai::NativeCallContext;

    /// Whether this is a `--dry-run`: changes are recorded in the plan, not made. Recipes
    /// use it to skip what cannot be planned, such as a smoke test's requests.
    ///
    /// ```rhai
    /// if dry_run() { print("the smoke test sends requests: nothing to plan"); return; }
    /// ```
    pub fn dry_run(context: NativeCallContext) -> bool {
        super::aws_if_configured(&context).is_some_and(|aws| aws.dry_run())
    }

    /// The placeholder a dry run returns where only the real call could tell: the id or ARN
    /// of something it would create, the status of a stack or record it would start.
    ///
    /// ```rhai
    /// let arn = if outputs.contains("RoleArn") { outputs.RoleArn } else { planned() };
    /// ```
    pub fn planned() -> String {
        crate::aws::plan::PLANNED.to_owned()
    }

    /// Whether `value` is the dry run's placeholder (`planned()`): what a write would have
    /// made, which a recipe cannot read or act on yet.
    ///
    /// ```rhai
    /// if is_planned(record.status) { return #{}; }
    /// ```
    pub fn is_planned(value: rhai::Dynamic) -> bool {
        value
            .into_immutable_string()
            .is_ok_and(|s| s.as_str() == crate::aws::plan::PLANNED)
    }
}

/// Converts an SDK error into a positioned host error.
pub fn fail<E, R>(
    context: &NativeCallContext,
    service: &str,
    operation: &str,
    err: aws_smithy_runtime_api::client::result::SdkError<E, R>,
) -> Box<EvalAltResult>
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    sdk_error(service, operation, err).raise(context)
}

/// A positioned host error for bad input to an AWS binding.
pub fn invalid(
    context: &NativeCallContext,
    service: &str,
    operation: &str,
    message: impl Into<String>,
) -> Box<EvalAltResult> {
    HostError::new(service, operation, "InvalidInput", message).raise(context)
}

/// Reads a repository file a recipe named (a template), through the sandbox: relative to the
/// repository root, and never outside it. A positioned host error when it cannot.
pub fn read_file(
    context: &NativeCallContext,
    service: &str,
    operation: &str,
    path: &str,
) -> Result<Vec<u8>, Box<EvalAltResult>> {
    let file = sandbox(context)?
        .file(path)
        .map_err(|e| not_allowed(context, service, operation, e))?;
    std::fs::read(&file).map_err(|e| {
        invalid(
            context,
            service,
            operation,
            format!("cannot read {path}: {e}"),
        )
    })
}

/// A positioned host error for something the sandbox refuses (code `NotAllowed`).
pub fn not_allowed(
    context: &NativeCallContext,
    service: &str,
    operation: &str,
    refusal: impl std::fmt::Display,
) -> Box<EvalAltResult> {
    HostError::new(service, operation, "NotAllowed", refusal.to_string()).raise(context)
}

/// [`read_file`] as text.
pub fn read_text(
    context: &NativeCallContext,
    service: &str,
    operation: &str,
    path: &str,
) -> Result<String, Box<EvalAltResult>> {
    String::from_utf8(read_file(context, service, operation, path)?).map_err(|_| {
        invalid(
            context,
            service,
            operation,
            format!("{path} is not UTF-8 text"),
        )
    })
}
