//! A per-source request-rate limiter: `governor`'s GCRA (a leaky bucket
//! that allows bursts up to a size) running on the injected [`Sleeper`]'s
//! monotonic timeline, so tests with a virtual sleeper see exact waits and
//! never block.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use governor::clock::Clock as GovernorClock;
use governor::middleware::NoOpMiddleware;
use governor::nanos::Nanos;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter as Gcra};

use crate::time::Sleeper;

/// Lets requests through at most at `per_second`, in bursts up to `burst`.
#[derive(Debug)]
pub struct RateLimiter {
    gcra: Gcra<NotKeyed, InMemoryState, SleeperClock, NoOpMiddleware<Nanos>>,
    clock: SleeperClock,
}

impl RateLimiter {
    pub fn new(per_second: NonZeroU32, burst: NonZeroU32, sleeper: Arc<dyn Sleeper>) -> Self {
        let clock = SleeperClock(sleeper);
        let quota = Quota::per_second(per_second).allow_burst(burst);
        Self { gcra: Gcra::direct_with_clock(quota, clock.clone()), clock }
    }

    /// At most `per_minute` requests a minute, in bursts up to `burst`.
    pub fn per_minute(per_minute: NonZeroU32, burst: NonZeroU32, sleeper: Arc<dyn Sleeper>) -> Self {
        let clock = SleeperClock(sleeper);
        let quota = Quota::per_minute(per_minute).allow_burst(burst);
        Self { gcra: Gcra::direct_with_clock(quota, clock.clone()), clock }
    }

    /// Blocks until a request may go; `false` when cancelled while waiting.
    pub fn until_ready(&self, cancel: &AtomicBool) -> bool {
        loop {
            match self.gcra.check() {
                Ok(()) => return true,
                Err(not_until) => {
                    let wait: Duration = not_until.wait_time_from(self.clock.now());
                    if !self.clock.0.sleep(wait, cancel) {
                        return false;
                    }
                }
            }
        }
    }
}

/// The sleeper's monotonic time as a `governor` clock.
#[derive(Clone, Debug)]
struct SleeperClock(Arc<dyn Sleeper>);

impl GovernorClock for SleeperClock {
    type Instant = Nanos;

    fn now(&self) -> Nanos {
        Nanos::from(self.0.monotonic())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::VirtualSleeper;

    fn nonzero(n: u32) -> NonZeroU32 {
        NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN)
    }

    #[test]
    fn a_burst_passes_then_requests_are_spaced_by_the_rate() {
        let sleeper = Arc::new(VirtualSleeper::new());
        let limiter = RateLimiter::new(nonzero(4), nonzero(2), sleeper.clone());
        let cancel = AtomicBool::new(false);
        for _ in 0..5 {
            assert!(limiter.until_ready(&cancel));
        }
        // Two go at once; the next three wait a quarter second each.
        assert_eq!(sleeper.waits(), vec![Duration::from_millis(250); 3]);
    }

    #[test]
    fn cancelling_ends_the_wait() {
        let sleeper = Arc::new(VirtualSleeper::new());
        let limiter = RateLimiter::new(nonzero(1), nonzero(1), sleeper);
        let cancel = AtomicBool::new(false);
        assert!(limiter.until_ready(&cancel));
        cancel.store(true, std::sync::atomic::Ordering::Relaxed);
        assert!(!limiter.until_ready(&cancel));
    }
}
