//! `cfsign doc`: the reference of every host function and type recipes can use.

use anyhow::Result;
use clap::Args;

use super::EXIT_OK;

/// Arguments of `cfsign doc`.
#[derive(Debug, Args)]
pub struct DocArgs {}

/// Prints the reference (the content of docs/reference.md).
pub fn run(_args: &DocArgs) -> Result<u8> {
    print!("{}", cfsign::script::doc::reference_markdown());
    Ok(EXIT_OK)
}
