//! The expiry options of the signing commands.

use anyhow::{bail, Context, Result};
pub use cfsign::timespec::{now, parse_instant};

/// The expiry from `--expires-at` or `--expires-in` (exactly one is required).
pub fn expiry(expires_at: Option<&str>, expires_in: Option<&str>) -> Result<u64> {
    match (expires_at, expires_in) {
        (Some(at), None) => parse_instant(at).context("reading --expires-at"),
        (None, Some(within)) => {
            let within =
                cfsign::timespec::parse_duration(within).context("reading --expires-in")?;
            Ok(now().saturating_add(within.as_secs()))
        }
        (None, None) => bail!(
            "an expiration is required: give --expires-at TIME or --expires-in DURATION \
             (e.g. --expires-in 15m)"
        ),
        (Some(_), Some(_)) => bail!("give --expires-at or --expires-in, not both"),
    }
}
