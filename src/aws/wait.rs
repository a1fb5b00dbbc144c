//! Polling until something in AWS settles (a stack, a Service Catalog record, a distribution):
//! backoff between polls, a progress line whenever the status changes, and a time limit.

use std::time::{Duration, Instant};

use super::Aws;
use crate::aws::HostError;

/// One poll's answer.
pub enum Poll<T> {
    /// Not settled yet; the current status, for progress.
    Pending(String),
    /// Settled.
    Done(T),
}

/// How to wait: what for (in progress lines and the timeout error) and for how long.
pub struct Wait<'a> {
    /// The service named by a timeout error.
    pub service: &'a str,
    /// What is waited for, e.g. `stack cfsign-launch-role`.
    pub what: String,
    /// The longest wait before a `Timeout` error.
    pub limit: Duration,
    /// The longest pause between two polls (they start at 200 ms and double).
    pub max_delay: Duration,
}

impl Wait<'_> {
    /// Calls `check` until it returns [`Poll::Done`], an error, or the limit passes.
    pub fn until<T>(
        &self,
        aws: &Aws,
        mut check: impl FnMut() -> Result<Poll<T>, HostError>,
    ) -> Result<T, HostError> {
        let started = Instant::now();
        let mut delay = Duration::from_millis(200);
        let mut last_status = String::new();
        loop {
            let status = match check()? {
                Poll::Done(value) => return Ok(value),
                Poll::Pending(status) => status,
            };
            if status != last_status {
                aws.progress(&format!(
                    "{}: {status} ({}s)",
                    self.what,
                    started.elapsed().as_secs()
                ));
                last_status = status;
            }
            if started.elapsed() > self.limit {
                return Err(HostError::new(
                    self.service,
                    "Wait",
                    "Timeout",
                    format!(
                        "{} still {last_status} after {}",
                        self.what,
                        humantime::format_duration(self.limit)
                    ),
                ));
            }
            std::thread::sleep(delay);
            delay = (delay * 2).min(self.max_delay);
        }
    }
}
