//! IAM reads, as typed views: a role and its inline policies (the launch role publish needs,
//! the integration role provisioning hands to teams). Roles are made by the products' stacks,
//! never here.

use serde_json::Value;

use super::{sdk_error, Aws, HostError};

const SERVICE: &str = "IAM";

/// A role as `GetRole` describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct RoleView {
    /// The role's name.
    pub name: String,
    /// Its ARN (with its path).
    pub arn: String,
    /// Its path, e.g. `/` or `/aws-reserved/sso.amazonaws.com/`.
    pub path: String,
    /// Its description, or empty.
    pub description: String,
    /// The trust policy, decoded; `None` when IAM sent none or it is not JSON.
    pub assume_role_policy: Option<Value>,
    /// The permissions boundary's ARN, if any.
    pub permissions_boundary: Option<String>,
    /// The longest session, in seconds.
    pub max_session_duration: Option<i32>,
}

/// An IAM policy document as IAM returns it (URL-encoded JSON), decoded.
fn document(encoded: &str) -> Option<Value> {
    let decoded = percent_encoding::percent_decode_str(encoded)
        .decode_utf8()
        .ok()?;
    serde_json::from_str(&decoded).ok()
}

/// The role named `name`, or `None` when IAM has no such role (NoSuchEntity; any other
/// error, a refusal included, is an error).
pub fn role(aws: &Aws, name: &str) -> Result<Option<RoleView>, HostError> {
    let out = match aws.block_on(aws.iam().get_role().role_name(name).send()) {
        Ok(out) => out,
        Err(e)
            if e.as_service_error()
                .is_some_and(|e| e.is_no_such_entity_exception()) =>
        {
            return Ok(None)
        }
        Err(e) => return Err(sdk_error(SERVICE, "GetRole", e)),
    };
    Ok(out.role().map(|role| RoleView {
        name: role.role_name().to_owned(),
        arn: role.arn().to_owned(),
        path: role.path().to_owned(),
        description: role.description().unwrap_or_default().to_owned(),
        assume_role_policy: role.assume_role_policy_document().and_then(document),
        permissions_boundary: role
            .permissions_boundary()
            .and_then(|b| b.permissions_boundary_arn())
            .map(str::to_owned),
        max_session_duration: role.max_session_duration(),
    }))
}

/// The names of a role's inline policies, every page.
pub fn role_policy_names(aws: &Aws, role: &str) -> Result<Vec<String>, HostError> {
    let pages = aws.operation(SERVICE, "ListRolePolicies").send(
        aws.iam()
            .list_role_policies()
            .role_name(role)
            .into_paginator()
            .send()
            .collect::<Result<Vec<_>, _>>(),
    )?;
    Ok(pages
        .iter()
        .flat_map(|page| page.policy_names())
        .cloned()
        .collect())
}

/// A role's inline policy document, decoded.
pub fn role_policy(aws: &Aws, role: &str, policy: &str) -> Result<Value, HostError> {
    let out = aws.operation(SERVICE, "GetRolePolicy").send(
        aws.iam()
            .get_role_policy()
            .role_name(role)
            .policy_name(policy)
            .send(),
    )?;
    document(out.policy_document()).ok_or_else(|| {
        HostError::new(
            SERVICE,
            "GetRolePolicy",
            "InvalidInput",
            format!("{role}/{policy} is not a JSON policy document"),
        )
    })
}
