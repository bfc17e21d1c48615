//! Faults injected at named points of the store, for tests of what a failing disk does to the
//! ledger. Compiled in only with the `failpoints` feature; without it every point is a no-op the
//! optimiser removes.
//!
//! With the feature on, as in the workspace's tests (`tests/faults.rs`):
//!
//! ```text
//! ledger_store::fault::set(Point::Fsync, std::io::ErrorKind::Other);
//! // ... the next commit fails at its fsync ...
//! ledger_store::fault::clear_all();
//! ```

/// Where a fault can be injected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Point {
    /// Opening a data directory: the probe that checks the directory takes writes.
    Probe,
    /// A commit, before its batch reaches sled: nothing of it is written.
    BeforeApply,
    /// A commit, at sled's apply of its batch.
    Apply,
    /// A commit, at sled's flush of the applied batch to its files.
    Flush,
    /// A commit, at the fsync of sled's data file after the flush.
    Fsync,
    /// A commit, at the write and sync of the promise file after the fsync.
    Promise,
    /// A commit, before anything is written: the writer panics, as a bug in it would.
    WriterPanic,
    /// The free space of the data directory, read before every commit, reads as none.
    FreeSpace,
}

#[cfg(feature = "failpoints")]
mod active {
    use std::collections::HashMap;
    use std::sync::Mutex;

    use super::Point;

    static FAULTS: Mutex<Option<HashMap<Point, std::io::ErrorKind>>> = Mutex::new(None);

    /// Makes every pass through `point` fail with an error of `kind`, until cleared.
    pub fn set(point: Point, kind: std::io::ErrorKind) {
        if let Ok(mut faults) = FAULTS.lock() {
            faults.get_or_insert_with(HashMap::new).insert(point, kind);
        }
    }

    /// Clears every fault.
    pub fn clear_all() {
        if let Ok(mut faults) = FAULTS.lock() {
            *faults = None;
        }
    }

    pub(crate) fn hit(point: Point) -> std::io::Result<()> {
        let kind = FAULTS.lock().ok().and_then(|faults| faults.as_ref()?.get(&point).copied());
        match kind {
            Some(kind) => Err(std::io::Error::new(kind, format!("injected fault at {point:?}"))),
            None => Ok(()),
        }
    }
}

#[cfg(feature = "failpoints")]
pub use active::{clear_all, set};

#[cfg(feature = "failpoints")]
pub(crate) use active::hit;

#[cfg(not(feature = "failpoints"))]
#[inline(always)]
pub(crate) fn hit(_point: Point) -> std::io::Result<()> {
    Ok(())
}

/// An IO error in words an operator acts on: a full or read-only data directory is named as such.
pub fn describe(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::StorageFull => format!("the data directory is full ({error})"),
        std::io::ErrorKind::ReadOnlyFilesystem => format!("the data directory is read-only ({error})"),
        std::io::ErrorKind::PermissionDenied => {
            format!("the ledger may not write to the data directory ({error})")
        }
        _ => error.to_string(),
    }
}
