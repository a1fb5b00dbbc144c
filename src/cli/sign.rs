//! `cfsign sign`: one URL, or a batch from stdin (optionally under one scope signature).

use std::io::{BufRead, Write};

use anyhow::{bail, Context, Result};
use cfsign::sign::{Conditions, ScopedSigner, Signer};
use clap::Args;

use super::{SigningArgs, EXIT_OK};

/// Arguments of `cfsign sign`.
#[derive(Debug, Args)]
pub struct SignArgs {
    /// The URL to sign (omit with --batch).
    #[arg(required_unless_present = "batch", conflicts_with = "batch")]
    url: Option<String>,
    #[command(flatten)]
    signing: SigningArgs,
    /// Sign for a resource pattern (e.g. https://cdn.example.com/videos/*); the URL must match
    /// it. Makes the policy custom.
    #[arg(long, value_name = "PATTERN", conflicts_with = "scope")]
    resource: Option<String>,
    /// Sign an upload URL (for a PUT or POST under /uploads/): adds cfsign-upload=1 to the URL
    /// and signs it with a canned policy, the only kind cfsign's distribution lets write. A
    /// URL signed without it can download but not upload.
    #[arg(long, conflicts_with_all = ["resource", "scope", "starts_at", "ip"])]
    upload: bool,
    /// With --upload: the one content type the URL may write (e.g. image/png); the edge
    /// refuses an upload with another Content-Type (415).
    #[arg(long, value_name = "TYPE", requires = "upload")]
    content_type: Option<String>,
    /// Read URLs from stdin, one per line; write signed URLs in the same order.
    #[arg(long)]
    batch: bool,
    /// With --batch: sign one custom policy for PATTERN and reuse it for every URL (each must
    /// match the pattern).
    #[arg(long, value_name = "PATTERN", requires = "batch")]
    scope: Option<String>,
    /// With --batch: signing threads (default: all cores; 8 with --kms-key-id).
    #[arg(long, value_name = "N", requires = "batch")]
    jobs: Option<usize>,
}

/// Runs `cfsign sign`.
pub fn run(args: &SignArgs) -> Result<u8> {
    let (signer, conditions) = args.signing.signer_and_conditions()?;
    let output = if args.batch {
        let lines = read_stdin_lines()?;
        match &args.scope {
            Some(pattern) => {
                let scoped = signer
                    .scope(pattern, &conditions)
                    .context("signing the --scope policy")?;
                sign_scoped(&scoped, &lines)?
            }
            None => {
                // A KMS key signs over the network: concurrency, not cores, sets the pace (the
                // SDK retries what KMS's request quota throttles).
                let jobs = args
                    .jobs
                    .unwrap_or_else(|| {
                        if signer.is_remote() {
                            KMS_JOBS
                        } else {
                            default_jobs()
                        }
                    })
                    .max(1);
                sign_each(&signer, &args.how(), &conditions, &lines, jobs)?
            }
        }
    } else {
        let url = args.url.as_deref().unwrap_or_default();
        let mut signed = args.how().sign(&signer, url, &conditions)?;
        signed.push('\n');
        signed
    };
    // Everything was signed before anything is written: a bad line leaves stdout empty.
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(output.as_bytes())
        .and_then(|()| stdout.flush())
        .context("writing to stdout")?;
    Ok(EXIT_OK)
}

fn read_stdin_lines() -> Result<Vec<String>> {
    let lines = std::io::stdin()
        .lock()
        .lines()
        .collect::<std::io::Result<Vec<_>>>()
        .context("reading URLs from stdin")?;
    if lines.is_empty() {
        bail!("--batch read no URLs from stdin: pipe one URL per line");
    }
    Ok(lines)
}

/// Concurrent kms:Sign calls for `--batch` with a KMS key (KMS's default quota for RSA
/// signing is hundreds of requests per second per account).
const KMS_JOBS: usize = 8;

fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// Signs each line with the scope signature; a blank line stays blank so lines keep aligned.
fn sign_scoped(scoped: &ScopedSigner, lines: &[String]) -> Result<String> {
    let mut out = String::with_capacity(lines.len() * 400);
    for (index, line) in lines.iter().enumerate() {
        let url = line.trim();
        if !url.is_empty() {
            let signed = scoped
                .sign_url(url)
                .with_context(|| format!("line {}", index + 1))?;
            out.push_str(&signed);
        }
        out.push('\n');
    }
    Ok(out)
}

impl SignArgs {
    fn how(&self) -> How<'_> {
        if self.upload {
            How::Upload {
                content_type: self.content_type.as_deref(),
            }
        } else {
            How::Download {
                resource: self.resource.as_deref(),
            }
        }
    }
}

/// How each URL is signed: to download (optionally under a resource pattern), or to upload.
enum How<'a> {
    Download { resource: Option<&'a str> },
    Upload { content_type: Option<&'a str> },
}

impl How<'_> {
    fn sign(&self, signer: &Signer, url: &str, conditions: &Conditions) -> Result<String> {
        Ok(match self {
            How::Upload { content_type } => {
                signer.sign_upload_url(url, *content_type, conditions)?
            }
            How::Download { resource } => signer.sign_url(url, *resource, conditions)?,
        })
    }
}

/// Signs every line with its own signature, spreading lines over `jobs` threads.
fn sign_each(
    signer: &Signer,
    how: &How<'_>,
    conditions: &Conditions,
    lines: &[String],
    jobs: usize,
) -> Result<String> {
    let chunk_len = lines.len().div_ceil(jobs);
    let results: Vec<Result<String>> = std::thread::scope(|scope| {
        let workers: Vec<_> = lines
            .chunks(chunk_len)
            .enumerate()
            .map(|(chunk_index, chunk)| {
                scope.spawn(move || {
                    let mut out = String::with_capacity(chunk.len() * 400);
                    for (offset, line) in chunk.iter().enumerate() {
                        let url = line.trim();
                        if !url.is_empty() {
                            let signed = how.sign(signer, url, conditions).with_context(|| {
                                format!("line {}", chunk_index * chunk_len + offset + 1)
                            })?;
                            out.push_str(&signed);
                        }
                        out.push('\n');
                    }
                    Ok(out)
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|worker| {
                worker
                    .join()
                    .unwrap_or_else(|_| bail!("a signing thread panicked"))
            })
            .collect()
    });
    results
        .into_iter()
        .collect::<Result<Vec<_>>>()
        .map(|chunks| chunks.concat())
}
