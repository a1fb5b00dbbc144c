//! Reading instants and durations as people write them: epoch seconds, RFC 3339, dates,
//! `15m`/`2h`/`7d`. Shared by the command line and recipes.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A time or duration that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    /// Not an instant in any accepted form.
    #[error("`{0}` is not a time: use epoch seconds (1767290400), RFC 3339 (2026-01-01T12:00:00Z or with an offset such as +02:00) or a date (2026-01-01)")]
    Instant(String),
    /// Before 1970 or too large.
    #[error("`{0}` is out of range for epoch seconds")]
    OutOfRange(String),
    /// Not a duration.
    #[error("`{text}` is not a duration ({reason}): use e.g. 90s, 15m, 2h, 7d or 1h30m")]
    Duration {
        /// The input.
        text: String,
        /// What the parser said.
        reason: String,
    },
}

/// Seconds since the epoch, now.
pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Reads an instant: epoch seconds (`1767290400`), RFC 3339 (`2026-01-01T12:00:00Z`,
/// `2026-01-01T12:00:00+02:00`) or a date (`2026-01-01`, midnight UTC).
pub fn parse_instant(text: &str) -> Result<u64, TimeError> {
    let text = text.trim();
    let out_of_range = || TimeError::OutOfRange(text.to_owned());
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return text.parse().map_err(|_| out_of_range());
    }
    if let Ok(timestamp) = text.parse::<jiff::Timestamp>() {
        return u64::try_from(timestamp.as_second()).map_err(|_| out_of_range());
    }
    if let Ok(date) = text.parse::<jiff::civil::Date>() {
        let timestamp = date
            .to_zoned(jiff::tz::TimeZone::UTC)
            .map_err(|_| out_of_range())?
            .timestamp();
        return u64::try_from(timestamp.as_second()).map_err(|_| out_of_range());
    }
    Err(TimeError::Instant(text.to_owned()))
}

/// Reads a duration such as `90s`, `15m`, `2h`, `7d` or `1h 30m`.
pub fn parse_duration(text: &str) -> Result<Duration, TimeError> {
    humantime::parse_duration(text.trim()).map_err(|err| TimeError::Duration {
        text: text.to_owned(),
        reason: err.to_string(),
    })
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
        assert!(parse_instant("1969-12-31T00:00:00Z").is_err());
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
}
