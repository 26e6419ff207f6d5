//! Per-request deadlines: how long a request may wait for the service's
//! shared resources (the catalog's queue, a CPU permit, render memory)
//! before it is answered "busy" instead.
//!
//! The HTTP layer runs each request inside [`scope`]; the waits below it
//! call [`wait`], which ends at the request's deadline. Only waiting is
//! bounded: work that has started runs to its end, so a "busy" answer
//! always means nothing was done. Work outside any request (start-up, the
//! sweep) has no deadline and waits as long as it must.

use std::future::Future;
use std::time::Instant;

tokio::task_local! {
    static DEADLINE: Instant;
}

/// The request waited past its deadline for a shared resource; nothing it
/// asked for was done.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("The service is busy; try again later")]
pub struct Busy;

/// Runs `f` with `deadline` as the current request's deadline.
pub async fn scope<F: Future>(deadline: Instant, f: F) -> F::Output {
    DEADLINE.scope(deadline, f).await
}

/// The current request's deadline, if the caller runs inside one.
pub fn current() -> Option<Instant> {
    DEADLINE.try_with(|d| *d).ok()
}

/// Whether `deadline` has passed.
pub fn passed(deadline: Option<Instant>) -> bool {
    deadline.is_some_and(|d| Instant::now() >= d)
}

/// Waits for `f`, at most until the current request's deadline.
pub async fn wait<F: Future>(f: F) -> Result<F::Output, Busy> {
    match current() {
        Some(d) => tokio::time::timeout_at(d.into(), f).await.map_err(|_| Busy),
        None => Ok(f.await),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn a_wait_ends_at_the_deadline_and_only_inside_one() {
        let never = std::future::pending::<()>;
        let soon = Instant::now() + Duration::from_millis(20);
        assert_eq!(scope(soon, wait(never())).await, Err(Busy));
        assert_eq!(scope(soon, async { current() }).await, Some(soon));
        assert_eq!(current(), None);
        assert_eq!(wait(async { 7 }).await, Ok(7));
        assert!(passed(Some(Instant::now())));
        assert!(!passed(None));
    }
}
