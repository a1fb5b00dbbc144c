//! `cfsign verify`: what CloudFront would decide about a signed URL, and why.

use std::net::Ipv4Addr;
use std::path::PathBuf;

use anyhow::{Context, Result};
use cfsign::sign::{verify_url, Outcome, VerifyOptions};
use clap::Args;

use super::{key_file, time, EXIT_OK, EXIT_REJECTED};

/// Arguments of `cfsign verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The signed URL, exactly as the client requests it.
    signed_url: String,
    /// The public key (SPKI PEM) that should be in the distribution's key group.
    #[arg(long, value_name = "FILE")]
    public_key: PathBuf,
    /// Judge the URL at this time instead of now (epoch seconds, RFC 3339 or a date).
    #[arg(long, value_name = "TIME")]
    at: Option<String>,
    /// The client's IPv4 address, to check an IP-restricted policy.
    #[arg(long, value_name = "ADDR")]
    ip: Option<Ipv4Addr>,
    /// Print the verdict as JSON.
    #[arg(long)]
    json: bool,
}

/// Runs `cfsign verify`; exits 1 when CloudFront would refuse the URL.
pub fn run(args: &VerifyArgs) -> Result<u8> {
    let key = key_file::load_public_key(&args.public_key)?;
    let at = match &args.at {
        Some(text) => time::parse_instant(text).context("reading --at")?,
        None => time::now(),
    };
    let verdict = verify_url(
        &args.signed_url,
        &key,
        &VerifyOptions {
            at,
            client_ip: args.ip,
        },
    );
    if args.json {
        println!("{}", serde_json::to_string_pretty(&verdict)?);
    } else {
        if let Some(policy) = &verdict.policy {
            println!(
                "policy      {} {policy}",
                verdict.policy_kind.unwrap_or_default()
            );
        }
        println!("resource    {}", verdict.resource_url);
        for check in &verdict.checks {
            let mark = match check.outcome {
                Outcome::Pass => "ok  ",
                Outcome::Fail => "FAIL",
                Outcome::Unknown => "?   ",
            };
            println!("{:<11} {mark} {}", check.name, check.detail);
        }
        match verdict.first_failure() {
            None => println!("verdict     ACCEPTED: CloudFront would serve this URL"),
            Some(check) => println!(
                "verdict     REJECTED (403): {} — {}",
                check.name, check.detail
            ),
        }
    }
    Ok(if verdict.accepted {
        EXIT_OK
    } else {
        EXIT_REJECTED
    })
}
