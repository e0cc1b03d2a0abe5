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

    /// Moves time forward; refused unless the clock was made adjustable.
    pub fn advance(&self, ms: i64) -> Result<Millis, &'static str> {
        if !self.adjustable {
            return Err("the clock can only be moved when the server runs with --test-clock");
        }
        if ms < 0 {
            return Err("time only moves forward");
        }
        self.offset_ms.fetch_add(ms, Ordering::Relaxed);
        Ok(self.now())
    }
}
