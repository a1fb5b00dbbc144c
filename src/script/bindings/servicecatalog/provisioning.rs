//! Provisioning: launching, updating and terminating provisioned products, and their records.
//! The three changes wait for their record by default and raise `RecordFailed` with Service
//! Catalog's reasons when it fails; `wait: false` returns the record at once.

use std::collections::BTreeMap;

use rhai::plugin::*;
use rhai::{Array, EvalAltResult, Map};
use serde::Deserialize;
use serde_json::Value;

use super::{array_of, found, map_of, SERVICE};
use crate::aws::servicecatalog::provisioning::{
    self as calls, AccessLevel, Launch, Termination, Update,
};
use crate::script::bindings::aws_context::aws;
use crate::script::bindings::convert::{options, parameter_text};
use crate::script::HostErrorExt as _;

fn yes() -> bool {
    true
}

/// Template parameters as the text CloudFormation takes (lists joined with commas).
fn parameter_texts(parameters: &BTreeMap<String, Value>) -> BTreeMap<String, String> {
    parameters
        .iter()
        .map(|(key, value)| (key.clone(), parameter_text(value)))
        .collect()
}

/// `provision_product` options.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProvisionOptions {
    name: String,
    product_id: String,
    artifact_id: String,
    path_id: Option<String>,
    path_name: Option<String>,
    #[serde(default)]
    parameters: BTreeMap<String, Value>,
    #[serde(default)]
    tags: BTreeMap<String, String>,
    token: Option<String>,
    #[serde(default = "yes")]
    wait: bool,
}

/// `update_provisioned_product` options.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UpdateOptions {
    product_id: Option<String>,
    artifact_id: Option<String>,
    path_id: Option<String>,
    path_name: Option<String>,
    #[serde(default)]
    parameters: BTreeMap<String, Value>,
    #[serde(default)]
    keep_previous: Vec<String>,
    token: Option<String>,
    #[serde(default = "yes")]
    wait: bool,
}

/// `terminate_provisioned_product` options.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TerminateOptions {
    token: Option<String>,
    #[serde(default)]
    ignore_errors: bool,
    #[serde(default = "yes")]
    wait: bool,
}

/// `search_provisioned_products` options.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SearchOptions {
    access_level: String,
}

/// Provisioning.
#[export_module]
pub mod provisioning_module {
    use super::*;

    /// The product named `name` as a team sees it (needs only end-user access), or `()`:
    /// `#{id, name, artifacts: [#{id, name, description, guidance, created}], launch_paths:
    /// [#{id, name}]}`, with the artifacts a team may launch or update to, oldest first.
    ///
    /// ```rhai
    /// let product = servicecatalog::describe_product("cfsign key pair");
    /// let latest = product.artifacts.filter(|a| a.guidance == "DEFAULT")[-1];
    /// ```
    #[rhai_fn(return_raw)]
    pub fn describe_product(
        context: NativeCallContext,
        name: &str,
    ) -> Result<Dynamic, Box<EvalAltResult>> {
        found(&context, calls::launchable_product(&aws(&context)?, name))
    }

    /// Launches a product: `#{name, product_id, artifact_id, parameters: #{...}, tags?,
    /// path_id? or path_name? (the portfolio to launch through, needed when the caller reaches
    /// the product through several), token?, wait?}`. Waits for the record (unless `wait: false`) and returns it:
    /// `#{id, type, status, provisioned_product_id, provisioned_product_name, product_id,
    /// artifact_id, errors, outputs: #{...}}`. A given `token` makes a retried call return the
    /// first call's record.
    ///
    /// ```rhai
    /// let record = servicecatalog::provision_product(#{
    ///     name: "cfsign-payments-secret", product_id: product.id, artifact_id: artifact.id,
    ///     parameters: #{ TeamName: "payments", AutomationRoleArn: role },
    /// });
    /// print(record.outputs.SecretArn);
    /// ```
    #[rhai_fn(return_raw)]
    pub fn provision_product(
        context: NativeCallContext,
        request: Map,
    ) -> Result<Map, Box<EvalAltResult>> {
        let aws = aws(&context)?;
        let o: ProvisionOptions = options(&context, SERVICE, "ProvisionProduct", request)?;
        let launch = Launch {
            parameters: parameter_texts(&o.parameters),
            name: o.name,
            product_id: o.product_id,
            artifact_id: o.artifact_id,
            path_id: o.path_id,
            path_name: o.path_name,
            tags: o.tags,
            token: o.token,
        };
        map_of(&context, calls::provision(&aws, launch, o.wait))
    }

    /// Updates a provisioned product: `#{parameters: #{...}, keep_previous: [names],
    /// artifact_id?, product_id?, path_id? or path_name?, token?, wait?}`. Parameters in
    /// `keep_previous` keep their current value. Without a path, the update goes through the
    /// launch path the product was last provisioned through (Service Catalog needs one when the
    /// caller reaches the product through several portfolios). Returns the record as
    /// `provision_product` does.
    #[rhai_fn(return_raw)]
    pub fn update_provisioned_product(
        context: NativeCallContext,
        name: &str,
        request: Map,
    ) -> Result<Map, Box<EvalAltResult>> {
        let aws = aws(&context)?;
        let o: UpdateOptions = options(&context, SERVICE, "UpdateProvisionedProduct", request)?;
        let update = Update {
            parameters: parameter_texts(&o.parameters),
            product_id: o.product_id,
            artifact_id: o.artifact_id,
            path_id: o.path_id,
            path_name: o.path_name,
            keep_previous: o.keep_previous,
            token: o.token,
        };
        map_of(&context, calls::update(&aws, name, update, o.wait))
    }

    /// Terminates a provisioned product (its stack is deleted): options `#{token?,
    /// ignore_errors?, wait?}`. Returns the record, or `()` when no such product exists (it
    /// is already gone).
    #[rhai_fn(return_raw)]
    pub fn terminate_provisioned_product(
        context: NativeCallContext,
        name: &str,
        request: Map,
    ) -> Result<Dynamic, Box<EvalAltResult>> {
        let aws = aws(&context)?;
        let o: TerminateOptions =
            options(&context, SERVICE, "TerminateProvisionedProduct", request)?;
        let termination = Termination {
            token: o.token,
            ignore_errors: o.ignore_errors,
        };
        found(&context, calls::terminate(&aws, name, termination, o.wait))
    }

    /// A record as it is now (see `provision_product` for its fields).
    #[rhai_fn(return_raw)]
    pub fn describe_record(
        context: NativeCallContext,
        id: &str,
    ) -> Result<Map, Box<EvalAltResult>> {
        map_of(&context, calls::record(&aws(&context)?, id))
    }

    /// Waits until a record succeeds (returning it) or fails (`RecordFailed`, with Service
    /// Catalog's reasons), reporting progress.
    #[rhai_fn(return_raw)]
    pub fn wait_for_record(
        context: NativeCallContext,
        id: &str,
    ) -> Result<Map, Box<EvalAltResult>> {
        let aws = aws(&context)?;
        map_of(
            &context,
            calls::wait_for_record(&aws, id, format!("record {id}")),
        )
    }

    /// The provisioned product named `name`, or `()`: `#{id, name, arn, status,
    /// status_message, product_id, artifact_id, last_record_id, last_successful_record_id,
    /// launch_role_arn, created}`. `status` is AVAILABLE, UNDER_CHANGE, TAINTED, ERROR or
    /// PLAN_IN_PROGRESS.
    #[rhai_fn(return_raw)]
    pub fn describe_provisioned_product(
        context: NativeCallContext,
        name: &str,
    ) -> Result<Dynamic, Box<EvalAltResult>> {
        found(&context, calls::provisioned_product(&aws(&context)?, name))
    }

    /// A provisioned product's outputs as `#{OutputKey: value}` (every page: the API returns
    /// at most 20 a call).
    #[rhai_fn(return_raw)]
    pub fn provisioned_product_outputs(
        context: NativeCallContext,
        name: &str,
    ) -> Result<Map, Box<EvalAltResult>> {
        map_of(&context, calls::outputs(&aws(&context)?, name))
    }

    /// The account's provisioned products matching `query`, oldest first (Service Catalog
    /// search syntax, e.g. `"name:cfsign-payments-secret"`; it is a full-text search, so it
    /// also returns products that share a word with the query: filter the result by name):
    /// `[#{id, name, status, product_id, product_name, artifact_id, artifact_name,
    /// physical_id, tags}]`. Searches at account level; see the two-argument form.
    #[rhai_fn(return_raw)]
    pub fn search_provisioned_products(
        context: NativeCallContext,
        query: &str,
    ) -> Result<Array, Box<EvalAltResult>> {
        let aws = aws(&context)?;
        array_of(&context, calls::search(&aws, query, AccessLevel::Account))
    }

    /// As the one-argument form, at the access level `#{access_level}` names: `"Account"`
    /// (every provisioned product of the account), `"Role"` (those launched by the caller's
    /// role) or `"User"` (those launched by the caller's own session). A caller whose policy
    /// grants `servicecatalog:roleLevel` only must search at `"Role"`.
    #[rhai_fn(name = "search_provisioned_products", return_raw)]
    pub fn search_provisioned_products_at(
        context: NativeCallContext,
        query: &str,
        settings: Map,
    ) -> Result<Array, Box<EvalAltResult>> {
        let aws = aws(&context)?;
        let o: SearchOptions = options(&context, SERVICE, "SearchProvisionedProducts", settings)?;
        let level = AccessLevel::parse(&o.access_level).map_err(|e| e.raise(&context))?;
        array_of(&context, calls::search(&aws, query, level))
    }
}
