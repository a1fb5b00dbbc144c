//! `cloudfront::`: reading what the products created (public keys, key groups, distributions,
//! the response headers policies teams share), what the account holds against its quotas, and
//! waiting for a distribution to deploy. Writes go through the products' stacks, never
//! around them (docs/design.md: rotation is declarative), so there are none here.

use std::time::Duration;

use rhai::plugin::*;
use rhai::{Array, EvalAltResult, Map};

use super::aws_context::{aws, fail};
use crate::aws::wait::{Poll, Wait};
use crate::aws::{sdk_error, Aws};
use crate::script::HostError;
use crate::script::HostErrorExt as _;

const SERVICE: &str = "CloudFront";
/// The longest a distribution deployment is waited for.
const DEPLOY_LIMIT: Duration = Duration::from_secs(45 * 60);

fn distribution_map(aws: &Aws, id: &str) -> Result<Map, HostError> {
    let view = crate::aws::cloudfront::distribution(aws, id)
        .map_err(|e| sdk_error(SERVICE, "GetDistribution", *e))?;
    let mut map = Map::new();
    map.insert("id".into(), view.id.into());
    map.insert("arn".into(), view.arn.into());
    map.insert("domain_name".into(), view.domain_name.into());
    map.insert("status".into(), view.status.into());
    map.insert("aliases".into(), strings(view.aliases).into());
    Ok(map)
}

/// The account's custom response headers policies: `[#{id, name}]`.
fn response_headers_policies(aws: &Aws) -> Result<Array, HostError> {
    Ok(crate::aws::cloudfront::response_headers_policies(aws)?
        .into_iter()
        .map(|policy| {
            let mut map = Map::new();
            map.insert("id".into(), policy.id.into());
            map.insert("name".into(), policy.name.into());
            map.into()
        })
        .collect())
}

/// What the account holds against CloudFront's account quotas, as a map.
fn account_usage(aws: &Aws) -> Result<Map, HostError> {
    let usage = crate::aws::cloudfront::account_usage(aws)?;
    let mut map = Map::new();
    for (name, count) in [
        ("public_keys", usage.public_keys),
        ("key_groups", usage.key_groups),
        ("origin_access_controls", usage.origin_access_controls),
        ("functions", usage.functions),
        ("distributions", usage.distributions),
        ("response_headers_policies", usage.response_headers_policies),
    ] {
        map.insert(name.into(), count.into());
    }
    Ok(map)
}

fn strings(items: Vec<String>) -> Array {
    items.into_iter().map(Into::into).collect()
}

/// CloudFront reads.
#[export_module]
pub mod cloudfront_module {
    use super::*;

    /// A public key: `#{id, name, encoded_key, comment}`.
    #[rhai_fn(return_raw)]
    pub fn get_public_key(context: NativeCallContext, id: &str) -> Result<Map, Box<EvalAltResult>> {
        let key = crate::aws::cloudfront::public_key(&aws(&context)?, id)
            .map_err(|e| fail(&context, SERVICE, "GetPublicKey", *e))?;
        let mut map = Map::new();
        map.insert("id".into(), key.id.into());
        map.insert("name".into(), key.name.into());
        map.insert("encoded_key".into(), key.encoded_key.into());
        map.insert("comment".into(), key.comment.into());
        Ok(map)
    }

    /// A key group: `#{id, name, items: [public key ids]}`.
    ///
    /// ```rhai
    /// let group = cloudfront::get_key_group(outputs.KeyGroupId);
    /// if !group.items.contains(key_pair_id) { throw "the key is not trusted yet"; }
    /// ```
    #[rhai_fn(return_raw)]
    pub fn get_key_group(context: NativeCallContext, id: &str) -> Result<Map, Box<EvalAltResult>> {
        let group = crate::aws::cloudfront::key_group(&aws(&context)?, id)
            .map_err(|e| fail(&context, SERVICE, "GetKeyGroup", *e))?;
        let mut map = Map::new();
        map.insert("id".into(), group.id.into());
        map.insert("name".into(), group.name.into());
        map.insert("items".into(), strings(group.items).into());
        Ok(map)
    }

    /// The account's custom response headers policies: `[#{id, name}]`.
    ///
    /// ```rhai
    /// let uploads = cloudfront::list_response_headers_policies().filter(|p| p.name == "cfsign-uploads-v1");
    /// ```
    #[rhai_fn(return_raw)]
    pub fn list_response_headers_policies(
        context: NativeCallContext,
    ) -> Result<Array, Box<EvalAltResult>> {
        response_headers_policies(&aws(&context)?).map_err(|e| e.raise(&context))
    }

    /// How many of the resources that count against CloudFront's account quotas the account
    /// holds: `#{public_keys, key_groups, response_headers_policies (custom ones),
    /// origin_access_controls, functions, distributions}`.
    ///
    /// ```rhai
    /// let usage = cloudfront::account_usage();
    /// if usage.public_keys >= 10 { throw "no room for another public key"; }
    /// ```
    #[rhai_fn(return_raw)]
    pub fn account_usage(context: NativeCallContext) -> Result<Map, Box<EvalAltResult>> {
        super::account_usage(&aws(&context)?).map_err(|e| e.raise(&context))
    }

    /// A distribution: `#{id, arn, domain_name, status, aliases: [...]}`; `status` is
    /// `"Deployed"` once every edge serves the current configuration.
    #[rhai_fn(return_raw)]
    pub fn get_distribution(
        context: NativeCallContext,
        id: &str,
    ) -> Result<Map, Box<EvalAltResult>> {
        distribution_map(&aws(&context)?, id).map_err(|e| e.raise(&context))
    }

    /// Waits until the distribution's status is `Deployed` (up to 45 minutes), reporting
    /// progress; returns the distribution as `get_distribution` does.
    #[rhai_fn(return_raw)]
    pub fn wait_for_deployment(
        context: NativeCallContext,
        id: &str,
    ) -> Result<Map, Box<EvalAltResult>> {
        let aws = aws(&context)?;
        let wait = Wait {
            service: SERVICE,
            what: format!("distribution {id}"),
            limit: DEPLOY_LIMIT,
            max_delay: Duration::from_secs(20),
        };
        wait.until(&aws, || {
            let distribution = distribution_map(&aws, id)?;
            let status = distribution
                .get("status")
                .map(|s| s.to_string())
                .unwrap_or_default();
            Ok(if status == "Deployed" {
                Poll::Done(distribution)
            } else {
                Poll::Pending(status)
            })
        })
        .map_err(|e| e.raise(&context))
    }
}
