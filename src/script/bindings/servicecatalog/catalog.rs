//! Publishing: portfolios, products, provisioning artifacts, associations, constraints and
//! shares. Finders return `()` when nothing matches, so recipes create-or-update.

use rhai::plugin::*;
use rhai::{Array, EvalAltResult, Map};
use serde_json::Value;

use super::{array_of, done, found, map_of, SERVICE};
use crate::aws::servicecatalog::catalog::{
    self as calls, NewArtifact, PortfolioDetails, ProductDetails,
};
use crate::script::bindings::aws_context::{aws, invalid};
use crate::script::bindings::convert::options;
use crate::script::HostErrorExt as _;

/// Constraint parameters as JSON.
fn constraint_parameters(
    context: &NativeCallContext,
    operation: &str,
    parameters: Map,
) -> Result<Value, Box<EvalAltResult>> {
    rhai::serde::from_dynamic(&Dynamic::from_map(parameters))
        .map_err(|e| invalid(context, SERVICE, operation, e.to_string()))
}

/// Publishing.
#[export_module]
pub mod catalog_module {
    use super::*;

    /// Every portfolio of the account (all pages): `[#{id, arn, name, description, provider,
    /// created}]`.
    #[rhai_fn(return_raw)]
    pub fn list_portfolios(context: NativeCallContext) -> Result<Array, Box<EvalAltResult>> {
        array_of(&context, calls::portfolios(&aws(&context)?))
    }

    /// The portfolio whose display name is `name`, or `()`:
    /// `#{id, arn, name, description, provider, created}`.
    #[rhai_fn(return_raw)]
    pub fn find_portfolio(
        context: NativeCallContext,
        name: &str,
    ) -> Result<Dynamic, Box<EvalAltResult>> {
        found(&context, calls::find_portfolio(&aws(&context)?, name))
    }

    /// A portfolio with its tags: `#{id, arn, name, description, provider, created,
    /// tags: #{...}}`.
    #[rhai_fn(return_raw)]
    pub fn describe_portfolio(
        context: NativeCallContext,
        id: &str,
    ) -> Result<Map, Box<EvalAltResult>> {
        map_of(&context, calls::describe_portfolio(&aws(&context)?, id))
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
        let details: PortfolioDetails = options(&context, SERVICE, "CreatePortfolio", portfolio)?;
        map_of(&context, calls::create_portfolio(&aws, details))
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
        let changes: PortfolioDetails = options(&context, SERVICE, "UpdatePortfolio", changes)?;
        map_of(&context, calls::update_portfolio(&aws, id, changes))
    }

    /// The product named exactly `name`, or `()`: `#{id, arn, name, owner, description, ...}`.
    #[rhai_fn(return_raw)]
    pub fn find_product(
        context: NativeCallContext,
        name: &str,
    ) -> Result<Dynamic, Box<EvalAltResult>> {
        found(&context, calls::find_product(&aws(&context)?, name))
    }

    /// The products in a portfolio (maps as `find_product` returns).
    #[rhai_fn(return_raw)]
    pub fn portfolio_products(
        context: NativeCallContext,
        portfolio_id: &str,
    ) -> Result<Array, Box<EvalAltResult>> {
        array_of(
            &context,
            calls::portfolio_products(&aws(&context)?, portfolio_id),
        )
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
        let details: ProductDetails = options(&context, SERVICE, "CreateProduct", product)?;
        map_of(&context, calls::create_product(&aws, details))
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
        let changes: ProductDetails = options(&context, SERVICE, "UpdateProduct", changes)?;
        map_of(&context, calls::update_product(&aws, id, changes))
    }

    /// A product's provisioning artifacts, oldest first:
    /// `[#{id, name, description, active, guidance, created}]`.
    #[rhai_fn(return_raw)]
    pub fn list_artifacts(
        context: NativeCallContext,
        product_id: &str,
    ) -> Result<Array, Box<EvalAltResult>> {
        array_of(&context, calls::artifacts(&aws(&context)?, product_id))
    }

    /// Adds a provisioning artifact (a new version) from `#{name, description?, template_url}`.
    #[rhai_fn(return_raw)]
    pub fn create_artifact(
        context: NativeCallContext,
        product_id: &str,
        artifact: Map,
    ) -> Result<Map, Box<EvalAltResult>> {
        let aws = aws(&context)?;
        let artifact: NewArtifact =
            options(&context, SERVICE, "CreateProvisioningArtifact", artifact)?;
        map_of(
            &context,
            calls::create_artifact(&aws, product_id, &artifact),
        )
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
        done(
            &context,
            calls::deprecate_artifact(&aws, product_id, artifact_id),
        )
    }

    /// Adds a product to a portfolio (nothing changes if it is there already).
    #[rhai_fn(return_raw)]
    pub fn associate_product(
        context: NativeCallContext,
        portfolio_id: &str,
        product_id: &str,
    ) -> Result<(), Box<EvalAltResult>> {
        let aws = aws(&context)?;
        done(
            &context,
            calls::associate_product(&aws, portfolio_id, product_id),
        )
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
        let result = calls::associate_principal(&aws, portfolio_id, principal_arn, kind);
        done(&context, result)
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
        let result = calls::disassociate_principal(&aws, portfolio_id, principal_arn, kind);
        done(&context, result)
    }

    /// The principals with access to a portfolio: `[#{arn, type}]`.
    #[rhai_fn(return_raw)]
    pub fn list_principals(
        context: NativeCallContext,
        portfolio_id: &str,
    ) -> Result<Array, Box<EvalAltResult>> {
        array_of(&context, calls::principals(&aws(&context)?, portfolio_id))
    }

    /// A portfolio's constraints with their parameters:
    /// `[#{id, type, description, owner, product_id, portfolio_id, parameters: #{...}}]`.
    #[rhai_fn(return_raw)]
    pub fn list_constraints(
        context: NativeCallContext,
        portfolio_id: &str,
    ) -> Result<Array, Box<EvalAltResult>> {
        array_of(&context, calls::constraints(&aws(&context)?, portfolio_id))
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
        let parameters = constraint_parameters(&context, "CreateConstraint", parameters)?;
        let result = calls::create_constraint(
            &aws,
            portfolio_id,
            product_id,
            kind,
            parameters,
            description,
        );
        map_of(&context, result)
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
        let parameters = constraint_parameters(&context, "UpdateConstraint", parameters)?;
        map_of(
            &context,
            calls::update_constraint(&aws, id, parameters, description),
        )
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
            calls::share_target(&aws, "CreatePortfolioShare", &target.to_string())
                .map_err(|e| e.raise(&context))?;
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
        done(&context, calls::share(&aws, portfolio_id, target))
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
        let result = calls::update_share(&aws, portfolio_id, target, share_principals);
        done(&context, result)
    }

    /// Stops sharing a portfolio with `target` (as `share_portfolio` names it).
    #[rhai_fn(return_raw)]
    pub fn unshare_portfolio(
        context: NativeCallContext,
        portfolio_id: &str,
        target: &str,
    ) -> Result<(), Box<EvalAltResult>> {
        let aws = aws(&context)?;
        done(&context, calls::unshare(&aws, portfolio_id, target))
    }

    /// Everyone a portfolio is shared with: `[#{type, principal_id, accepted, share_principals}]`,
    /// `type` being ACCOUNT, ORGANIZATION or ORGANIZATIONAL_UNIT.
    #[rhai_fn(return_raw)]
    pub fn list_shares(
        context: NativeCallContext,
        portfolio_id: &str,
    ) -> Result<Array, Box<EvalAltResult>> {
        array_of(&context, calls::shares(&aws(&context)?, portfolio_id))
    }
}
