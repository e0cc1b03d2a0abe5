//! The time the shell passes to the core. Tests move a manual clock instead of sleeping.

use kessai_core::Millis;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// The system clock plus an offset that only a test clock may change.
#[derive(Debug, Default)]
pub struct Clock {
    offset_ms: AtomicI64,
    adjustable: bool,
}

impl Clock {
    pub fn new(adjustable: bool) -> Clock {
        Clock::with_offset(adjustable, 0)
    }

    /// A clock already moved by `offset_ms` (a test clock resumed after a restart).
    pub fn with_offset(adjustable: bool, offset_ms: i64) -> Clock {
        Clock {
            offset_ms: AtomicI64::new(if adjustable { offset_ms } else { 0 }),
            adjustable,
        }
    }

    pub fn offset_ms(&self) -> i64 {
        self.offset_ms.load(Ordering::Relaxed)
    }

    pub fn now(&self) -> Millis {
        let wall = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        Millis(wall + self.offset_ms.load(Ordering::Relaxed))
    }

    /// Moves time forward; refused unless the clock was made adjustable, and refused past
    /// [`MAX_OFFSET_MS`] in all (an offset near `i64::MAX` once overflowed `now`, found by
    /// fuzzing: every request after it failed).
    pub fn advance(&self, ms: i64) -> Result<Millis, ClockRefusal> {
        if !self.adjustable {
            return Err(ClockRefusal::Fixed);
        }
        if ms < 0 {
            return Err(ClockRefusal::Backwards);
        }
        self.offset_ms
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |offset| {
                offset.checked_add(ms).filter(|o| *o <= MAX_OFFSET_MS)
            })
            .map_err(|_| ClockRefusal::TooFar)?;
        Ok(self.now())
    }
}

/// How far a test clock may run ahead of the wall clock in all: a hundred years, so every date
/// Kessai derives from it (deadlines, business days, file dates) stays a four-digit year.
pub const MAX_OFFSET_MS: i64 = 100 * 366 * 24 * 60 * 60 * 1000;

/// Why a clock did not move.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ClockRefusal {
    #[error("the clock can only be moved when the server runs with --test-clock")]
    Fixed,
    #[error("time only moves forward")]
    Backwards,
    #[error("a test clock may run at most a hundred years ahead")]
    TooFar,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_test_clock_moves_forward_within_its_bound_and_never_overflows() {
        let clock = Clock::new(true);
        let before = clock.now();
        assert!(clock.advance(60_000).unwrap().0 >= before.0 + 60_000);
        assert_eq!(clock.advance(i64::MAX), Err(ClockRefusal::TooFar));
        assert_eq!(clock.advance(MAX_OFFSET_MS), Err(ClockRefusal::TooFar));
        assert_eq!(clock.offset_ms(), 60_000, "a refused move changes nothing");
        assert!(clock.advance(MAX_OFFSET_MS - 60_000).is_ok());
        assert_eq!(clock.advance(-1), Err(ClockRefusal::Backwards));
        assert_eq!(Clock::new(false).advance(1), Err(ClockRefusal::Fixed));
    }
}
