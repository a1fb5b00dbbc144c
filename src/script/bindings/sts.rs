//! `sts::`: who the recipe runs as.

use rhai::plugin::*;
use rhai::{EvalAltResult, Map};

use super::aws_context::aws;
use crate::script::HostErrorExt as _;

/// The caller's identity.
#[export_module]
pub mod sts_module {
    use super::*;

    /// The account, ARN, user id and partition the recipe runs as, and the region its clients
    /// call (`--region` or the standard chain); the partition builds ARNs
    /// (`arn:${id.partition}:iam::${id.account}:role/...`), the region names regional
    /// resources (a team's bucket is `cfsign-TEAM-ACCOUNT-REGION`).
    ///
    /// ```rhai
    /// let id = sts::get_caller_identity();
    /// print(`running in ${id.account}`);
    /// ```
    #[rhai_fn(return_raw)]
    pub fn get_caller_identity(context: NativeCallContext) -> Result<Map, Box<EvalAltResult>> {
        let identity =
            crate::aws::sts::caller_identity(&aws(&context)?).map_err(|e| e.raise(&context))?;
        let mut map = Map::new();
        map.insert("account".into(), identity.account.into());
        map.insert("arn".into(), identity.arn.into());
        map.insert("user_id".into(), identity.user_id.into());
        map.insert("partition".into(), identity.partition.into());
        map.insert("region".into(), identity.region.into());
        Ok(map)
    }
}
