//! Background jobs' controls: which jobs are active in this process, the
//! flags `stopJob` and `pauseJob` set on them, the bound on how many run at
//! once, and waiting until none is active (`POST /_emulator/jobs/drain`).
//!
//! What a job does is the `ips` layer's; this module knows only job ids.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::{watch, Notify, OwnedSemaphorePermit, Semaphore};

/// The controls of every job active in this process.
#[derive(Debug)]
pub struct Tasks {
    active: Mutex<HashMap<i64, Arc<Control>>>,
    /// Signalled whenever a job leaves `active`.
    left: Notify,
    slots: Arc<Semaphore>,
    /// The least time a job stays running (`--job-hold`).
    hold: Duration,
    /// Bumped by [`Tasks::stop_all`]: a timer armed before a reset must not
    /// start the job that now has its id.
    generation: AtomicU64,
    /// Set once the service is shutting down: stopped jobs are then
    /// interrupted, not stopped by a caller.
    shutting_down: AtomicBool,
}

/// One active job's flags.
#[derive(Debug)]
pub struct Control {
    stop: AtomicBool,
    held: watch::Sender<bool>,
}

/// The job was stopped (`stopJob`, or a reset).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stopped;

impl Tasks {
    /// Controls for jobs of which at most `slots` run at once, each kept
    /// running at least `hold`.
    pub fn new(slots: usize, hold: Duration) -> Self {
        Tasks {
            active: Mutex::new(HashMap::new()),
            left: Notify::new(),
            slots: Arc::new(Semaphore::new(slots.max(1))),
            hold,
            generation: AtomicU64::new(0),
            shutting_down: AtomicBool::new(false),
        }
    }

    /// The least time a job stays running.
    pub fn hold(&self) -> Duration {
        self.hold
    }

    /// Registers job `id` as active; `None` if it already is.
    pub fn register(&self, id: i64) -> Option<Arc<Control>> {
        let mut active = self.active.lock().unwrap_or_else(PoisonError::into_inner);
        if active.contains_key(&id) {
            return None;
        }
        let control = Arc::new(Control {
            stop: AtomicBool::new(false),
            held: watch::Sender::new(false),
        });
        active.insert(id, control.clone());
        Some(control)
    }

    /// Job `id` is no longer active.
    pub fn finish(&self, id: i64) {
        self.active.lock().unwrap_or_else(PoisonError::into_inner).remove(&id);
        self.left.notify_waiters();
    }

    /// The controls of job `id`, while it is active.
    pub fn get(&self, id: i64) -> Option<Arc<Control>> {
        self.active
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&id)
            .cloned()
    }

    /// How many jobs are active.
    pub fn count(&self) -> usize {
        self.active.lock().unwrap_or_else(PoisonError::into_inner).len()
    }

    /// The current generation (see [`Tasks::stop_all`]).
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// Stops every active job and starts a new generation (a reset).
    pub fn stop_all(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        for control in self.active.lock().unwrap_or_else(PoisonError::into_inner).values() {
            control.stop();
        }
    }

    /// Stops every active job because the service is shutting down, and
    /// waits up to `wait` for them to record their end.
    pub async fn shut_down(&self, wait: Duration) {
        self.shutting_down.store(true, Ordering::SeqCst);
        self.stop_all();
        let _ = tokio::time::timeout(wait, self.idle()).await;
    }

    /// Whether the service is shutting down.
    pub fn shutting_down(&self) -> bool {
        self.shutting_down.load(Ordering::SeqCst)
    }

    /// A worker slot; waits while every slot is taken.
    pub async fn slot(&self) -> Option<OwnedSemaphorePermit> {
        self.slots.clone().acquire_owned().await.ok()
    }

    /// Waits until no job is active.
    pub async fn idle(&self) {
        loop {
            let left = self.left.notified();
            tokio::pin!(left);
            // Registered before the check, so a job leaving in between is
            // not missed.
            left.as_mut().enable();
            if self.count() == 0 {
                return;
            }
            left.await;
        }
    }
}

impl Control {
    /// Asks the job to stop at its next step.
    pub fn stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes a held job so that it sees the stop.
        self.held.send_replace(false);
    }

    /// Whether the job was asked to stop.
    pub fn stopped(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    /// Holds the job at its next step (`pauseJob`), or lets it go on.
    pub fn set_held(&self, held: bool) {
        self.held.send_replace(held);
    }

    /// Whether the job is held.
    pub fn is_held(&self) -> bool {
        *self.held.borrow()
    }

    /// Between two steps: waits while the job is held; `Err` once it is
    /// asked to stop.
    pub async fn checkpoint(&self) -> Result<(), Stopped> {
        let mut held = self.held.subscribe();
        loop {
            if self.stopped() {
                return Err(Stopped);
            }
            if !*held.borrow_and_update() {
                return Ok(());
            }
            if held.changed().await.is_err() {
                return Err(Stopped);
            }
        }
    }

    /// Sleeps `d`, or less if the job is asked to stop meanwhile.
    pub async fn sleep(&self, d: Duration) -> Result<(), Stopped> {
        let mut held = self.held.subscribe();
        let deadline = tokio::time::Instant::now() + d;
        loop {
            if self.stopped() {
                return Err(Stopped);
            }
            tokio::select! {
                _ = tokio::time::sleep_until(deadline) => return Ok(()),
                changed = held.changed() => if changed.is_err() { return Err(Stopped) },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn idle_waits_for_every_active_job() {
        let tasks = Arc::new(Tasks::new(2, Duration::ZERO));
        tasks.register(1).expect("new");
        assert!(tasks.register(1).is_none(), "registered once");
        let waiter = tokio::spawn({
            let tasks = tasks.clone();
            async move { tasks.idle().await }
        });
        tokio::task::yield_now().await;
        assert!(!waiter.is_finished());
        tasks.finish(1);
        tokio::time::timeout(Duration::from_secs(5), waiter)
            .await
            .expect("idle once the job left")
            .expect("join");
    }

    #[tokio::test]
    async fn a_held_job_waits_until_released_or_stopped() {
        let tasks = Tasks::new(1, Duration::ZERO);
        let control = tasks.register(7).expect("new");
        control.set_held(true);
        let c = control.clone();
        let step = tokio::spawn(async move { c.checkpoint().await });
        tokio::task::yield_now().await;
        assert!(!step.is_finished(), "held");
        control.set_held(false);
        assert_eq!(step.await.expect("join"), Ok(()));
        control.set_held(true);
        let c = control.clone();
        let step = tokio::spawn(async move { c.checkpoint().await });
        control.stop();
        assert_eq!(step.await.expect("join"), Err(Stopped));
        assert_eq!(control.sleep(Duration::from_secs(60)).await, Err(Stopped));
    }
}
