//! CloudFront reads the host needs beyond the recipes' own bindings.

use aws_sdk_cloudfront::operation::list_distributions::ListDistributionsError;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;

use super::Aws;

/// The alternate domain names (CNAMEs) of every distribution in the account, lower-case.
pub fn aliases(
    aws: &Aws,
) -> Result<Vec<String>, Box<SdkError<ListDistributionsError, HttpResponse>>> {
    let client = aws.cloudfront();
    let mut hosts = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let page = aws.block_on(client.list_distributions().set_marker(marker.take()).send())?;
        let Some(list) = page.distribution_list() else {
            break;
        };
        for distribution in list.items() {
            if let Some(aliases) = distribution.aliases() {
                hosts.extend(aliases.items().iter().map(|host| host.to_ascii_lowercase()));
            }
        }
        match list.next_marker().filter(|_| list.is_truncated()) {
            Some(next) if !next.is_empty() => marker = Some(next.to_owned()),
            _ => break,
        }
    }
    Ok(hosts)
}
