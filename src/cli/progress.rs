//! Progress on long waits (stack operations, deployments): a spinner with the elapsed time on
//! a terminal, plain lines otherwise, nothing in JSON mode.

use std::io::IsTerminal;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cfsign::script::PrintSink;
use indicatif::{ProgressBar, ProgressStyle};

/// The sink host functions report waits to.
pub fn sink(json: bool) -> PrintSink {
    if json {
        return Arc::new(|_| {});
    }
    if !std::io::stderr().is_terminal() {
        return Arc::new(|line| eprintln!("{line}"));
    }
    let spinner: Mutex<Option<ProgressBar>> = Mutex::new(None);
    Arc::new(move |line| {
        let Ok(mut current) = spinner.lock() else {
            return;
        };
        // Hosts report a state per change; an in-progress state keeps the spinner turning,
        // anything else ends it with the final state printed.
        let waiting = line.contains("IN_PROGRESS") || line.contains("InProgress");
        match (waiting, current.as_ref()) {
            (true, Some(bar)) => bar.set_message(line.to_owned()),
            (true, None) => {
                let bar = ProgressBar::new_spinner().with_message(line.to_owned());
                if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} [{elapsed}]") {
                    bar.set_style(style);
                }
                bar.enable_steady_tick(Duration::from_millis(120));
                *current = Some(bar);
            }
            (false, _) => {
                if let Some(bar) = current.take() {
                    bar.finish_and_clear();
                }
                eprintln!("{line}");
            }
        }
    })
}
