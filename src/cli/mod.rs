//! The `cfsign` command line: argument parsing (clap) kept apart from running commands.
//!
//! Exit codes: 0 success; 1 `verify` found that CloudFront would refuse the URL (or `doctor`
//! that it was refused); 2 an error
//! (bad input, unreadable key, ...), reported on stderr; 3 `verify` cannot tell (the client's
//! address or the key's id is needed to decide).

mod bench;
mod cookies;
mod doc;
mod doctor;
mod key_file;
mod keygen;
mod progress;
mod run;
mod secret_key;
mod sign;
mod time;
mod verify;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Exit code for a successful run.
pub const EXIT_OK: u8 = 0;
/// Exit code when `verify` finds CloudFront would refuse the URL.
pub const EXIT_REJECTED: u8 = 1;
/// Exit code for any error.
pub const EXIT_ERROR: u8 = 2;
/// Exit code when `verify` cannot decide from what it was given.
pub const EXIT_UNDECIDED: u8 = 3;

/// CloudFront signed URLs as a self-service capability.
#[derive(Debug, Parser)]
#[command(name = "cfsign", version, about, long_about = None, after_help = "\
Examples:
  cfsign keygen --out-dir keys/
  cfsign sign https://cdn.example.com/a.jpg --key-pair-id K2JCJMDEHXQW5F \\
      --private-key keys/private_key.pem --expires-in 15m
  cfsign verify \"$SIGNED_URL\" --public-key keys/public_key.pem --key-pair-id K2JCJMDEHXQW5F

Exit codes: 0 success, 1 `verify` says CloudFront would refuse the URL (or `doctor`
found it refused), 2 error,
3 `verify` cannot tell (give --key-pair-id, and --ip for an IP-restricted URL).")]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Sign a URL (or, with --batch, every URL on stdin).
    #[command(after_help = "\
Examples:
  # canned policy, valid for 15 minutes
  cfsign sign https://cdn.example.com/reports/q3.pdf --key-pair-id K2JCJMDEHXQW5F \\
      --private-key private_key.pem --expires-in 15m
  # custom policy: not before 9:00 UTC, one office network
  cfsign sign https://cdn.example.com/a.mp4 --key-pair-id K2JCJMDEHXQW5F \\
      --private-key private_key.pem --starts-at 2026-12-01T09:00:00Z \\
      --expires-at 2026-12-01T17:00:00Z --ip 203.0.113.0/24
  # a gallery: one signature for everything under a prefix
  cfsign sign --batch --scope 'https://cdn.example.com/teams/acme/*' \\
      --key-pair-id K2JCJMDEHXQW5F --private-key private_key.pem --expires-in 1h < urls.txt
  # an upload URL: PUT one JPEG within 5 minutes (a URL signed without --upload cannot write)
  cfsign sign https://cdn.example.com/uploads/u42/photo.jpg --upload --content-type image/jpeg \\
      --key-pair-id K2JCJMDEHXQW5F --private-key private_key.pem --expires-in 5m

The URL is normalised before signing (path segments percent-encoded, see docs/signing.md);
the printed URL is the one to hand out.")]
    Sign(sign::SignArgs),
    /// Produce signed cookies for a resource or resource pattern.
    #[command(after_help = "\
Examples:
  cfsign cookies 'https://cdn.example.com/gallery/*' --key-pair-id K2JCJMDEHXQW5F \\
      --private-key private_key.pem --expires-in 2h --domain cdn.example.com
  cfsign cookies 'https://cdn.example.com/*' --key-pair-id K2JCJMDEHXQW5F \\
      --private-key private_key.pem --expires-in 2h --json")]
    Cookies(cookies::CookiesArgs),
    /// Explain whether CloudFront would accept a signed URL (or signed cookies), and why.
    #[command(after_help = "\
Examples:
  cfsign verify \"$URL\" --public-key public_key.pem --key-pair-id K2JCJMDEHXQW5F
  cfsign verify \"$URL\" --public-key public_key.pem --key-pair-id K2JCJMDEHXQW5F \\
      --at 2026-12-01T12:00:00Z --ip 203.0.113.7
  cfsign verify \"$URL\" --public-key public_key.pem --key-pair-id K2JCJMDEHXQW5F --json | jq .decision
  # signed cookies, as `cfsign cookies` printed them, for one URL they are sent with
  cfsign cookies 'https://cdn.example.com/gallery/*' ... > cookies.txt
  cfsign verify https://cdn.example.com/gallery/a.jpg --cookies cookies.txt \\
      --public-key public_key.pem --key-pair-id K2JCJMDEHXQW5F

Exits 0 when CloudFront would accept the URL, 1 when it would refuse it (a 403), 2 on error,
3 when it cannot tell: nothing failed, but the key's id (--key-pair-id) or, for an
IP-restricted URL, the client's address (--ip) is needed to decide.")]
    Verify(verify::VerifyArgs),
    /// Find out live why a signed URL (or signed cookies) gets a 403, and what fixes it.
    #[command(after_help = "\
Examples:
  cfsign doctor \"$SIGNED_URL\"
  cfsign doctor \"$SIGNED_URL\" --profile platform --json | jq .cause
  cfsign doctor https://files.payments.example.com/a.jpg --cookies cookies.txt

Finds the distribution serving the URL's host, the cache behavior for its path and the key
groups it trusts; checks the URL's Key-Pair-Id against them and its signature against the
public key CloudFront holds; then sends the request (GET, or --method head) and names the
cause of the answer: signature, policy, expired, untrusted-key, origin-denied, missing-object,
waf, clock-skew. Needs cloudfront:ListDistributions, GetDistribution, GetKeyGroup,
GetPublicKey and s3:GetObject on the bucket (HeadObject) in the distribution's account.
Exits 0 when the request was served, 1 when it was refused, 2 on error.")]
    Doctor(doctor::DoctorArgs),
    /// Generate a key pair CloudFront accepts (RSA-2048 by default).
    #[command(after_help = "\
Examples:
  cfsign keygen --out-dir keys/
  cfsign keygen --out-dir keys/ --type ecdsa-p256
  cfsign keygen --kms --out-dir keys/     # the private key is created in, and never leaves, KMS

Writes private_key.pem (PKCS#8, mode 0600) and public_key.pem (the SPKI form to upload to
CloudFront). Refuses to overwrite existing files.")]
    Keygen(keygen::KeygenArgs),
    /// Run a recipe.
    #[command(
        disable_help_flag = true,
        after_help = "\
Examples:
  cfsign run recipes/provision.rhai --help    # what the recipe takes
  cfsign run recipes/provision.rhai --var team=payments
  cfsign run recipes/provision.rhai --vars-file teams.json --output json
  cfsign run recipes/provision.rhai --var team=payments --dry-run
  tests/emulator/serve &   # then, against the local emulator:
  cfsign run RECIPE.rhai --endpoint-url http://127.0.0.1:PORT --region us-east-1

Recipes import modules from their own folder and from stdlib/ (--stdlib). A recipe declares
its inputs in `// @input NAME: MEANING` comment lines: RECIPE --help lists them, and a --var
it does not declare is refused (a --vars-file may hold inputs of several recipes). The reference of every host function is
docs/reference.md (`cfsign doc`)."
    )]
    Run(run::RunArgs),
    /// Print the reference of every host function and type available to recipes.
    #[command(after_help = "\
Examples:
  cfsign doc > docs/reference.md")]
    Doc(doc::DocArgs),
    /// Measure signing throughput on this machine.
    #[command(after_help = "\
Examples:
  cfsign bench
  cfsign bench --seconds 5 --json

Runs on the calling thread only (pin it with `taskset -c 0` for one-core figures).
tests/bench/run measures the peers (botocore, @aws-sdk/cloudfront-signer, openssl speed)
side by side; see docs/benchmarks.md.")]
    Bench(bench::BenchArgs),
}

/// Where AWS is, for the commands that call it.
#[derive(Debug, Args)]
struct AwsArgs {
    /// AWS profile (default: the standard credential chain).
    #[arg(long)]
    profile: Option<String>,
    /// AWS region (default: the standard chain).
    #[arg(long)]
    region: Option<String>,
    /// Send every AWS call to this endpoint, e.g. the local emulator (tests/emulator/serve).
    #[arg(long, value_name = "URL", env = "AWS_ENDPOINT_URL")]
    endpoint_url: Option<String>,
}

impl AwsArgs {
    fn options(&self, dry_run: bool) -> cfsign::aws::AwsOptions {
        cfsign::aws::AwsOptions {
            profile: self.profile.clone(),
            region: self.region.clone(),
            endpoint_url: self.endpoint_url.clone(),
            dry_run,
        }
    }
}

/// Options every signing command shares: which key, and when and where the signature holds.
#[derive(Debug, Args)]
struct SigningArgs {
    /// CloudFront public key id (the key pair id), e.g. K2JCJMDEHXQW5F; with --secret it comes
    /// from the secret.
    #[arg(long, env = "CFSIGN_KEY_PAIR_ID")]
    key_pair_id: Option<String>,
    /// PEM private key: PKCS#8, PKCS#1 or SEC1, or encrypted PKCS#8 with --passphrase-env.
    #[arg(long, env = "CFSIGN_PRIVATE_KEY", value_name = "FILE")]
    private_key: Option<PathBuf>,
    /// Read the key and its key pair id from the team's signing-key secret in Secrets Manager
    /// (an ARN or a name, e.g. cfsign/payments/signing-key) instead of a file: no key on disk.
    #[arg(long, value_name = "ARN|NAME", env = "CFSIGN_SECRET")]
    secret: Option<String>,
    /// With --secret: the version stage to read.
    #[arg(
        long,
        value_name = "STAGE",
        default_value = "AWSCURRENT",
        requires = "secret"
    )]
    secret_stage: String,
    /// Sign with an asymmetric AWS KMS key (RSA_2048 or ECC_NIST_P256; id, ARN or alias), which
    /// never leaves KMS: one kms:Sign call per signature, SHA-256 (needs --key-pair-id).
    #[arg(long, value_name = "ARN", env = "CFSIGN_KMS_KEY_ID")]
    kms_key_id: Option<String>,
    #[command(flatten)]
    aws: AwsArgs,
    /// Name of the environment variable holding the private key's passphrase.
    #[arg(long, value_name = "VAR")]
    passphrase_env: Option<String>,
    /// Expiry: epoch seconds, RFC 3339 (2026-12-01T12:00:00Z) or a date.
    #[arg(long, value_name = "TIME", conflicts_with = "expires_in")]
    expires_at: Option<String>,
    /// Expiry relative to now: 90s, 15m, 2h, 7d.
    #[arg(long, value_name = "DURATION")]
    expires_in: Option<String>,
    /// Not valid before this time (makes the policy custom).
    #[arg(long, value_name = "TIME")]
    starts_at: Option<String>,
    /// Only clients in this IPv4 address or CIDR range (makes the policy custom).
    #[arg(long, value_name = "CIDR")]
    ip: Option<String>,
    /// Hash for the signature; default sha1 for RSA keys, sha256 for ECDSA keys.
    #[arg(long, value_enum)]
    hash: Option<HashArg>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum HashArg {
    Sha1,
    Sha256,
}

impl From<HashArg> for cfsign::sign::HashAlgorithm {
    fn from(hash: HashArg) -> Self {
        match hash {
            HashArg::Sha1 => cfsign::sign::HashAlgorithm::Sha1,
            HashArg::Sha256 => cfsign::sign::HashAlgorithm::Sha256,
        }
    }
}

impl SigningArgs {
    /// Loads the key and builds the signer and conditions these options describe.
    fn signer_and_conditions(
        &self,
    ) -> anyhow::Result<(cfsign::sign::Signer, cfsign::sign::Conditions)> {
        use anyhow::Context;

        let (key, key_pair_id) = self.key()?;
        let mut signer = cfsign::sign::Signer::with_signer(key, &key_pair_id)
            .context("checking --key-pair-id")?;
        if let Some(hash) = self.hash {
            signer = signer.with_hash(hash.into());
        }
        let expires = time::expiry(self.expires_at.as_deref(), self.expires_in.as_deref())?;
        let starts = self
            .starts_at
            .as_deref()
            .map(time::parse_instant)
            .transpose()
            .context("reading --starts-at")?;
        if expires <= time::now() {
            eprintln!("warning: the expiry is in the past: CloudFront will refuse these URLs");
        }
        let conditions = cfsign::sign::Conditions {
            expires,
            starts,
            source_ip: self.ip.clone(),
        };
        Ok((signer, conditions))
    }

    /// What signs, and its key pair id: a key file, the team's secret, or a KMS key.
    fn key(&self) -> anyhow::Result<(std::sync::Arc<dyn cfsign::sign::PolicySigner>, String)> {
        use std::sync::Arc;

        use anyhow::bail;

        let required_id = |flag: &str| {
            self.key_pair_id.clone().ok_or_else(|| {
                anyhow::anyhow!("--key-pair-id is required with {flag} (or set CFSIGN_KEY_PAIR_ID)")
            })
        };
        match (&self.private_key, &self.secret, &self.kms_key_id) {
            (Some(file), None, None) => {
                let id = required_id("--private-key")?;
                let key = key_file::load_private_key(file, self.passphrase_env.as_deref())?;
                Ok((Arc::new(key), id))
            }
            (None, Some(secret), None) => secret_key::read(
                secret,
                &self.secret_stage,
                self.key_pair_id.as_deref(),
                &self.aws,
            ),
            (None, None, Some(key_id)) => {
                let id = required_id("--kms-key-id")?;
                let aws = cfsign::aws::Aws::new(self.aws.options(false), Arc::new(|_| {}));
                let key = cfsign::aws::kms::KmsKey::open(&aws, key_id)
                    .map_err(|e| anyhow::anyhow!("opening the KMS key {key_id}: {e}"))?;
                Ok((Arc::new(key), id))
            }
            (None, None, None) => bail!(
                "no key: give --private-key FILE (with --key-pair-id), --secret ARN|NAME (the \
                 team's signing-key secret) or --kms-key-id ARN (with --key-pair-id)"
            ),
            _ => bail!(
                "give one of --private-key, --secret and --kms-key-id (check CFSIGN_PRIVATE_KEY, \
                 CFSIGN_SECRET and CFSIGN_KMS_KEY_ID)"
            ),
        }
    }
}

/// Parses the command line, runs the command and returns the process exit code.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Sign(args) => sign::run(&args),
        Command::Cookies(args) => cookies::run(&args),
        Command::Verify(args) => verify::run(&args),
        Command::Doctor(args) => doctor::run(&args),
        Command::Keygen(args) => keygen::run(&args),
        Command::Bench(args) => bench::run(&args),
        Command::Run(args) => run::run(&args),
        Command::Doc(args) => doc::run(&args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            report(&err);
            ExitCode::from(EXIT_ERROR)
        }
    }
}

/// Prints an error and its causes, most general first, without a backtrace.
fn report(err: &anyhow::Error) {
    eprintln!("error: {err}");
    for cause in err.chain().skip(1) {
        eprintln!("  caused by: {cause}");
    }
}
