//! CloudFormation stacks: deploy (create or update, waited for, with the failing resource on
//! error), describe, delete, validate. A stack that does not exist is told apart from a
//! refusal; every write is planned from its request in a dry run.

use std::collections::BTreeMap;
use std::time::Duration;

use aws_sdk_cloudformation::types::{Capability, Parameter, Stack, StackEvent, StackStatus};
use aws_sdk_cloudformation::Client;

use super::plan::{PlannedCall, PLANNED};
use super::wait::{Poll, Wait};
use super::{sdk_error, Aws, HostError};

const SERVICE: &str = "CloudFormation";
/// The longest a stack operation is waited for.
const WAIT_LIMIT: Duration = Duration::from_secs(60 * 60);

/// A stack as DescribeStacks tells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackView {
    /// Its id (an ARN), or [`PLANNED`] for one a dry run would create.
    pub stack_id: String,
    /// Its status, e.g. `CREATE_COMPLETE` ([`PLANNED`] for one a dry run would change).
    pub status: String,
    /// Its parameters' current values.
    pub parameters: BTreeMap<String, String>,
    /// Its outputs.
    pub outputs: BTreeMap<String, String>,
}

impl StackView {
    fn of(stack: &Stack) -> Self {
        StackView {
            stack_id: stack.stack_id().unwrap_or_default().to_owned(),
            status: stack
                .stack_status()
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default(),
            parameters: stack
                .parameters()
                .iter()
                .map(|p| {
                    let key = p.parameter_key().unwrap_or_default().to_owned();
                    (key, p.parameter_value().unwrap_or_default().to_owned())
                })
                .collect(),
            outputs: stack
                .outputs()
                .iter()
                .map(|o| {
                    let key = o.output_key().unwrap_or_default().to_owned();
                    (key, o.output_value().unwrap_or_default().to_owned())
                })
                .collect(),
        }
    }
}

/// What [`deploy`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deployed {
    /// The stack after it (in a dry run: as it is, status [`PLANNED`]).
    pub stack: StackView,
    /// Whether it changed (or would have).
    pub changed: bool,
}

/// A template to deploy: its text, and where it came from (what a dry-run plan shows).
#[derive(Debug, Clone, Copy)]
pub struct Template<'a> {
    /// The template's repository path.
    pub path: &'a str,
    /// Its text.
    pub body: &'a str,
}

type DescribeError = aws_smithy_runtime_api::client::result::SdkError<
    aws_sdk_cloudformation::operation::describe_stacks::DescribeStacksError,
    aws_smithy_runtime_api::client::orchestrator::HttpResponse,
>;

/// The stack `name` (or stack id), or `None` when it does not exist: CloudFormation answers a
/// name it does not know with `ValidationError` "Stack with id NAME does not exist". Any other
/// error (a refusal, throttling past the retries) is reported, never taken for a missing stack.
pub fn stack(aws: &Aws, name: &str) -> Result<Option<StackView>, HostError> {
    Ok(find(aws, name)?.as_ref().map(StackView::of))
}

fn find(aws: &Aws, name: &str) -> Result<Option<Stack>, HostError> {
    aws.operation(SERVICE, "DescribeStacks")
        .send(describe(&aws.cloudformation(), name))
}

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
            .operation(SERVICE, "DescribeStacks")
            .send(describe(&client, name))?;
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

fn stack_parameters(parameters: &[(String, String)]) -> Vec<Parameter> {
    parameters
        .iter()
        .map(|(key, value)| {
            Parameter::builder()
                .parameter_key(key)
                .parameter_value(value)
                .build()
        })
        .collect()
}

/// Whether deploying `body` with `parameters` would leave the stack as it is: the same
/// template text, and the same value for every parameter (defaults filled in). Any failure to
/// tell counts as a change: the update that follows then reports it.
fn unchanged(aws: &Aws, current: &Stack, body: &str, parameters: &[(String, String)]) -> bool {
    let client = aws.cloudformation();
    let name = current.stack_name().unwrap_or_default();
    let Ok(template) = aws.block_on(client.get_template().stack_name(name).send()) else {
        return false;
    };
    if template.template_body().map(str::trim_end) != Some(body.trim_end()) {
        return false;
    }
    let Ok(declared) = aws.block_on(client.validate_template().template_body(body).send()) else {
        return false;
    };
    let mut wanted: BTreeMap<String, String> = declared
        .parameters()
        .iter()
        .map(|p| {
            let key = p.parameter_key().unwrap_or_default().to_owned();
            (key, p.default_value().unwrap_or_default().to_owned())
        })
        .collect();
    wanted.extend(parameters.iter().cloned());
    wanted == StackView::of(current).parameters
}

fn is_no_updates<E, R>(err: &aws_smithy_runtime_api::client::result::SdkError<E, R>) -> bool
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata,
{
    err.as_service_error()
        .and_then(|e| e.message())
        .is_some_and(|m| m.contains("No updates are to be performed"))
}

/// Records a stack write in a dry run, the template shown by its path (not its text); true
/// when planned, so the caller must not send it.
fn planned(aws: &Aws, operation: &str, input: &impl std::fmt::Debug, template: &str) -> bool {
    if aws.dry_run() {
        let mut call = PlannedCall::from_request(SERVICE, operation, input, &[]);
        if let Some(members) = call.parameters.as_object_mut() {
            members.remove("TemplateBody");
            members.insert("Template".into(), template.into());
        }
        aws.record(call);
    }
    aws.dry_run()
}

/// Deletes the stack `name` and waits until it is gone; a delete that fails names the
/// resource that stayed and why.
fn delete_and_wait(aws: &Aws, name: &str) -> Result<(), HostError> {
    aws.operation(SERVICE, "DeleteStack")
        .send(aws.cloudformation().delete_stack().stack_name(name).send())?;
    match wait(aws, name) {
        Err(err) if err.code == "StackNotFound" => Ok(()),
        Err(err) => Err(err),
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
        )),
    }
}

/// A stack whose first create failed and rolled back (ROLLBACK_COMPLETE) can only be deleted
/// (CloudFormation refuses to update it): deletes it, saying so, so `deploy` creates it again.
/// Returns the stack `deploy` should update, if any.
fn unless_rolled_back(
    aws: &Aws,
    name: &str,
    existing: Option<Stack>,
) -> Result<Option<Stack>, HostError> {
    if existing.as_ref().and_then(|s| s.stack_status()) != Some(&StackStatus::RollbackComplete) {
        return Ok(existing);
    }
    aws.progress(&format!(
        "stack {name}: its first create failed ({}) and rolled back (ROLLBACK_COMPLETE), which \
         CloudFormation can only delete: deleting it to create it again",
        failure_reason(aws, name)
    ));
    let request = aws.cloudformation().delete_stack().stack_name(name);
    if !aws
        .operation(SERVICE, "DeleteStack")
        .planned(request.as_input())
    {
        delete_and_wait(aws, name)?;
    }
    Ok(None)
}

/// Creates the stack `name` from `template` with `parameters` (already as text), or updates
/// it if it exists, and waits. A stack whose template and parameters already match is left
/// alone without a write call, and "No updates are to be performed" is success (both
/// unchanged). A stack whose first create failed (ROLLBACK_COMPLETE) is deleted and created
/// again. On failure the error names the failing resource and its reason.
pub fn deploy(
    aws: &Aws,
    name: &str,
    template: Template<'_>,
    parameters: &[(String, String)],
    capabilities: &[String],
) -> Result<Deployed, HostError> {
    let capabilities: Vec<Capability> = capabilities
        .iter()
        .map(|c| Capability::from(c.as_str()))
        .collect();
    let existing = unless_rolled_back(aws, name, find(aws, name)?)?;
    let current = existing.filter(|s| s.stack_status() != Some(&StackStatus::ReviewInProgress));
    let operation = if current.is_some() {
        "UpdateStack"
    } else {
        "CreateStack"
    };
    if let Some(current) = &current {
        // An unchanged stack needs no call at all (a re-run makes zero writes).
        if unchanged(aws, current, template.body, parameters) {
            return Ok(Deployed {
                stack: StackView::of(current),
                changed: false,
            });
        }
    }
    let client = aws.cloudformation();
    let sent = if let Some(current) = &current {
        let request = client
            .update_stack()
            .stack_name(name)
            .template_body(template.body)
            .set_parameters(Some(stack_parameters(parameters)))
            .set_capabilities(Some(capabilities));
        if planned(aws, operation, request.as_input(), template.path) {
            None
        } else {
            match aws.block_on(request.send()) {
                Ok(_) => Some(()),
                // CloudFormation answers an unchanged template and parameters with an error.
                Err(err) if is_no_updates(&err) => {
                    return Ok(Deployed {
                        stack: StackView::of(current),
                        changed: false,
                    })
                }
                Err(err) => return Err(sdk_error(SERVICE, operation, err)),
            }
        }
    } else {
        let request = client
            .create_stack()
            .stack_name(name)
            .template_body(template.body)
            .set_parameters(Some(stack_parameters(parameters)))
            .set_capabilities(Some(capabilities));
        if planned(aws, operation, request.as_input(), template.path) {
            None
        } else {
            aws.operation(SERVICE, operation).send(request.send())?;
            Some(())
        }
    };
    if sent.is_none() {
        // A stack only planned reads as one made, its outputs still empty.
        let mut stack = current
            .as_ref()
            .map(StackView::of)
            .unwrap_or_else(|| StackView {
                stack_id: PLANNED.to_owned(),
                status: String::new(),
                parameters: BTreeMap::new(),
                outputs: BTreeMap::new(),
            });
        stack.status = PLANNED.to_owned();
        return Ok(Deployed {
            stack,
            changed: true,
        });
    }
    let stack = wait(aws, name)?;
    let status = stack.stack_status().map(|s| s.as_str()).unwrap_or_default();
    if matches!(status, "CREATE_COMPLETE" | "UPDATE_COMPLETE") {
        Ok(Deployed {
            stack: StackView::of(&stack),
            changed: true,
        })
    } else {
        Err(HostError::new(
            SERVICE,
            operation,
            "StackFailed",
            format!("stack {name} ended {status}: {}", failure_reason(aws, name)),
        ))
    }
}

/// Deletes the stack `name` and waits; a stack that does not exist is already deleted.
pub fn delete(aws: &Aws, name: &str) -> Result<(), HostError> {
    if find(aws, name)?.is_none() {
        return Ok(());
    }
    let request = aws.cloudformation().delete_stack().stack_name(name);
    if aws
        .operation(SERVICE, "DeleteStack")
        .planned(request.as_input())
    {
        return Ok(());
    }
    delete_and_wait(aws, name)
}

/// What ValidateTemplate tells about a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Validated {
    /// The template's description.
    pub description: String,
    /// The names of its parameters, in order.
    pub parameters: Vec<String>,
}

/// Validates the template text `body`.
pub fn validate(aws: &Aws, body: &str) -> Result<Validated, HostError> {
    let out = aws.operation(SERVICE, "ValidateTemplate").send(
        aws.cloudformation()
            .validate_template()
            .template_body(body)
            .send(),
    )?;
    Ok(Validated {
        description: out.description().unwrap_or_default().to_owned(),
        parameters: out
            .parameters()
            .iter()
            .map(|p| p.parameter_key().unwrap_or_default().to_owned())
            .collect(),
    })
}
