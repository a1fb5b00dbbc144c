//! `cfsign bench`: signing throughput on the calling thread.
//!
//! The peers (botocore, `@aws-sdk/cloudfront-signer`, `openssl speed`) are measured by
//! `tests/bench/run`, which calls this command for cfsign's own figures.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Result;
use cfsign::keys::{self, KeyType};
use cfsign::sign::{Conditions, Signer};
use clap::Args;
use serde::Serialize;

use super::EXIT_OK;

/// Arguments of `cfsign bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Seconds to run each measurement.
    #[arg(long, default_value_t = 3.0)]
    seconds: f64,
    /// Print the figures as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Serialize)]
struct Figure {
    name: &'static str,
    per_second: f64,
}

/// Runs `cfsign bench`.
pub fn run(args: &BenchArgs) -> Result<u8> {
    let budget = Duration::from_secs_f64(args.seconds.max(0.1));
    let conditions = Conditions::expiring_at(4_102_444_800);
    let rsa = Signer::new(
        Arc::new(keys::generate(KeyType::Rsa2048)?),
        "K2JCJMDEHXQW5F",
    )?;
    let ecdsa = Signer::new(
        Arc::new(keys::generate(KeyType::EcdsaP256)?),
        "K2JCJMDEHXQW5F",
    )?;
    let scoped = rsa.scope(
        "https://d111111abcdef8.cloudfront.net/teams/acme/*",
        &conditions,
    )?;

    let figures = [
        Figure {
            name: "rsa2048-sha1 unique URLs",
            per_second: rate(budget, |i| {
                rsa.sign_url(&bench_url(i), None, &conditions)
                    .map(|u| u.len())
            })?,
        },
        Figure {
            name: "ecdsa-p256-sha256 unique URLs",
            per_second: rate(budget, |i| {
                ecdsa
                    .sign_url(&bench_url(i), None, &conditions)
                    .map(|u| u.len())
            })?,
        },
        Figure {
            name: "batch --scope URLs",
            per_second: rate(budget, |i| scoped.sign_url(&bench_url(i)).map(|u| u.len()))?,
        },
    ];
    if args.json {
        println!("{}", serde_json::to_string_pretty(&figures)?);
    } else {
        for figure in &figures {
            println!("{:<32} {:>12.0} /s", figure.name, figure.per_second);
        }
    }
    Ok(EXIT_OK)
}

fn bench_url(i: u64) -> String {
    format!("https://d111111abcdef8.cloudfront.net/teams/acme/photos/{i}.jpg")
}

/// Calls `op` with increasing counters until `budget` has passed; returns calls per second.
fn rate<E>(budget: Duration, mut op: impl FnMut(u64) -> Result<usize, E>) -> Result<f64>
where
    E: std::error::Error + Send + Sync + 'static,
{
    let start = Instant::now();
    let mut count = 0u64;
    let mut sink = 0usize;
    while start.elapsed() < budget {
        // Check the clock every 64 calls so timing stays out of the measured loop.
        for _ in 0..64 {
            sink = sink.wrapping_add(op(count)?);
            count += 1;
        }
    }
    std::hint::black_box(sink);
    Ok(count as f64 / start.elapsed().as_secs_f64())
}
