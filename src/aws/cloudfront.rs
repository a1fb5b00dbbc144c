//! CloudFront reads, as typed views: the alternate domain names the sandbox admits; the
//! distributions, key groups and public keys that the recipes' `cloudfront::` functions and
//! `cfsign doctor` inspect; the shared response headers policies; and what the account holds
//! against its quotas. Writes go through the products' stacks, never around them.

use aws_sdk_cloudfront::operation::get_distribution::GetDistributionError;
use aws_sdk_cloudfront::operation::get_key_group::GetKeyGroupError;
use aws_sdk_cloudfront::operation::get_public_key::GetPublicKeyError;
use aws_sdk_cloudfront::operation::list_distributions::ListDistributionsError;
use aws_sdk_cloudfront::types::{DistributionSummary, Origin, TrustedKeyGroups};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;

use super::{sdk_error, Aws, HostError};

const SERVICE: &str = "CloudFront";

/// Every distribution in the account, as ListDistributions pages them (`Marker`).
fn distribution_summaries(
    aws: &Aws,
) -> Result<Vec<DistributionSummary>, CloudFrontError<ListDistributionsError>> {
    let client = aws.cloudfront();
    let mut summaries = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let page = aws.block_on(client.list_distributions().set_marker(marker.take()).send())?;
        let Some(list) = page.distribution_list() else {
            return Ok(summaries);
        };
        summaries.extend(list.items().iter().cloned());
        match list.next_marker().filter(|_| list.is_truncated()) {
            Some(next) if !next.is_empty() => marker = Some(next.to_owned()),
            _ => return Ok(summaries),
        }
    }
}

/// The alternate domain names (CNAMEs) of every distribution in the account, lower-case.
pub fn aliases(aws: &Aws) -> Result<Vec<String>, CloudFrontError<ListDistributionsError>> {
    Ok(distribution_summaries(aws)?
        .iter()
        .filter_map(|d| d.aliases())
        .flat_map(|aliases| aliases.items().iter().map(|host| host.to_ascii_lowercase()))
        .collect())
}

/// What a distribution serves.
#[derive(Debug, Clone, Default)]
pub struct DistributionView {
    /// The distribution id (E...).
    pub id: String,
    /// Its ARN.
    pub arn: String,
    /// Its CloudFront domain name (d....cloudfront.net).
    pub domain_name: String,
    /// `Deployed` once every edge serves the current configuration, else `InProgress`.
    pub status: String,
    /// Its alternate domain names.
    pub aliases: Vec<String>,
    /// The AWS WAF web ACL in front of it, if any.
    pub web_acl_id: Option<String>,
    /// Its cache behaviors in the order CloudFront matches them, the default one last.
    pub behaviors: Vec<BehaviorView>,
    /// Its origins.
    pub origins: Vec<OriginView>,
}

/// One cache behavior.
#[derive(Debug, Clone)]
pub struct BehaviorView {
    /// The path pattern, `None` for the default behavior.
    pub path_pattern: Option<String>,
    /// The key groups whose keys may sign for it (empty: it serves unsigned requests).
    pub trusted_key_groups: Vec<String>,
    /// The id of the origin it forwards to.
    pub target_origin_id: String,
}

/// One origin.
#[derive(Debug, Clone)]
pub struct OriginView {
    /// Its id within the distribution.
    pub id: String,
    /// Its domain name (`BUCKET.s3.REGION.amazonaws.com` for an S3 bucket).
    pub domain_name: String,
    /// The origin access control signing CloudFront's requests to it, if any.
    pub origin_access_control_id: Option<String>,
}

impl OriginView {
    /// The bucket, when the origin is an S3 bucket's REST endpoint.
    pub fn bucket(&self) -> Option<&str> {
        self.domain_name
            .split_once(".s3.")
            .or_else(|| self.domain_name.split_once(".s3-"))
            .map(|(bucket, _)| bucket)
    }
}

impl BehaviorView {
    /// Whether this behavior takes `path` (CloudFront's matching: `*` any run of characters,
    /// `?` one, case-sensitive; the default behavior takes everything).
    pub fn matches(&self, path: &str) -> bool {
        match &self.path_pattern {
            None => true,
            Some(pattern) => {
                let pattern = format!("/{}", pattern.trim_start_matches('/'));
                wildmatch::WildMatch::new(&pattern).matches(path)
            }
        }
    }
}

impl DistributionView {
    /// The behavior CloudFront picks for `path`: the first whose pattern matches, else the
    /// default one.
    pub fn behavior_for(&self, path: &str) -> Option<&BehaviorView> {
        self.behaviors.iter().find(|b| b.matches(path))
    }

    /// The origin `id`.
    pub fn origin(&self, id: &str) -> Option<&OriginView> {
        self.origins.iter().find(|o| o.id == id)
    }
}

/// A public key CloudFront holds.
#[derive(Debug, Clone, Default)]
pub struct PublicKeyView {
    /// Its id: the key pair id signed URLs name.
    pub id: String,
    /// Its name.
    pub name: String,
    /// The key, SPKI PEM.
    pub encoded_key: String,
    /// Its comment.
    pub comment: String,
}

/// A key group.
#[derive(Debug, Clone, Default)]
pub struct KeyGroupView {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// The ids of the public keys in it.
    pub items: Vec<String>,
}

/// A failed CloudFront call.
pub type CloudFrontError<E> = Box<SdkError<E, HttpResponse>>;

/// The distribution `id`.
pub fn distribution(
    aws: &Aws,
    id: &str,
) -> Result<DistributionView, CloudFrontError<GetDistributionError>> {
    let out = aws.block_on(aws.cloudfront().get_distribution().id(id).send())?;
    let Some(distribution) = out.distribution() else {
        return Ok(DistributionView::default());
    };
    let config = distribution.distribution_config();
    let mut behaviors: Vec<BehaviorView> = config
        .and_then(|c| c.cache_behaviors())
        .map(|list| {
            list.items()
                .iter()
                .map(|b| {
                    behavior(
                        Some(b.path_pattern()),
                        b.trusted_key_groups(),
                        b.target_origin_id(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    if let Some(default) = config.and_then(|c| c.default_cache_behavior()) {
        behaviors.push(behavior(
            None,
            default.trusted_key_groups(),
            default.target_origin_id(),
        ));
    }
    Ok(DistributionView {
        id: distribution.id().to_owned(),
        arn: distribution.arn().to_owned(),
        domain_name: distribution.domain_name().to_owned(),
        status: distribution.status().to_owned(),
        aliases: config
            .and_then(|c| c.aliases())
            .map(|a| a.items().to_vec())
            .unwrap_or_default(),
        web_acl_id: config
            .and_then(|c| c.web_acl_id())
            .filter(|id| !id.is_empty())
            .map(str::to_owned),
        behaviors,
        origins: config
            .and_then(|c| c.origins())
            .map(|o| o.items().iter().map(origin).collect())
            .unwrap_or_default(),
    })
}

fn behavior(
    pattern: Option<&str>,
    groups: Option<&TrustedKeyGroups>,
    origin: &str,
) -> BehaviorView {
    BehaviorView {
        path_pattern: pattern.map(str::to_owned),
        trusted_key_groups: groups
            .filter(|g| g.enabled())
            .map(|g| g.items().to_vec())
            .unwrap_or_default(),
        target_origin_id: origin.to_owned(),
    }
}

fn origin(origin: &Origin) -> OriginView {
    OriginView {
        id: origin.id().to_owned(),
        domain_name: origin.domain_name().to_owned(),
        origin_access_control_id: origin
            .origin_access_control_id()
            .filter(|id| !id.is_empty())
            .map(str::to_owned),
    }
}

/// The id of the distribution serving `host` (its CloudFront domain name or one of its
/// alternate domain names), if one in the account does.
pub fn distribution_serving(
    aws: &Aws,
    host: &str,
) -> Result<Option<String>, CloudFrontError<ListDistributionsError>> {
    let serves = |summary: &DistributionSummary| {
        summary.domain_name().eq_ignore_ascii_case(host)
            || summary.aliases().is_some_and(|a| {
                a.items()
                    .iter()
                    .any(|alias| alias.eq_ignore_ascii_case(host))
            })
    };
    Ok(distribution_summaries(aws)?
        .into_iter()
        .find(serves)
        .map(|summary| summary.id().to_owned()))
}

/// The key group `id`.
pub fn key_group(aws: &Aws, id: &str) -> Result<KeyGroupView, CloudFrontError<GetKeyGroupError>> {
    let out = aws.block_on(aws.cloudfront().get_key_group().id(id).send())?;
    let Some(group) = out.key_group() else {
        return Ok(KeyGroupView::default());
    };
    let config = group.key_group_config();
    Ok(KeyGroupView {
        id: group.id().to_owned(),
        name: config.map(|c| c.name().to_owned()).unwrap_or_default(),
        items: config.map(|c| c.items().to_vec()).unwrap_or_default(),
    })
}

/// The public key `id`.
pub fn public_key(
    aws: &Aws,
    id: &str,
) -> Result<PublicKeyView, CloudFrontError<GetPublicKeyError>> {
    let out = aws.block_on(aws.cloudfront().get_public_key().id(id).send())?;
    let Some(key) = out.public_key() else {
        return Ok(PublicKeyView::default());
    };
    let config = key.public_key_config();
    Ok(PublicKeyView {
        id: key.id().to_owned(),
        name: config.map(|c| c.name().to_owned()).unwrap_or_default(),
        encoded_key: config
            .map(|c| c.encoded_key().to_owned())
            .unwrap_or_default(),
        comment: config
            .and_then(|c| c.comment())
            .unwrap_or_default()
            .to_owned(),
    })
}

/// A custom response headers policy (the teams share them, found by name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeadersPolicyView {
    /// The policy id.
    pub id: String,
    /// Its name, e.g. `cfsign-uploads-v1`.
    pub name: String,
}

/// The account's custom response headers policies, every page (ListResponseHeadersPolicies
/// pages with `Marker`/`NextMarker`).
pub fn response_headers_policies(aws: &Aws) -> Result<Vec<HeadersPolicyView>, HostError> {
    use aws_sdk_cloudfront::types::ResponseHeadersPolicyType;
    let mut policies = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let out = aws.operation(SERVICE, "ListResponseHeadersPolicies").send(
            aws.cloudfront()
                .list_response_headers_policies()
                .r#type(ResponseHeadersPolicyType::Custom)
                .set_marker(marker.take())
                .send(),
        )?;
        let Some(list) = out.response_headers_policy_list() else {
            return Ok(policies);
        };
        policies.extend(
            list.items()
                .iter()
                .filter_map(|s| s.response_headers_policy())
                .map(|policy| HeadersPolicyView {
                    id: policy.id().to_owned(),
                    name: policy
                        .response_headers_policy_config()
                        .map(|c| c.name())
                        .unwrap_or_default()
                        .to_owned(),
                }),
        );
        match list.next_marker() {
            Some(next) if !next.is_empty() => marker = Some(next.to_owned()),
            _ => return Ok(policies),
        }
    }
}

/// How many of the resources cfsign's stacks count against CloudFront's account quotas the
/// account holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountUsage {
    /// Public keys.
    pub public_keys: i64,
    /// Key groups.
    pub key_groups: i64,
    /// Origin access controls.
    pub origin_access_controls: i64,
    /// CloudFront Functions (each counted once, at its DEVELOPMENT stage).
    pub functions: i64,
    /// Distributions.
    pub distributions: i64,
    /// Custom response headers policies.
    pub response_headers_policies: i64,
}

/// The number of items a CloudFront list operation returns over all its pages
/// (`Marker`/`NextMarker`; `Quantity` counts each page).
macro_rules! count_all {
    ($aws:expr, $operation:ident, $list:ident, $name:literal $(, $filter:ident($value:expr))?) => {{
        let mut total: i64 = 0;
        let mut marker: Option<String> = None;
        loop {
            let out = $aws
                .block_on(
                    $aws.cloudfront()
                        .$operation()
                        $(.$filter($value))?
                        .set_marker(marker.take())
                        .send(),
                )
                .map_err(|e| sdk_error(SERVICE, $name, e))?;
            let Some(list) = out.$list() else { break };
            total += i64::from(list.quantity());
            match list.next_marker() {
                Some(next) if !next.is_empty() => marker = Some(next.to_owned()),
                _ => break,
            }
        }
        total
    }};
}

/// What the account holds against CloudFront's account quotas, every list read to its end.
pub fn account_usage(aws: &Aws) -> Result<AccountUsage, HostError> {
    use aws_sdk_cloudfront::types::FunctionStage;
    Ok(AccountUsage {
        public_keys: count_all!(aws, list_public_keys, public_key_list, "ListPublicKeys"),
        key_groups: count_all!(aws, list_key_groups, key_group_list, "ListKeyGroups"),
        origin_access_controls: count_all!(
            aws,
            list_origin_access_controls,
            origin_access_control_list,
            "ListOriginAccessControls"
        ),
        // Every function has a DEVELOPMENT stage: counted there, each is counted once.
        functions: count_all!(
            aws,
            list_functions,
            function_list,
            "ListFunctions",
            stage(FunctionStage::Development)
        ),
        distributions: count_all!(
            aws,
            list_distributions,
            distribution_list,
            "ListDistributions"
        ),
        response_headers_policies: i64::try_from(response_headers_policies(aws)?.len())
            .unwrap_or(i64::MAX),
    })
}
