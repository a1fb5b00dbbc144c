//! `cfsign verify`: what CloudFront would decide about a signed URL, or a URL with signed
//! cookies, and why.

use std::net::Ipv4Addr;
use std::path::PathBuf;

use anyhow::{Context, Result};
use cfsign::sign::{verify_cookies, verify_url, Decision, Outcome, Verdict, VerifyOptions};
use clap::Args;

use super::{key_file, time, EXIT_OK, EXIT_REJECTED, EXIT_UNDECIDED};

/// Arguments of `cfsign verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The signed URL, exactly as the client requests it (with --cookies: the URL the cookies
    /// are sent with).
    signed_url: String,
    /// Judge the signed cookies in FILE (`-`: stdin) for the URL instead of a signed URL: the
    /// `Set-Cookie:` lines `cfsign cookies` prints, a `Cookie:` header, or its `--json` output.
    #[arg(long, value_name = "FILE")]
    cookies: Option<PathBuf>,
    /// The public key (SPKI PEM) that should be in the distribution's key group.
    #[arg(long, value_name = "FILE")]
    public_key: PathBuf,
    /// The id CloudFront has for that public key (e.g. K2JCJMDEHXQW5F); without it the verdict
    /// cannot tell whether the URL's Key-Pair-Id names this key.
    #[arg(long, value_name = "ID", env = "CFSIGN_KEY_PAIR_ID")]
    key_pair_id: Option<String>,
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

/// Runs `cfsign verify`; exits 1 when CloudFront would refuse the URL, 3 when what was given
/// cannot tell.
pub fn run(args: &VerifyArgs) -> Result<u8> {
    let key = key_file::load_public_key(&args.public_key)?;
    let at = match &args.at {
        Some(text) => time::parse_instant(text).context("reading --at")?,
        None => time::now(),
    };
    let options = VerifyOptions {
        at,
        client_ip: args.ip,
        key_pair_id: args.key_pair_id.clone(),
    };
    let verdict = match &args.cookies {
        Some(file) => {
            let cookies = read_cookies(file)?;
            let pairs: Vec<(&str, &str)> = cookies
                .iter()
                .map(|(name, value)| (name.as_str(), value.as_str()))
                .collect();
            verify_cookies(&args.signed_url, &pairs, &key, &options)
        }
        None => verify_url(&args.signed_url, &key, &options),
    };
    print_verdict(&verdict, args.json)?;
    Ok(match verdict.decision {
        Decision::Accepted => EXIT_OK,
        Decision::Rejected => EXIT_REJECTED,
        Decision::Undecided => EXIT_UNDECIDED,
    })
}

fn print_verdict(verdict: &Verdict, json: bool) -> Result<()> {
    if json {
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
        match (verdict.first_failure(), verdict.first_unknown()) {
            (Some(check), _) => println!(
                "verdict     REJECTED (403): {} — {}",
                check.name, check.detail
            ),
            (None, Some(check)) => println!(
                "verdict     UNDECIDED: nothing failed, but {} cannot be checked — {}",
                check.name, check.detail
            ),
            (None, None) => println!("verdict     ACCEPTED: CloudFront would serve this URL"),
        }
    }
    Ok(())
}

/// Reads the cookies in `file` (`-`: stdin).
pub(super) fn read_cookies(file: &std::path::Path) -> Result<Vec<(String, String)>> {
    let text = if file.as_os_str() == "-" {
        std::io::read_to_string(std::io::stdin()).context("reading the cookies from stdin")?
    } else {
        std::fs::read_to_string(file)
            .with_context(|| format!("cannot read the cookies file {}", file.display()))?
    };
    let cookies = cfsign::sign::cookies_from_text(&text);
    if cookies.is_empty() {
        anyhow::bail!(
            "{} holds no cookies: give the `Set-Cookie:` lines `cfsign cookies` printed, a \
             `Cookie:` header, or the JSON `cfsign cookies --json` printed",
            file.display()
        );
    }
    Ok(cookies)
}
