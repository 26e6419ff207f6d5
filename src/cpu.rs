//! Running blocking work off the async runtime, within the CPU budget.
//!
//! CPU-heavy work (argon2, image probing and rendering) takes one of a
//! permit per core before it starts, so a burst of renders queues instead
//! of starving the SOAP endpoint, and runs on one of as many worker threads
//! kept for it; other blocking work (file reads, large body decoding) only
//! leaves the runtime, on tokio's blocking pool. Either way the work runs inside
//! the caller's tracing span, so what it logs is tied to its request.

use std::panic::{self, AssertUnwindSafe};
use std::sync::{mpsc, Arc, Mutex, PoisonError};

use tokio::sync::{oneshot, Semaphore};

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
    max: usize,
    workers: Arc<Workers>,
}

/// A task for the CPU workers.
type Task = Box<dyn FnOnce() + Send>;

/// The threads CPU-heavy work runs on: one per permit, for the life of the
/// process. Always the same few threads, so the allocator's per-thread
/// caches of render-sized buffers stay few and in use (an idle thread never
/// returns what it cached, and the blocking pool has dozens).
#[derive(Debug)]
struct Workers {
    queue: Mutex<mpsc::Sender<Task>>,
}

impl Workers {
    fn start(n: usize) -> Workers {
        let (tx, rx) = mpsc::channel::<Task>();
        let rx = Arc::new(Mutex::new(rx));
        for i in 0..n {
            let rx = rx.clone();
            let _ = std::thread::Builder::new()
                .name(format!("cpu-{i}"))
                .spawn(move || loop {
                    let task = rx.lock().unwrap_or_else(PoisonError::into_inner).recv();
                    match task {
                        Ok(task) => task(),
                        Err(_) => return,
                    }
                });
        }
        Workers { queue: Mutex::new(tx) }
    }

    fn send(&self, task: Task) -> bool {
        self.queue
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .send(task)
            .is_ok()
    }
}

impl Cpu {
    /// A budget of `permits` concurrent tasks.
    pub fn new(permits: usize) -> Self {
        Cpu {
            permits: Arc::new(Semaphore::new(permits.max(1))),
            max: permits.max(1),
            workers: Arc::new(Workers::start(permits.max(1))),
        }
    }

    /// How many tasks may run at once.
    pub fn permits(&self) -> usize {
        self.max
    }

    /// A budget of one task per core.
    pub fn per_core() -> Self {
        Cpu::new(std::thread::available_parallelism().map_or(2, |n| n.get()))
    }

    /// Runs `f` on a CPU worker once a permit is free; gives up waiting
    /// for one at the request's deadline. A panic in `f` is `Failed`.
    pub async fn run<T, F>(&self, f: F) -> Result<T, Interrupted>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let permit = deadline::wait(self.permits.clone().acquire_owned())
            .await?
            .map_err(|_| Interrupted::Failed)?;
        let span = tracing::Span::current();
        let (tx, rx) = oneshot::channel();
        let task: Task = Box::new(move || {
            let _permit = permit;
            let out = panic::catch_unwind(AssertUnwindSafe(|| span.in_scope(f)));
            let _ = tx.send(out);
        });
        if !self.workers.send(task) {
            return Err(Interrupted::Failed);
        }
        match rx.await {
            Ok(Ok(out)) => Ok(out),
            _ => Err(Interrupted::Failed),
        }
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

    #[tokio::test]
    async fn work_runs_on_the_workers_kept_for_it_and_a_panic_is_a_failure() {
        let cpu = Cpu::new(2);
        for _ in 0..8 {
            let name = cpu
                .run(|| std::thread::current().name().map(str::to_owned))
                .await
                .expect("ran");
            assert!(matches!(name.as_deref(), Some("cpu-0" | "cpu-1")), "{name:?}");
        }
        let panicked = cpu.run(|| panic!("a render bug")).await;
        assert_eq!(panicked, Err::<(), _>(Interrupted::Failed));
        // The worker survived its task's panic.
        assert_eq!(cpu.run(|| 7).await, Ok(7));
    }
}
