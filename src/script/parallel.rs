//! `parallel(items, limit, |item| ...)`: recipe-level concurrency.
//!
//! Runs the closure for every item on up to `limit` threads at once (the calling thread among
//! them, and never more extra threads than the run's cap leaves, so nested calls share it). The
//! result keeps the input order, one map per item: `#{ok: true, value: ...}` or `#{ok: false,
//! error: ..., code: ...}`. A failing item never loses the others' results; the recipe decides
//! what a failure means. A bug that panics in one item becomes that item's error.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use rhai::plugin::*;
use rhai::{Array, Dynamic, EvalAltResult, FnPtr, Map, NativeCallContext};

use super::host_error::HostError;
use super::{Limits, RunContext};
use crate::script::HostErrorExt as _;

/// The most threads one `parallel` call may use.
pub const MAX_LIMIT: i64 = 64;

/// Recipe-level concurrency.
#[export_module]
pub mod concurrency {
    use super::*;

    /// Calls `callback(item)` for every item, at most `limit` at a time, and returns one map
    /// per item in input order: `#{ok: true, value: ...}` or `#{ok: false, error: "...",
    /// code: "..."}` (`code` when a host function failed). One failure never loses the others.
    ///
    /// ```rhai
    /// let results = parallel(["payments", "search"], 4, |team| provision(team));
    /// for r in results { if !r.ok { print(`failed: ${r.error}`); } }
    /// ```
    #[rhai_fn(return_raw)]
    pub fn parallel(
        context: NativeCallContext,
        items: Array,
        limit: i64,
        callback: FnPtr,
    ) -> Result<Array, Box<EvalAltResult>> {
        run(context, items, limit, callback)
    }
}

fn run(
    context: NativeCallContext,
    items: Array,
    limit: i64,
    callback: FnPtr,
) -> Result<Array, Box<EvalAltResult>> {
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(HostError::new(
            "parallel",
            "parallel",
            "InvalidInput",
            format!("the concurrency limit must be between 1 and {MAX_LIMIT}, not {limit}"),
        )
        .raise(&context));
    }
    let results: Vec<Mutex<Dynamic>> = items.iter().map(|_| Mutex::new(Dynamic::UNIT)).collect();
    let next = AtomicUsize::new(0);
    let wanted = usize::try_from(limit).unwrap_or(1).min(items.len());
    // The calling thread works too; the extra threads come out of the run's cap.
    let reservation =
        RunContext::of(&context).map(|run| run.budget.reserve_threads(wanted.saturating_sub(1)));
    let extra = reservation
        .as_ref()
        .map_or(wanted.saturating_sub(1), |r| r.granted());
    let work = || loop {
        let index = next.fetch_add(1, Ordering::SeqCst);
        let Some(item) = items.get(index) else {
            break;
        };
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            callback.call_within_context::<Dynamic>(&context, (item.clone(),))
        }));
        let result = match outcome {
            Ok(outcome) => outcome_map(outcome),
            Err(_) => panicked(),
        };
        if let Ok(mut slot) = results[index].lock() {
            *slot = result;
        }
    };
    std::thread::scope(|scope| {
        for _ in 0..extra {
            let worker = std::thread::Builder::new()
                .name("parallel".into())
                .stack_size(Limits::THREAD_STACK_SIZE)
                .spawn_scoped(scope, work);
            // A thread the system cannot give just leaves more work to the others.
            if worker.is_err() {
                break;
            }
        }
        work();
    });
    drop(reservation);
    Ok(results
        .into_iter()
        .map(|slot| slot.into_inner().unwrap_or(Dynamic::UNIT))
        .collect())
}

fn outcome_map(outcome: Result<Dynamic, Box<EvalAltResult>>) -> Dynamic {
    let mut map = Map::new();
    match outcome {
        Ok(value) => {
            map.insert("ok".into(), true.into());
            map.insert("value".into(), value);
        }
        Err(err) => {
            let inner = innermost(&err);
            map.insert("ok".into(), false.into());
            match inner {
                EvalAltResult::ErrorRuntime(value, _) => match HostError::from_dynamic(value) {
                    Some(host) => {
                        map.insert("code".into(), host.code.clone().into());
                        map.insert("error".into(), host.to_string().into());
                    }
                    None => {
                        map.insert("error".into(), value.to_string().into());
                    }
                },
                other => {
                    map.insert("error".into(), other.to_string().into());
                }
            }
        }
    }
    Dynamic::from_map(map)
}

/// The result of an item whose host code panicked: an error, not the end of the run.
fn panicked() -> Dynamic {
    let mut map = Map::new();
    map.insert("ok".into(), false.into());
    map.insert("code".into(), "InternalError".into());
    map.insert(
        "error".into(),
        "cfsign hit an internal error on this item (a bug: please report it)".into(),
    );
    Dynamic::from_map(map)
}

fn innermost(err: &EvalAltResult) -> &EvalAltResult {
    match err {
        EvalAltResult::ErrorInFunctionCall(_, _, inner, _)
        | EvalAltResult::ErrorInModule(_, inner, _) => innermost(inner),
        other => other,
    }
}
