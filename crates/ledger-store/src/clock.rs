//! The ledger's clock: the time every event is recorded at, and "today" for overdue claims and
//! current balances. In service it is the system clock; tests and the demo use a clock they can
//! move forward, so that a claim's answer can come after its due day without waiting for it.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};

#[derive(Clone, Debug, Default)]
pub struct Clock {
    /// Microseconds since the Unix epoch, for a clock that is set by hand.
    manual: Option<Arc<AtomicI64>>,
}

impl Clock {
    /// The system clock (UTC).
    pub fn system() -> Clock {
        Clock { manual: None }
    }

    /// A clock that stands at `start` until moved.
    pub fn manual(start: DateTime<Utc>) -> Clock {
        Clock { manual: Some(Arc::new(AtomicI64::new(start.timestamp_micros()))) }
    }

    pub fn now(&self) -> DateTime<Utc> {
        match &self.manual {
            None => Utc::now(),
            Some(micros) => {
                DateTime::from_timestamp_micros(micros.load(Ordering::SeqCst)).unwrap_or_default()
            }
        }
    }

    pub fn today(&self) -> NaiveDate {
        self.now().date_naive()
    }

    /// Moves a manual clock forward by `by`; the system clock cannot be moved and ignores it.
    pub fn advance(&self, by: TimeDelta) {
        if let Some(micros) = &self.manual {
            micros.fetch_add(by.num_microseconds().unwrap_or(i64::MAX), Ordering::SeqCst);
        }
    }

    /// Sets a manual clock to `at` (never backwards: recorded times only move forward anyway).
    pub fn set(&self, at: DateTime<Utc>) {
        if let Some(micros) = &self.manual {
            micros.fetch_max(at.timestamp_micros(), Ordering::SeqCst);
        }
    }
}
