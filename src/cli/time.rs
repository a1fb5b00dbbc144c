//! Reading instants and durations from the command line.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{bail, Context, Result};

/// Seconds since the epoch, now.
pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Reads an instant: epoch seconds (`1767290400`), RFC 3339 (`2026-01-01T12:00:00Z`,
/// `2026-01-01T12:00:00+02:00`) or a date (`2026-01-01`, midnight UTC).
pub fn parse_instant(text: &str) -> Result<u64> {
    let text = text.trim();
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return text
            .parse()
            .with_context(|| format!("`{text}` is too large for epoch seconds"));
    }
    if let Ok(timestamp) = text.parse::<jiff::Timestamp>() {
        return u64::try_from(timestamp.as_second())
            .with_context(|| format!("`{text}` is before 1970"));
    }
    if let Ok(date) = text.parse::<jiff::civil::Date>() {
        let timestamp = date
            .to_zoned(jiff::tz::TimeZone::UTC)
            .with_context(|| format!("`{text}` is out of range"))?
            .timestamp();
        return u64::try_from(timestamp.as_second())
            .with_context(|| format!("`{text}` is before 1970"));
    }
    bail!(
        "`{text}` is not a time: use epoch seconds (1767290400), RFC 3339 \
         (2026-01-01T12:00:00Z or with an offset such as +02:00) or a date (2026-01-01)"
    )
}

/// Reads a duration such as `90s`, `15m`, `2h`, `7d` or `1h 30m`.
pub fn parse_duration(text: &str) -> Result<Duration> {
    humantime::parse_duration(text.trim()).map_err(|err| {
        anyhow::anyhow!("`{text}` is not a duration ({err}): use e.g. 90s, 15m, 2h, 7d or 1h30m")
    })
}

/// The expiry from `--expires-at` or `--expires-in` (exactly one is required).
pub fn expiry(expires_at: Option<&str>, expires_in: Option<&str>) -> Result<u64> {
    match (expires_at, expires_in) {
        (Some(at), None) => parse_instant(at).context("reading --expires-at"),
        (None, Some(within)) => {
            let within = parse_duration(within).context("reading --expires-in")?;
            Ok(now().saturating_add(within.as_secs()))
        }
        (None, None) => bail!(
            "an expiration is required: give --expires-at TIME or --expires-in DURATION \
             (e.g. --expires-in 15m)"
        ),
        (Some(_), Some(_)) => bail!("give --expires-at or --expires-in, not both"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_in_every_accepted_form() {
        assert_eq!(parse_instant("1767290400").unwrap(), 1_767_290_400);
        assert_eq!(
            parse_instant("2026-01-01T18:00:00Z").unwrap(),
            1_767_290_400
        );
        assert_eq!(
            parse_instant("2026-01-01T20:00:00+02:00").unwrap(),
            1_767_290_400
        );
        assert_eq!(parse_instant("2026-01-01").unwrap(), 1_767_225_600);
        let err = parse_instant("tomorrow").unwrap_err().to_string();
        assert!(err.contains("RFC 3339"), "{err}");
    }

    #[test]
    fn durations_with_units() {
        assert_eq!(parse_duration("15m").unwrap(), Duration::from_secs(900));
        assert_eq!(
            parse_duration("7d").unwrap(),
            Duration::from_secs(7 * 86_400)
        );
        assert!(parse_duration("soon").is_err());
    }

    #[test]
    fn expiry_needs_exactly_one_source() {
        let missing = expiry(None, None).unwrap_err().to_string();
        assert!(missing.contains("expiration is required"), "{missing}");
        assert!(expiry(Some("1"), Some("1m")).is_err());
        assert!(expiry(None, Some("1m")).unwrap() >= now() + 59);
    }
}
