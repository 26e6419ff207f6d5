//! Kameleoon's documented request rate limits, per API client: at most 50
//! requests in any 10 seconds and 1,000 in any hour (`--kameleoon-rate`
//! changes them). A request over either is answered 429 and does nothing;
//! it does not count. The windows slide: each client keeps the times of
//! its requests within the longest window, so the memory a client takes
//! is bounded by its hourly limit. A reset forgets every client's
//! requests, so a suite starts from a clean slate.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The short window.
const SHORT: Duration = Duration::from_secs(10);
/// The long window.
const LONG: Duration = Duration::from_secs(60 * 60);

/// The request times of each client, within the long window.
#[derive(Debug)]
pub(super) struct Limiter {
    /// Most requests per short window, and per long one; 0 is no limit.
    limits: (u32, u32),
    seen: Mutex<HashMap<String, VecDeque<Instant>>>,
    /// The reset generation the counts belong to.
    generation: Mutex<u64>,
}

/// Which limit a request went over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Exceeded {
    /// The limit.
    pub limit: u32,
    /// Its window.
    pub per: &'static str,
    /// Seconds until a request would be taken again.
    pub retry_after: u64,
}

impl Limiter {
    pub(super) fn new(limits: (u32, u32)) -> Limiter {
        Limiter {
            limits,
            seen: Mutex::new(HashMap::new()),
            generation: Mutex::new(0),
        }
    }

    /// Counts a request of `client` at `now`, unless it is over a limit.
    /// `generation` changes with each reset, which forgets every count.
    pub(super) fn admit(&self, client: &str, now: Instant, generation: u64) -> Result<(), Exceeded> {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        {
            let mut current = self.generation.lock().unwrap_or_else(|e| e.into_inner());
            if *current != generation {
                seen.clear();
                *current = generation;
            }
        }
        // Times are kept only as long as a limit looks back.
        let keep = match self.limits {
            (0, 0) => return Ok(()),
            (_, 0) => SHORT,
            _ => LONG,
        };
        let times = seen.entry(client.to_owned()).or_default();
        while times.front().is_some_and(|t| now.duration_since(*t) >= keep) {
            times.pop_front();
        }
        for (limit, window, per) in [(self.limits.0, SHORT, "10 seconds"), (self.limits.1, LONG, "hour")] {
            if limit == 0 {
                continue;
            }
            let within: Vec<&Instant> = times.iter().filter(|t| now.duration_since(**t) < window).collect();
            if within.len() >= limit as usize {
                // The oldest request in the window must leave it first.
                let oldest = within[within.len() - limit as usize];
                let wait = window.saturating_sub(now.duration_since(*oldest));
                return Err(Exceeded {
                    limit,
                    per,
                    retry_after: wait.as_secs_f64().ceil() as u64,
                });
            }
        }
        times.push_back(now);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_window_is_counted_and_slides() {
        let limiter = Limiter::new((3, 5));
        let start = Instant::now();
        for i in 0..3 {
            assert!(limiter.admit("a", start + Duration::from_secs(i), 0).is_ok());
        }
        let over = limiter
            .admit("a", start + Duration::from_secs(3), 0)
            .expect_err("4 in 10 s");
        assert_eq!((over.limit, over.per, over.retry_after), (3, "10 seconds", 7));
        // Another client has its own count.
        assert!(limiter.admit("b", start + Duration::from_secs(3), 0).is_ok());
        // Once the first leaves the window, one more is taken.
        assert!(limiter.admit("a", start + Duration::from_secs(10), 0).is_ok());
        assert!(limiter.admit("a", start + Duration::from_secs(21), 0).is_ok());
        let hourly = limiter
            .admit("a", start + Duration::from_secs(40), 0)
            .expect_err("6 in an hour");
        assert_eq!((hourly.limit, hourly.per), (5, "hour"));
        // A refused request did not count; an hour later all are forgotten.
        assert!(limiter.admit("a", start + Duration::from_secs(3601), 0).is_ok());
        // A reset forgets the counts.
        let limiter = Limiter::new((1, 0));
        assert!(limiter.admit("a", start, 0).is_ok());
        assert!(limiter.admit("a", start, 0).is_err());
        assert!(limiter.admit("a", start, 1).is_ok());
    }

    #[test]
    fn zero_is_no_limit_and_keeps_nothing_it_does_not_need() {
        let limiter = Limiter::new((0, 0));
        let now = Instant::now();
        assert!((0..2000).all(|_| limiter.admit("a", now, 0).is_ok()));
        assert!(limiter.seen.lock().expect("lock").is_empty());
        let short_only = Limiter::new((2, 0));
        for i in 0..100 {
            assert!(short_only.admit("a", now + Duration::from_secs(6 * i), 0).is_ok());
        }
        assert!(short_only.seen.lock().expect("lock")["a"].len() <= 2);
    }
}
