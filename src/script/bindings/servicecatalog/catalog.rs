//! Publishing: portfolios, products, provisioning artifacts, associations, constraints and
//! shares. Finders return `()` when nothing matches, so recipes create-or-update.

use aws_sdk_servicecatalog::types::{
    DescribePortfolioShareType, OrganizationNode, OrganizationNodeType, PrincipalType, ProductType,
    ProductViewFilterBy, ProvisioningArtifactGuidance, ProvisioningArtifactProperties,
    ProvisioningArtifactType,
};
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use rhai::plugin::*;
use rhai::{Array, EvalAltResult, Map};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::{is_planned, planned_map, sc_tags, views, SERVICE};
use crate::aws::plan::PLANNED;
use crate::script::bindings::aws_context::{aws, fail, invalid, send_or_plan};
use crate::script::bindings::convert::{options, to_dynamic, to_map};

/// `create_portfolio` / `update_portfolio` options.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct PortfolioOptions {
    name: Option<String>,
    #[serde(default)]
    description: Option<String>,
    provider: Option<String>,
    #[serde(default)]
    tags: std::collections::BTreeMap<String, String>,
}

/// A new provisioning artifact: a template already uploaded (`s3::upload_template`).
#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ArtifactOptions {
    name: String,
    #[serde(default)]
    description: String,
    template_url: String,
}

impl ArtifactOptions {
    fn properties(&self) -> ProvisioningArtifactProperties {
        ProvisioningArtifactProperties::builder()
            .name(&self.name)
            .description(&self.description)
            .info("LoadTemplateFromURL", &self.template_url)
            .r#type(ProvisioningArtifactType::CloudFormationTemplate)
            .build()
    }
}

/// `create_product` / `update_product` options.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ProductOptions {
    name: Option<String>,
    owner: Option<String>,
    description: Option<String>,
    distributor: Option<String>,
    support_email: Option<String>,
    support_url: Option<String>,
    support_description: Option<String>,
    #[serde(default)]
    tags: std::collections::BTreeMap<String, String>,
    artifact: Option<ArtifactOptions>,
}

fn principal_type(
    context: &NativeCallContext,
    text: &str,
) -> Result<PrincipalType, Box<EvalAltResult>> {
    match text {
        "IAM" => Ok(PrincipalType::Iam),
        "IAM_PATTERN" => Ok(PrincipalType::IamPattern),
        other => Err(invalid(
            context,
            SERVICE,
            "AssociatePrincipalWithPortfolio",
            format!("principal type {other:?} is not IAM or IAM_PATTERN"),
        )),
    }
}

/// What a share target names: an account (12 digits, shared account to account) or a node of
/// the caller's organization (`o-...`, `ou-...`).
enum ShareTarget {
    Account(String),
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
fn require_organizations_access(
    context: &NativeCallContext,
    aws: &crate::aws::Aws,
    operation: &str,
) -> Result<(), Box<EvalAltResult>> {
    let status = aws.block_on(
        aws.service_catalog()
            .get_aws_organizations_access_status()
            .send(),
    );
    let status = match status {
        Ok(out) => out.access_status().map(|s| s.as_str().to_owned()),
        Err(e) if e.as_service_error().and_then(|e| e.code()) == Some("OperationNotSupportedException") => {
            return Err(invalid(
                context,
                SERVICE,
                operation,
                "sharing with an organization node needs the organization's management account (or a Service Catalog delegated administrator): publish from there, or share with account ids",
            ))
        }
        Err(e) => return Err(fail(context, SERVICE, "GetAWSOrganizationsAccessStatus", e)),
    };
    if status.as_deref() == Some("ENABLED") {
        return Ok(());
    }
    Err(invalid(
        context,
        SERVICE,
        operation,
        format!(
            "Service Catalog's AWS Organizations access is {}: enable it once from the management account (aws servicecatalog enable-aws-organizations-access), then publish again",
            status.unwrap_or_else(|| "unknown".to_owned())
        ),
    ))
}

fn share_target(
    context: &NativeCallContext,
    aws: &crate::aws::Aws,
    operation: &str,
    target: &str,
) -> Result<ShareTarget, Box<EvalAltResult>> {
    let parsed = ShareTarget::parse(target).map_err(|e| invalid(context, SERVICE, operation, e))?;
    if matches!(parsed, ShareTarget::Node(_)) {
        require_organizations_access(context, aws, operation)?;
    }
    Ok(parsed)
}

/// Every portfolio of the account, as maps (`views::portfolio`).
fn all_portfolios(context: &NativeCallContext) -> Result<Vec<Value>, Box<EvalAltResult>> {
    let aws = aws(context)?;
    let pages = aws
        .block_on(
            aws.service_catalog()
                .list_portfolios()
                .into_paginator()
                .send()
                .collect::<Result<Vec<_>, _>>(),
        )
        .map_err(|e| fail(context, SERVICE, "ListPortfolios", e))?;
    Ok(pages
        .iter()
        .flat_map(|page| page.portfolio_details())
        .map(views::portfolio)
        .collect())
}

/// Publishing.
#[export_module]
pub mod catalog_module {
    use super::*;

    /// Every portfolio of the account (all pages): `[#{id, arn, name, description, provider,
    /// created}]`.
    #[rhai_fn(return_raw)]
    pub fn list_portfolios(context: NativeCallContext) -> Result<Array, Box<EvalAltResult>> {
        Ok(all_portfolios(&context)?
            .into_iter()
            .map(to_dynamic)
            .collect())
    }

    /// The portfolio whose display name is `name`, or `()`:
    /// `#{id, arn, name, description, provider, created}`.
    #[rhai_fn(return_raw)]
    pub fn find_portfolio(
        context: NativeCallContext,
        name: &str,
    ) -> Result<Dynamic, Box<EvalAltResult>> {
        Ok(all_portfolios(&context)?
            .into_iter()
            .find(|p| p["name"] == name)
            .map_or(Dynamic::UNIT, to_dynamic))
    }

    /// A portfolio with its tags: `#{id, arn, name, description, provider, created,
    /// tags: #{...}}`.
    #[rhai_fn(return_raw)]
    pub fn describe_portfolio(
        context: NativeCallContext,
        id: &str,
    ) -> Result<Map, Box<EvalAltResult>> {
        if is_planned(id) {
            return Ok(planned_map(json!({ "tags": {} })));
        }
        let aws = aws(&context)?;
        let out = aws
            .block_on(aws.service_catalog().describe_portfolio().id(id).send())
            .map_err(|e| fail(&context, SERVICE, "DescribePortfolio", e))?;
        let mut portfolio = out
            .portfolio_detail()
            .map(views::portfolio)
            .unwrap_or_default();
        let tags: serde_json::Map<String, Value> = out
            .tags()
            .iter()
            .map(|t| (t.key().to_owned(), t.value().into()))
            .collect();
        portfolio["tags"] = Value::Object(tags);
        Ok(to_map(portfolio))
    }

    /// Creates a portfolio from `#{name, provider, description?, tags?}`.
    ///
    /// ```rhai
    /// let portfolio = servicecatalog::create_portfolio(#{
    ///     name: "cfsign", provider: "Platform team",
    ///     description: "Signed uploads and downloads for application teams",
    /// });
    /// ```
    #[rhai_fn(return_raw)]
    pub fn create_portfolio(
        context: NativeCallContext,
        portfolio: Map,
    ) -> Result<Map, Box<EvalAltResult>> {
        let aws = aws(&context)?;
        let o: PortfolioOptions = options(&context, SERVICE, "CreatePortfolio", portfolio)?;
        let (Some(name), Some(provider)) = (o.name, o.provider) else {
            return Err(invalid(
                &context,
                SERVICE,
                "CreatePortfolio",
                "a portfolio needs a name and a provider",
            ));
        };
        let description = o.description.unwrap_or_default();
        let request = json!({ "DisplayName": name, "ProviderName": provider, "Description": description, "Tags": o.tags });
        let Some(out) = send_or_plan(
            &context,
            &aws,
            SERVICE,
            "CreatePortfolio",
            request,
            aws.service_catalog()
                .create_portfolio()
                .display_name(&name)
                .provider_name(&provider)
                .description(&description)
                .set_tags(Some(sc_tags(&o.tags)))
                .send(),
        )?
        else {
            return Ok(planned_map(
                json!({ "name": name, "provider": provider, "description": description }),
            ));
        };
        Ok(out
            .portfolio_detail()
            .map(views::portfolio)
            .map(to_map)
            .unwrap_or_default())
    }

    /// Updates a portfolio's `name`, `description` or `provider` (what the map gives) and
    /// adds `tags`.
    #[rhai_fn(return_raw)]
    pub fn update_portfolio(
        context: NativeCallContext,
        id: &str,
        changes: Map,
    ) -> Result<Map, Box<EvalAltResult>> {
        let aws = aws(&context)?;
        let o: PortfolioOptions = options(&context, SERVICE, "UpdatePortfolio", changes)?;
        let request = json!({ "Id": id, "DisplayName": o.name, "ProviderName": o.provider, "Description": o.description, "AddTags": o.tags });
        let Some(out) = send_or_plan(
            &context,
            &aws,
            SERVICE,
            "UpdatePortfolio",
            request,
            aws.service_catalog()
                .update_portfolio()
                .id(id)
                .set_display_name(o.name)
                .set_provider_name(o.provider)
                .set_description(o.description)
                .set_add_tags(Some(sc_tags(&o.tags)))
                .send(),
        )?
        else {
            return Ok(planned_map(json!({ "id": id })));
        };
        Ok(out
            .portfolio_detail()
            .map(views::portfolio)
            .map(to_map)
            .unwrap_or_default())
    }

    /// The product named exactly `name`, or `()`: `#{id, arn, name, owner, description, ...}`.
    #[rhai_fn(return_raw)]
    pub fn find_product(
        context: NativeCallContext,
        name: &str,
    ) -> Result<Dynamic, Box<EvalAltResult>> {
        let aws = aws(&context)?;
        let pages = aws
            .block_on(
                aws.service_catalog()
                    .search_products_as_admin()
                    .filters(ProductViewFilterBy::FullTextSearch, vec![name.to_owned()])
                    .into_paginator()
                    .send()
                    .collect::<Result<Vec<_>, _>>(),
            )
            .map_err(|e| fail(&context, SERVICE, "SearchProductsAsAdmin", e))?;
        Ok(pages
            .iter()
            .flat_map(|page| page.product_view_details())
            .map(views::product)
            .find(|p| p["name"] == name)
            .map_or(Dynamic::UNIT, to_dynamic))
    }

    /// The products in a portfolio (maps as `find_product` returns).
    #[rhai_fn(return_raw)]
    pub fn portfolio_products(
        context: NativeCallContext,
        portfolio_id: &str,
    ) -> Result<Array, Box<EvalAltResult>> {
        if is_planned(portfolio_id) {
            return Ok(Array::new());
        }
        let aws = aws(&context)?;
        let pages = aws
            .block_on(
                aws.service_catalog()
                    .search_products_as_admin()
                    .portfolio_id(portfolio_id)
                    .into_paginator()
                    .send()
                    .collect::<Result<Vec<_>, _>>(),
            )
            .map_err(|e| fail(&context, SERVICE, "SearchProductsAsAdmin", e))?;
        Ok(pages
            .iter()
            .flat_map(|page| page.product_view_details())
            .map(|p| to_dynamic(views::product(p)))
            .collect())
    }

    /// Creates a product with its first artifact: `#{name, owner, description?, distributor?,
    /// support_email?, support_url?, support_description?, tags?, artifact: #{name,
    /// description?, template_url}}`. Returns the product with `artifact` (the new artifact).
    ///
    /// ```rhai
    /// let url = s3::upload_template(bucket, "products/key-pair/template.yaml", "key-pair").url;
    /// let product = servicecatalog::create_product(#{
    ///     name: "cfsign key pair", owner: "Platform team",
    ///     artifact: #{ name: "v1", template_url: url },
    /// });
    /// ```
    #[rhai_fn(return_raw)]
    pub fn create_product(
        context: NativeCallContext,
        product: Map,
    ) -> Result<Map, Box<EvalAltResult>> {
        let aws = aws(&context)?;
        let o: ProductOptions = options(&context, SERVICE, "CreateProduct", product)?;
        let (Some(name), Some(owner), Some(artifact)) = (o.name, o.owner, o.artifact) else {
            return Err(invalid(
                &context,
                SERVICE,
                "CreateProduct",
                "a product needs a name, an owner and an artifact",
            ));
        };
        let request = json!({ "Name": name, "Owner": owner, "Description": o.description, "Artifact": artifact });
        let Some(out) = send_or_plan(
            &context,
            &aws,
            SERVICE,
            "CreateProduct",
            request,
            aws.service_catalog()
                .create_product()
                .name(&name)
                .owner(&owner)
                .set_description(o.description)
                .set_distributor(o.distributor)
                .set_support_email(o.support_email)
                .set_support_url(o.support_url)
                .set_support_description(o.support_description)
                .product_type(ProductType::CloudFormationTemplate)
                .provisioning_artifact_parameters(artifact.properties())
                .set_tags(Some(sc_tags(&o.tags)))
                .send(),
        )?
        else {
            return Ok(planned_map(
                json!({ "name": name, "owner": owner, "artifact": { "id": PLANNED, "name": artifact.name } }),
            ));
        };
        let mut map = out
            .product_view_detail()
            .map(views::product)
            .map(to_map)
            .unwrap_or_default();
        let artifact = out
            .provisioning_artifact_detail()
            .map(views::artifact)
            .unwrap_or_default();
        map.insert("artifact".into(), to_dynamic(artifact));
        Ok(map)
    }

    /// Updates a product's `name`, `owner`, `description`, `distributor` or support fields
    /// (what the map gives) and adds `tags`.
    #[rhai_fn(return_raw)]
    pub fn update_product(
        context: NativeCallContext,
        id: &str,
        changes: Map,
    ) -> Result<Map, Box<EvalAltResult>> {
        let aws = aws(&context)?;
        let o: ProductOptions = options(&context, SERVICE, "UpdateProduct", changes)?;
        if o.artifact.is_some() {
            return Err(invalid(
                &context,
                SERVICE,
                "UpdateProduct",
                "add artifacts with create_artifact",
            ));
        }
        let request = json!({ "Id": id, "Name": o.name, "Owner": o.owner, "Description": o.description, "Distributor": o.distributor, "SupportEmail": o.support_email, "SupportUrl": o.support_url, "AddTags": o.tags });
        let Some(out) = send_or_plan(
            &context,
            &aws,
            SERVICE,
            "UpdateProduct",
            request,
            aws.service_catalog()
                .update_product()
                .id(id)
                .set_name(o.name)
                .set_owner(o.owner)
                .set_description(o.description)
                .set_distributor(o.distributor)
                .set_support_email(o.support_email)
                .set_support_url(o.support_url)
                .set_support_description(o.support_description)
                .set_add_tags(Some(sc_tags(&o.tags)))
                .send(),
        )?
        else {
            return Ok(planned_map(json!({ "id": id })));
        };
        Ok(out
            .product_view_detail()
            .map(views::product)
            .map(to_map)
            .unwrap_or_default())
    }

    /// A product's provisioning artifacts, oldest first:
    /// `[#{id, name, description, active, guidance, created}]`.
    #[rhai_fn(return_raw)]
    pub fn list_artifacts(
        context: NativeCallContext,
        product_id: &str,
    ) -> Result<Array, Box<EvalAltResult>> {
        if is_planned(product_id) {
            return Ok(Array::new());
        }
        let aws = aws(&context)?;
        let out = aws
            .block_on(
                aws.service_catalog()
                    .list_provisioning_artifacts()
                    .product_id(product_id)
                    .send(),
            )
            .map_err(|e| fail(&context, SERVICE, "ListProvisioningArtifacts", e))?;
        let mut artifacts: Vec<Value> = out
            .provisioning_artifact_details()
            .iter()
            .map(views::artifact)
            .collect();
        artifacts.sort_by(|a, b| a["created"].as_str().cmp(&b["created"].as_str()));
        Ok(artifacts.into_iter().map(to_dynamic).collect())
    }

    /// Adds a provisioning artifact (a new version) from `#{name, description?, template_url}`.
    #[rhai_fn(return_raw)]
    pub fn create_artifact(
        context: NativeCallContext,
        product_id: &str,
        artifact: Map,
    ) -> Result<Map, Box<EvalAltResult>> {
        let aws = aws(&context)?;
        let artifact: ArtifactOptions =
            options(&context, SERVICE, "CreateProvisioningArtifact", artifact)?;
        let request = json!({ "ProductId": product_id, "Artifact": artifact });
        let Some(out) = send_or_plan(
            &context,
            &aws,
            SERVICE,
            "CreateProvisioningArtifact",
            request,
            aws.service_catalog()
                .create_provisioning_artifact()
                .product_id(product_id)
                .parameters(artifact.properties())
                .send(),
        )?
        else {
            return Ok(planned_map(
                json!({ "name": artifact.name, "active": true, "guidance": "DEFAULT" }),
            ));
        };
        Ok(out
            .provisioning_artifact_detail()
            .map(views::artifact)
            .map(to_map)
            .unwrap_or_default())
    }

    /// Marks an artifact DEPRECATED: teams can no longer launch it, but products provisioned
    /// from it still update (docs/design.md: old versions are deprecated, never deleted).
    #[rhai_fn(return_raw)]
    pub fn deprecate_artifact(
        context: NativeCallContext,
        product_id: &str,
        artifact_id: &str,
    ) -> Result<(), Box<EvalAltResult>> {
        let aws = aws(&context)?;
        let request = json!({ "ProductId": product_id, "ProvisioningArtifactId": artifact_id, "Guidance": "DEPRECATED" });
        send_or_plan(
            &context,
            &aws,
            SERVICE,
            "UpdateProvisioningArtifact",
            request,
            aws.service_catalog()
                .update_provisioning_artifact()
                .product_id(product_id)
                .provisioning_artifact_id(artifact_id)
                .guidance(ProvisioningArtifactGuidance::Deprecated)
                .send(),
        )?;
        Ok(())
    }

    /// Adds a product to a portfolio (nothing changes if it is there already).
    #[rhai_fn(return_raw)]
    pub fn associate_product(
        context: NativeCallContext,
        portfolio_id: &str,
        product_id: &str,
    ) -> Result<(), Box<EvalAltResult>> {
        let aws = aws(&context)?;
        let request = json!({ "PortfolioId": portfolio_id, "ProductId": product_id });
        send_or_plan(
            &context,
            &aws,
            SERVICE,
            "AssociateProductWithPortfolio",
            request,
            aws.service_catalog()
                .associate_product_with_portfolio()
                .portfolio_id(portfolio_id)
                .product_id(product_id)
                .send(),
        )?;
        Ok(())
    }

    /// Gives a principal access to a portfolio: `kind` is `"IAM"` (an existing role, user or
    /// group, by its full ARN) or `"IAM_PATTERN"` (an ARN without account id, e.g.
    /// `arn:aws:iam:::role/app-*`: `*` and `?` in the name or path only; matched in this
    /// account and in organization shares, which share the patterns; at most 10 per
    /// portfolio). Account-to-account shares share no principals.
    #[rhai_fn(return_raw)]
    pub fn associate_principal(
        context: NativeCallContext,
        portfolio_id: &str,
        principal_arn: &str,
        kind: &str,
    ) -> Result<(), Box<EvalAltResult>> {
        let aws = aws(&context)?;
        let kind = principal_type(&context, kind)?;
        let request = json!({ "PortfolioId": portfolio_id, "PrincipalARN": principal_arn, "PrincipalType": kind.as_str() });
        send_or_plan(
            &context,
            &aws,
            SERVICE,
            "AssociatePrincipalWithPortfolio",
            request,
            aws.service_catalog()
                .associate_principal_with_portfolio()
                .portfolio_id(portfolio_id)
                .principal_arn(principal_arn)
                .principal_type(kind)
                .send(),
        )?;
        Ok(())
    }

    /// Takes a principal's access to a portfolio away; `kind` is the type it was associated
    /// with (`"IAM"` or `"IAM_PATTERN"`).
    #[rhai_fn(return_raw)]
    pub fn disassociate_principal(
        context: NativeCallContext,
        portfolio_id: &str,
        principal_arn: &str,
        kind: &str,
    ) -> Result<(), Box<EvalAltResult>> {
        let aws = aws(&context)?;
        let kind = principal_type(&context, kind)?;
        let request = json!({ "PortfolioId": portfolio_id, "PrincipalARN": principal_arn, "PrincipalType": kind.as_str() });
        send_or_plan(
            &context,
            &aws,
            SERVICE,
            "DisassociatePrincipalFromPortfolio",
            request,
            aws.service_catalog()
                .disassociate_principal_from_portfolio()
                .portfolio_id(portfolio_id)
                .principal_arn(principal_arn)
                .principal_type(kind)
                .send(),
        )?;
        Ok(())
    }

    /// The principals with access to a portfolio: `[#{arn, type}]`.
    #[rhai_fn(return_raw)]
    pub fn list_principals(
        context: NativeCallContext,
        portfolio_id: &str,
    ) -> Result<Array, Box<EvalAltResult>> {
        if is_planned(portfolio_id) {
            return Ok(Array::new());
        }
        let aws = aws(&context)?;
        let pages = aws
            .block_on(
                aws.service_catalog()
                    .list_principals_for_portfolio()
                    .portfolio_id(portfolio_id)
                    .into_paginator()
                    .send()
                    .collect::<Result<Vec<_>, _>>(),
            )
            .map_err(|e| fail(&context, SERVICE, "ListPrincipalsForPortfolio", e))?;
        Ok(pages
            .iter()
            .flat_map(|page| page.principals())
            .map(|p| to_dynamic(json!({ "arn": p.principal_arn(), "type": p.principal_type().map(|t| t.as_str()) })))
            .collect())
    }

    /// A portfolio's constraints with their parameters:
    /// `[#{id, type, description, owner, product_id, portfolio_id, parameters: #{...}}]`.
    #[rhai_fn(return_raw)]
    pub fn list_constraints(
        context: NativeCallContext,
        portfolio_id: &str,
    ) -> Result<Array, Box<EvalAltResult>> {
        if is_planned(portfolio_id) {
            return Ok(Array::new());
        }
        let aws = aws(&context)?;
        let client = aws.service_catalog();
        let pages = aws
            .block_on(
                client
                    .list_constraints_for_portfolio()
                    .portfolio_id(portfolio_id)
                    .into_paginator()
                    .send()
                    .collect::<Result<Vec<_>, _>>(),
            )
            .map_err(|e| fail(&context, SERVICE, "ListConstraintsForPortfolio", e))?;
        let mut constraints = Array::new();
        for detail in pages.iter().flat_map(|page| page.constraint_details()) {
            // The listing leaves out the parameters (e.g. the launch role); describe each.
            let id = detail.constraint_id().unwrap_or_default();
            let described = aws
                .block_on(client.describe_constraint().id(id).send())
                .map_err(|e| fail(&context, SERVICE, "DescribeConstraint", e))?;
            constraints.push(to_dynamic(views::constraint(
                detail,
                described.constraint_parameters(),
            )));
        }
        Ok(constraints)
    }

    /// Adds a constraint to a product in a portfolio. `kind` is `"LAUNCH"` (parameters
    /// `#{RoleArn: ...}`: the role Service Catalog launches with) or `"TEMPLATE"` (parameters
    /// `#{Rules: ...}`), or another Service Catalog constraint type.
    ///
    /// ```rhai
    /// servicecatalog::create_constraint(portfolio.id, product.id, "LAUNCH",
    ///     #{ RoleArn: launch_role_arn }, "Launch with the cfsign launch role");
    /// ```
    #[rhai_fn(return_raw)]
    pub fn create_constraint(
        context: NativeCallContext,
        portfolio_id: &str,
        product_id: &str,
        kind: &str,
        parameters: Map,
        description: &str,
    ) -> Result<Map, Box<EvalAltResult>> {
        let aws = aws(&context)?;
        let parameters: Value = rhai::serde::from_dynamic(&Dynamic::from_map(parameters))
            .map_err(|e| invalid(&context, SERVICE, "CreateConstraint", e.to_string()))?;
        let request = json!({ "PortfolioId": portfolio_id, "ProductId": product_id, "Type": kind, "Parameters": parameters, "Description": description });
        let Some(out) = send_or_plan(
            &context,
            &aws,
            SERVICE,
            "CreateConstraint",
            request,
            aws.service_catalog()
                .create_constraint()
                .portfolio_id(portfolio_id)
                .product_id(product_id)
                .r#type(kind)
                .parameters(parameters.to_string())
                .description(description)
                .send(),
        )?
        else {
            return Ok(planned_map(
                json!({ "type": kind, "product_id": product_id, "portfolio_id": portfolio_id, "parameters": parameters }),
            ));
        };
        Ok(out
            .constraint_detail()
            .map(|d| views::constraint(d, out.constraint_parameters()))
            .map(to_map)
            .unwrap_or_default())
    }

    /// Replaces a constraint's parameters and description.
    #[rhai_fn(return_raw)]
    pub fn update_constraint(
        context: NativeCallContext,
        id: &str,
        parameters: Map,
        description: &str,
    ) -> Result<Map, Box<EvalAltResult>> {
        let aws = aws(&context)?;
        let parameters: Value = rhai::serde::from_dynamic(&Dynamic::from_map(parameters))
            .map_err(|e| invalid(&context, SERVICE, "UpdateConstraint", e.to_string()))?;
        let request = json!({ "Id": id, "Parameters": parameters, "Description": description });
        let Some(out) = send_or_plan(
            &context,
            &aws,
            SERVICE,
            "UpdateConstraint",
            request,
            aws.service_catalog()
                .update_constraint()
                .id(id)
                .parameters(parameters.to_string())
                .description(description)
                .send(),
        )?
        else {
            return Ok(planned_map(json!({ "id": id, "parameters": parameters })));
        };
        Ok(out
            .constraint_detail()
            .map(|d| views::constraint(d, out.constraint_parameters()))
            .map(to_map)
            .unwrap_or_default())
    }

    /// Checks share targets before anything is made, as `share_portfolio` would: each is an
    /// account id, an organization or an organizational unit, and a share with either of the
    /// last two needs the management account with Service Catalog's Organizations access
    /// enabled. Throws the reason for the first target that cannot be shared with.
    #[rhai_fn(return_raw)]
    pub fn check_share_targets(
        context: NativeCallContext,
        targets: Array,
    ) -> Result<(), Box<EvalAltResult>> {
        let aws = aws(&context)?;
        for target in &targets {
            share_target(&context, &aws, "CreatePortfolioShare", &target.to_string())?;
        }
        Ok(())
    }

    /// Shares a portfolio with `target`: an account id (12 digits), an organization (`o-...`)
    /// or an organizational unit (`ou-...`). Organization shares include the portfolio's
    /// IAM_PATTERN principals (SharePrincipals) and need the management account with Service
    /// Catalog's Organizations access enabled, which is checked first. Sharing again changes
    /// nothing (change a share with `update_share`).
    #[rhai_fn(return_raw)]
    pub fn share_portfolio(
        context: NativeCallContext,
        portfolio_id: &str,
        target: &str,
    ) -> Result<(), Box<EvalAltResult>> {
        let aws = aws(&context)?;
        let operation = "CreatePortfolioShare";
        let request = aws
            .service_catalog()
            .create_portfolio_share()
            .portfolio_id(portfolio_id);
        let (request, plan) = match share_target(&context, &aws, operation, target)? {
            ShareTarget::Node(node) => (
                request.organization_node(node).share_principals(true),
                json!({ "PortfolioId": portfolio_id, "OrganizationNode": target, "SharePrincipals": true }),
            ),
            ShareTarget::Account(account) => (
                request.account_id(&account),
                json!({ "PortfolioId": portfolio_id, "AccountId": account }),
            ),
        };
        send_or_plan(&context, &aws, SERVICE, operation, plan, request.send())?;
        Ok(())
    }

    /// Turns principal sharing of an existing organization share on or off
    /// (UpdatePortfolioShare: CreatePortfolioShare leaves an existing share as it is).
    #[rhai_fn(return_raw)]
    pub fn update_share(
        context: NativeCallContext,
        portfolio_id: &str,
        target: &str,
        share_principals: bool,
    ) -> Result<(), Box<EvalAltResult>> {
        let aws = aws(&context)?;
        let operation = "UpdatePortfolioShare";
        let ShareTarget::Node(node) = share_target(&context, &aws, operation, target)? else {
            return Err(invalid(
                &context,
                SERVICE,
                operation,
                "principal sharing is only for organization shares (o-..., ou-...)",
            ));
        };
        let plan = json!({ "PortfolioId": portfolio_id, "OrganizationNode": target, "SharePrincipals": share_principals });
        send_or_plan(
            &context,
            &aws,
            SERVICE,
            operation,
            plan,
            aws.service_catalog()
                .update_portfolio_share()
                .portfolio_id(portfolio_id)
                .organization_node(node)
                .share_principals(share_principals)
                .send(),
        )?;
        Ok(())
    }

    /// Stops sharing a portfolio with `target` (as `share_portfolio` names it).
    #[rhai_fn(return_raw)]
    pub fn unshare_portfolio(
        context: NativeCallContext,
        portfolio_id: &str,
        target: &str,
    ) -> Result<(), Box<EvalAltResult>> {
        let aws = aws(&context)?;
        let operation = "DeletePortfolioShare";
        let request = aws
            .service_catalog()
            .delete_portfolio_share()
            .portfolio_id(portfolio_id);
        let request = match share_target(&context, &aws, operation, target)? {
            ShareTarget::Node(node) => request.organization_node(node),
            ShareTarget::Account(account) => request.account_id(account),
        };
        let plan = json!({ "PortfolioId": portfolio_id, "Target": target });
        send_or_plan(&context, &aws, SERVICE, operation, plan, request.send())?;
        Ok(())
    }

    /// Everyone a portfolio is shared with: `[#{type, principal_id, accepted, share_principals}]`,
    /// `type` being ACCOUNT, ORGANIZATION or ORGANIZATIONAL_UNIT.
    #[rhai_fn(return_raw)]
    pub fn list_shares(
        context: NativeCallContext,
        portfolio_id: &str,
    ) -> Result<Array, Box<EvalAltResult>> {
        if is_planned(portfolio_id) {
            return Ok(Array::new());
        }
        let aws = aws(&context)?;
        let mut shares = Array::new();
        for kind in [
            DescribePortfolioShareType::Account,
            DescribePortfolioShareType::Organization,
            DescribePortfolioShareType::OrganizationalUnit,
        ] {
            let pages = aws
                .block_on(
                    aws.service_catalog()
                        .describe_portfolio_shares()
                        .portfolio_id(portfolio_id)
                        .r#type(kind)
                        .into_paginator()
                        .send()
                        .collect::<Result<Vec<_>, _>>(),
                )
                .map_err(|e| fail(&context, SERVICE, "DescribePortfolioShares", e))?;
            shares.extend(
                pages
                    .iter()
                    .flat_map(|page| page.portfolio_share_details())
                    .map(|s| to_dynamic(views::share(s))),
            );
        }
        Ok(shares)
    }
}
