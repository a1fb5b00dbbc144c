//! Service Catalog results as the maps recipes see (snake_case keys, timestamps as RFC 3339).

use aws_sdk_servicecatalog::types::{
    ConstraintDetail, PortfolioDetail, PortfolioShareDetail, ProductViewDetail,
    ProvisionedProductAttribute, ProvisionedProductDetail, ProvisioningArtifactDetail,
    RecordDetail, RecordOutput,
};
use serde_json::{json, Map as JsonMap, Value};

use crate::script::bindings::convert::timestamp;

/// `#{id, arn, name, description, provider, created}`.
pub fn portfolio(p: &PortfolioDetail) -> Value {
    json!({
        "id": p.id(), "arn": p.arn(), "name": p.display_name(),
        "description": p.description().unwrap_or_default(),
        "provider": p.provider_name().unwrap_or_default(),
        "created": timestamp(p.created_time()),
    })
}

/// `#{id, arn, name, owner, description, distributor, support_email, support_url,
/// support_description}`.
pub fn product(detail: &ProductViewDetail) -> Value {
    let summary = detail.product_view_summary();
    let field = |f: fn(&aws_sdk_servicecatalog::types::ProductViewSummary) -> Option<&str>| {
        summary.and_then(f).unwrap_or_default().to_owned()
    };
    json!({
        "id": field(|s| s.product_id()), "arn": detail.product_arn().unwrap_or_default(),
        "name": field(|s| s.name()), "owner": field(|s| s.owner()),
        "description": field(|s| s.short_description()),
        "distributor": field(|s| s.distributor()),
        "support_email": field(|s| s.support_email()),
        "support_url": field(|s| s.support_url()),
        "support_description": field(|s| s.support_description()),
    })
}

/// `#{id, name, description, active, guidance, created}`.
pub fn artifact(a: &ProvisioningArtifactDetail) -> Value {
    json!({
        "id": a.id(), "name": a.name(), "description": a.description().unwrap_or_default(),
        "active": a.active().unwrap_or(true),
        "guidance": a.guidance().map(|g| g.as_str()).unwrap_or("DEFAULT"),
        "created": timestamp(a.created_time()),
    })
}

/// `#{id, type, description, owner, product_id, portfolio_id, parameters}`.
pub fn constraint(c: &ConstraintDetail, parameters: Option<&str>) -> Value {
    let parameters: Value = parameters
        .and_then(|p| serde_json::from_str(p).ok())
        .unwrap_or_else(|| json!({}));
    json!({
        "id": c.constraint_id(), "type": c.r#type(),
        "description": c.description().unwrap_or_default(), "owner": c.owner(),
        "product_id": c.product_id(), "portfolio_id": c.portfolio_id(),
        "parameters": parameters,
    })
}

/// `#{type, principal_id, accepted, share_principals}`.
pub fn share(s: &PortfolioShareDetail) -> Value {
    json!({
        "type": s.r#type().map(|t| t.as_str()), "principal_id": s.principal_id(),
        "accepted": s.accepted(), "share_principals": s.share_principals(),
    })
}

/// Outputs as `#{OutputKey: value}`.
pub fn outputs(outputs: &[RecordOutput]) -> Value {
    let map: JsonMap<String, Value> = outputs
        .iter()
        .map(|o| {
            (
                o.output_key().unwrap_or_default().to_owned(),
                o.output_value().unwrap_or_default().into(),
            )
        })
        .collect();
    Value::Object(map)
}

/// `#{id, type, status, provisioned_product_id, provisioned_product_name, product_id,
/// artifact_id, path_id, errors: [#{code, description}], outputs: #{...}}`.
pub fn record(r: Option<&RecordDetail>, record_outputs: &[RecordOutput]) -> Value {
    let empty = RecordDetail::builder().build();
    let r = r.unwrap_or(&empty);
    let errors: Vec<Value> = r
        .record_errors()
        .iter()
        .map(|e| json!({ "code": e.code(), "description": e.description() }))
        .collect();
    json!({
        "id": r.record_id(), "type": r.record_type(),
        "status": r.status().map(|s| s.as_str()),
        "provisioned_product_id": r.provisioned_product_id(),
        "provisioned_product_name": r.provisioned_product_name(),
        "product_id": r.product_id(), "artifact_id": r.provisioning_artifact_id(),
        "path_id": r.path_id(), "errors": errors, "outputs": outputs(record_outputs),
    })
}

/// `#{id, name, arn, status, status_message, product_id, artifact_id, last_record_id,
/// last_successful_record_id, launch_role_arn, created}`.
pub fn provisioned_product(p: &ProvisionedProductDetail) -> Value {
    json!({
        "id": p.id(), "name": p.name(), "arn": p.arn(),
        "status": p.status().map(|s| s.as_str()),
        "status_message": p.status_message().unwrap_or_default(),
        "product_id": p.product_id(), "artifact_id": p.provisioning_artifact_id(),
        "last_record_id": p.last_record_id(),
        "last_successful_record_id": p.last_successful_provisioning_record_id(),
        "launch_role_arn": p.launch_role_arn(), "created": timestamp(p.created_time()),
    })
}

/// `#{id, name, status, product_id, product_name, artifact_id, artifact_name, physical_id,
/// tags: #{...}}`.
pub fn provisioned_attributes(p: &ProvisionedProductAttribute) -> Value {
    let tags: JsonMap<String, Value> = p
        .tags()
        .iter()
        .map(|t| (t.key().to_owned(), t.value().into()))
        .collect();
    json!({
        "id": p.id(), "name": p.name(), "status": p.status().map(|s| s.as_str()),
        "product_id": p.product_id(), "product_name": p.product_name(),
        "artifact_id": p.provisioning_artifact_id(),
        "artifact_name": p.provisioning_artifact_name(), "physical_id": p.physical_id(),
        "tags": tags,
    })
}
