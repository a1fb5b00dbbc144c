//! `sts::`: who the recipe runs as.

use rhai::plugin::*;
use rhai::{EvalAltResult, Map};

use super::aws_context::{aws, fail};

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
        let aws = aws(&context)?;
        let out = aws
            .block_on(aws.sts().get_caller_identity().send())
            .map_err(|e| fail(&context, "STS", "GetCallerIdentity", e))?;
        let arn = out.arn().unwrap_or_default().to_owned();
        let partition = arn.split(':').nth(1).unwrap_or("aws").to_owned();
        let mut map = Map::new();
        map.insert("account".into(), out.account().unwrap_or_default().into());
        map.insert("arn".into(), arn.into());
        map.insert("user_id".into(), out.user_id().unwrap_or_default().into());
        map.insert("partition".into(), partition.into());
        let region = aws.config().region().map(|r| r.to_string());
        map.insert("region".into(), region.unwrap_or_default().into());
        Ok(map)
    }
}
