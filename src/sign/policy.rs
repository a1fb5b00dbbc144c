//! CloudFront policy documents: building the exact bytes that are signed, and reading them back.
//!
//! The JSON is produced by a serializer, never by string formatting, so a resource or an IP
//! range cannot inject statements. Key order and the absence of whitespace follow CloudFront's
//! documentation and the other AWS SDKs: `DateLessThan`, `DateGreaterThan`, `IpAddress`.

use serde::{Deserialize, Serialize};

/// One signed-URL policy statement: which resource, until when, from when, from where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// The URL or wildcard pattern the policy grants access to.
    pub resource: String,
    /// Expiry (`DateLessThan`), epoch seconds: requests at or after this instant are refused.
    pub expires: u64,
    /// Start (`DateGreaterThan`), epoch seconds: requests before this instant are refused.
    pub starts: Option<u64>,
    /// Source IPv4 range (`IpAddress`), CIDR notation.
    pub source_ip: Option<String>,
}

/// Why a policy document could not be read.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    /// Not JSON of the expected shape.
    #[error("the policy is not a CloudFront policy document: {0}")]
    Shape(#[from] serde_json::Error),
    /// CloudFront policies for signed URLs hold exactly one statement.
    #[error("the policy has {0} statements; CloudFront signed-URL policies hold exactly one")]
    StatementCount(usize),
}

impl Policy {
    /// The compact JSON CloudFront verifies the signature against.
    pub fn to_json(&self) -> String {
        let document = Document {
            statement: vec![Statement {
                resource: self.resource.clone(),
                condition: Condition {
                    date_less_than: EpochTime {
                        epoch_time: self.expires,
                    },
                    date_greater_than: self.starts.map(|epoch_time| EpochTime { epoch_time }),
                    ip_address: self
                        .source_ip
                        .clone()
                        .map(|source_ip| SourceIp { source_ip }),
                },
            }],
        };
        serde_json::to_string(&document).expect("policy documents always serialize")
    }

    /// Reads a policy document (as decoded from a `Policy` parameter or cookie).
    pub fn from_json(json: &[u8]) -> Result<Self, PolicyError> {
        let document: Document = serde_json::from_slice(json)?;
        let count = document.statement.len();
        let statement = document
            .statement
            .into_iter()
            .next()
            .filter(|_| count == 1)
            .ok_or(PolicyError::StatementCount(count))?;
        Ok(Policy {
            resource: statement.resource,
            expires: statement.condition.date_less_than.epoch_time,
            starts: statement.condition.date_greater_than.map(|t| t.epoch_time),
            source_ip: statement.condition.ip_address.map(|ip| ip.source_ip),
        })
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Document {
    #[serde(rename = "Statement")]
    statement: Vec<Statement>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Statement {
    #[serde(rename = "Resource")]
    resource: String,
    #[serde(rename = "Condition")]
    condition: Condition,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Condition {
    #[serde(rename = "DateLessThan")]
    date_less_than: EpochTime,
    #[serde(
        rename = "DateGreaterThan",
        skip_serializing_if = "Option::is_none",
        default
    )]
    date_greater_than: Option<EpochTime>,
    #[serde(rename = "IpAddress", skip_serializing_if = "Option::is_none", default)]
    ip_address: Option<SourceIp>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct EpochTime {
    #[serde(rename = "AWS:EpochTime")]
    epoch_time: u64,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SourceIp {
    #[serde(rename = "AWS:SourceIp")]
    source_ip: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full() -> Policy {
        Policy {
            resource: "https://d1.cloudfront.net/*".into(),
            expires: 20,
            starts: Some(10),
            source_ip: Some("10.0.0.0/8".into()),
        }
    }

    #[test]
    fn conditions_come_in_cloudfront_order_without_whitespace() {
        assert_eq!(
            full().to_json(),
            r#"{"Statement":[{"Resource":"https://d1.cloudfront.net/*","Condition":{"DateLessThan":{"AWS:EpochTime":20},"DateGreaterThan":{"AWS:EpochTime":10},"IpAddress":{"AWS:SourceIp":"10.0.0.0/8"}}}]}"#
        );
    }

    #[test]
    fn reads_back_what_it_writes() {
        assert_eq!(
            Policy::from_json(full().to_json().as_bytes()).unwrap(),
            full()
        );
    }

    #[test]
    fn rejects_documents_that_are_not_one_statement() {
        let two = r#"{"Statement":[]}"#;
        assert!(matches!(
            Policy::from_json(two.as_bytes()),
            Err(PolicyError::StatementCount(0))
        ));
        assert!(Policy::from_json(b"{\"Statement\":[{\"Resource\":1}]}").is_err());
    }
}
