//! The simulated clock: maps wall-clock instants to scenario time.
//!
//! Timestamps in every API response are real wall-clock times; the scenario
//! simply plays `speed` times faster, so at `--speed 10` the ten-minute
//! incident happens within one real minute.

use std::time::{SystemTime, UNIX_EPOCH};

#[derive(Debug, Clone, Copy)]
pub(crate) struct Clock {
    /// Wall-clock instant (Unix seconds) at which scenario time is 0.
    pub start: f64,
    pub speed: f64,
    /// Scenario length in scenario seconds.
    pub duration: f64,
    pub loop_forever: bool,
}

/// Current wall-clock time in Unix seconds.
pub(crate) fn now_secs() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64())
}

impl Clock {
    /// Scenario time at wall instant `wall`: negative before the start
    /// (pre-incident history), wrapped when looping, held at the end
    /// otherwise.
    pub(crate) fn scenario_t(&self, wall: f64) -> f64 {
        let t = (wall - self.start) * self.speed;
        if t < 0.0 {
            t
        } else if self.loop_forever {
            t % self.duration
        } else {
            t.min(self.duration)
        }
    }

    /// How many times the scenario restarted by `wall` (0 without looping).
    pub(crate) fn lap(&self, wall: f64) -> u64 {
        let t = (wall - self.start) * self.speed;
        if self.loop_forever && t > 0.0 { (t / self.duration) as u64 } else { 0 }
    }

    /// Scenario seconds elapsed between two wall instants.
    pub(crate) fn scenario_elapsed(&self, from_wall: f64, to_wall: f64) -> f64 {
        (to_wall - from_wall) * self.speed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clock(loop_forever: bool) -> Clock {
        Clock { start: 1000.0, speed: 10.0, duration: 600.0, loop_forever }
    }

    #[test]
    fn plays_speed_times_faster() {
        assert_eq!(clock(false).scenario_t(1006.0), 60.0);
        assert_eq!(clock(false).scenario_t(990.0), -100.0);
        assert_eq!(clock(false).scenario_elapsed(1000.0, 1001.0), 10.0);
    }

    #[test]
    fn holds_or_loops_at_the_end() {
        assert_eq!(clock(false).scenario_t(1100.0), 600.0);
        assert_eq!(clock(true).scenario_t(1061.0), 10.0);
        assert_eq!(clock(true).lap(1061.0), 1);
        assert_eq!(clock(false).lap(1061.0), 0);
    }
}
