//! `cfsign cookies`: the signed cookie set for a resource or pattern.

use anyhow::{Context, Result};
use clap::Args;

use super::{SigningArgs, EXIT_OK};

/// Arguments of `cfsign cookies`.
#[derive(Debug, Args)]
pub struct CookiesArgs {
    /// The URL or pattern the cookies grant, e.g. https://cdn.example.com/gallery/*.
    resource: String,
    #[command(flatten)]
    signing: SigningArgs,
    /// The cookies' Domain attribute (your CloudFront or custom domain).
    #[arg(long)]
    domain: Option<String>,
    /// The cookies' Path attribute.
    #[arg(long, default_value = "/")]
    path: String,
    /// Print a JSON object of cookie names and values instead of Set-Cookie lines.
    #[arg(long)]
    json: bool,
}

/// Runs `cfsign cookies`.
pub fn run(args: &CookiesArgs) -> Result<u8> {
    let (signer, conditions) = args.signing.signer_and_conditions()?;
    let cookies = signer
        .signed_cookies(&args.resource, &conditions)
        .context("signing the cookie policy")?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&cookies)?);
        return Ok(EXIT_OK);
    }
    let domain = args
        .domain
        .as_deref()
        .map(|d| format!("; Domain={d}"))
        .unwrap_or_default();
    for (name, value) in cookies.pairs() {
        println!(
            "Set-Cookie: {name}={value}{domain}; Path={}; Secure; HttpOnly; SameSite=Lax",
            args.path
        );
    }
    Ok(EXIT_OK)
}
