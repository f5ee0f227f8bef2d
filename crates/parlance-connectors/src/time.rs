//! Time is passed in. [`Clock`] gives the wall-clock instant (run
//! bookkeeping, `fetched_at`, the HTTP-date form of `Retry-After`);
//! [`Sleeper`] waits and measures monotonic time (back-off, rate limiting).
//! Production code hands in [`SystemClock`] and [`ThreadSleeper`]; tests hand
//! in [`ManualClock`] and [`VirtualSleeper`], so nothing really sleeps and
//! every wait can be asserted exactly.

use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use parlance_warehouse::Timestamp;
use time::OffsetDateTime;

/// The wall clock.
pub trait Clock: Send + Sync + std::fmt::Debug {
    fn now(&self) -> Timestamp;
}

/// Waiting, and the monotonic timeline waits are measured on.
pub trait Sleeper: Send + Sync + std::fmt::Debug {
    /// Waits for `duration`, returning `false` early once `cancel` is set.
    fn sleep(&self, duration: Duration, cancel: &AtomicBool) -> bool;

    /// Monotonic time since an arbitrary origin (the rate limiter's clock).
    fn monotonic(&self) -> Duration;
}

/// The clock and sleeper a connector's HTTP client uses.
#[derive(Clone, Debug)]
pub struct TimeSources {
    pub clock: Arc<dyn Clock>,
    pub sleeper: Arc<dyn Sleeper>,
}

impl TimeSources {
    /// The real clock and real sleeping: for the CLI and the app shell.
    pub fn system() -> Self {
        Self { clock: Arc::new(SystemClock), sleeper: Arc::new(ThreadSleeper::new()) }
    }
}

/// The operating system's clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::new(OffsetDateTime::now_utc())
    }
}

/// Really sleeps, in short slices so cancellation is noticed quickly.
#[derive(Debug)]
pub struct ThreadSleeper {
    origin: Instant,
}

impl ThreadSleeper {
    const SLICE: Duration = Duration::from_millis(100);

    pub fn new() -> Self {
        Self { origin: Instant::now() }
    }
}

impl Default for ThreadSleeper {
    fn default() -> Self {
        Self::new()
    }
}

impl Sleeper for ThreadSleeper {
    fn sleep(&self, duration: Duration, cancel: &AtomicBool) -> bool {
        let deadline = Instant::now() + duration;
        loop {
            if cancel.load(Ordering::Relaxed) {
                return false;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return true;
            }
            std::thread::sleep(left.min(Self::SLICE));
        }
    }

    fn monotonic(&self) -> Duration {
        self.origin.elapsed()
    }
}

/// A wall clock that only moves when told to.
#[derive(Debug)]
pub struct ManualClock {
    unix_seconds: AtomicI64,
}

impl ManualClock {
    pub fn new(at: Timestamp) -> Self {
        Self { unix_seconds: AtomicI64::new(at.unix()) }
    }

    pub fn set(&self, at: Timestamp) {
        self.unix_seconds.store(at.unix(), Ordering::SeqCst);
    }

    pub fn advance(&self, by: Duration) {
        let seconds = i64::try_from(by.as_secs()).unwrap_or(i64::MAX);
        self.unix_seconds.fetch_add(seconds, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_unix_clamped(self.unix_seconds.load(Ordering::SeqCst))
    }
}

/// Never sleeps: records every requested wait and advances a virtual
/// monotonic timeline by it, so rate limits and back-off behave as in real
/// time while tests run instantly.
#[derive(Debug, Default)]
pub struct VirtualSleeper {
    state: Mutex<VirtualTime>,
}

#[derive(Debug, Default)]
struct VirtualTime {
    elapsed: Duration,
    waits: Vec<Duration>,
}

impl VirtualSleeper {
    pub fn new() -> Self {
        Self::default()
    }

    /// Every wait requested so far, in order.
    pub fn waits(&self) -> Vec<Duration> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner).waits.clone()
    }

    /// The sum of all waits so far.
    pub fn total_waited(&self) -> Duration {
        self.waits().iter().sum()
    }
}

impl Sleeper for VirtualSleeper {
    fn sleep(&self, duration: Duration, cancel: &AtomicBool) -> bool {
        if cancel.load(Ordering::Relaxed) {
            return false;
        }
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.elapsed += duration;
        state.waits.push(duration);
        true
    }

    fn monotonic(&self) -> Duration {
        self.state.lock().unwrap_or_else(PoisonError::into_inner).elapsed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn virtual_sleeper_records_and_advances_without_sleeping() {
        let sleeper = VirtualSleeper::new();
        let cancel = AtomicBool::new(false);
        assert!(sleeper.sleep(Duration::from_secs(3600), &cancel));
        assert!(sleeper.sleep(Duration::from_millis(5), &cancel));
        assert_eq!(sleeper.monotonic(), Duration::from_millis(3_600_005));
        assert_eq!(sleeper.waits(), vec![Duration::from_secs(3600), Duration::from_millis(5)]);
    }

    #[test]
    fn a_cancelled_sleep_returns_false_at_once() {
        let cancel = AtomicBool::new(true);
        assert!(!VirtualSleeper::new().sleep(Duration::from_secs(1), &cancel));
        assert!(!ThreadSleeper::new().sleep(Duration::from_secs(60), &cancel));
    }

    #[test]
    fn manual_clock_moves_only_when_told() {
        let clock = ManualClock::new(Timestamp::from_unix_clamped(1_000));
        assert_eq!(clock.now().unix(), 1_000);
        clock.advance(Duration::from_secs(7));
        assert_eq!(clock.now().unix(), 1_007);
    }
}
