//! Service Catalog: publishing a portfolio (portfolios, products, artifacts, associations,
//! constraints, shares) and provisioning from it (launch, update, terminate, records,
//! outputs, search), returning typed views.
//!
//! In a dry run every write is planned from its request; creating calls return views whose id
//! is [`PLANNED`], and reads given such an id return nothing instead of asking AWS about
//! something that does not exist.

pub mod catalog;
pub mod provisioning;
pub mod views;

use super::plan::PLANNED;
use super::HostError;

const SERVICE: &str = "ServiceCatalog";

fn is_planned(id: &str) -> bool {
    id == PLANNED
}

fn planned_id() -> Option<String> {
    Some(PLANNED.to_owned())
}

/// A host error for input Service Catalog would refuse, said before anything is sent.
fn invalid(operation: &str, message: impl Into<String>) -> HostError {
    HostError::new(SERVICE, operation, "InvalidInput", message)
}
