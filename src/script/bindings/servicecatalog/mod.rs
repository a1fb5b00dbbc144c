//! `servicecatalog::`: publishing a portfolio (portfolios, products, artifacts, associations,
//! constraints, shares) and provisioning from it (launch, update, terminate, records,
//! outputs, search).
//!
//! In a dry run, creating calls return maps whose `id` is [`PLANNED`]; reads given such an id
//! return nothing instead of asking AWS about something that does not exist.

mod catalog;
mod provisioning;
mod views;

use aws_sdk_servicecatalog::types::Tag;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use rhai::{exported_module, Map, Module};
use serde_json::Value;

use super::convert::to_map;

const SERVICE: &str = "ServiceCatalog";

use crate::aws::plan::PLANNED;

fn is_planned(id: &str) -> bool {
    id == PLANNED
}

/// A dry run's stand-in for what a create call would have returned.
fn planned_map(mut value: Value) -> Map {
    if let Some(object) = value.as_object_mut() {
        object.entry("id").or_insert(PLANNED.into());
    }
    to_map(value)
}

fn sc_tags(tags: &std::collections::BTreeMap<String, String>) -> Vec<Tag> {
    tags.iter()
        .filter_map(|(key, value)| Tag::builder().key(key).value(value).build().ok())
        .collect()
}

fn is_not_found<E: ProvideErrorMetadata, R>(err: &SdkError<E, R>) -> bool {
    err.as_service_error()
        .and_then(|e| e.code())
        .is_some_and(|code| code == "ResourceNotFoundException")
}

/// The `servicecatalog` module: publishing and provisioning together.
pub fn module() -> Module {
    let mut module = exported_module!(catalog::catalog_module);
    module.combine_flatten(exported_module!(provisioning::provisioning_module));
    module
}
