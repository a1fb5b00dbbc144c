//! Limits that hold for a whole run, however a recipe splits its work: one operation budget
//! that every `parallel` worker draws from (Rhai's own count restarts in each callback), and a
//! cap on the threads all `parallel` calls, nested or not, run at once.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

use super::Limits;

/// The run's shared budget.
#[derive(Debug)]
pub struct Budget {
    used: AtomicU64,
    max_operations: u64,
    threads: AtomicUsize,
    max_threads: usize,
}

impl Budget {
    /// A fresh budget for `limits`.
    pub fn new(limits: &Limits) -> Arc<Self> {
        Arc::new(Budget {
            used: AtomicU64::new(0),
            max_operations: limits.max_operations,
            threads: AtomicUsize::new(0),
            max_threads: limits.max_threads,
        })
    }

    /// Counts one script operation; `false` once the run has used up its budget.
    pub fn spend_operation(&self) -> bool {
        self.used.fetch_add(1, Ordering::Relaxed) < self.max_operations
    }

    /// Why the run was stopped when [`Budget::spend_operation`] said no.
    pub fn exhausted_message(&self) -> String {
        format!(
            "the recipe exceeded its operation limit ({} operations for the whole run, \
             `parallel` workers included) and was stopped (an endless loop?)",
            self.max_operations
        )
    }

    /// Reserves up to `wanted` extra threads for a `parallel` call. The caller's own thread
    /// always works too, so a call granted none still makes progress (nested calls never
    /// deadlock); the threads are released when the reservation is dropped.
    pub fn reserve_threads(self: &Arc<Self>, wanted: usize) -> ThreadReservation {
        let mut granted = 0;
        let _ = self
            .threads
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |in_use| {
                granted = wanted.min(self.max_threads.saturating_sub(in_use));
                Some(in_use + granted)
            });
        ThreadReservation {
            budget: Arc::clone(self),
            granted,
        }
    }
}

/// Threads reserved from a [`Budget`], released on drop.
#[derive(Debug)]
pub struct ThreadReservation {
    budget: Arc<Budget>,
    granted: usize,
}

impl ThreadReservation {
    /// How many extra threads may be started.
    pub fn granted(&self) -> usize {
        self.granted
    }
}

impl Drop for ThreadReservation {
    fn drop(&mut self) {
        self.budget
            .threads
            .fetch_sub(self.granted, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_are_counted_across_callers() {
        let budget = Budget::new(&Limits {
            max_operations: 3,
            ..Limits::default()
        });
        let other = Arc::clone(&budget);
        assert!(budget.spend_operation());
        assert!(other.spend_operation());
        assert!(budget.spend_operation());
        assert!(!other.spend_operation());
    }

    #[test]
    fn threads_are_capped_for_the_whole_run_and_returned() {
        let budget = Budget::new(&Limits {
            max_threads: 5,
            ..Limits::default()
        });
        let outer = budget.reserve_threads(4);
        assert_eq!(outer.granted(), 4);
        let nested = budget.reserve_threads(4);
        assert_eq!(nested.granted(), 1);
        assert_eq!(budget.reserve_threads(4).granted(), 0);
        drop(nested);
        drop(outer);
        assert_eq!(budget.reserve_threads(9).granted(), 5);
    }
}
