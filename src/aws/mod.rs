//! AWS for recipes: one configuration (aws-config's standard chain, or one endpoint such as the
//! local emulator), one Tokio runtime that host functions block on, and the dry-run plan.
//!
//! Nothing connects until a recipe first calls AWS, so recipes that only sign need no
//! credentials.

pub mod cloudformation;
pub mod cloudfront;
pub mod dynamodb;
mod error;
mod host_error;
pub mod iam;
pub mod kms;
pub mod plan;
pub mod s3;
pub mod secrets;
pub mod servicecatalog;
pub mod sts;
pub mod wait;

use std::future::Future;
use std::sync::{Arc, Mutex, OnceLock};

use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};

pub use cloudfront::aliases as cloudfront_aliases;
pub use error::sdk_error;
pub use host_error::HostError;
pub use plan::{Plan, PlannedCall};

/// Where progress lines go (and, in the scripting layer, a recipe's `print`).
pub type PrintSink = std::sync::Arc<dyn Fn(&str) + Send + Sync>;

/// How to reach AWS.
#[derive(Debug, Clone, Default)]
pub struct AwsOptions {
    /// A named profile (`--profile`); otherwise the standard chain.
    pub profile: Option<String>,
    /// A region (`--region`); otherwise the standard chain.
    pub region: Option<String>,
    /// One endpoint for every service (`--endpoint-url`), e.g. the local emulator.
    pub endpoint_url: Option<String>,
    /// Record mutating calls instead of sending them.
    pub dry_run: bool,
}

/// Shared AWS access for one recipe run. Cheap to clone.
#[derive(Clone)]
pub struct Aws {
    inner: Arc<Inner>,
}

struct Inner {
    options: AwsOptions,
    runtime: OnceLock<tokio::runtime::Runtime>,
    config: OnceLock<SdkConfig>,
    plan: Mutex<Plan>,
    progress: PrintSink,
}

impl std::fmt::Debug for Aws {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Aws")
            .field("options", &self.inner.options)
            .finish()
    }
}

impl Aws {
    /// AWS access with `options`; `progress` receives lines about long waits.
    pub fn new(options: AwsOptions, progress: PrintSink) -> Self {
        Aws {
            inner: Arc::new(Inner {
                options,
                runtime: OnceLock::new(),
                config: OnceLock::new(),
                plan: Mutex::new(Plan::default()),
                progress,
            }),
        }
    }

    /// Whether mutating calls are recorded instead of sent.
    pub fn dry_run(&self) -> bool {
        self.inner.options.dry_run
    }

    /// Records a mutating call for the plan (dry run).
    pub fn record(&self, call: PlannedCall) {
        if let Ok(mut plan) = self.inner.plan.lock() {
            plan.push(call);
        }
    }

    /// The operation `name` of `service`, named once: [`Operation::planned`] records its
    /// request in a dry run, [`Operation::send`] sends it and names it in its errors.
    pub fn operation<'a>(&'a self, service: &'a str, name: &'a str) -> Operation<'a> {
        Operation {
            aws: self,
            service,
            name,
        }
    }

    /// The mutating calls recorded so far, in order.
    pub fn plan(&self) -> Plan {
        self.inner
            .plan
            .lock()
            .map(|plan| plan.clone())
            .unwrap_or_default()
    }

    /// Reports progress on a long wait.
    pub fn progress(&self, line: &str) {
        (self.inner.progress)(line);
    }

    /// Runs a future to completion on the shared runtime (callable from any recipe thread).
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.runtime().block_on(future)
    }

    fn runtime(&self) -> &tokio::runtime::Runtime {
        self.inner.runtime.get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("a Tokio runtime can be built")
        })
    }

    /// The loaded configuration (region, credentials provider, endpoint, retries).
    pub fn config(&self) -> &SdkConfig {
        self.inner.config.get_or_init(|| {
            let options = &self.inner.options;
            let mut loader = aws_config::defaults(BehaviorVersion::latest())
                .retry_config(RetryConfig::adaptive().with_max_attempts(5));
            if let Some(profile) = &options.profile {
                loader = loader.profile_name(profile);
            }
            if let Some(region) = &options.region {
                loader = loader.region(Region::new(region.clone()));
            }
            if let Some(endpoint) = &options.endpoint_url {
                loader = loader.endpoint_url(endpoint);
            }
            self.block_on(loader.load())
        })
    }

    /// Whether every client talks to one endpoint (the emulator), which needs path-style S3.
    pub fn has_endpoint_override(&self) -> bool {
        self.inner.options.endpoint_url.is_some()
    }

    /// An STS client.
    pub fn sts(&self) -> aws_sdk_sts::Client {
        aws_sdk_sts::Client::new(self.config())
    }

    /// An S3 client (path-style addressing when an endpoint is set).
    pub fn s3(&self) -> aws_sdk_s3::Client {
        let config = aws_sdk_s3::config::Builder::from(self.config())
            .force_path_style(self.has_endpoint_override())
            .build();
        aws_sdk_s3::Client::from_conf(config)
    }

    /// A Secrets Manager client.
    pub fn secrets_manager(&self) -> aws_sdk_secretsmanager::Client {
        aws_sdk_secretsmanager::Client::new(self.config())
    }

    /// A CloudFront client.
    pub fn cloudfront(&self) -> aws_sdk_cloudfront::Client {
        aws_sdk_cloudfront::Client::new(self.config())
    }

    /// A CloudFormation client.
    pub fn cloudformation(&self) -> aws_sdk_cloudformation::Client {
        aws_sdk_cloudformation::Client::new(self.config())
    }

    /// A Service Catalog client.
    pub fn service_catalog(&self) -> aws_sdk_servicecatalog::Client {
        aws_sdk_servicecatalog::Client::new(self.config())
    }

    /// A DynamoDB client.
    pub fn dynamodb(&self) -> aws_sdk_dynamodb::Client {
        aws_sdk_dynamodb::Client::new(self.config())
    }

    /// An IAM client.
    pub fn iam(&self) -> aws_sdk_iam::Client {
        aws_sdk_iam::Client::new(self.config())
    }

    /// A KMS client.
    pub fn kms(&self) -> aws_sdk_kms::Client {
        aws_sdk_kms::Client::new(self.config())
    }
}

/// An SDK timestamp as RFC 3339 text (empty when absent), as views and recipes show times.
pub fn timestamp(time: Option<&aws_smithy_types::DateTime>) -> String {
    time.and_then(|t| t.fmt(aws_smithy_types::date_time::Format::DateTime).ok())
        .unwrap_or_default()
}

/// One AWS operation of a host function (see [`Aws::operation`]): what a dry run records it as,
/// and what a failure of its call says.
#[derive(Debug, Clone, Copy)]
pub struct Operation<'a> {
    aws: &'a Aws,
    service: &'a str,
    name: &'a str,
}

impl Operation<'_> {
    /// In a dry run, records the request (`as_input()` of the SDK's fluent builder, see
    /// [`PlannedCall::from_request`]) and returns true: the caller must then not send it.
    pub fn planned(&self, input: &impl std::fmt::Debug) -> bool {
        self.planned_hiding(input, &[])
    }

    /// [`Operation::planned`] for a request that sets the sensitive members `hidden` (e.g.
    /// `secret_string`): the plan shows them as `<redacted>`.
    pub fn planned_hiding(&self, input: &impl std::fmt::Debug, hidden: &[&str]) -> bool {
        let dry_run = self.aws.dry_run();
        if dry_run {
            self.aws.record(PlannedCall::from_request(
                self.service,
                self.name,
                input,
                hidden,
            ));
        }
        dry_run
    }

    /// Sends the request (the SDK's `send()` future) and waits for its answer; a failure is
    /// the service's error, naming this operation.
    pub fn send<T, E, R>(
        &self,
        request: impl Future<Output = Result<T, aws_smithy_runtime_api::client::result::SdkError<E, R>>>,
    ) -> Result<T, HostError>
    where
        E: aws_smithy_types::error::metadata::ProvideErrorMetadata + std::error::Error + 'static,
        R: std::fmt::Debug,
    {
        self.aws
            .block_on(request)
            .map_err(|e| sdk_error(self.service, self.name, e))
    }
}
