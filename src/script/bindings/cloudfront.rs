//! `cloudfront::`: reading what the products created (public keys, key groups, distributions)
//! and waiting for a distribution to deploy. Writes go through the products' stacks, never
//! around them (docs/design.md: rotation is declarative), so there are none here.

use std::time::Duration;

use rhai::plugin::*;
use rhai::{Array, EvalAltResult, Map};

use super::aws_context::{aws, fail};
use crate::aws::wait::{Poll, Wait};
use crate::aws::{sdk_error, Aws};
use crate::script::HostError;

const SERVICE: &str = "CloudFront";
/// The longest a distribution deployment is waited for.
const DEPLOY_LIMIT: Duration = Duration::from_secs(45 * 60);

fn distribution_map(aws: &Aws, id: &str) -> Result<Map, HostError> {
    let out = aws
        .block_on(aws.cloudfront().get_distribution().id(id).send())
        .map_err(|e| sdk_error(SERVICE, "GetDistribution", e))?;
    let mut map = Map::new();
    if let Some(distribution) = out.distribution() {
        map.insert("id".into(), distribution.id().into());
        map.insert("arn".into(), distribution.arn().into());
        map.insert("domain_name".into(), distribution.domain_name().into());
        map.insert("status".into(), distribution.status().into());
        let aliases: Array = distribution
            .distribution_config()
            .and_then(|c| c.aliases())
            .map(|a| a.items().iter().map(|i| i.clone().into()).collect())
            .unwrap_or_default();
        map.insert("aliases".into(), aliases.into());
    }
    Ok(map)
}

/// CloudFront reads.
#[export_module]
pub mod cloudfront_module {
    use super::*;

    /// A public key: `#{id, name, encoded_key, comment}`.
    #[rhai_fn(return_raw)]
    pub fn get_public_key(context: NativeCallContext, id: &str) -> Result<Map, Box<EvalAltResult>> {
        let aws = aws(&context)?;
        let out = aws
            .block_on(aws.cloudfront().get_public_key().id(id).send())
            .map_err(|e| fail(&context, SERVICE, "GetPublicKey", e))?;
        let mut map = Map::new();
        if let Some(key) = out.public_key() {
            map.insert("id".into(), key.id().into());
            if let Some(config) = key.public_key_config() {
                map.insert("name".into(), config.name().into());
                map.insert("encoded_key".into(), config.encoded_key().into());
                map.insert(
                    "comment".into(),
                    config.comment().unwrap_or_default().into(),
                );
            }
        }
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
        let aws = aws(&context)?;
        let out = aws
            .block_on(aws.cloudfront().get_key_group().id(id).send())
            .map_err(|e| fail(&context, SERVICE, "GetKeyGroup", e))?;
        let mut map = Map::new();
        if let Some(group) = out.key_group() {
            map.insert("id".into(), group.id().into());
            if let Some(config) = group.key_group_config() {
                let items: Array = config.items().iter().map(|i| i.clone().into()).collect();
                map.insert("name".into(), config.name().into());
                map.insert("items".into(), items.into());
            }
        }
        Ok(map)
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
