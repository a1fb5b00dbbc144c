//! Who cfsign runs as (STS GetCallerIdentity), with what ARNs and regional names need.

use super::{Aws, HostError};

/// The caller's identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallerIdentity {
    /// The account id.
    pub account: String,
    /// The caller's ARN (a session's, for an assumed role).
    pub arn: String,
    /// The unique id of the caller.
    pub user_id: String,
    /// The partition, from the ARN (`aws`, `aws-cn`, ...).
    pub partition: String,
    /// The region the clients call (`--region` or the standard chain), or empty.
    pub region: String,
}

/// The caller's identity.
pub fn caller_identity(aws: &Aws) -> Result<CallerIdentity, HostError> {
    let out = aws
        .operation("STS", "GetCallerIdentity")
        .send(aws.sts().get_caller_identity().send())?;
    let arn = out.arn().unwrap_or_default().to_owned();
    Ok(CallerIdentity {
        account: out.account().unwrap_or_default().to_owned(),
        partition: arn.split(':').nth(1).unwrap_or("aws").to_owned(),
        arn,
        user_id: out.user_id().unwrap_or_default().to_owned(),
        region: aws
            .config()
            .region()
            .map(|r| r.to_string())
            .unwrap_or_default(),
    })
}
