//! Service Catalog results as typed views. They serialize as the maps recipes see
//! (snake_case keys, timestamps as RFC 3339, a member the service left out as null).

use std::collections::BTreeMap;

use aws_sdk_servicecatalog::types::{
    ConstraintDetail, PortfolioDetail, PortfolioShareDetail, ProductViewDetail,
    ProvisionedProductAttribute, ProvisionedProductDetail, ProvisioningArtifactDetail,
    RecordDetail, RecordOutput, Tag,
};
use serde::Serialize;
use serde_json::Value;

use crate::aws::timestamp;

fn owned(text: Option<&str>) -> Option<String> {
    text.map(str::to_owned)
}

/// Tags as `{key: value}`.
pub(crate) fn tag_map(tags: &[Tag]) -> BTreeMap<String, String> {
    tags.iter()
        .map(|t| (t.key().to_owned(), t.value().to_owned()))
        .collect()
}

/// A portfolio.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PortfolioView {
    /// Its id (`port-...`).
    pub id: Option<String>,
    /// Its ARN.
    pub arn: Option<String>,
    /// Its display name.
    pub name: Option<String>,
    /// Its description.
    pub description: String,
    /// Its provider's name.
    pub provider: String,
    /// When it was created.
    pub created: String,
}

impl PortfolioView {
    pub(crate) fn of(p: &PortfolioDetail) -> Self {
        PortfolioView {
            id: owned(p.id()),
            arn: owned(p.arn()),
            name: owned(p.display_name()),
            description: p.description().unwrap_or_default().to_owned(),
            provider: p.provider_name().unwrap_or_default().to_owned(),
            created: timestamp(p.created_time()),
        }
    }
}

/// A portfolio with its tags (DescribePortfolio).
#[derive(Debug, Clone, Default, Serialize)]
pub struct TaggedPortfolio {
    /// The portfolio.
    #[serde(flatten)]
    pub portfolio: PortfolioView,
    /// Its tags.
    pub tags: BTreeMap<String, String>,
}

/// A product as its administrator sees it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ProductView {
    /// Its id (`prod-...`).
    pub id: String,
    /// Its ARN.
    pub arn: String,
    /// Its name.
    pub name: String,
    /// Its owner.
    pub owner: String,
    /// Its short description.
    pub description: String,
    /// Its distributor.
    pub distributor: String,
    /// Its support contact's email.
    pub support_email: String,
    /// Its support URL.
    pub support_url: String,
    /// Its support description.
    pub support_description: String,
}

impl ProductView {
    pub(crate) fn of(detail: &ProductViewDetail) -> Self {
        let summary = detail.product_view_summary();
        let field = |f: fn(&aws_sdk_servicecatalog::types::ProductViewSummary) -> Option<&str>| {
            summary.and_then(f).unwrap_or_default().to_owned()
        };
        ProductView {
            id: field(|s| s.product_id()),
            arn: detail.product_arn().unwrap_or_default().to_owned(),
            name: field(|s| s.name()),
            owner: field(|s| s.owner()),
            description: field(|s| s.short_description()),
            distributor: field(|s| s.distributor()),
            support_email: field(|s| s.support_email()),
            support_url: field(|s| s.support_url()),
            support_description: field(|s| s.support_description()),
        }
    }
}

/// A product just created, with its first artifact.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CreatedProduct {
    /// The product.
    #[serde(flatten)]
    pub product: ProductView,
    /// Its first provisioning artifact.
    pub artifact: ArtifactView,
}

/// A provisioning artifact (a version of a product).
#[derive(Debug, Clone, Serialize)]
pub struct ArtifactView {
    /// Its id (`pa-...`).
    pub id: Option<String>,
    /// Its name, e.g. `v3`.
    pub name: Option<String>,
    /// Its description.
    pub description: String,
    /// Whether teams may launch it.
    pub active: bool,
    /// `DEFAULT` or `DEPRECATED`.
    pub guidance: String,
    /// When it was created.
    pub created: String,
}

impl Default for ArtifactView {
    fn default() -> Self {
        ArtifactView {
            id: None,
            name: None,
            description: String::new(),
            active: true,
            guidance: "DEFAULT".into(),
            created: String::new(),
        }
    }
}

impl ArtifactView {
    pub(crate) fn of(a: &ProvisioningArtifactDetail) -> Self {
        ArtifactView {
            id: owned(a.id()),
            name: owned(a.name()),
            description: a.description().unwrap_or_default().to_owned(),
            active: a.active().unwrap_or(true),
            guidance: a.guidance().map_or("DEFAULT", |g| g.as_str()).to_owned(),
            created: timestamp(a.created_time()),
        }
    }
}

/// A constraint with its parameters.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ConstraintView {
    /// Its id (`cons-...`).
    pub id: Option<String>,
    /// `LAUNCH`, `TEMPLATE`, ...
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// Its description.
    pub description: String,
    /// The account that owns it.
    pub owner: Option<String>,
    /// The product it constrains.
    pub product_id: Option<String>,
    /// The portfolio it belongs to.
    pub portfolio_id: Option<String>,
    /// Its parameters, e.g. `{"RoleArn": ...}` (empty when unreadable).
    pub parameters: Value,
}

impl ConstraintView {
    pub(crate) fn of(c: &ConstraintDetail, parameters: Option<&str>) -> Self {
        ConstraintView {
            id: owned(c.constraint_id()),
            kind: owned(c.r#type()),
            description: c.description().unwrap_or_default().to_owned(),
            owner: owned(c.owner()),
            product_id: owned(c.product_id()),
            portfolio_id: owned(c.portfolio_id()),
            parameters: parameters
                .and_then(|p| serde_json::from_str(p).ok())
                .unwrap_or_else(|| Value::Object(Default::default())),
        }
    }
}

/// A principal with access to a portfolio.
#[derive(Debug, Clone, Serialize)]
pub struct PrincipalView {
    /// Its ARN (or ARN pattern).
    pub arn: Option<String>,
    /// `IAM` or `IAM_PATTERN`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

/// A portfolio share.
#[derive(Debug, Clone, Serialize)]
pub struct ShareView {
    /// `ACCOUNT`, `ORGANIZATION` or `ORGANIZATIONAL_UNIT`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// The account or node shared with.
    pub principal_id: Option<String>,
    /// Whether the recipient accepted it.
    pub accepted: bool,
    /// Whether it shares the portfolio's principals.
    pub share_principals: bool,
}

impl ShareView {
    pub(crate) fn of(s: &PortfolioShareDetail) -> Self {
        ShareView {
            kind: s.r#type().map(|t| t.as_str().to_owned()),
            principal_id: owned(s.principal_id()),
            accepted: s.accepted(),
            share_principals: s.share_principals(),
        }
    }
}

/// One reason a record failed.
#[derive(Debug, Clone, Serialize)]
pub struct RecordErrorView {
    /// Service Catalog's code.
    pub code: Option<String>,
    /// What went wrong.
    pub description: Option<String>,
}

/// A record: one provisioning, update or termination and how it went.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RecordView {
    /// Its id (`rec-...`), or [`PLANNED`](crate::aws::plan::PLANNED) in a dry run.
    pub id: Option<String>,
    /// `PROVISION_PRODUCT`, `UPDATE_PROVISIONED_PRODUCT` or `TERMINATE_PROVISIONED_PRODUCT`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// `CREATED`, `IN_PROGRESS`, `IN_PROGRESS_IN_ERROR`, `SUCCEEDED` or `FAILED`.
    pub status: Option<String>,
    /// The provisioned product's id.
    pub provisioned_product_id: Option<String>,
    /// The provisioned product's name.
    pub provisioned_product_name: Option<String>,
    /// The product's id.
    pub product_id: Option<String>,
    /// The artifact's id.
    pub artifact_id: Option<String>,
    /// The launch path's id.
    pub path_id: Option<String>,
    /// Why it failed.
    pub errors: Vec<RecordErrorView>,
    /// The stack's outputs.
    pub outputs: BTreeMap<String, String>,
}

impl RecordView {
    pub(crate) fn of(r: Option<&RecordDetail>, outputs: &[RecordOutput]) -> Self {
        let empty = RecordDetail::builder().build();
        let r = r.unwrap_or(&empty);
        RecordView {
            id: owned(r.record_id()),
            kind: owned(r.record_type()),
            status: r.status().map(|s| s.as_str().to_owned()),
            provisioned_product_id: owned(r.provisioned_product_id()),
            provisioned_product_name: owned(r.provisioned_product_name()),
            product_id: owned(r.product_id()),
            artifact_id: owned(r.provisioning_artifact_id()),
            path_id: owned(r.path_id()),
            errors: r
                .record_errors()
                .iter()
                .map(|e| RecordErrorView {
                    code: owned(e.code()),
                    description: owned(e.description()),
                })
                .collect(),
            outputs: output_map(outputs),
        }
    }
}

/// Outputs as `{OutputKey: value}`.
pub(crate) fn output_map(outputs: &[RecordOutput]) -> BTreeMap<String, String> {
    outputs
        .iter()
        .map(|o| {
            (
                o.output_key().unwrap_or_default().to_owned(),
                o.output_value().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// A provisioned product (DescribeProvisionedProduct).
#[derive(Debug, Clone, Serialize)]
pub struct ProvisionedProductView {
    /// Its id (`pp-...`).
    pub id: Option<String>,
    /// Its name.
    pub name: Option<String>,
    /// Its ARN.
    pub arn: Option<String>,
    /// `AVAILABLE`, `UNDER_CHANGE`, `TAINTED`, `ERROR` or `PLAN_IN_PROGRESS`.
    pub status: Option<String>,
    /// What its status means, when Service Catalog says.
    pub status_message: String,
    /// Its product's id.
    pub product_id: Option<String>,
    /// Its artifact's id.
    pub artifact_id: Option<String>,
    /// Its last record's id.
    pub last_record_id: Option<String>,
    /// Its last successful provisioning record's id (none when it never succeeded).
    pub last_successful_record_id: Option<String>,
    /// The role it was launched with.
    pub launch_role_arn: Option<String>,
    /// When it was created.
    pub created: String,
}

impl ProvisionedProductView {
    pub(crate) fn of(p: &ProvisionedProductDetail) -> Self {
        ProvisionedProductView {
            id: owned(p.id()),
            name: owned(p.name()),
            arn: owned(p.arn()),
            status: p.status().map(|s| s.as_str().to_owned()),
            status_message: p.status_message().unwrap_or_default().to_owned(),
            product_id: owned(p.product_id()),
            artifact_id: owned(p.provisioning_artifact_id()),
            last_record_id: owned(p.last_record_id()),
            last_successful_record_id: owned(p.last_successful_provisioning_record_id()),
            launch_role_arn: owned(p.launch_role_arn()),
            created: timestamp(p.created_time()),
        }
    }
}

/// A provisioned product as a search finds it.
#[derive(Debug, Clone, Serialize)]
pub struct FoundProvisionedProduct {
    /// Its id (`pp-...`).
    pub id: Option<String>,
    /// Its name.
    pub name: Option<String>,
    /// Its status.
    pub status: Option<String>,
    /// Its product's id.
    pub product_id: Option<String>,
    /// Its product's name.
    pub product_name: Option<String>,
    /// Its artifact's id.
    pub artifact_id: Option<String>,
    /// Its artifact's name.
    pub artifact_name: Option<String>,
    /// Its stack's ARN.
    pub physical_id: Option<String>,
    /// Its tags.
    pub tags: BTreeMap<String, String>,
}

impl FoundProvisionedProduct {
    pub(crate) fn of(p: &ProvisionedProductAttribute) -> Self {
        FoundProvisionedProduct {
            id: owned(p.id()),
            name: owned(p.name()),
            status: p.status().map(|s| s.as_str().to_owned()),
            product_id: owned(p.product_id()),
            product_name: owned(p.product_name()),
            artifact_id: owned(p.provisioning_artifact_id()),
            artifact_name: owned(p.provisioning_artifact_name()),
            physical_id: owned(p.physical_id()),
            tags: tag_map(p.tags()),
        }
    }
}

/// A product as a team sees it (DescribeProduct, end-user access).
#[derive(Debug, Clone, Serialize)]
pub struct LaunchableProduct {
    /// Its id.
    pub id: Option<String>,
    /// Its name.
    pub name: Option<String>,
    /// The artifacts a team may launch or update to, oldest first.
    pub artifacts: Vec<LaunchableArtifact>,
    /// The portfolios it can be launched through.
    pub launch_paths: Vec<LaunchPathView>,
}

/// An artifact a team may launch.
#[derive(Debug, Clone, Serialize)]
pub struct LaunchableArtifact {
    /// Its id.
    pub id: Option<String>,
    /// Its name.
    pub name: Option<String>,
    /// Its description.
    pub description: Option<String>,
    /// `DEFAULT` or `DEPRECATED`.
    pub guidance: String,
    /// When it was created.
    pub created: String,
}

/// A launch path: a portfolio a product can be launched through.
#[derive(Debug, Clone, Serialize)]
pub struct LaunchPathView {
    /// Its id (`lpv2-...`).
    pub id: Option<String>,
    /// Its name (the portfolio's).
    pub name: Option<String>,
}

impl LaunchableProduct {
    pub(crate) fn of(
        out: &aws_sdk_servicecatalog::operation::describe_product::DescribeProductOutput,
    ) -> Self {
        let mut artifacts: Vec<LaunchableArtifact> = out
            .provisioning_artifacts()
            .iter()
            .map(|a| LaunchableArtifact {
                id: owned(a.id()),
                name: owned(a.name()),
                description: owned(a.description()),
                guidance: a.guidance().map_or("DEFAULT", |g| g.as_str()).to_owned(),
                created: timestamp(a.created_time()),
            })
            .collect();
        artifacts.sort_by(|a, b| a.created.cmp(&b.created));
        let summary = out.product_view_summary();
        LaunchableProduct {
            id: owned(summary.and_then(|s| s.product_id())),
            name: owned(summary.and_then(|s| s.name())),
            artifacts,
            launch_paths: out
                .launch_paths()
                .iter()
                .map(|p| LaunchPathView {
                    id: owned(p.id()),
                    name: owned(p.name()),
                })
                .collect(),
        }
    }
}

/// `tags` as Service Catalog tags.
pub(crate) fn tags(tags: &BTreeMap<String, String>) -> Vec<Tag> {
    tags.iter()
        .filter_map(|(key, value)| Tag::builder().key(key).value(value).build().ok())
        .collect()
}
