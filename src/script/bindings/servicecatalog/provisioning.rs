//! Provisioning: launching, updating and terminating provisioned products, and their records.
//! The three changes wait for their record by default and raise `RecordFailed` with Service
//! Catalog's reasons when it fails; `wait: false` returns the record at once.

use std::collections::BTreeMap;
use std::time::Duration;

use aws_sdk_servicecatalog::types::{
    AccessLevelFilter, AccessLevelFilterKey, ProvisionedProductViewFilterBy, ProvisioningParameter,
    RecordStatus, SortOrder, UpdateProvisioningParameter,
};
use rhai::plugin::*;
use rhai::{Array, EvalAltResult, Map};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{is_not_found, sc_tags, views, SERVICE};
use crate::aws::plan::PLANNED;
use crate::aws::wait::{Poll, Wait};
use crate::aws::{sdk_error, Aws};
use crate::script::bindings::aws_context::{aws, fail, invalid, planned, send_or_plan};
use crate::script::bindings::convert::{options, parameter_text, timestamp, to_dynamic, to_map};
use crate::script::HostError;
use crate::script::HostErrorExt as _;

/// The longest a record is waited for.
const RECORD_LIMIT: Duration = Duration::from_secs(2 * 60 * 60);

fn yes() -> bool {
    true
}

/// `provision_product` options.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProvisionOptions {
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
pub struct UpdateOptions {
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
pub struct TerminateOptions {
    token: Option<String>,
    #[serde(default)]
    ignore_errors: bool,
    #[serde(default = "yes")]
    wait: bool,
}

/// `search_provisioned_products` options.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchOptions {
    access_level: String,
}

/// Every page of a search at one access level, sorted by creation time: "To ensure a complete
/// list of provisioned products and remove duplicate products, use sort-by createdTime"
/// (SearchProvisionedProducts), as unsorted pages need not agree.
fn search(
    context: &NativeCallContext,
    query: &str,
    level: AccessLevelFilterKey,
) -> Result<Array, Box<EvalAltResult>> {
    let aws = aws(context)?;
    let filter = AccessLevelFilter::builder()
        .key(level)
        .value("self")
        .build();
    let pages = aws
        .block_on(
            aws.service_catalog()
                .search_provisioned_products()
                .access_level_filter(filter)
                .filters(
                    ProvisionedProductViewFilterBy::SearchQuery,
                    vec![query.to_owned()],
                )
                .sort_by("createdTime")
                .sort_order(SortOrder::Ascending)
                .into_paginator()
                .send()
                .collect::<Result<Vec<_>, _>>(),
        )
        .map_err(|e| fail(context, SERVICE, "SearchProvisionedProducts", e))?;
    Ok(pages
        .iter()
        .flat_map(|page| page.provisioned_products())
        .map(|p| to_dynamic(views::provisioned_attributes(p)))
        .collect())
}

/// A record with all its outputs: DescribeRecord returns at most 20 a call and has no
/// paginator in the SDK, so its page tokens are followed here.
fn describe_record(aws: &Aws, id: &str) -> Result<Value, HostError> {
    let mut outputs = Vec::new();
    let mut page_token: Option<String> = None;
    loop {
        let out = aws
            .block_on(
                aws.service_catalog()
                    .describe_record()
                    .id(id)
                    .set_page_token(page_token)
                    .send(),
            )
            .map_err(|e| sdk_error(SERVICE, "DescribeRecord", e))?;
        outputs.extend_from_slice(out.record_outputs());
        page_token = out
            .next_page_token()
            .filter(|t| !t.is_empty())
            .map(str::to_owned);
        if page_token.is_none() {
            return Ok(views::record(out.record_detail(), &outputs));
        }
    }
}

fn settled(record: &Value) -> bool {
    let status = record["status"].as_str().unwrap_or_default();
    status == RecordStatus::Succeeded.as_str() || status == RecordStatus::Failed.as_str()
}

/// Waits until the record settles; a failed record is a `RecordFailed` error with its reasons.
fn wait_for(aws: &Aws, id: &str, what: String) -> Result<Value, HostError> {
    let wait = Wait {
        service: SERVICE,
        what,
        limit: RECORD_LIMIT,
        max_delay: Duration::from_secs(10),
    };
    let record = wait.until(aws, || {
        let record = describe_record(aws, id)?;
        Ok(if settled(&record) {
            Poll::Done(record)
        } else {
            Poll::Pending(record["status"].as_str().unwrap_or("CREATED").to_owned())
        })
    })?;
    if record["status"] == RecordStatus::Failed.as_str() {
        let reasons: Vec<&str> = record["errors"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e["description"].as_str())
            .collect();
        return Err(HostError::new(
            SERVICE,
            record["type"].as_str().unwrap_or("Record"),
            "RecordFailed",
            format!(
                "{} for {} failed (record {id}): {}",
                record["type"].as_str().unwrap_or("record"),
                record["provisioned_product_name"].as_str().unwrap_or("?"),
                if reasons.is_empty() {
                    "no reason given".to_owned()
                } else {
                    reasons.join("; ")
                }
            ),
        ));
    }
    Ok(record)
}

fn finish(
    context: &NativeCallContext,
    aws: &Aws,
    record: Value,
    wait: bool,
    what: String,
) -> Result<Map, Box<EvalAltResult>> {
    if !wait {
        return Ok(to_map(record));
    }
    let id = record["id"].as_str().unwrap_or_default().to_owned();
    wait_for(aws, &id, what)
        .map(to_map)
        .map_err(|e| e.raise(context))
}

fn planned_record(kind: &str, name: &str) -> Map {
    to_map(json!({
        "id": PLANNED, "type": kind, "status": PLANNED,
        "provisioned_product_name": name, "errors": [], "outputs": {},
    }))
}

/// The launch path a provisioned product was last provisioned through (its last successful
/// record's, else its last record's), or None when it does not exist (yet).
fn current_path(aws: &Aws, name: &str) -> Result<Option<String>, HostError> {
    let found = aws.block_on(
        aws.service_catalog()
            .describe_provisioned_product()
            .name(name)
            .send(),
    );
    let detail = match found {
        Ok(out) => out.provisioned_product_detail().cloned(),
        Err(e) if is_not_found(&e) => return Ok(None),
        Err(e) => return Err(sdk_error(SERVICE, "DescribeProvisionedProduct", e)),
    };
    let record = detail.as_ref().and_then(|d| {
        d.last_successful_provisioning_record_id()
            .or(d.last_provisioning_record_id())
            .map(str::to_owned)
    });
    match record {
        Some(id) => Ok(describe_record(aws, &id)?["path_id"]
            .as_str()
            .map(str::to_owned)),
        None => Ok(None),
    }
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
        let aws = aws(&context)?;
        let out = match aws.block_on(aws.service_catalog().describe_product().name(name).send()) {
            Ok(out) => out,
            Err(e) if is_not_found(&e) => return Ok(Dynamic::UNIT),
            Err(e) => return Err(fail(&context, SERVICE, "DescribeProduct", e)),
        };
        let mut artifacts: Vec<Value> = out
            .provisioning_artifacts()
            .iter()
            .map(|a| {
                json!({
                    "id": a.id(), "name": a.name(), "description": a.description(),
                    "guidance": a.guidance().map(|g| g.as_str()).unwrap_or("DEFAULT"),
                    "created": timestamp(a.created_time()),
                })
            })
            .collect();
        artifacts.sort_by(|a, b| a["created"].as_str().cmp(&b["created"].as_str()));
        let paths: Vec<Value> = out
            .launch_paths()
            .iter()
            .map(|p| json!({ "id": p.id(), "name": p.name() }))
            .collect();
        let summary = out.product_view_summary();
        Ok(to_dynamic(json!({
            "id": summary.and_then(|s| s.product_id()), "name": summary.and_then(|s| s.name()),
            "artifacts": artifacts, "launch_paths": paths,
        })))
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
        let parameters: Vec<ProvisioningParameter> = o
            .parameters
            .iter()
            .map(|(key, value)| {
                ProvisioningParameter::builder()
                    .key(key)
                    .value(parameter_text(value))
                    .build()
            })
            .collect();
        let plan = json!({ "ProvisionedProductName": o.name, "ProductId": o.product_id, "ProvisioningArtifactId": o.artifact_id, "ProvisioningParameters": o.parameters, "Tags": o.tags });
        let Some(out) = send_or_plan(
            &context,
            &aws,
            SERVICE,
            "ProvisionProduct",
            plan,
            aws.service_catalog()
                .provision_product()
                .provisioned_product_name(&o.name)
                .product_id(&o.product_id)
                .provisioning_artifact_id(&o.artifact_id)
                .set_path_id(o.path_id)
                .set_path_name(o.path_name)
                .set_provisioning_parameters(Some(parameters))
                .set_tags(Some(sc_tags(&o.tags)))
                .set_provision_token(o.token)
                .send(),
        )?
        else {
            return Ok(planned_record("PROVISION_PRODUCT", &o.name));
        };
        let record = views::record(out.record_detail(), &[]);
        finish(
            &context,
            &aws,
            record,
            o.wait,
            format!("provisioning {}", o.name),
        )
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
        let mut parameters: Vec<UpdateProvisioningParameter> = o
            .parameters
            .iter()
            .map(|(key, value)| {
                UpdateProvisioningParameter::builder()
                    .key(key)
                    .value(parameter_text(value))
                    .build()
            })
            .collect();
        parameters.extend(o.keep_previous.iter().map(|key| {
            UpdateProvisioningParameter::builder()
                .key(key)
                .use_previous_value(true)
                .build()
        }));
        let path_id = match (o.path_id, &o.path_name) {
            (None, None) => current_path(&aws, name).map_err(|e| e.raise(&context))?,
            (path_id, _) => path_id,
        };
        let plan = json!({ "ProvisionedProductName": name, "ProductId": o.product_id, "ProvisioningArtifactId": o.artifact_id, "PathId": path_id, "PathName": o.path_name, "ProvisioningParameters": o.parameters, "KeepPrevious": o.keep_previous });
        let Some(out) = send_or_plan(
            &context,
            &aws,
            SERVICE,
            "UpdateProvisionedProduct",
            plan,
            aws.service_catalog()
                .update_provisioned_product()
                .provisioned_product_name(name)
                .set_product_id(o.product_id)
                .set_provisioning_artifact_id(o.artifact_id)
                .set_path_id(path_id)
                .set_path_name(o.path_name)
                .set_provisioning_parameters(Some(parameters))
                .set_update_token(o.token)
                .send(),
        )?
        else {
            return Ok(planned_record("UPDATE_PROVISIONED_PRODUCT", name));
        };
        let record = views::record(out.record_detail(), &[]);
        finish(&context, &aws, record, o.wait, format!("updating {name}"))
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
        let client = aws.service_catalog();
        match aws.block_on(client.describe_provisioned_product().name(name).send()) {
            Err(e) if is_not_found(&e) => return Ok(Dynamic::UNIT),
            Err(e) => return Err(fail(&context, SERVICE, "DescribeProvisionedProduct", e)),
            Ok(_) => {}
        }
        if planned(
            &aws,
            SERVICE,
            "TerminateProvisionedProduct",
            json!({ "ProvisionedProductName": name }),
        ) {
            return Ok(planned_record("TERMINATE_PROVISIONED_PRODUCT", name).into());
        }
        let out = aws
            .block_on(
                client
                    .terminate_provisioned_product()
                    .provisioned_product_name(name)
                    .ignore_errors(o.ignore_errors)
                    .set_terminate_token(o.token)
                    .send(),
            )
            .map_err(|e| fail(&context, SERVICE, "TerminateProvisionedProduct", e))?;
        let record = views::record(out.record_detail(), &[]);
        finish(
            &context,
            &aws,
            record,
            o.wait,
            format!("terminating {name}"),
        )
        .map(Dynamic::from_map)
    }

    /// A record as it is now (see `provision_product` for its fields).
    #[rhai_fn(return_raw)]
    pub fn describe_record(
        context: NativeCallContext,
        id: &str,
    ) -> Result<Map, Box<EvalAltResult>> {
        let aws = aws(&context)?;
        super::describe_record(&aws, id)
            .map(to_map)
            .map_err(|e| e.raise(&context))
    }

    /// Waits until a record succeeds (returning it) or fails (`RecordFailed`, with Service
    /// Catalog's reasons), reporting progress.
    #[rhai_fn(return_raw)]
    pub fn wait_for_record(
        context: NativeCallContext,
        id: &str,
    ) -> Result<Map, Box<EvalAltResult>> {
        let aws = aws(&context)?;
        wait_for(&aws, id, format!("record {id}"))
            .map(to_map)
            .map_err(|e| e.raise(&context))
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
        let aws = aws(&context)?;
        match aws.block_on(
            aws.service_catalog()
                .describe_provisioned_product()
                .name(name)
                .send(),
        ) {
            Ok(out) => Ok(out
                .provisioned_product_detail()
                .map_or(Dynamic::UNIT, |d| to_dynamic(views::provisioned_product(d)))),
            Err(e) if is_not_found(&e) => Ok(Dynamic::UNIT),
            Err(e) => Err(fail(&context, SERVICE, "DescribeProvisionedProduct", e)),
        }
    }

    /// A provisioned product's outputs as `#{OutputKey: value}` (every page: the API returns
    /// at most 20 a call).
    #[rhai_fn(return_raw)]
    pub fn provisioned_product_outputs(
        context: NativeCallContext,
        name: &str,
    ) -> Result<Map, Box<EvalAltResult>> {
        let aws = aws(&context)?;
        let pages = aws
            .block_on(
                aws.service_catalog()
                    .get_provisioned_product_outputs()
                    .provisioned_product_name(name)
                    .into_paginator()
                    .send()
                    .collect::<Result<Vec<_>, _>>(),
            )
            .map_err(|e| fail(&context, SERVICE, "GetProvisionedProductOutputs", e))?;
        let outputs: Vec<_> = pages.iter().flat_map(|p| p.outputs()).cloned().collect();
        Ok(to_map(views::outputs(&outputs)))
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
        super::search(&context, query, AccessLevelFilterKey::Account)
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
        let o: SearchOptions = options(&context, SERVICE, "SearchProvisionedProducts", settings)?;
        let level = match o.access_level.as_str() {
            "Account" => AccessLevelFilterKey::Account,
            "Role" => AccessLevelFilterKey::Role,
            "User" => AccessLevelFilterKey::User,
            other => {
                return Err(invalid(
                    &context,
                    SERVICE,
                    "SearchProvisionedProducts",
                    format!("access_level {other:?} is not Account, Role or User"),
                ))
            }
        };
        super::search(&context, query, level)
    }
}
