//! Keyframed curves and deterministic noise: the raw material of every
//! simulated series and log stream.

use serde::Deserialize;

/// A time in a scenario file: seconds as a number, or a humantime string
/// (`"2m30s"`) because that is how people write incident timelines.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub(crate) enum TimeSpec {
    Secs(f64),
    Text(String),
}

impl TimeSpec {
    pub(crate) fn seconds(&self) -> Result<f64, String> {
        match self {
            TimeSpec::Secs(s) if s.is_finite() && *s >= 0.0 => Ok(*s),
            TimeSpec::Secs(s) => Err(format!("time {s} must be a finite number >= 0")),
            TimeSpec::Text(t) => {
                humantime::parse_duration(t.trim()).map(|d| d.as_secs_f64()).map_err(|e| format!("time {t:?}: {e}"))
            }
        }
    }
}

/// One `[t, value]` keyframe as written in the file.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct RawKey(pub TimeSpec, pub f64);

/// Piecewise-linear function of scenario time. Before the first keyframe it
/// holds the first value (the pre-incident baseline), after the last it holds
/// the last one (the final state).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Curve {
    keys: Vec<(f64, f64)>,
}

impl Curve {
    #[cfg(test)]
    pub(crate) fn constant(v: f64) -> Curve {
        Curve { keys: vec![(0.0, v)] }
    }

    /// Validates and converts raw keyframes: at least one, finite values,
    /// times non-decreasing (equal times make a step).
    pub(crate) fn from_raw(raw: &[RawKey]) -> Result<Curve, String> {
        if raw.is_empty() {
            return Err("a curve needs at least one [t, value] keyframe".into());
        }
        let mut keys = Vec::with_capacity(raw.len());
        for (i, RawKey(t, v)) in raw.iter().enumerate() {
            let t = t.seconds()?;
            if !v.is_finite() {
                return Err(format!("keyframe {i}: value must be finite"));
            }
            if keys.last().is_some_and(|&(prev, _)| t < prev) {
                return Err(format!("keyframe {i}: times must not go backwards"));
            }
            keys.push((t, *v));
        }
        Ok(Curve { keys })
    }

    pub(crate) fn at(&self, t: f64) -> f64 {
        let Some(&(t0, v0)) = self.keys.first() else {
            return 0.0;
        };
        if t <= t0 {
            return v0;
        }
        for w in self.keys.windows(2) {
            let ((ta, va), (tb, vb)) = (w[0], w[1]);
            if t < tb {
                if tb <= ta {
                    return vb;
                }
                return va + (vb - va) * (t - ta) / (tb - ta);
            }
        }
        self.keys.last().map_or(v0, |&(_, v)| v)
    }
}

/// SplitMix64: a tiny, good-enough mixer; the simulator needs repeatable
/// jitter, not cryptography.
pub(crate) fn mix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// Uniform in [-1, 1), the same for the same (stream, instant) pair so a
/// series' history does not change between two queries.
pub(crate) fn noise_unit(stream: u64, instant_ms: i64) -> f64 {
    let h = mix64(stream.wrapping_mul(0x100_0000_01B3) ^ instant_ms as u64);
    (h >> 11) as f64 / (1u64 << 52) as f64 - 1.0
}

/// A seeded pseudo-random generator for log templates and ids.
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// Seeded from the process' hash keys and the clock: for silence ids.
    pub(crate) fn from_entropy() -> Rng {
        use std::hash::{BuildHasher, RandomState};
        let nanos =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64);
        Rng(RandomState::new().hash_one(nanos))
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(1);
        mix64(self.0)
    }

    /// Uniform in [0, 1).
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn curve(keys: &[(f64, f64)]) -> Curve {
        let raw: Vec<RawKey> = keys.iter().map(|&(t, v)| RawKey(TimeSpec::Secs(t), v)).collect();
        Curve::from_raw(&raw).expect("valid curve")
    }

    #[test]
    fn interpolates_linearly_and_holds_the_ends() {
        let c = curve(&[(10.0, 1.0), (20.0, 3.0)]);
        assert_eq!(c.at(0.0), 1.0);
        assert_eq!(c.at(-5.0), 1.0);
        assert_eq!(c.at(15.0), 2.0);
        assert_eq!(c.at(25.0), 3.0);
    }

    #[test]
    fn equal_times_make_a_step() {
        let c = curve(&[(0.0, 1.0), (10.0, 1.0), (10.0, 0.0), (20.0, 0.0)]);
        assert_eq!(c.at(9.99), 1.0);
        assert_eq!(c.at(10.0), 0.0);
    }

    #[test]
    fn rejects_backwards_and_empty_curves() {
        let raw = vec![RawKey(TimeSpec::Text("2m".into()), 1.0), RawKey(TimeSpec::Secs(60.0), 1.0)];
        assert!(Curve::from_raw(&raw).unwrap_err().contains("backwards"));
        assert!(Curve::from_raw(&[]).is_err());
    }

    #[test]
    fn humantime_strings_are_seconds() {
        assert_eq!(TimeSpec::Text("2m30s".into()).seconds(), Ok(150.0));
        assert!(TimeSpec::Text("soon".into()).seconds().is_err());
    }

    #[test]
    fn noise_is_repeatable_and_bounded() {
        for i in 0..1000 {
            let n = noise_unit(7, i);
            assert!((-1.0..1.0).contains(&n));
            assert_eq!(n, noise_unit(7, i));
        }
    }
}
