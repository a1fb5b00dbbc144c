//! `cloudformation::`: deploy (create or update, waiting, with the failing resource on error),
//! outputs, delete, validate.

use std::time::Duration;

use aws_sdk_cloudformation::types::{Capability, Parameter, Stack, StackEvent, StackStatus};
use aws_sdk_cloudformation::Client;
use rhai::plugin::*;
use rhai::{Array, EvalAltResult, Map};
use serde_json::json;

use super::aws_context::{aws, fail, planned, read_text};
use super::convert::{options as decode, parameter_text};
use crate::aws::wait::{Poll, Wait};
use crate::aws::Aws;
use crate::script::HostError;
use crate::script::HostErrorExt as _;

const SERVICE: &str = "CloudFormation";
/// The longest a stack operation is waited for.
const WAIT_LIMIT: Duration = Duration::from_secs(60 * 60);

/// The deploy's parameters as CloudFormation takes them, by the rule Service Catalog
/// provisioning uses too (`convert::parameter_text`): lists joined with commas.
fn stack_parameters(map: &Map) -> Vec<Parameter> {
    map.iter()
        .map(|(name, value)| {
            let text = rhai::serde::from_dynamic::<serde_json::Value>(value)
                .map(|json| parameter_text(&json))
                .unwrap_or_else(|_| value.to_string());
            Parameter::builder()
                .parameter_key(name.as_str())
                .parameter_value(text)
                .build()
        })
        .collect()
}

fn outputs_map(stack: &Stack) -> Map {
    stack
        .outputs()
        .iter()
        .map(|o| {
            (
                o.output_key().unwrap_or_default().into(),
                o.output_value().unwrap_or_default().into(),
            )
        })
        .collect()
}

type DescribeError = aws_smithy_runtime_api::client::result::SdkError<
    aws_sdk_cloudformation::operation::describe_stacks::DescribeStacksError,
    aws_smithy_runtime_api::client::orchestrator::HttpResponse,
>;

/// The stack, or `None` when it does not exist: CloudFormation answers a name it does not know
/// with `ValidationError` "Stack with id NAME does not exist". Any other error (a refusal,
/// throttling past the retries) is reported, never taken for a missing stack.
async fn describe(client: &Client, name: &str) -> Result<Option<Stack>, DescribeError> {
    match client.describe_stacks().stack_name(name).send().await {
        Ok(out) => Ok(out.stacks().first().cloned()),
        Err(err) if does_not_exist(&err) => Ok(None),
        Err(err) => Err(err),
    }
}

fn does_not_exist(err: &DescribeError) -> bool {
    use aws_smithy_types::error::metadata::ProvideErrorMetadata;
    err.as_service_error().is_some_and(|e| {
        e.code() == Some("ValidationError")
            && e.message().is_some_and(|m| m.contains("does not exist"))
    })
}

/// `describe`, its error raised from the recipe's call.
fn describe_or_raise(
    context: &NativeCallContext,
    aws: &Aws,
    name: &str,
) -> Result<Option<Stack>, Box<EvalAltResult>> {
    aws.block_on(describe(&aws.cloudformation(), name))
        .map_err(|e| fail(context, SERVICE, "DescribeStacks", e))
}

fn terminal(status: &StackStatus) -> bool {
    !status.as_str().ends_with("_IN_PROGRESS")
}

/// Waits for the stack to leave every *_IN_PROGRESS state, reporting state changes.
fn wait(aws: &Aws, name: &str) -> Result<Stack, HostError> {
    let client = aws.cloudformation();
    let wait = Wait {
        service: SERVICE,
        what: format!("stack {name}"),
        limit: WAIT_LIMIT,
        max_delay: Duration::from_secs(5),
    };
    wait.until(aws, || {
        let found = aws
            .block_on(describe(&client, name))
            .map_err(|e| crate::aws::sdk_error(SERVICE, "DescribeStacks", e))?;
        let Some(stack) = found else {
            return Err(HostError::new(
                SERVICE,
                "DescribeStacks",
                "StackNotFound",
                format!("stack {name} disappeared"),
            ));
        };
        let status = stack
            .stack_status()
            .cloned()
            .unwrap_or(StackStatus::CreateInProgress);
        Ok(if terminal(&status) {
            // The outcome is worth a line in a log even when nothing was waited for.
            aws.progress(&format!("stack {name}: {}", status.as_str()));
            Poll::Done(stack)
        } else {
            Poll::Pending(status.as_str().to_owned())
        })
    })
}

/// The stack statuses that begin an operation.
const OPERATION_STARTS: [&str; 4] = [
    "CREATE_IN_PROGRESS",
    "UPDATE_IN_PROGRESS",
    "DELETE_IN_PROGRESS",
    "IMPORT_IN_PROGRESS",
];

fn starts_operation(event: &StackEvent, name: &str) -> bool {
    event.logical_resource_id() == Some(name)
        && event
            .resource_status()
            .is_some_and(|s| OPERATION_STARTS.contains(&s.as_str()))
}

/// The stack's events, newest first, back to the start of its latest operation: the pages
/// are followed until it shows (a large stack's operation spans more than one page).
async fn latest_operation_events(client: &Client, name: &str) -> Option<Vec<StackEvent>> {
    let mut pages = client
        .describe_stack_events()
        .stack_name(name)
        .into_paginator()
        .send();
    let mut events = Vec::new();
    while let Some(page) = pages.next().await {
        let Ok(page) = page else {
            return (!events.is_empty()).then_some(events);
        };
        for event in page.stack_events() {
            if starts_operation(event, name) {
                return Some(events);
            }
            events.push(event.clone());
        }
    }
    Some(events)
}

/// The first failed resource of the latest operation, for an error people can act on.
fn failure_reason(aws: &Aws, name: &str) -> String {
    let client = aws.cloudformation();
    let Some(events) = aws.block_on(latest_operation_events(&client, name)) else {
        return "no stack events available".into();
    };
    // Events come newest first; the root cause is the oldest failure of the latest operation,
    // which began with the stack's own CREATE/UPDATE/DELETE_IN_PROGRESS (a rollback's
    // ROLLBACK_IN_PROGRESS comes after the failure, so it does not end the search).
    let failure = events
        .iter()
        .filter(|e| {
            e.resource_status()
                .is_some_and(|s| s.as_str().ends_with("_FAILED"))
        })
        .rfind(|e| e.logical_resource_id() != Some(name));
    match failure {
        Some(event) => format!(
            "{} ({}) {}: {}",
            event.logical_resource_id().unwrap_or_default(),
            event.resource_type().unwrap_or_default(),
            event
                .resource_status()
                .map(|s| s.as_str())
                .unwrap_or_default(),
            event.resource_status_reason().unwrap_or("no reason given")
        ),
        None => "no failed resource reported".into(),
    }
}

/// Whether deploying `body` with `parameters` would leave the stack as it is: the same
/// template text, and the same value for every parameter (defaults filled in).
fn unchanged(aws: &Aws, name: &str, current: &Stack, body: &str, parameters: &Map) -> bool {
    let client = aws.cloudformation();
    let Ok(template) = aws.block_on(client.get_template().stack_name(name).send()) else {
        return false;
    };
    if template.template_body().map(str::trim_end) != Some(body.trim_end()) {
        return false;
    }
    let Ok(declared) = aws.block_on(client.validate_template().template_body(body).send()) else {
        return false;
    };
    let mut wanted: std::collections::BTreeMap<String, String> = declared
        .parameters()
        .iter()
        .map(|p| {
            (
                p.parameter_key().unwrap_or_default().to_owned(),
                p.default_value().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    for p in stack_parameters(parameters) {
        wanted.insert(
            p.parameter_key().unwrap_or_default().to_owned(),
            p.parameter_value().unwrap_or_default().to_owned(),
        );
    }
    let have: std::collections::BTreeMap<String, String> = current
        .parameters()
        .iter()
        .map(|p| {
            (
                p.parameter_key().unwrap_or_default().to_owned(),
                p.parameter_value().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    wanted == have
}

fn is_no_updates<E, R>(err: &aws_smithy_runtime_api::client::result::SdkError<E, R>) -> bool
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata,
{
    err.as_service_error()
        .and_then(|e| e.message())
        .is_some_and(|m| m.contains("No updates are to be performed"))
}

/// Deletes the stack `name` and waits until it is gone; a delete that fails names the
/// resource that stayed and why.
fn delete_and_wait(
    context: &NativeCallContext,
    aws: &Aws,
    name: &str,
) -> Result<(), Box<EvalAltResult>> {
    aws.block_on(aws.cloudformation().delete_stack().stack_name(name).send())
        .map_err(|e| fail(context, SERVICE, "DeleteStack", e))?;
    match wait(aws, name) {
        Err(err) if err.code == "StackNotFound" => Ok(()),
        Err(err) => Err(err.raise(context)),
        Ok(stack) if stack.stack_status() == Some(&StackStatus::DeleteComplete) => Ok(()),
        Ok(stack) => Err(HostError::new(
            SERVICE,
            "DeleteStack",
            "StackFailed",
            format!(
                "stack {name} ended {}: {}",
                stack.stack_status().map(|s| s.as_str()).unwrap_or_default(),
                failure_reason(aws, name)
            ),
        )
        .raise(context)),
    }
}

/// A stack whose first create failed and rolled back (ROLLBACK_COMPLETE) can only be deleted
/// (CloudFormation refuses to update it): deletes it, saying so, so `deploy` creates it again.
/// Returns the stack `deploy` should update, if any.
fn unless_rolled_back(
    context: &NativeCallContext,
    aws: &Aws,
    name: &str,
    existing: Option<Stack>,
) -> Result<Option<Stack>, Box<EvalAltResult>> {
    if existing.as_ref().and_then(|s| s.stack_status()) != Some(&StackStatus::RollbackComplete) {
        return Ok(existing);
    }
    aws.progress(&format!(
        "stack {name}: its first create failed ({}) and rolled back (ROLLBACK_COMPLETE), which \
         CloudFormation can only delete: deleting it to create it again",
        failure_reason(aws, name)
    ));
    if !planned(aws, SERVICE, "DeleteStack", json!({ "StackName": name })) {
        delete_and_wait(context, aws, name)?;
    }
    Ok(None)
}

fn result_map(stack: &Stack, changed: bool) -> Map {
    let mut map = Map::new();
    map.insert(
        "stack_id".into(),
        stack.stack_id().unwrap_or_default().into(),
    );
    map.insert(
        "status".into(),
        stack
            .stack_status()
            .map(|s| s.as_str().to_owned())
            .unwrap_or_default()
            .into(),
    );
    map.insert("changed".into(), changed.into());
    map.insert("outputs".into(), outputs_map(stack).into());
    map
}

/// `deploy` options (a misspelt one is an error, not ignored).
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct DeployOptions {
    #[serde(default)]
    capabilities: Vec<String>,
}

/// CloudFormation stacks.
#[export_module]
pub mod cloudformation_module {
    use super::*;

    /// Creates the stack `name` from the template file at `template_path`, or updates it if it
    /// exists, and waits. A stack whose template and parameters already match is left alone
    /// without a write call, and "No updates are to be performed" is success (both
    /// `changed: false`). A stack whose first create failed (ROLLBACK_COMPLETE: CloudFormation
    /// can only delete it) is deleted and created again, with a progress line saying so. On
    /// failure the error names the failing resource and its reason. Options: `capabilities`
    /// (array, e.g. `["CAPABILITY_NAMED_IAM"]`). Returns `#{stack_id, status, changed, outputs}`;
    /// in a dry run `status` is `planned()`, and a stack not yet created has that `stack_id`
    /// and no outputs.
    ///
    /// ```rhai
    /// let stack = cloudformation::deploy("cfsign-launch-role", "products/launch-role/template.yaml",
    ///     #{ ArtifactBucketName: bucket }, #{ capabilities: ["CAPABILITY_NAMED_IAM"] });
    /// print(stack.outputs.RoleArn);
    /// ```
    #[rhai_fn(return_raw)]
    pub fn deploy(
        context: NativeCallContext,
        name: &str,
        template_path: &str,
        parameters: Map,
        options: Map,
    ) -> Result<Map, Box<EvalAltResult>> {
        let aws = aws(&context)?;
        let body = read_text(&context, SERVICE, "Deploy", template_path)?;
        let DeployOptions { capabilities } = decode(&context, SERVICE, "Deploy", options)?;
        let capabilities: Vec<Capability> = capabilities
            .iter()
            .map(|c| Capability::from(c.as_str()))
            .collect();
        let client = aws.cloudformation();
        let existing = describe_or_raise(&context, &aws, name)?;
        let existing = unless_rolled_back(&context, &aws, name, existing)?;
        let exists = existing
            .as_ref()
            .and_then(|s| s.stack_status())
            .is_some_and(|s| s != &StackStatus::ReviewInProgress);
        let operation = if exists { "UpdateStack" } else { "CreateStack" };
        if let Some(current) = existing.as_ref().filter(|_| exists) {
            // An unchanged stack needs no call at all (a re-run makes zero writes).
            if unchanged(&aws, name, current, &body, &parameters) {
                return Ok(result_map(current, false));
            }
        }
        let planned_params: serde_json::Map<String, serde_json::Value> = parameters
            .iter()
            .map(|(k, v)| (k.to_string(), json!(v.to_string())))
            .collect();
        if planned(
            &aws,
            SERVICE,
            operation,
            json!({ "StackName": name, "Template": template_path, "Parameters": planned_params }),
        ) {
            // A stack only planned has the same keys as one made, its outputs still empty.
            let mut map = existing
                .as_ref()
                .map(|s| result_map(s, true))
                .unwrap_or_else(|| {
                    let mut map = Map::new();
                    map.insert("stack_id".into(), crate::aws::plan::PLANNED.into());
                    map.insert("outputs".into(), Map::new().into());
                    map
                });
            map.insert("changed".into(), true.into());
            map.insert("status".into(), crate::aws::plan::PLANNED.into());
            return Ok(map);
        }
        if let Some(current) = existing.as_ref().filter(|_| exists) {
            let update = aws.block_on(
                client
                    .update_stack()
                    .stack_name(name)
                    .template_body(&body)
                    .set_parameters(Some(stack_parameters(&parameters)))
                    .set_capabilities(Some(capabilities))
                    .send(),
            );
            match update {
                Ok(_) => {}
                // CloudFormation answers an unchanged template and parameters with an error.
                Err(err) if is_no_updates(&err) => return Ok(result_map(current, false)),
                Err(err) => return Err(fail(&context, SERVICE, "UpdateStack", err)),
            }
        } else {
            aws.block_on(
                client
                    .create_stack()
                    .stack_name(name)
                    .template_body(&body)
                    .set_parameters(Some(stack_parameters(&parameters)))
                    .set_capabilities(Some(capabilities))
                    .send(),
            )
            .map_err(|e| fail(&context, SERVICE, "CreateStack", e))?;
        }
        let stack = wait(&aws, name).map_err(|e| e.raise(&context))?;
        let status = stack.stack_status().map(|s| s.as_str()).unwrap_or_default();
        if matches!(status, "CREATE_COMPLETE" | "UPDATE_COMPLETE") {
            Ok(result_map(&stack, true))
        } else {
            Err(HostError::new(
                SERVICE,
                operation,
                "StackFailed",
                format!(
                    "stack {name} ended {status}: {}",
                    failure_reason(&aws, name)
                ),
            )
            .raise(&context))
        }
    }

    /// The stack `name` (or stack id), or `()`: `#{stack_id, status, parameters: #{...},
    /// outputs: #{...}}`.
    #[rhai_fn(return_raw)]
    pub fn describe_stack(
        context: NativeCallContext,
        name: &str,
    ) -> Result<Dynamic, Box<EvalAltResult>> {
        let aws = aws(&context)?;
        let Some(stack) = describe_or_raise(&context, &aws, name)? else {
            return Ok(Dynamic::UNIT);
        };
        let mut map = result_map(&stack, false);
        map.remove("changed");
        let parameters: Map = stack
            .parameters()
            .iter()
            .map(|p| {
                (
                    p.parameter_key().unwrap_or_default().into(),
                    p.parameter_value().unwrap_or_default().into(),
                )
            })
            .collect();
        map.insert("parameters".into(), parameters.into());
        Ok(map.into())
    }

    /// The stack's outputs as a map, or `()` when the stack does not exist.
    #[rhai_fn(return_raw)]
    pub fn outputs(context: NativeCallContext, name: &str) -> Result<Dynamic, Box<EvalAltResult>> {
        let aws = aws(&context)?;
        Ok(describe_or_raise(&context, &aws, name)?
            .map_or(Dynamic::UNIT, |stack| outputs_map(&stack).into()))
    }

    /// Deletes the stack and waits; a stack that does not exist is already deleted.
    #[rhai_fn(return_raw)]
    pub fn delete_stack(context: NativeCallContext, name: &str) -> Result<(), Box<EvalAltResult>> {
        let aws = aws(&context)?;
        if describe_or_raise(&context, &aws, name)?.is_none() {
            return Ok(());
        }
        if planned(&aws, SERVICE, "DeleteStack", json!({ "StackName": name })) {
            return Ok(());
        }
        delete_and_wait(&context, &aws, name)
    }

    /// Validates the template file at `path`: `#{description, parameters: [names]}`.
    #[rhai_fn(return_raw)]
    pub fn validate_template(
        context: NativeCallContext,
        path: &str,
    ) -> Result<Map, Box<EvalAltResult>> {
        let aws = aws(&context)?;
        let body = read_text(&context, SERVICE, "ValidateTemplate", path)?;
        let out = aws
            .block_on(
                aws.cloudformation()
                    .validate_template()
                    .template_body(body)
                    .send(),
            )
            .map_err(|e| fail(&context, SERVICE, "ValidateTemplate", e))?;
        let names: Array = out
            .parameters()
            .iter()
            .map(|p| p.parameter_key().unwrap_or_default().into())
            .collect();
        let mut map = Map::new();
        map.insert(
            "description".into(),
            out.description().unwrap_or_default().into(),
        );
        map.insert("parameters".into(), names.into());
        Ok(map)
    }
}
