//! How long a task waits before trying a source that failed again.

use std::time::Duration;

/// Longest wait between two tries at a source that is down.
pub const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// The wait before the next poll: the refresh interval, doubled for each
/// failure in a row (up to 8x), never over [`MAX_BACKOFF`] unless the
/// interval itself is longer.
pub fn backoff(every: Duration, failures: u32) -> Duration {
    if failures == 0 {
        return every;
    }
    let factor = 1u32 << failures.min(4).saturating_sub(1);
    (every * factor).min(MAX_BACKOFF.max(every))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_then_caps() {
        let s = Duration::from_secs;
        assert_eq!(backoff(s(2), 0), s(2));
        assert_eq!(backoff(s(2), 1), s(2));
        assert_eq!(backoff(s(2), 2), s(4));
        assert_eq!(backoff(s(2), 4), s(16));
        assert_eq!(backoff(s(2), 50), s(16));
        assert_eq!(backoff(s(10), 9), s(30));
        assert_eq!(backoff(s(60), 9), s(60));
    }
}
