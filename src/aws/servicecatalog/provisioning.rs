//! Provisioning: launching, updating and terminating provisioned products, and their records.
//! Each change can wait for its record, which fails as `RecordFailed` with Service Catalog's
//! reasons.

use std::collections::BTreeMap;
use std::time::Duration;

use aws_sdk_servicecatalog::types::{
    AccessLevelFilter, AccessLevelFilterKey, ProvisionedProductViewFilterBy, ProvisioningParameter,
    RecordStatus, SortOrder, UpdateProvisioningParameter,
};

use super::views::{
    output_map, tags as sc_tags, FoundProvisionedProduct, LaunchableProduct,
    ProvisionedProductView, RecordView,
};
use super::{invalid, planned_id, SERVICE};
use crate::aws::wait::{Poll, Wait};
use crate::aws::{sdk_error, Aws, HostError};

/// The longest a record is waited for.
const RECORD_LIMIT: Duration = Duration::from_secs(2 * 60 * 60);

/// A launch: ProvisionProduct's request.
#[derive(Debug, Clone, Default)]
pub struct Launch {
    /// The provisioned product's name.
    pub name: String,
    /// The product's id.
    pub product_id: String,
    /// The artifact's id.
    pub artifact_id: String,
    /// The launch path's id (needed when the caller reaches the product through several).
    pub path_id: Option<String>,
    /// The launch path's name (instead of its id).
    pub path_name: Option<String>,
    /// The template's parameters, as text.
    pub parameters: BTreeMap<String, String>,
    /// Tags for the provisioned product.
    pub tags: BTreeMap<String, String>,
    /// An idempotency token: a retried call with it returns the first call's record.
    pub token: Option<String>,
}

/// An update: UpdateProvisionedProduct's request.
#[derive(Debug, Clone, Default)]
pub struct Update {
    /// The product's id (to move to another product).
    pub product_id: Option<String>,
    /// The artifact's id (to move to another version).
    pub artifact_id: Option<String>,
    /// The launch path's id; without one (nor a name), the path it was last provisioned
    /// through.
    pub path_id: Option<String>,
    /// The launch path's name.
    pub path_name: Option<String>,
    /// Parameters that change, as text.
    pub parameters: BTreeMap<String, String>,
    /// Parameters that keep their current value.
    pub keep_previous: Vec<String>,
    /// An idempotency token.
    pub token: Option<String>,
}

/// A termination: TerminateProvisionedProduct's request.
#[derive(Debug, Clone, Default)]
pub struct Termination {
    /// An idempotency token.
    pub token: Option<String>,
    /// Whether the stack's deletion errors are ignored.
    pub ignore_errors: bool,
}

/// Who launched the provisioned products a search may find (its access level).
#[derive(Debug, Clone, Copy)]
pub enum AccessLevel {
    /// Every provisioned product of the account.
    Account,
    /// Those launched by the caller's role.
    Role,
    /// Those launched by the caller's own session.
    User,
}

impl AccessLevel {
    /// The level named `Account`, `Role` or `User`.
    pub fn parse(text: &str) -> Result<AccessLevel, HostError> {
        match text {
            "Account" => Ok(AccessLevel::Account),
            "Role" => Ok(AccessLevel::Role),
            "User" => Ok(AccessLevel::User),
            other => Err(invalid(
                "SearchProvisionedProducts",
                format!("access_level {other:?} is not Account, Role or User"),
            )),
        }
    }

    fn key(self) -> AccessLevelFilterKey {
        match self {
            AccessLevel::Account => AccessLevelFilterKey::Account,
            AccessLevel::Role => AccessLevelFilterKey::Role,
            AccessLevel::User => AccessLevelFilterKey::User,
        }
    }
}

/// The provisioned products matching `query` at `level`, oldest first: "To ensure a complete
/// list of provisioned products and remove duplicate products, use sort-by createdTime"
/// (SearchProvisionedProducts), as unsorted pages need not agree.
pub fn search(
    aws: &Aws,
    query: &str,
    level: AccessLevel,
) -> Result<Vec<FoundProvisionedProduct>, HostError> {
    let filter = AccessLevelFilter::builder()
        .key(level.key())
        .value("self")
        .build();
    let pages = aws.operation(SERVICE, "SearchProvisionedProducts").send(
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
    )?;
    Ok(pages
        .iter()
        .flat_map(|page| page.provisioned_products())
        .map(FoundProvisionedProduct::of)
        .collect())
}

/// A record with all its outputs: DescribeRecord returns at most 20 a call and has no
/// paginator in the SDK, so its page tokens are followed here.
pub fn record(aws: &Aws, id: &str) -> Result<RecordView, HostError> {
    let mut outputs = Vec::new();
    let mut page_token: Option<String> = None;
    loop {
        let request = aws
            .service_catalog()
            .describe_record()
            .id(id)
            .set_page_token(page_token);
        let out = aws
            .operation(SERVICE, "DescribeRecord")
            .send(request.send())?;
        outputs.extend_from_slice(out.record_outputs());
        page_token = out
            .next_page_token()
            .filter(|t| !t.is_empty())
            .map(str::to_owned);
        if page_token.is_none() {
            return Ok(RecordView::of(out.record_detail(), &outputs));
        }
    }
}

fn settled(record: &RecordView) -> bool {
    let status = record.status.as_deref().unwrap_or_default();
    status == RecordStatus::Succeeded.as_str() || status == RecordStatus::Failed.as_str()
}

/// Waits until the record settles, reporting progress about `what`; a failed record is a
/// `RecordFailed` error with its reasons.
pub fn wait_for_record(aws: &Aws, id: &str, what: String) -> Result<RecordView, HostError> {
    let wait = Wait {
        service: SERVICE,
        what,
        limit: RECORD_LIMIT,
        max_delay: Duration::from_secs(10),
    };
    let record = wait.until(aws, || {
        let record = record(aws, id)?;
        Ok(if settled(&record) {
            Poll::Done(record)
        } else {
            Poll::Pending(record.status.clone().unwrap_or_else(|| "CREATED".into()))
        })
    })?;
    if record.status.as_deref() != Some(RecordStatus::Failed.as_str()) {
        return Ok(record);
    }
    let reasons: Vec<&str> = record
        .errors
        .iter()
        .filter_map(|e| e.description.as_deref())
        .collect();
    let kind = record.kind.as_deref();
    Err(HostError::new(
        SERVICE,
        kind.unwrap_or("Record"),
        "RecordFailed",
        format!(
            "{} for {} failed (record {id}): {}",
            kind.unwrap_or("record"),
            record.provisioned_product_name.as_deref().unwrap_or("?"),
            if reasons.is_empty() {
                "no reason given".to_owned()
            } else {
                reasons.join("; ")
            }
        ),
    ))
}

/// The record a change returned, waited for when `wait` is set.
fn finish(
    aws: &Aws,
    record: RecordView,
    wait: bool,
    what: String,
) -> Result<RecordView, HostError> {
    if !wait {
        return Ok(record);
    }
    let id = record.id.clone().unwrap_or_default();
    wait_for_record(aws, &id, what)
}

/// A dry run's stand-in for the record a change would have started.
fn planned_record(kind: &str, name: &str) -> RecordView {
    RecordView {
        id: planned_id(),
        kind: Some(kind.to_owned()),
        status: planned_id(),
        provisioned_product_name: Some(name.to_owned()),
        ..Default::default()
    }
}

/// The provisioned product named `name`, or `None` when there is none.
pub fn provisioned_product(
    aws: &Aws,
    name: &str,
) -> Result<Option<ProvisionedProductView>, HostError> {
    let request = aws
        .service_catalog()
        .describe_provisioned_product()
        .name(name);
    match aws.block_on(request.send()) {
        Ok(out) => Ok(out
            .provisioned_product_detail()
            .map(ProvisionedProductView::of)),
        Err(e)
            if e.as_service_error()
                .is_some_and(|e| e.is_resource_not_found_exception()) =>
        {
            Ok(None)
        }
        Err(e) => Err(sdk_error(SERVICE, "DescribeProvisionedProduct", e)),
    }
}

/// The launch path a provisioned product was last provisioned through (its last successful
/// record's, else its last record's), or None when it does not exist (yet).
fn current_path(aws: &Aws, name: &str) -> Result<Option<String>, HostError> {
    let Some(product) = provisioned_product(aws, name)? else {
        return Ok(None);
    };
    match product.last_successful_record_id.or(product.last_record_id) {
        Some(id) => Ok(record(aws, &id)?.path_id),
        None => Ok(None),
    }
}

/// The product named `name` as a team sees it (needs only end-user access), or `None`.
pub fn launchable_product(aws: &Aws, name: &str) -> Result<Option<LaunchableProduct>, HostError> {
    let request = aws.service_catalog().describe_product().name(name);
    match aws.block_on(request.send()) {
        Ok(out) => Ok(Some(LaunchableProduct::of(&out))),
        Err(e)
            if e.as_service_error()
                .is_some_and(|e| e.is_resource_not_found_exception()) =>
        {
            Ok(None)
        }
        Err(e) => Err(sdk_error(SERVICE, "DescribeProduct", e)),
    }
}

/// Launches a product; the record, waited for when `wait` is set.
pub fn provision(aws: &Aws, launch: Launch, wait: bool) -> Result<RecordView, HostError> {
    let parameters = launch
        .parameters
        .iter()
        .map(|(key, value)| {
            ProvisioningParameter::builder()
                .key(key)
                .value(value)
                .build()
        })
        .collect();
    let request = aws
        .service_catalog()
        .provision_product()
        .provisioned_product_name(&launch.name)
        .product_id(&launch.product_id)
        .provisioning_artifact_id(&launch.artifact_id)
        .set_path_id(launch.path_id)
        .set_path_name(launch.path_name)
        .set_provisioning_parameters(Some(parameters))
        .set_tags(Some(sc_tags(&launch.tags)))
        .set_provision_token(launch.token);
    let call = aws.operation(SERVICE, "ProvisionProduct");
    if call.planned(request.as_input()) {
        return Ok(planned_record("PROVISION_PRODUCT", &launch.name));
    }
    let out = call.send(request.send())?;
    let record = RecordView::of(out.record_detail(), &[]);
    finish(aws, record, wait, format!("provisioning {}", launch.name))
}

/// Updates the provisioned product `name`; without a path, through the launch path it was
/// last provisioned through (Service Catalog needs one when the caller reaches the product
/// through several portfolios). The record, waited for when `wait` is set.
pub fn update(aws: &Aws, name: &str, update: Update, wait: bool) -> Result<RecordView, HostError> {
    let mut parameters: Vec<UpdateProvisioningParameter> = update
        .parameters
        .iter()
        .map(|(key, value)| {
            UpdateProvisioningParameter::builder()
                .key(key)
                .value(value)
                .build()
        })
        .collect();
    parameters.extend(update.keep_previous.iter().map(|key| {
        UpdateProvisioningParameter::builder()
            .key(key)
            .use_previous_value(true)
            .build()
    }));
    let path_id = match (update.path_id, &update.path_name) {
        (None, None) => current_path(aws, name)?,
        (path_id, _) => path_id,
    };
    let request = aws
        .service_catalog()
        .update_provisioned_product()
        .provisioned_product_name(name)
        .set_product_id(update.product_id)
        .set_provisioning_artifact_id(update.artifact_id)
        .set_path_id(path_id)
        .set_path_name(update.path_name)
        .set_provisioning_parameters(Some(parameters))
        .set_update_token(update.token);
    let call = aws.operation(SERVICE, "UpdateProvisionedProduct");
    if call.planned(request.as_input()) {
        return Ok(planned_record("UPDATE_PROVISIONED_PRODUCT", name));
    }
    let out = call.send(request.send())?;
    let record = RecordView::of(out.record_detail(), &[]);
    finish(aws, record, wait, format!("updating {name}"))
}

/// Terminates the provisioned product `name` (its stack is deleted); the record, waited for
/// when `wait` is set, or `None` when no such product exists (it is already gone).
pub fn terminate(
    aws: &Aws,
    name: &str,
    termination: Termination,
    wait: bool,
) -> Result<Option<RecordView>, HostError> {
    if provisioned_product(aws, name)?.is_none() {
        return Ok(None);
    }
    let request = aws
        .service_catalog()
        .terminate_provisioned_product()
        .provisioned_product_name(name)
        .ignore_errors(termination.ignore_errors)
        .set_terminate_token(termination.token);
    let call = aws.operation(SERVICE, "TerminateProvisionedProduct");
    if call.planned(request.as_input()) {
        return Ok(Some(planned_record("TERMINATE_PROVISIONED_PRODUCT", name)));
    }
    let out = call.send(request.send())?;
    let record = RecordView::of(out.record_detail(), &[]);
    finish(aws, record, wait, format!("terminating {name}")).map(Some)
}

/// A provisioned product's outputs (every page: the API returns at most 20 a call).
pub fn outputs(aws: &Aws, name: &str) -> Result<BTreeMap<String, String>, HostError> {
    let pages = aws
        .operation(SERVICE, "GetProvisionedProductOutputs")
        .send(
            aws.service_catalog()
                .get_provisioned_product_outputs()
                .provisioned_product_name(name)
                .into_paginator()
                .send()
                .collect::<Result<Vec<_>, _>>(),
        )?;
    let outputs: Vec<_> = pages.iter().flat_map(|p| p.outputs()).cloned().collect();
    Ok(output_map(&outputs))
}
