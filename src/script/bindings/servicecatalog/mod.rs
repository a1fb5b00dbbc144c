//! `servicecatalog::`: publishing a portfolio (portfolios, products, artifacts, associations,
//! constraints, shares) and provisioning from it (launch, update, terminate, records,
//! outputs, search). The calls are `crate::aws::servicecatalog`'s; these adapters decode the
//! recipes' option maps and hand back its views as maps.
//!
//! In a dry run, creating calls return maps whose `id` is `planned()`; reads given such an id
//! return nothing instead of asking AWS about something that does not exist.

mod catalog;
mod provisioning;

use rhai::{exported_module, Array, Dynamic, EvalAltResult, Map, Module, NativeCallContext};

use super::convert::{to_dynamic, to_map};
use crate::aws::HostError;
use crate::script::HostErrorExt as _;

const SERVICE: &str = "ServiceCatalog";

/// A call's result for Rhai: its view as a map, or its error raised at the call.
fn map_of<T: serde::Serialize>(
    context: &NativeCallContext,
    result: Result<T, HostError>,
) -> Result<Map, Box<EvalAltResult>> {
    result.map(to_map).map_err(|e| e.raise(context))
}

/// A call's list of views for Rhai.
fn array_of<T: serde::Serialize>(
    context: &NativeCallContext,
    result: Result<Vec<T>, HostError>,
) -> Result<Array, Box<EvalAltResult>> {
    result
        .map(|items| items.into_iter().map(to_dynamic).collect())
        .map_err(|e| e.raise(context))
}

/// A finder's result for Rhai: its view, or `()` when nothing matched.
fn found<T: serde::Serialize>(
    context: &NativeCallContext,
    result: Result<Option<T>, HostError>,
) -> Result<Dynamic, Box<EvalAltResult>> {
    result
        .map(|found| found.map_or(Dynamic::UNIT, to_dynamic))
        .map_err(|e| e.raise(context))
}

/// A call that returns nothing, for Rhai.
fn done(
    context: &NativeCallContext,
    result: Result<(), HostError>,
) -> Result<(), Box<EvalAltResult>> {
    result.map_err(|e| e.raise(context))
}

/// The `servicecatalog` module: publishing and provisioning together.
pub fn module() -> Module {
    let mut module = exported_module!(catalog::catalog_module);
    module.combine_flatten(exported_module!(provisioning::provisioning_module));
    module
}
