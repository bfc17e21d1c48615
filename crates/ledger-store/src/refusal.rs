//! How the writer reports commits it refuses without writing anything. A full disk refuses every
//! commit until an operator frees space; under load that is hundreds a second, and a log line for
//! each would bury the cause and fill the disk the log is on (on a real full filesystem it wrote
//! 6,428 of them, 2 MB, in a minute). The first refusal of a run is logged at once, then one line at most every
//! [`REFUSED_COMMITS_LOG_INTERVAL`] with how many were refused since, and one line when commits
//! go through again.

use std::time::{Duration, Instant};

use tracing::{error, info};

/// Least time between two log lines about the same run of refused commits.
pub const REFUSED_COMMITS_LOG_INTERVAL: Duration = Duration::from_secs(30);

/// What to log about one refused commit.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Report {
    /// The first refusal after a commit went through (or since the start).
    First,
    /// A reminder: this many commits were refused since the last line, this one included.
    Repeated { refused: u64 },
    /// Nothing: a line about this run was written less than an interval ago.
    Quiet,
}

/// A run of refused commits: from the first refusal to the next commit that goes through.
#[derive(Debug)]
struct Run {
    began: Instant,
    last_logged: Instant,
    refused: u64,
    refused_unlogged: u64,
}

/// The writer's memory of refused commits.
#[derive(Debug, Default)]
pub(crate) struct Refusals {
    run: Option<Run>,
}

impl Refusals {
    /// Records a refused commit at `now` and says what to log about it.
    pub(crate) fn refused(&mut self, now: Instant) -> Report {
        let Some(run) = &mut self.run else {
            self.run = Some(Run { began: now, last_logged: now, refused: 1, refused_unlogged: 0 });
            return Report::First;
        };
        run.refused += 1;
        run.refused_unlogged += 1;
        if now.saturating_duration_since(run.last_logged) < REFUSED_COMMITS_LOG_INTERVAL {
            return Report::Quiet;
        }
        run.last_logged = now;
        Report::Repeated { refused: std::mem::take(&mut run.refused_unlogged) }
    }

    /// Records a commit that went through at `now`; ends a run of refusals, returning how many
    /// commits it refused and how long it lasted.
    pub(crate) fn committed(&mut self, now: Instant) -> Option<(u64, Duration)> {
        self.run.take().map(|run| (run.refused, now.saturating_duration_since(run.began)))
    }

    /// Logs a refused commit, as [`Refusals::refused`] decides.
    pub(crate) fn log_refused(&mut self, failure: &dyn std::fmt::Display, first_seq: u64) {
        match self.refused(Instant::now()) {
            Report::First => error!(error = %failure, first_seq, "commit refused; nothing acknowledged"),
            Report::Repeated { refused } => error!(
                error = %failure,
                refused,
                interval_s = REFUSED_COMMITS_LOG_INTERVAL.as_secs(),
                "commits still refused; nothing acknowledged"
            ),
            Report::Quiet => {}
        }
    }

    /// Logs the end of a run of refusals, if one was under way.
    pub(crate) fn log_committed(&mut self) {
        if let Some((refused, lasted)) = self.committed(Instant::now()) {
            info!(refused, seconds = lasted.as_secs(), "commits go through again");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_of_refusals_is_logged_once_per_interval_with_its_count() {
        let start = Instant::now();
        let at = |seconds: u64| start + Duration::from_secs(seconds);
        let mut refusals = Refusals::default();
        assert_eq!(refusals.refused(at(0)), Report::First);
        for second in 1..30 {
            assert_eq!(refusals.refused(at(second)), Report::Quiet, "second {second}");
        }
        // 29 quiet ones and this one.
        assert_eq!(refusals.refused(at(30)), Report::Repeated { refused: 30 });
        assert_eq!(refusals.refused(at(31)), Report::Quiet);
        assert_eq!(refusals.refused(at(75)), Report::Repeated { refused: 2 });
        assert_eq!(refusals.committed(at(80)), Some((33, Duration::from_secs(80))));
    }

    #[test]
    fn a_commit_ends_the_run_and_the_next_refusal_is_logged_at_once() {
        let start = Instant::now();
        let mut refusals = Refusals::default();
        assert_eq!(refusals.committed(start), None);
        assert_eq!(refusals.refused(start), Report::First);
        assert_eq!(refusals.committed(start + Duration::from_secs(1)), Some((1, Duration::from_secs(1))));
        assert_eq!(refusals.committed(start + Duration::from_secs(2)), None);
        assert_eq!(refusals.refused(start + Duration::from_secs(3)), Report::First);
    }
}
