//! `cloudformation::`: deploy (create or update, waiting, with the failing resource on error),
//! outputs, delete, validate. The calls are `aws::cloudformation`'s; here, recipe maps become
//! parameters and stacks become maps.

use rhai::plugin::*;
use rhai::{Array, EvalAltResult, Map};

use super::aws_context::{aws, read_text};
use super::convert::{options as decode, parameter_text};
use crate::aws::cloudformation::{self as stacks, StackView, Template};
use crate::script::HostErrorExt as _;

const SERVICE: &str = "CloudFormation";

/// The deploy's parameters as CloudFormation takes them, by the rule Service Catalog
/// provisioning uses too (`convert::parameter_text`): lists joined with commas.
fn stack_parameters(map: &Map) -> Vec<(String, String)> {
    map.iter()
        .map(|(name, value)| {
            let text = rhai::serde::from_dynamic::<serde_json::Value>(value)
                .map(|json| parameter_text(&json))
                .unwrap_or_else(|_| value.to_string());
            (name.to_string(), text)
        })
        .collect()
}

fn text_map(entries: &std::collections::BTreeMap<String, String>) -> Map {
    entries
        .iter()
        .map(|(key, value)| (key.into(), value.into()))
        .collect()
}

fn result_map(stack: &StackView, changed: bool) -> Map {
    let mut map = Map::new();
    map.insert("stack_id".into(), stack.stack_id.clone().into());
    map.insert("status".into(), stack.status.clone().into());
    map.insert("changed".into(), changed.into());
    map.insert("outputs".into(), text_map(&stack.outputs).into());
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
        let template = Template {
            path: template_path,
            body: &body,
        };
        let deployed = stacks::deploy(
            &aws,
            name,
            template,
            &stack_parameters(&parameters),
            &capabilities,
        )
        .map_err(|e| e.raise(&context))?;
        Ok(result_map(&deployed.stack, deployed.changed))
    }

    /// The stack `name` (or stack id), or `()`: `#{stack_id, status, parameters: #{...},
    /// outputs: #{...}}`.
    #[rhai_fn(return_raw)]
    pub fn describe_stack(
        context: NativeCallContext,
        name: &str,
    ) -> Result<Dynamic, Box<EvalAltResult>> {
        let found = stacks::stack(&aws(&context)?, name).map_err(|e| e.raise(&context))?;
        let Some(stack) = found else {
            return Ok(Dynamic::UNIT);
        };
        let mut map = result_map(&stack, false);
        map.remove("changed");
        map.insert("parameters".into(), text_map(&stack.parameters).into());
        Ok(map.into())
    }

    /// The stack's outputs as a map, or `()` when the stack does not exist.
    #[rhai_fn(return_raw)]
    pub fn outputs(context: NativeCallContext, name: &str) -> Result<Dynamic, Box<EvalAltResult>> {
        let found = stacks::stack(&aws(&context)?, name).map_err(|e| e.raise(&context))?;
        Ok(found.map_or(Dynamic::UNIT, |stack| text_map(&stack.outputs).into()))
    }

    /// Deletes the stack and waits; a stack that does not exist is already deleted.
    #[rhai_fn(return_raw)]
    pub fn delete_stack(context: NativeCallContext, name: &str) -> Result<(), Box<EvalAltResult>> {
        stacks::delete(&aws(&context)?, name).map_err(|e| e.raise(&context))
    }

    /// Validates the template file at `path`: `#{description, parameters: [names]}`.
    #[rhai_fn(return_raw)]
    pub fn validate_template(
        context: NativeCallContext,
        path: &str,
    ) -> Result<Map, Box<EvalAltResult>> {
        let aws = aws(&context)?;
        let body = read_text(&context, SERVICE, "ValidateTemplate", path)?;
        let validated = stacks::validate(&aws, &body).map_err(|e| e.raise(&context))?;
        let names: Array = validated
            .parameters
            .into_iter()
            .map(Dynamic::from)
            .collect();
        let mut map = Map::new();
        map.insert("description".into(), validated.description.into());
        map.insert("parameters".into(), names.into());
        Ok(map)
    }
}
