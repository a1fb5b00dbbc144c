//! Publishing: portfolios, products, provisioning artifacts, associations, constraints and
//! shares. Finders return `None` when nothing matches, so recipes create-or-update.

use std::collections::BTreeMap;

use aws_sdk_servicecatalog::types::{
    DescribePortfolioShareType, OrganizationNode, OrganizationNodeType, PrincipalType, ProductType,
    ProductViewFilterBy, ProvisioningArtifactGuidance, ProvisioningArtifactProperties,
    ProvisioningArtifactType,
};
use serde::Deserialize;
use serde_json::Value;

use super::views::{
    tag_map, tags as sc_tags, ArtifactView, ConstraintView, CreatedProduct, PortfolioView,
    PrincipalView, ProductView, ShareView, TaggedPortfolio,
};
use super::{invalid, is_planned, planned_id, SERVICE};
use crate::aws::{sdk_error, Aws, HostError};

/// A portfolio's details, for `create_portfolio` (name and provider needed) and
/// `update_portfolio` (what is given changes; tags are added).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortfolioDetails {
    /// Its display name.
    pub name: Option<String>,
    /// Its description.
    pub description: Option<String>,
    /// Its provider's name.
    pub provider: Option<String>,
    /// Tags to give it.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
}

/// A new provisioning artifact: a template already uploaded (`s3::upload_template`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewArtifact {
    /// Its name, e.g. `v3`.
    pub name: String,
    /// Its description.
    #[serde(default)]
    pub description: String,
    /// The template's URL.
    pub template_url: String,
}

impl NewArtifact {
    fn properties(&self) -> ProvisioningArtifactProperties {
        ProvisioningArtifactProperties::builder()
            .name(&self.name)
            .description(&self.description)
            .info("LoadTemplateFromURL", &self.template_url)
            .r#type(ProvisioningArtifactType::CloudFormationTemplate)
            .build()
    }
}

/// A product's details, for `create_product` (name, owner and artifact needed) and
/// `update_product` (what is given changes; tags are added; no artifact).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProductDetails {
    /// Its name.
    pub name: Option<String>,
    /// Its owner.
    pub owner: Option<String>,
    /// Its description.
    pub description: Option<String>,
    /// Its distributor.
    pub distributor: Option<String>,
    /// Its support contact's email.
    pub support_email: Option<String>,
    /// Its support URL.
    pub support_url: Option<String>,
    /// Its support description.
    pub support_description: Option<String>,
    /// Tags to give it.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// Its first artifact (create only).
    pub artifact: Option<NewArtifact>,
}

/// Every portfolio of the account (all pages).
pub fn portfolios(aws: &Aws) -> Result<Vec<PortfolioView>, HostError> {
    let pages = aws.operation(SERVICE, "ListPortfolios").send(
        aws.service_catalog()
            .list_portfolios()
            .into_paginator()
            .send()
            .collect::<Result<Vec<_>, _>>(),
    )?;
    Ok(pages
        .iter()
        .flat_map(|page| page.portfolio_details())
        .map(PortfolioView::of)
        .collect())
}

/// The portfolio whose display name is `name`.
pub fn find_portfolio(aws: &Aws, name: &str) -> Result<Option<PortfolioView>, HostError> {
    Ok(portfolios(aws)?
        .into_iter()
        .find(|p| p.name.as_deref() == Some(name)))
}

/// A portfolio with its tags.
pub fn describe_portfolio(aws: &Aws, id: &str) -> Result<TaggedPortfolio, HostError> {
    if is_planned(id) {
        let portfolio = PortfolioView {
            id: planned_id(),
            ..Default::default()
        };
        return Ok(TaggedPortfolio {
            portfolio,
            tags: BTreeMap::new(),
        });
    }
    let out = aws
        .operation(SERVICE, "DescribePortfolio")
        .send(aws.service_catalog().describe_portfolio().id(id).send())?;
    Ok(TaggedPortfolio {
        portfolio: out
            .portfolio_detail()
            .map(PortfolioView::of)
            .unwrap_or_default(),
        tags: tag_map(out.tags()),
    })
}

/// Creates a portfolio; it needs a name and a provider.
pub fn create_portfolio(aws: &Aws, details: PortfolioDetails) -> Result<PortfolioView, HostError> {
    let (Some(name), Some(provider)) = (details.name, details.provider) else {
        return Err(invalid(
            "CreatePortfolio",
            "a portfolio needs a name and a provider",
        ));
    };
    let description = details.description.unwrap_or_default();
    let request = aws
        .service_catalog()
        .create_portfolio()
        .display_name(&name)
        .provider_name(&provider)
        .description(&description)
        .set_tags(Some(sc_tags(&details.tags)));
    let call = aws.operation(SERVICE, "CreatePortfolio");
    if call.planned(request.as_input()) {
        return Ok(PortfolioView {
            id: planned_id(),
            name: Some(name),
            provider,
            description,
            ..Default::default()
        });
    }
    let out = call.send(request.send())?;
    Ok(out
        .portfolio_detail()
        .map(PortfolioView::of)
        .unwrap_or_default())
}

/// Changes what `changes` gives of a portfolio's name, description and provider, and adds its
/// tags.
pub fn update_portfolio(
    aws: &Aws,
    id: &str,
    changes: PortfolioDetails,
) -> Result<PortfolioView, HostError> {
    let request = aws
        .service_catalog()
        .update_portfolio()
        .id(id)
        .set_display_name(changes.name)
        .set_provider_name(changes.provider)
        .set_description(changes.description)
        .set_add_tags(Some(sc_tags(&changes.tags)));
    let call = aws.operation(SERVICE, "UpdatePortfolio");
    if call.planned(request.as_input()) {
        return Ok(PortfolioView {
            id: Some(id.to_owned()),
            ..Default::default()
        });
    }
    let out = call.send(request.send())?;
    Ok(out
        .portfolio_detail()
        .map(PortfolioView::of)
        .unwrap_or_default())
}

/// The product named exactly `name` (a full-text search, filtered by name).
pub fn find_product(aws: &Aws, name: &str) -> Result<Option<ProductView>, HostError> {
    let pages = aws.operation(SERVICE, "SearchProductsAsAdmin").send(
        aws.service_catalog()
            .search_products_as_admin()
            .filters(ProductViewFilterBy::FullTextSearch, vec![name.to_owned()])
            .into_paginator()
            .send()
            .collect::<Result<Vec<_>, _>>(),
    )?;
    Ok(pages
        .iter()
        .flat_map(|page| page.product_view_details())
        .map(ProductView::of)
        .find(|p| p.name == name))
}

/// The products in a portfolio.
pub fn portfolio_products(aws: &Aws, portfolio_id: &str) -> Result<Vec<ProductView>, HostError> {
    if is_planned(portfolio_id) {
        return Ok(Vec::new());
    }
    let pages = aws.operation(SERVICE, "SearchProductsAsAdmin").send(
        aws.service_catalog()
            .search_products_as_admin()
            .portfolio_id(portfolio_id)
            .into_paginator()
            .send()
            .collect::<Result<Vec<_>, _>>(),
    )?;
    Ok(pages
        .iter()
        .flat_map(|page| page.product_view_details())
        .map(ProductView::of)
        .collect())
}

/// Creates a product with its first artifact; it needs a name, an owner and an artifact.
pub fn create_product(aws: &Aws, details: ProductDetails) -> Result<CreatedProduct, HostError> {
    let (Some(name), Some(owner), Some(artifact)) = (details.name, details.owner, details.artifact)
    else {
        return Err(invalid(
            "CreateProduct",
            "a product needs a name, an owner and an artifact",
        ));
    };
    let request = aws
        .service_catalog()
        .create_product()
        .name(&name)
        .owner(&owner)
        .set_description(details.description)
        .set_distributor(details.distributor)
        .set_support_email(details.support_email)
        .set_support_url(details.support_url)
        .set_support_description(details.support_description)
        .product_type(ProductType::CloudFormationTemplate)
        .provisioning_artifact_parameters(artifact.properties())
        .set_tags(Some(sc_tags(&details.tags)));
    let call = aws.operation(SERVICE, "CreateProduct");
    if call.planned(request.as_input()) {
        return Ok(CreatedProduct {
            product: ProductView {
                id: crate::aws::plan::PLANNED.to_owned(),
                name,
                owner,
                ..Default::default()
            },
            artifact: ArtifactView {
                id: planned_id(),
                name: Some(artifact.name),
                ..Default::default()
            },
        });
    }
    let out = call.send(request.send())?;
    Ok(CreatedProduct {
        product: out
            .product_view_detail()
            .map(ProductView::of)
            .unwrap_or_default(),
        artifact: out
            .provisioning_artifact_detail()
            .map(ArtifactView::of)
            .unwrap_or_default(),
    })
}

/// Changes what `changes` gives of a product's details and adds its tags; artifacts are added
/// with [`create_artifact`].
pub fn update_product(
    aws: &Aws,
    id: &str,
    changes: ProductDetails,
) -> Result<ProductView, HostError> {
    if changes.artifact.is_some() {
        return Err(invalid(
            "UpdateProduct",
            "add artifacts with create_artifact",
        ));
    }
    let request = aws
        .service_catalog()
        .update_product()
        .id(id)
        .set_name(changes.name)
        .set_owner(changes.owner)
        .set_description(changes.description)
        .set_distributor(changes.distributor)
        .set_support_email(changes.support_email)
        .set_support_url(changes.support_url)
        .set_support_description(changes.support_description)
        .set_add_tags(Some(sc_tags(&changes.tags)));
    let call = aws.operation(SERVICE, "UpdateProduct");
    if call.planned(request.as_input()) {
        return Ok(ProductView {
            id: id.to_owned(),
            ..Default::default()
        });
    }
    let out = call.send(request.send())?;
    Ok(out
        .product_view_detail()
        .map(ProductView::of)
        .unwrap_or_default())
}

/// A product's provisioning artifacts, oldest first.
pub fn artifacts(aws: &Aws, product_id: &str) -> Result<Vec<ArtifactView>, HostError> {
    if is_planned(product_id) {
        return Ok(Vec::new());
    }
    let out = aws.operation(SERVICE, "ListProvisioningArtifacts").send(
        aws.service_catalog()
            .list_provisioning_artifacts()
            .product_id(product_id)
            .send(),
    )?;
    let mut artifacts: Vec<ArtifactView> = out
        .provisioning_artifact_details()
        .iter()
        .map(ArtifactView::of)
        .collect();
    artifacts.sort_by(|a, b| a.created.cmp(&b.created));
    Ok(artifacts)
}

/// Adds a provisioning artifact (a new version) to a product.
pub fn create_artifact(
    aws: &Aws,
    product_id: &str,
    artifact: &NewArtifact,
) -> Result<ArtifactView, HostError> {
    let request = aws
        .service_catalog()
        .create_provisioning_artifact()
        .product_id(product_id)
        .parameters(artifact.properties());
    let call = aws.operation(SERVICE, "CreateProvisioningArtifact");
    if call.planned(request.as_input()) {
        return Ok(ArtifactView {
            id: planned_id(),
            name: Some(artifact.name.clone()),
            ..Default::default()
        });
    }
    let out = call.send(request.send())?;
    Ok(out
        .provisioning_artifact_detail()
        .map(ArtifactView::of)
        .unwrap_or_default())
}

/// Marks an artifact DEPRECATED: teams can no longer launch it, but products provisioned from
/// it still update (docs/design.md: old versions are deprecated, never deleted).
pub fn deprecate_artifact(aws: &Aws, product_id: &str, artifact_id: &str) -> Result<(), HostError> {
    let request = aws
        .service_catalog()
        .update_provisioning_artifact()
        .product_id(product_id)
        .provisioning_artifact_id(artifact_id)
        .guidance(ProvisioningArtifactGuidance::Deprecated);
    let call = aws.operation(SERVICE, "UpdateProvisioningArtifact");
    if call.planned(request.as_input()) {
        return Ok(());
    }
    call.send(request.send())?;
    Ok(())
}

/// Adds a product to a portfolio (nothing changes if it is there already).
pub fn associate_product(aws: &Aws, portfolio_id: &str, product_id: &str) -> Result<(), HostError> {
    let request = aws
        .service_catalog()
        .associate_product_with_portfolio()
        .portfolio_id(portfolio_id)
        .product_id(product_id);
    let call = aws.operation(SERVICE, "AssociateProductWithPortfolio");
    if call.planned(request.as_input()) {
        return Ok(());
    }
    call.send(request.send())?;
    Ok(())
}

fn principal_type(operation: &str, text: &str) -> Result<PrincipalType, HostError> {
    match text {
        "IAM" => Ok(PrincipalType::Iam),
        "IAM_PATTERN" => Ok(PrincipalType::IamPattern),
        other => Err(invalid(
            operation,
            format!("principal type {other:?} is not IAM or IAM_PATTERN"),
        )),
    }
}

/// Gives a principal access to a portfolio: `kind` is `IAM` (an existing role, user or group,
/// by its full ARN) or `IAM_PATTERN` (an ARN without account id, `*` and `?` in the name or
/// path only; at most 10 per portfolio).
pub fn associate_principal(
    aws: &Aws,
    portfolio_id: &str,
    principal_arn: &str,
    kind: &str,
) -> Result<(), HostError> {
    let operation = "AssociatePrincipalWithPortfolio";
    let request = aws
        .service_catalog()
        .associate_principal_with_portfolio()
        .portfolio_id(portfolio_id)
        .principal_arn(principal_arn)
        .principal_type(principal_type(operation, kind)?);
    let call = aws.operation(SERVICE, operation);
    if call.planned(request.as_input()) {
        return Ok(());
    }
    call.send(request.send())?;
    Ok(())
}

/// Takes a principal's access to a portfolio away; `kind` is the type it was associated with.
pub fn disassociate_principal(
    aws: &Aws,
    portfolio_id: &str,
    principal_arn: &str,
    kind: &str,
) -> Result<(), HostError> {
    let operation = "DisassociatePrincipalFromPortfolio";
    let request = aws
        .service_catalog()
        .disassociate_principal_from_portfolio()
        .portfolio_id(portfolio_id)
        .principal_arn(principal_arn)
        .principal_type(principal_type(operation, kind)?);
    let call = aws.operation(SERVICE, operation);
    if call.planned(request.as_input()) {
        return Ok(());
    }
    call.send(request.send())?;
    Ok(())
}

/// The principals with access to a portfolio.
pub fn principals(aws: &Aws, portfolio_id: &str) -> Result<Vec<PrincipalView>, HostError> {
    if is_planned(portfolio_id) {
        return Ok(Vec::new());
    }
    let pages = aws.operation(SERVICE, "ListPrincipalsForPortfolio").send(
        aws.service_catalog()
            .list_principals_for_portfolio()
            .portfolio_id(portfolio_id)
            .into_paginator()
            .send()
            .collect::<Result<Vec<_>, _>>(),
    )?;
    Ok(pages
        .iter()
        .flat_map(|page| page.principals())
        .map(|p| PrincipalView {
            arn: p.principal_arn().map(str::to_owned),
            kind: p.principal_type().map(|t| t.as_str().to_owned()),
        })
        .collect())
}

/// A portfolio's constraints with their parameters (each described: the listing leaves the
/// parameters out, e.g. the launch role).
pub fn constraints(aws: &Aws, portfolio_id: &str) -> Result<Vec<ConstraintView>, HostError> {
    if is_planned(portfolio_id) {
        return Ok(Vec::new());
    }
    let client = aws.service_catalog();
    let pages = aws.operation(SERVICE, "ListConstraintsForPortfolio").send(
        client
            .list_constraints_for_portfolio()
            .portfolio_id(portfolio_id)
            .into_paginator()
            .send()
            .collect::<Result<Vec<_>, _>>(),
    )?;
    let mut constraints = Vec::new();
    for detail in pages.iter().flat_map(|page| page.constraint_details()) {
        let id = detail.constraint_id().unwrap_or_default();
        let described = aws
            .operation(SERVICE, "DescribeConstraint")
            .send(client.describe_constraint().id(id).send())?;
        constraints.push(ConstraintView::of(
            detail,
            described.constraint_parameters(),
        ));
    }
    Ok(constraints)
}

/// Adds a constraint of `kind` (`LAUNCH`: parameters `{RoleArn}`, `TEMPLATE`: `{Rules}`, ...)
/// to a product in a portfolio.
pub fn create_constraint(
    aws: &Aws,
    portfolio_id: &str,
    product_id: &str,
    kind: &str,
    parameters: Value,
    description: &str,
) -> Result<ConstraintView, HostError> {
    let request = aws
        .service_catalog()
        .create_constraint()
        .portfolio_id(portfolio_id)
        .product_id(product_id)
        .r#type(kind)
        .parameters(parameters.to_string())
        .description(description);
    let call = aws.operation(SERVICE, "CreateConstraint");
    if call.planned(request.as_input()) {
        return Ok(ConstraintView {
            id: planned_id(),
            kind: Some(kind.to_owned()),
            product_id: Some(product_id.to_owned()),
            portfolio_id: Some(portfolio_id.to_owned()),
            parameters,
            ..Default::default()
        });
    }
    let out = call.send(request.send())?;
    Ok(out
        .constraint_detail()
        .map(|d| ConstraintView::of(d, out.constraint_parameters()))
        .unwrap_or_default())
}

/// Replaces a constraint's parameters and description.
pub fn update_constraint(
    aws: &Aws,
    id: &str,
    parameters: Value,
    description: &str,
) -> Result<ConstraintView, HostError> {
    let request = aws
        .service_catalog()
        .update_constraint()
        .id(id)
        .parameters(parameters.to_string())
        .description(description);
    let call = aws.operation(SERVICE, "UpdateConstraint");
    if call.planned(request.as_input()) {
        return Ok(ConstraintView {
            id: Some(id.to_owned()),
            parameters,
            ..Default::default()
        });
    }
    let out = call.send(request.send())?;
    Ok(out
        .constraint_detail()
        .map(|d| ConstraintView::of(d, out.constraint_parameters()))
        .unwrap_or_default())
}

/// What a share target names: an account (12 digits, shared account to account) or a node of
/// the caller's organization (`o-...`, `ou-...`).
pub enum ShareTarget {
    /// An account id.
    Account(String),
    /// An organization or organizational unit.
    Node(OrganizationNode),
}

impl ShareTarget {
    /// The target, or why Service Catalog would refuse it. An organization root (`r-...`) is
    /// no organization node value (the model's `OrganizationNodeValue` pattern).
    fn parse(target: &str) -> Result<ShareTarget, String> {
        let kind = if target.len() == 12 && target.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(ShareTarget::Account(target.to_owned()));
        } else if target.starts_with("o-") {
            OrganizationNodeType::Organization
        } else if target.starts_with("ou-") {
            OrganizationNodeType::OrganizationalUnit
        } else if target.starts_with("r-") {
            return Err(format!(
                "share target {target:?} is an organization root, which Service Catalog does not share with: give the organization (o-...) to share with every account"
            ));
        } else {
            return Err(format!(
                "share target {target:?} is not an account id (12 digits), an organization (o-...) or an organizational unit (ou-...)"
            ));
        };
        Ok(ShareTarget::Node(
            OrganizationNode::builder()
                .r#type(kind)
                .value(target)
                .build(),
        ))
    }
}

/// Checks that an organization share can be made: the caller is the organization's management
/// account (or a delegated administrator) and Service Catalog's Organizations access is
/// enabled (CreatePortfolioShare: "AWSOrganizationsAccess must be enabled in order to create a
/// portfolio share to an organization node").
fn require_organizations_access(aws: &Aws, operation: &str) -> Result<(), HostError> {
    let request = aws.service_catalog().get_aws_organizations_access_status();
    let status = match aws.block_on(request.send()) {
        Ok(out) => out.access_status().map(|s| s.as_str().to_owned()),
        Err(e)
            if e.as_service_error()
                .is_some_and(|e| e.is_operation_not_supported_exception()) =>
        {
            return Err(invalid(
                operation,
                "sharing with an organization node needs the organization's management account (or a Service Catalog delegated administrator): publish from there, or share with account ids",
            ))
        }
        Err(e) => return Err(sdk_error(SERVICE, "GetAWSOrganizationsAccessStatus", e)),
    };
    if status.as_deref() == Some("ENABLED") {
        return Ok(());
    }
    Err(invalid(
        operation,
        format!(
            "Service Catalog's AWS Organizations access is {}: enable it once from the management account (aws servicecatalog enable-aws-organizations-access), then publish again",
            status.unwrap_or_else(|| "unknown".to_owned())
        ),
    ))
}

/// The share target `target`, checked as `operation` would need it: an account id, or an
/// organization node with the management account's Organizations access enabled.
pub fn share_target(aws: &Aws, operation: &str, target: &str) -> Result<ShareTarget, HostError> {
    let parsed = ShareTarget::parse(target).map_err(|e| invalid(operation, e))?;
    if matches!(parsed, ShareTarget::Node(_)) {
        require_organizations_access(aws, operation)?;
    }
    Ok(parsed)
}

/// Shares a portfolio with `target` (see [`share_target`]); organization shares include the
/// portfolio's IAM_PATTERN principals. Sharing again changes nothing.
pub fn share(aws: &Aws, portfolio_id: &str, target: &str) -> Result<(), HostError> {
    let operation = "CreatePortfolioShare";
    let request = aws
        .service_catalog()
        .create_portfolio_share()
        .portfolio_id(portfolio_id);
    let request = match share_target(aws, operation, target)? {
        ShareTarget::Node(node) => request.organization_node(node).share_principals(true),
        ShareTarget::Account(account) => request.account_id(account),
    };
    let call = aws.operation(SERVICE, operation);
    if call.planned(request.as_input()) {
        return Ok(());
    }
    call.send(request.send())?;
    Ok(())
}

/// Turns principal sharing of an existing organization share on or off.
pub fn update_share(
    aws: &Aws,
    portfolio_id: &str,
    target: &str,
    share_principals: bool,
) -> Result<(), HostError> {
    let operation = "UpdatePortfolioShare";
    let ShareTarget::Node(node) = share_target(aws, operation, target)? else {
        return Err(invalid(
            operation,
            "principal sharing is only for organization shares (o-..., ou-...)",
        ));
    };
    let request = aws
        .service_catalog()
        .update_portfolio_share()
        .portfolio_id(portfolio_id)
        .organization_node(node)
        .share_principals(share_principals);
    let call = aws.operation(SERVICE, operation);
    if call.planned(request.as_input()) {
        return Ok(());
    }
    call.send(request.send())?;
    Ok(())
}

/// Stops sharing a portfolio with `target`.
pub fn unshare(aws: &Aws, portfolio_id: &str, target: &str) -> Result<(), HostError> {
    let operation = "DeletePortfolioShare";
    let request = aws
        .service_catalog()
        .delete_portfolio_share()
        .portfolio_id(portfolio_id);
    let request = match share_target(aws, operation, target)? {
        ShareTarget::Node(node) => request.organization_node(node),
        ShareTarget::Account(account) => request.account_id(account),
    };
    let call = aws.operation(SERVICE, operation);
    if call.planned(request.as_input()) {
        return Ok(());
    }
    call.send(request.send())?;
    Ok(())
}

/// Everyone a portfolio is shared with: accounts, organizations and organizational units.
pub fn shares(aws: &Aws, portfolio_id: &str) -> Result<Vec<ShareView>, HostError> {
    if is_planned(portfolio_id) {
        return Ok(Vec::new());
    }
    let mut shares = Vec::new();
    for kind in [
        DescribePortfolioShareType::Account,
        DescribePortfolioShareType::Organization,
        DescribePortfolioShareType::OrganizationalUnit,
    ] {
        let pages = aws.operation(SERVICE, "DescribePortfolioShares").send(
            aws.service_catalog()
                .describe_portfolio_shares()
                .portfolio_id(portfolio_id)
                .r#type(kind)
                .into_paginator()
                .send()
                .collect::<Result<Vec<_>, _>>(),
        )?;
        shares.extend(
            pages
                .iter()
                .flat_map(|page| page.portfolio_share_details())
                .map(ShareView::of),
        );
    }
    Ok(shares)
}
