//! Time as the core sees it: a number the shell passes in. The core never reads a clock.

use serde::{Deserialize, Serialize};

pub const MILLIS_PER_DAY: i64 = 86_400_000;

/// Milliseconds since the Unix epoch (UTC).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Millis(pub i64);

impl Millis {
    pub fn plus_days(self, days: u32) -> Millis {
        Millis(self.0 + i64::from(days) * MILLIS_PER_DAY)
    }

    pub fn plus_millis(self, ms: i64) -> Millis {
        Millis(self.0 + ms)
    }
}
