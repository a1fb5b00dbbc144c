//! `cfsign keygen`: a key pair CloudFront accepts, written to two files; or, with `--kms`, a
//! signing key created in AWS KMS, whose public key alone is written.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use cfsign::keys::{self, KeyType};
use clap::Args;

use super::EXIT_OK;

/// Arguments of `cfsign keygen`.
#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// Directory for private_key.pem and public_key.pem (created if missing); with --kms only
    /// public_key.pem.
    #[arg(long, value_name = "DIR")]
    out_dir: PathBuf,
    /// Create the key in AWS KMS instead (RSA_2048 or ECC_NIST_P256, key usage SIGN_VERIFY):
    /// the private key never leaves KMS; sign with --kms-key-id ARN.
    #[arg(long)]
    kms: bool,
    /// With --kms: the key's description in KMS.
    #[arg(
        long,
        value_name = "TEXT",
        requires = "kms",
        default_value = "cfsign CloudFront signing key"
    )]
    description: String,
    #[command(flatten)]
    aws: super::AwsArgs,
    /// Key type: rsa2048 (default) or ecdsa-p256.
    #[arg(long = "type", value_name = "TYPE", default_value = "rsa2048")]
    key_type: KeyType,
    /// Print what was written as JSON.
    #[arg(long)]
    json: bool,
}

/// Runs `cfsign keygen`.
pub fn run(args: &KeygenArgs) -> Result<u8> {
    let private_path = args.out_dir.join("private_key.pem");
    let public_path = args.out_dir.join("public_key.pem");
    for path in [&private_path, &public_path] {
        if path.exists() {
            bail!(
                "{} already exists; cfsign keygen never overwrites keys: choose another \
                 --out-dir or move the old files away first",
                path.display()
            );
        }
    }
    fs::create_dir_all(&args.out_dir)
        .with_context(|| format!("creating {}", args.out_dir.display()))?;
    if args.kms {
        return create_in_kms(args, &public_path);
    }

    let key = keys::generate(args.key_type)?;
    let public_pem = key.public_key()?.to_pem().to_owned();
    let private_pem = key.to_pkcs8_pem()?;
    write_new(&private_path, private_pem.as_bytes(), 0o600)?;
    if let Err(err) = write_new(&public_path, public_pem.as_bytes(), 0o644) {
        // Leave nothing half-written: a lone private key is of no use and must not linger.
        let _ = fs::remove_file(&private_path);
        return Err(err);
    }

    if args.json {
        let report = serde_json::json!({
            "type": args.key_type.name(),
            "algorithm": key.algorithm().to_string(),
            "private_key": private_path,
            "public_key": public_path,
        });
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!("{} key pair written:", key.algorithm());
        println!(
            "  private key  {} (mode 0600; keep it secret)",
            private_path.display()
        );
        println!(
            "  public key   {} (upload this to CloudFront)",
            public_path.display()
        );
    }
    Ok(EXIT_OK)
}

/// Creates the key in KMS and writes its public key; prints the key's ARN.
fn create_in_kms(args: &KeygenArgs, public_path: &Path) -> Result<u8> {
    let aws = cfsign::aws::Aws::new(args.aws.options(false), std::sync::Arc::new(|_| {}));
    let created =
        cfsign::aws::kms::create_signing_key(&aws, args.key_type, &args.description, None)
            .map_err(|e| anyhow::anyhow!("creating the key in KMS: {e}"))?
            .ok_or_else(|| anyhow::anyhow!("KMS CreateKey was only planned"))?;
    write_new(public_path, created.public_key().to_pem().as_bytes(), 0o644)?;
    if args.json {
        let report = serde_json::json!({
            "type": args.key_type.name(),
            "algorithm": created.public_key().algorithm().to_string(),
            "kms_key_arn": created.arn(),
            "public_key": public_path,
        });
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!(
            "{} signing key created in KMS:",
            created.public_key().algorithm()
        );
        println!("  key          {} (sign with --kms-key-id)", created.arn());
        println!(
            "  public key   {} (upload this to CloudFront)",
            public_path.display()
        );
    }
    Ok(EXIT_OK)
}

/// Creates `path` (failing if it exists) with `mode`, and writes `contents`.
fn write_new(path: &Path, contents: &[u8], mode: u32) -> Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    let mut file = options
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    file.write_all(contents)
        .and_then(|()| file.sync_all())
        .with_context(|| format!("writing {}", path.display()))
}
