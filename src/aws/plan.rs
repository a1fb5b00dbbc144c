//! The dry-run plan: every mutating call a recipe would have made, in order, with its
//! parameters (secret values redacted).

use darrentsung_debug_parser::{OrNonExhaustive, Term, Value as DebugValue};
use serde::Serialize;
use serde_json::Value;

/// One mutating call that was recorded instead of sent.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PlannedCall {
    /// e.g. `SecretsManager`.
    pub service: String,
    /// e.g. `PutSecretValue`.
    pub operation: String,
    /// The request parameters, with secret values replaced by `<redacted>`.
    pub parameters: Value,
}

impl PlannedCall {
    /// A planned call; parameter values under secret-looking names are redacted.
    pub fn new(service: &str, operation: &str, mut parameters: Value) -> Self {
        redact(&mut parameters);
        PlannedCall {
            service: service.to_owned(),
            operation: operation.to_owned(),
            parameters,
        }
    }
}

impl PlannedCall {
    /// The planned call of a request the SDK would send: `input` is its fluent builder's
    /// `as_input()`, whose `Debug` prints every member, with those the service model marks
    /// sensitive redacted. Members left unset are left out and names become the API's
    /// (`secret_id` → `SecretId`). The SDK redacts a sensitive member whether or not it is
    /// set, so `hidden` names the sensitive members this request sets (shown as `<redacted>`);
    /// the other redacted ones are left out with the unset members. The plan cannot drift from
    /// the request: it is the request.
    pub fn from_request(
        service: &str,
        operation: &str,
        input: &impl std::fmt::Debug,
        hidden: &[&str],
    ) -> Self {
        let text = format!("{input:?}");
        let parameters = match darrentsung_debug_parser::parse(&text) {
            Ok(tree) => members(&tree, Some(hidden)),
            // Never expected (the builders are derived-style Debug, and no body is planned),
            // and the text might hold what the parse would have shown as a body: say only
            // what was called.
            Err(_) => Value::String("(request not shown)".into()),
        };
        PlannedCall::new(service, operation, parameters)
    }
}

/// What the SDK prints for a member the service model marks sensitive.
const SDK_REDACTED: &str = "*** Sensitive Data Redacted ***";

fn is_sdk_redacted(value: &DebugValue) -> bool {
    matches!(value, DebugValue::Term(Term::String(s)) if s == SDK_REDACTED)
}

/// A struct's members as an object, the unset ones left out. At the top of a request
/// (`hidden` given) a member the SDK redacted is kept only when `hidden` names it, since the SDK
/// redacts a sensitive member whether or not it is set; nested ones stay redacted, as whether
/// they are set is unknown.
fn members(value: &DebugValue, hidden: Option<&[&str]>) -> Value {
    let DebugValue::Struct(s) = value else {
        return json_of(value);
    };
    let mut object = serde_json::Map::new();
    for field in s.values.iter().filter_map(|f| match f {
        OrNonExhaustive::Value(field) => Some(field),
        OrNonExhaustive::NonExhaustive => None,
    }) {
        let named = |hidden: &[&str]| hidden.contains(&field.ident.as_str());
        if is_sdk_redacted(&field.value) && !hidden.is_none_or(named) {
            continue;
        }
        let value = json_of(&field.value);
        if !value.is_null() {
            object.insert(api_name(&field.ident), value);
        }
    }
    Value::Object(object)
}

/// A value in Debug form as JSON: `None` is null, `Some(x)` is x, structs are objects with API
/// member names, enum variants the values the API takes ([`wire_value`]), numbers numbers.
fn json_of(value: &DebugValue) -> Value {
    match value {
        DebugValue::Struct(_) => members(value, None),
        DebugValue::Tuple(t) if t.values.len() == 1 && t.name.is_some() => json_of(&t.values[0]),
        DebugValue::Tuple(t) => Value::Array(t.values.iter().map(json_of).collect()),
        DebugValue::List(l) => Value::Array(l.values.iter().map(json_of).collect()),
        DebugValue::Set(s) => Value::Array(s.values.iter().map(json_of).collect()),
        DebugValue::Map(m) => Value::Object(
            m.values
                .iter()
                .map(|kv| {
                    let key = match json_of(&kv.key) {
                        Value::String(s) => s,
                        other => other.to_string(),
                    };
                    (key, json_of(&kv.value))
                })
                .collect(),
        ),
        DebugValue::Term(Term::Ident(ident)) => match ident.as_str() {
            "None" => Value::Null,
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            variant => Value::String(wire_value(variant).unwrap_or(variant).to_owned()),
        },
        DebugValue::Term(Term::String(s)) if s == SDK_REDACTED => Value::String(REDACTED.into()),
        DebugValue::Term(Term::String(s)) => Value::String(s.clone()),
        DebugValue::Term(Term::UnquotedRawString(raw)) => {
            serde_json::from_str::<serde_json::Number>(raw)
                .map_or_else(|_| Value::String(raw.clone()), Value::Number)
        }
    }
}

/// The value the API takes for an enum variant a planned request can hold, by the variant's
/// Rust name (`Rsa2048` → `RSA_2048`, `CapabilityNamedIam` → `CAPABILITY_NAMED_IAM`): the SDK's
/// `Debug` prints the name, the request carries the value. Built from each enum's own list of
/// values (`values()`), for the enums cfsign's mutating requests set.
fn wire_value(variant: &str) -> Option<&'static str> {
    use std::collections::HashMap;
    use std::sync::OnceLock;

    fn add<E: for<'a> From<&'a str> + std::fmt::Debug>(
        values: &'static [&'static str],
        map: &mut HashMap<String, &'static str>,
    ) {
        for value in values {
            let previous = map.insert(format!("{:?}", E::from(value)), *value);
            // One Rust name, one value, across every enum listed (tested in debug builds).
            debug_assert!(
                previous.is_none_or(|p| p == *value),
                "{value} vs {previous:?}"
            );
        }
    }

    static VALUES: OnceLock<HashMap<String, &'static str>> = OnceLock::new();
    VALUES
        .get_or_init(|| {
            use aws_sdk_cloudformation::types as cfn;
            use aws_sdk_kms::types as kms;
            use aws_sdk_s3::types as s3;
            use aws_sdk_servicecatalog::types as sc;
            let mut map = HashMap::new();
            add::<cfn::Capability>(cfn::Capability::values(), &mut map);
            add::<kms::KeySpec>(kms::KeySpec::values(), &mut map);
            add::<kms::KeyUsageType>(kms::KeyUsageType::values(), &mut map);
            add::<s3::BucketLocationConstraint>(s3::BucketLocationConstraint::values(), &mut map);
            add::<sc::OrganizationNodeType>(sc::OrganizationNodeType::values(), &mut map);
            add::<sc::PrincipalType>(sc::PrincipalType::values(), &mut map);
            add::<sc::ProductType>(sc::ProductType::values(), &mut map);
            add::<sc::ProvisioningArtifactType>(sc::ProvisioningArtifactType::values(), &mut map);
            map
        })
        .get(variant)
        .copied()
}

/// `secret_id` → `SecretId`, the member's name in the API.
fn api_name(field: &str) -> String {
    // A member named by a keyword is a raw identifier in Rust (`r#type`).
    field
        .trim_start_matches("r#")
        .split('_')
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect()
}

impl std::fmt::Display for PlannedCall {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {} {}", self.service, self.operation, self.parameters)
    }
}

/// The recorded calls.
pub type Plan = Vec<PlannedCall>;

/// What a dry run returns where only the real call could tell: the id or ARN of something it
/// would create, the status of a stack or record it would start. Recipes compare with it
/// through `planned()` and `is_planned(value)`, never by writing it out.
pub const PLANNED: &str = "(planned)";

const SECRET_NAMES: [&str; 3] = ["secret", "private", "password"];

/// What a plan shows in place of a secret value.
const REDACTED: &str = "<redacted>";

fn redact(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (name, inner) in map.iter_mut() {
                let lower = name.to_ascii_lowercase();
                let secret = SECRET_NAMES.iter().any(|s| lower.contains(s))
                    && !lower.ends_with("id")
                    && !lower.ends_with("name")
                    && !lower.ends_with("arn");
                if secret && !inner.is_null() {
                    *inner = Value::String(REDACTED.into());
                } else {
                    redact(inner);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_values_are_redacted_but_names_and_ids_are_kept() {
        let call = PlannedCall::new(
            "SecretsManager",
            "PutSecretValue",
            serde_json::json!({
                "SecretId": "cfsign/payments/signing-key",
                "SecretString": "{\"privateKey\":\"...\"}",
                "VersionStages": ["AWSPENDING"],
                "Nested": [{"PrivateKey": "x", "Name": "n"}],
            }),
        );
        assert_eq!(call.parameters["SecretId"], "cfsign/payments/signing-key");
        assert_eq!(call.parameters["SecretString"], "<redacted>");
        assert_eq!(call.parameters["VersionStages"][0], "AWSPENDING");
        assert_eq!(call.parameters["Nested"][0]["PrivateKey"], "<redacted>");
        assert_eq!(call.parameters["Nested"][0]["Name"], "n");
    }

    #[test]
    fn a_request_is_planned_as_the_sdk_would_send_it_with_sensitive_members_redacted() {
        let request =
            aws_sdk_secretsmanager::operation::put_secret_value::PutSecretValueInput::builder()
                .secret_id("cfsign/payments/signing-key")
                .secret_string("{\"privateKey\":\"key material that must not show\"}")
                .version_stages("AWSPENDING");
        let call = PlannedCall::from_request(
            "SecretsManager",
            "PutSecretValue",
            &request,
            &["secret_string"],
        );
        assert_eq!(call.parameters["SecretId"], "cfsign/payments/signing-key");
        assert_eq!(
            call.parameters["VersionStages"],
            serde_json::json!(["AWSPENDING"])
        );
        assert_eq!(call.parameters["SecretString"], REDACTED);
        assert!(
            call.parameters.get("ClientRequestToken").is_none(),
            "{call}"
        );
        assert!(!call.to_string().contains("must not show"), "{call}");
        // The SDK redacts SecretBinary and RotationToken too, set or not: unset, they are
        // left out rather than shown as if they were sent.
        assert!(call.parameters.get("SecretBinary").is_none(), "{call}");
        assert!(call.parameters.get("RotationToken").is_none(), "{call}");
    }

    #[test]
    fn an_item_is_planned_with_its_attribute_values() {
        use aws_sdk_dynamodb::types::AttributeValue;
        let request = aws_sdk_dynamodb::operation::put_item::PutItemInput::builder()
            .table_name("cfsign-payments-files")
            .item("fileId", AttributeValue::S("uploads/a.txt".into()))
            .item("size", AttributeValue::N("5".into()))
            .item("smoke", AttributeValue::Bool(true));
        let call = PlannedCall::from_request("DynamoDB", "PutItem", &request, &[]);
        let item = &call.parameters["Item"];
        assert_eq!(
            call.parameters["TableName"], "cfsign-payments-files",
            "{call}"
        );
        assert_eq!(item["fileId"], "uploads/a.txt", "{call}");
        assert_eq!(item["size"], "5", "{call}");
        assert_eq!(item["smoke"], true, "{call}");
    }

    #[test]
    fn nested_members_enums_numbers_and_raw_identifiers_are_planned() {
        use aws_sdk_cloudformation::types::{Capability, Parameter, Tag};
        let request = aws_sdk_cloudformation::operation::create_stack::CreateStackInput::builder()
            .stack_name("cfsign-launch-role")
            .parameters(
                Parameter::builder()
                    .parameter_key("A")
                    .parameter_value("x \"y\"")
                    .build(),
            )
            .capabilities(Capability::CapabilityNamedIam)
            .tags(Tag::builder().key("cfsign:team").value("payments").build())
            .timeout_in_minutes(30)
            .disable_rollback(false)
            .template_body("Resources: {}");
        let call = PlannedCall::from_request("CloudFormation", "CreateStack", &request, &[]);
        let p = &call.parameters;
        assert_eq!(p["StackName"], "cfsign-launch-role");
        assert_eq!(p["Parameters"][0]["ParameterKey"], "A");
        assert_eq!(p["Parameters"][0]["ParameterValue"], "x \"y\"");
        assert_eq!(p["Capabilities"][0], "CAPABILITY_NAMED_IAM");
        assert_eq!(p["Tags"][0]["Value"], "payments");
        assert_eq!(p["TimeoutInMinutes"], 30);
        assert_eq!(p["DisableRollback"], false);
        assert_eq!(p["TemplateBody"], "Resources: {}");

        use aws_sdk_servicecatalog::types::{OrganizationNode, OrganizationNodeType};
        let share =
            aws_sdk_servicecatalog::operation::create_portfolio_share::CreatePortfolioShareInput::builder()
                .portfolio_id("port-1")
                .organization_node(
                    OrganizationNode::builder()
                        .r#type(OrganizationNodeType::OrganizationalUnit)
                        .value("ou-ab12-cd34ef56")
                        .build(),
                );
        let call = PlannedCall::from_request("ServiceCatalog", "CreatePortfolioShare", &share, &[]);
        let node = &call.parameters["OrganizationNode"];
        assert_eq!(node["Type"], "ORGANIZATIONAL_UNIT", "{call}");
        assert_eq!(node["Value"], "ou-ab12-cd34ef56", "{call}");
    }

    #[test]
    fn enum_variants_are_planned_as_the_values_the_api_takes() {
        assert_eq!(wire_value("Rsa2048"), Some("RSA_2048"));
        assert_eq!(wire_value("EccNistP256"), Some("ECC_NIST_P256"));
        assert_eq!(wire_value("SignVerify"), Some("SIGN_VERIFY"));
        assert_eq!(
            wire_value("CloudFormationTemplate"),
            Some("CLOUD_FORMATION_TEMPLATE")
        );
        assert_eq!(wire_value("EuWest1"), Some("eu-west-1"));
        assert_eq!(wire_value("Iam"), Some("IAM"));
        assert_eq!(wire_value("NotAVariant"), None);
        // Building the table (above) asserts that no Rust name means two values.
    }
}
