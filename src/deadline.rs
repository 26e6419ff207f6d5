//! How long a request may wait for each of the service's shared resources
//! (the catalog's queue, a CPU permit, render memory, a password check)
//! before it is answered "busy" instead.
//!
//! The HTTP layer runs each request inside [`scope`] with its patience
//! (`--max-wait-ms`); the waits below it call [`wait`], which gives up once
//! that one wait has lasted that long, and catalog jobs carry the instant
//! their wait ends ([`until`]). Only waiting is bounded, never work: the
//! time a request spends rendering does not count. What must follow work
//! that has already had an effect (recording a stored rendering, releasing
//! a file nobody names) runs [`exempt`], so that a "busy" answer always
//! means nothing was done. Work outside any request (start-up, the sweep)
//! waits as long as it must.

use std::future::Future;
use std::time::{Duration, Instant};

tokio::task_local! {
    static PATIENCE: Option<Duration>;
}

/// A wait for a shared resource lasted the request's patience; nothing it
/// asked for was done.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("The service is busy; try again later")]
pub struct Busy;

/// Runs `f` with `patience` as the longest any one of its waits may last.
pub async fn scope<F: Future>(patience: Duration, f: F) -> F::Output {
    PATIENCE.scope(Some(patience), f).await
}

/// Runs `f` with no bound on its waits: for what must complete once the
/// request has had an effect.
pub async fn exempt<F: Future>(f: F) -> F::Output {
    PATIENCE.scope(None, f).await
}

/// The current request's patience, if it has one.
fn patience() -> Option<Duration> {
    PATIENCE.try_with(|p| *p).ok().flatten()
}

/// When a wait that starts now must end, if the caller has a patience.
pub fn until() -> Option<Instant> {
    patience().map(|p| Instant::now() + p)
}

/// Whether the wait ending at `until` is over.
pub fn passed(until: Option<Instant>) -> bool {
    until.is_some_and(|d| Instant::now() >= d)
}

/// Waits for `f`, for at most the current request's patience.
pub async fn wait<F: Future>(f: F) -> Result<F::Output, Busy> {
    match patience() {
        Some(p) => tokio::time::timeout(p, f).await.map_err(|_| Busy),
        None => Ok(f.await),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_wait_ends_after_the_patience_and_only_inside_a_scope() {
        let never = std::future::pending::<()>;
        let short = Duration::from_millis(20);
        assert_eq!(scope(short, wait(never())).await, Err(Busy));
        assert!(scope(short, async { until() }).await.is_some());
        assert_eq!(scope(short, exempt(async { until() })).await, None);
        assert_eq!(until(), None);
        assert_eq!(wait(async { 7 }).await, Ok(7));
        assert!(passed(Some(Instant::now())));
        assert!(!passed(None));
    }

    #[tokio::test]
    async fn work_between_waits_does_not_use_up_the_patience() {
        let patience = Duration::from_millis(50);
        let outcome = scope(patience, async {
            // Longer than the patience, but working, not waiting.
            std::thread::sleep(Duration::from_millis(80));
            wait(async { 1 }).await
        })
        .await;
        assert_eq!(outcome, Ok(1));
    }
}
