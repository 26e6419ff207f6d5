//! Running blocking work off the async runtime, within the CPU budget.
//!
//! CPU-heavy work (argon2, image probing and rendering) takes one of a
//! permit per core before it starts, so a burst of renders queues instead
//! of starving the SOAP endpoint; other blocking work (file reads, large
//! body decoding) only leaves the runtime. Either way the work runs inside
//! the caller's tracing span, so what it logs is tied to its request.

use std::sync::Arc;

use tokio::sync::Semaphore;

use crate::deadline;

/// The blocking task did not run to completion.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Interrupted {
    /// The runtime is shutting down, or the task panicked.
    #[error("background task failed")]
    Failed,
    /// The request's deadline passed while it waited for a permit; the
    /// task never started.
    #[error(transparent)]
    Busy(#[from] deadline::Busy),
}

/// The CPU budget: one permit per core.
#[derive(Clone, Debug)]
pub struct Cpu {
    permits: Arc<Semaphore>,
}

impl Cpu {
    /// A budget of `permits` concurrent tasks.
    pub fn new(permits: usize) -> Self {
        Cpu {
            permits: Arc::new(Semaphore::new(permits.max(1))),
        }
    }

    /// A budget of one task per core.
    pub fn per_core() -> Self {
        Cpu::new(std::thread::available_parallelism().map_or(2, |n| n.get()))
    }

    /// Runs `f` on the blocking pool once a permit is free; gives up
    /// waiting for one at the request's deadline.
    pub async fn run<T, F>(&self, f: F) -> Result<T, Interrupted>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let permit = deadline::wait(self.permits.clone().acquire_owned())
            .await?
            .map_err(|_| Interrupted::Failed)?;
        offload(move || {
            let _permit = permit;
            f()
        })
        .await
    }
}

/// Runs `f` on the blocking pool, without a CPU permit (for work that waits
/// on the disk rather than computes).
pub async fn offload<T, F>(f: F) -> Result<T, Interrupted>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    let span = tracing::Span::current();
    tokio::task::spawn_blocking(move || span.in_scope(f))
        .await
        .map_err(|_| Interrupted::Failed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn waits_for_a_permit() {
        let cpu = Cpu::new(1);
        let busy = cpu.permits.clone().acquire_owned().await.expect("permit");
        let waiting = tokio::spawn({
            let cpu = cpu.clone();
            async move { cpu.run(|| 42).await }
        });
        tokio::task::yield_now().await;
        assert!(!waiting.is_finished(), "the single permit is taken");
        drop(busy);
        assert_eq!(waiting.await.expect("join"), Ok(42));
    }
}
