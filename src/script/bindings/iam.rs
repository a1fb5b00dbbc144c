//! `iam::`: reading roles and their policies (the launch role publish needs, the integration
//! role provision hands to teams). Roles are created by the products' stacks, not here.

use rhai::plugin::*;
use rhai::{Array, EvalAltResult};
use serde_json::{json, Value};

use super::aws_context::{aws, fail, invalid};
use super::convert::to_dynamic;

const SERVICE: &str = "IAM";

/// An IAM policy document as IAM returns it (URL-encoded JSON) as a value.
fn document(encoded: &str) -> Option<Value> {
    let decoded = percent_encoding::percent_decode_str(encoded)
        .decode_utf8()
        .ok()?;
    serde_json::from_str(&decoded).ok()
}

/// IAM roles.
#[export_module]
pub mod iam_module {
    use super::*;

    /// The role named `name`, or `()`: `#{name, arn, path, description, assume_role_policy,
    /// permissions_boundary, max_session_duration}`, the trust policy as a map.
    ///
    /// ```rhai
    /// if iam::get_role("cfsign-servicecatalog-launch") == () { throw "deploy the launch role first"; }
    /// ```
    #[rhai_fn(return_raw)]
    pub fn get_role(context: NativeCallContext, name: &str) -> Result<Dynamic, Box<EvalAltResult>> {
        let aws = aws(&context)?;
        let out = match aws.block_on(aws.iam().get_role().role_name(name).send()) {
            Ok(out) => out,
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_no_such_entity_exception()) =>
            {
                return Ok(Dynamic::UNIT)
            }
            Err(e) => return Err(fail(&context, SERVICE, "GetRole", e)),
        };
        let Some(role) = out.role() else {
            return Ok(Dynamic::UNIT);
        };
        Ok(to_dynamic(json!({
            "name": role.role_name(), "arn": role.arn(), "path": role.path(),
            "description": role.description().unwrap_or_default(),
            "assume_role_policy": role.assume_role_policy_document().and_then(document),
            "permissions_boundary": role.permissions_boundary().and_then(|b| b.permissions_boundary_arn()),
            "max_session_duration": role.max_session_duration(),
        })))
    }

    /// The names of a role's inline policies.
    #[rhai_fn(return_raw)]
    pub fn list_role_policies(
        context: NativeCallContext,
        role: &str,
    ) -> Result<Array, Box<EvalAltResult>> {
        let aws = aws(&context)?;
        let pages = aws
            .block_on(
                aws.iam()
                    .list_role_policies()
                    .role_name(role)
                    .into_paginator()
                    .send()
                    .collect::<Result<Vec<_>, _>>(),
            )
            .map_err(|e| fail(&context, SERVICE, "ListRolePolicies", e))?;
        Ok(pages
            .iter()
            .flat_map(|page| page.policy_names())
            .map(|n| Dynamic::from(n.clone()))
            .collect())
    }

    /// A role's inline policy document as a map (`#{Version, Statement: [...]}`).
    #[rhai_fn(return_raw)]
    pub fn get_role_policy(
        context: NativeCallContext,
        role: &str,
        policy: &str,
    ) -> Result<Dynamic, Box<EvalAltResult>> {
        let aws = aws(&context)?;
        let out = aws
            .block_on(
                aws.iam()
                    .get_role_policy()
                    .role_name(role)
                    .policy_name(policy)
                    .send(),
            )
            .map_err(|e| fail(&context, SERVICE, "GetRolePolicy", e))?;
        document(out.policy_document())
            .map(to_dynamic)
            .ok_or_else(|| {
                invalid(
                    &context,
                    SERVICE,
                    "GetRolePolicy",
                    format!("{role}/{policy} is not a JSON policy document"),
                )
            })
    }
}
