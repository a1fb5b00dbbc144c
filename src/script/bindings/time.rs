//! `time::`: wall-clock time for schedules (rotation intervals, grace periods), as epoch
//! seconds, with the same text forms the CLI accepts (`"90d"`, `"2026-12-01T12:00:00Z"`).

use rhai::plugin::*;
use rhai::{EvalAltResult, INT};

use crate::script::HostError;
use crate::script::HostErrorExt as _;
use crate::timespec;

fn invalid(operation: &str, message: impl std::fmt::Display) -> HostError {
    HostError::new("time", operation, "InvalidInput", message.to_string())
}

/// Time.
#[export_module]
pub mod time_module {
    use super::*;

    /// Now, in seconds since the Unix epoch.
    pub fn now() -> INT {
        INT::try_from(timespec::now()).unwrap_or(INT::MAX)
    }

    /// An instant as epoch seconds: RFC 3339 (`"2026-12-01T12:00:00Z"`), a date, or epoch
    /// seconds as text.
    #[rhai_fn(return_raw)]
    pub fn parse(context: NativeCallContext, text: &str) -> Result<INT, Box<EvalAltResult>> {
        timespec::parse_instant(text)
            .map(|secs| INT::try_from(secs).unwrap_or(INT::MAX))
            .map_err(|e| invalid("parse", e).raise(&context))
    }

    /// A duration in seconds: `"90d"`, `"12h"`, `"15m"`, `"1h 30m"`, or seconds as text.
    ///
    /// ```rhai
    /// let grace = time::duration(vars.get("grace_period", "25h"));
    /// ```
    #[rhai_fn(return_raw)]
    pub fn duration(context: NativeCallContext, text: &str) -> Result<INT, Box<EvalAltResult>> {
        timespec::parse_duration(text)
            .map(|d| INT::try_from(d.as_secs()).unwrap_or(INT::MAX))
            .map_err(|e| invalid("duration", e).raise(&context))
    }

    /// Epoch seconds as RFC 3339 text (UTC).
    #[rhai_fn(return_raw)]
    pub fn format(
        context: NativeCallContext,
        epoch_seconds: INT,
    ) -> Result<String, Box<EvalAltResult>> {
        jiff::Timestamp::from_second(epoch_seconds)
            .map(|t| t.to_string())
            .map_err(|e| invalid("format", e).raise(&context))
    }
}
