//! `iam::`: reading roles and their policies (the launch role publish needs, the integration
//! role provision hands to teams). Roles are created by the products' stacks, not here.

use rhai::plugin::*;
use rhai::{Array, EvalAltResult};
use serde_json::json;

use super::aws_context::aws;
use super::convert::to_dynamic;
use crate::script::HostErrorExt as _;

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
        let role = crate::aws::iam::role(&aws(&context)?, name).map_err(|e| e.raise(&context))?;
        Ok(role.map_or(Dynamic::UNIT, |role| {
            to_dynamic(json!({
                "name": role.name, "arn": role.arn, "path": role.path,
                "description": role.description,
                "assume_role_policy": role.assume_role_policy,
                "permissions_boundary": role.permissions_boundary,
                "max_session_duration": role.max_session_duration,
            }))
        }))
    }

    /// The names of a role's inline policies.
    #[rhai_fn(return_raw)]
    pub fn list_role_policies(
        context: NativeCallContext,
        role: &str,
    ) -> Result<Array, Box<EvalAltResult>> {
        let names = crate::aws::iam::role_policy_names(&aws(&context)?, role)
            .map_err(|e| e.raise(&context))?;
        Ok(names.into_iter().map(Dynamic::from).collect())
    }

    /// A role's inline policy document as a map (`#{Version, Statement: [...]}`).
    #[rhai_fn(return_raw)]
    pub fn get_role_policy(
        context: NativeCallContext,
        role: &str,
        policy: &str,
    ) -> Result<Dynamic, Box<EvalAltResult>> {
        crate::aws::iam::role_policy(&aws(&context)?, role, policy)
            .map(to_dynamic)
            .map_err(|e| e.raise(&context))
    }
}
