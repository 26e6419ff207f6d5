//! The render memory budget: a render reserves the peak bytes its plan
//! needs before it decodes a pixel, and gives them back when it ends, so
//! that a burst of large renders queues instead of exhausting the machine.
//!
//! Renders queue for memory as they queue for a CPU permit; one that needs
//! more than the whole budget could never run and is refused at once.

use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The budget is kept in KiB so that a terabyte fits the semaphore's
/// 32-bit requests.
const UNIT: u64 = 1024;

/// The smallest default budget.
const MIN_DEFAULT: u64 = 1 << 30;

/// Why a reservation was not made.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    /// More than the whole budget: the work can never run.
    #[error("the render would need {} MiB, more than the render memory limit of {} MiB (--render-memory)", .needed >> 20, .limit >> 20)]
    TooLarge {
        /// Bytes asked for.
        needed: u64,
        /// The whole budget, in bytes.
        limit: u64,
    },
    /// The budget is shut (the service is stopping).
    #[error("the render memory budget is closed")]
    Closed,
}

/// A share of the budget, given back when dropped.
#[derive(Debug)]
pub struct Reservation {
    _permit: Option<OwnedSemaphorePermit>,
}

/// The budget; cheap to clone, shared by every request.
#[derive(Clone, Debug)]
pub struct Memory {
    units: Arc<Semaphore>,
    limit: u64,
}

impl Memory {
    /// A budget of `bytes` (at least one KiB).
    pub fn new(bytes: u64) -> Self {
        // Reservations ask for a u32 count of units; the budget fits one.
        let most = (Semaphore::MAX_PERMITS as u64).min(u64::from(u32::MAX));
        let units = (bytes / UNIT).clamp(1, most);
        Memory {
            units: Arc::new(Semaphore::new(units as usize)),
            limit: units * UNIT,
        }
    }

    /// The default: a quarter of the machine's memory, and no less than
    /// 1 GiB.
    pub fn default_bytes() -> u64 {
        (total_memory().unwrap_or(4 << 30) / 4).max(MIN_DEFAULT)
    }

    /// The whole budget, in bytes.
    pub fn limit(&self) -> u64 {
        self.limit
    }

    /// Waits until `bytes` are free and takes them; refuses at once what
    /// exceeds the whole budget.
    pub async fn reserve(&self, bytes: u64) -> Result<Reservation, Refused> {
        if bytes > self.limit {
            return Err(Refused::TooLarge {
                needed: bytes,
                limit: self.limit,
            });
        }
        let units = bytes.div_ceil(UNIT);
        if units == 0 {
            return Ok(Reservation { _permit: None });
        }
        // No more than the budget's units, which fit a u32 (see `new`).
        let units = u32::try_from(units).map_err(|_| Refused::TooLarge {
            needed: bytes,
            limit: self.limit,
        })?;
        let permit = self
            .units
            .clone()
            .acquire_many_owned(units)
            .await
            .map_err(|_| Refused::Closed)?;
        Ok(Reservation { _permit: Some(permit) })
    }

    /// Bytes free right now.
    pub fn available(&self) -> u64 {
        self.units.available_permits() as u64 * UNIT
    }
}

/// `MemTotal` from `/proc/meminfo`, in bytes (Linux only).
fn total_memory() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let kib = info
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))?
        .trim()
        .strip_suffix("kB")?
        .trim()
        .parse::<u64>()
        .ok()?;
    Some(kib * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn reservations_wait_for_room_and_give_it_back() {
        let memory = Memory::new(10 * UNIT);
        let big = memory.reserve(8 * UNIT).await.expect("fits");
        assert_eq!(memory.available(), 2 * UNIT);
        let waiting = tokio::spawn({
            let memory = memory.clone();
            async move { memory.reserve(5 * UNIT).await.map(|_| ()) }
        });
        tokio::task::yield_now().await;
        assert!(!waiting.is_finished(), "only 2 KiB are free");
        drop(big);
        assert_eq!(waiting.await.expect("task"), Ok(()));
        assert_eq!(memory.available(), 10 * UNIT);
    }

    #[tokio::test]
    async fn more_than_the_whole_budget_is_refused_at_once() {
        let memory = Memory::new(10 * UNIT);
        assert_eq!(
            memory.reserve(10 * UNIT + 1).await.map(|_| ()),
            Err(Refused::TooLarge {
                needed: 10 * UNIT + 1,
                limit: 10 * UNIT
            })
        );
        assert!(memory.reserve(0).await.is_ok());
        assert!(Memory::default_bytes() >= MIN_DEFAULT);
    }
}
