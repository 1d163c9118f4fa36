//! What the silence form checks before anything is posted: when the silence
//! ends (a duration or an end time), which alerts its matchers select (the
//! same rules as Alertmanager: anchored regexes, a missing label is empty),
//! and whether it is broad enough to ask twice.

use chrono::{DateTime, FixedOffset, NaiveDateTime, NaiveTime, TimeZone, Utc};

use crate::model::{Labels, Matcher};

/// The end of a silence from what the user typed: a humantime duration
/// (`90m`, `2h30m`), an RFC3339 time, or a wall-clock time in `tz`
/// (`2026-11-24 18:00`, or `18:00` for the next such time).
pub fn parse_until<Tz: TimeZone>(text: &str, now: DateTime<Utc>, tz: &Tz) -> Result<DateTime<Utc>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("duration is empty: type 90m, 2h30m, or an end time like 2026-11-24 18:00".into());
    }
    let end = if let Ok(d) = humantime::parse_duration(text) {
        crate::state::silences::later(now, d)
    } else if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        t.with_timezone(&Utc)
    } else if let Some(t) = wall_clock(text, now, tz) {
        t
    } else {
        return Err(format!(
            "cannot read {text:?} as a duration (90m, 2h30m) or an end time (2026-11-24 18:00, RFC3339)"
        ));
    };
    if end <= now {
        return Err(format!("{text:?} is in the past"));
    }
    Ok(end)
}

/// [`parse_until`] at the local offset from UTC the runtime last said
/// (`State::local_offset`), as the user reads clocks; the state reads no
/// time zone itself.
pub fn parse_until_local(text: &str, now: DateTime<Utc>, local: FixedOffset) -> Result<DateTime<Utc>, String> {
    parse_until(text, now, &local)
}

fn wall_clock<Tz: TimeZone>(text: &str, now: DateTime<Utc>, tz: &Tz) -> Option<DateTime<Utc>> {
    let naive = ["%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok());
    let naive = match naive {
        Some(n) => n,
        None => {
            // "18:00": today at 18:00 if still ahead, else tomorrow.
            let time = NaiveTime::parse_from_str(text, "%H:%M").ok()?;
            let today = now.with_timezone(tz).date_naive().and_time(time);
            let at = tz.from_local_datetime(&today).earliest()?.with_timezone(&Utc);
            if at > now { today } else { today.checked_add_days(chrono::Days::new(1))? }
        }
    };
    // A time skipped by a DST change has no instant; a repeated one takes the first.
    Some(tz.from_local_datetime(&naive).earliest()?.with_timezone(&Utc))
}

/// Matchers with their regexes compiled once, for previews over thousands
/// of alerts.
#[derive(Debug)]
pub struct Compiled(Vec<(Matcher, Option<regex::Regex>)>);

impl Compiled {
    /// Fails with a message naming the matcher whose regex is invalid.
    pub fn new(matchers: &[Matcher]) -> Result<Self, String> {
        let mut out = Vec::with_capacity(matchers.len());
        for m in matchers {
            if m.name.trim().is_empty() {
                return Err("a matcher has no label name".into());
            }
            let re = if m.is_regex {
                let re = regex::Regex::new(&format!("^(?:{})$", m.value))
                    .map_err(|e| format!("invalid regex in {m}: {}", first_line(&e.to_string())))?;
                Some(re)
            } else {
                None
            };
            out.push((m.clone(), re));
        }
        Ok(Self(out))
    }

    pub fn matches(&self, labels: &Labels) -> bool {
        self.0.iter().all(|(m, re)| matcher_hits(m, re.as_ref(), labels.get(&m.name).map_or("", String::as_str)))
    }

    /// Alertmanager refuses a silence whose every matcher matches the empty
    /// string: it would silence every alert.
    pub fn matches_everything(&self) -> bool {
        self.0.iter().all(|(m, re)| matcher_hits(m, re.as_ref(), ""))
    }
}

fn matcher_hits(m: &Matcher, re: Option<&regex::Regex>, value: &str) -> bool {
    let hit = match re {
        Some(re) => re.is_match(value),
        None => value == m.value,
    };
    hit == m.is_equal
}

fn first_line(s: &str) -> &str {
    s.lines().rfind(|l| !l.trim().is_empty()).unwrap_or(s).trim()
}

/// Why a silence needs a second confirmation, if it does: it matches more
/// than `threshold` alerts, every alert on the board, or uses regexes only.
pub fn guard_rail(matchers: &[Matcher], count: usize, total: usize, threshold: usize) -> Option<String> {
    let only_regex = !matchers.is_empty() && matchers.iter().all(|m| m.is_regex);
    let everything = total > 1 && count == total;
    if !(only_regex || everything || count > threshold) {
        return None;
    }
    let why = match (only_regex, everything) {
        (true, _) => " (regex matchers only)",
        (false, true) => " (every alert on the board)",
        _ => "",
    };
    let noun = if count == 1 { "alert" } else { "alerts" };
    Some(format!("this silences {count} {noun}{why} — press y to confirm, any other key to go back"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::FixedOffset;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap()
    }

    fn m(name: &str, op: &str, value: &str) -> Matcher {
        let (is_equal, is_regex) = match op {
            "=" => (true, false),
            "!=" => (false, false),
            "=~" => (true, true),
            _ => (false, true),
        };
        Matcher { name: name.into(), value: value.into(), is_regex, is_equal }
    }

    #[test]
    fn durations_and_end_times() {
        let paris = FixedOffset::east_opt(3600).unwrap();
        let p = |s: &str| parse_until(s, now(), &paris);
        assert_eq!(p("90m").unwrap(), now() + chrono::Duration::minutes(90));
        assert_eq!(p(" 2h30m ").unwrap(), now() + chrono::Duration::minutes(150));
        assert_eq!(p("2026-11-24 18:00").unwrap(), Utc.with_ymd_and_hms(2026, 11, 24, 17, 0, 0).unwrap());
        assert_eq!(p("2026-11-24T18:00:30").unwrap(), Utc.with_ymd_and_hms(2026, 11, 24, 17, 0, 30).unwrap());
        assert_eq!(p("2026-11-23T08:00:00Z").unwrap(), Utc.with_ymd_and_hms(2026, 11, 23, 8, 0, 0).unwrap());
        // 14:00 in Paris is 13:00 UTC, still ahead; 12:30 Paris has passed: tomorrow.
        assert_eq!(p("14:00").unwrap(), Utc.with_ymd_and_hms(2026, 11, 22, 13, 0, 0).unwrap());
        assert_eq!(p("12:30").unwrap(), Utc.with_ymd_and_hms(2026, 11, 23, 11, 30, 0).unwrap());
        assert!(p("2026-11-20 18:00").unwrap_err().contains("in the past"));
        assert!(p("0s").unwrap_err().contains("in the past"));
        assert!(p("soon").unwrap_err().contains("cannot read"));
        assert!(p("").unwrap_err().contains("empty"));
        assert!(p("99999999999y").is_ok(), "absurd durations saturate instead of panicking");
    }

    #[test]
    fn compiled_matchers_follow_alertmanager() {
        let labels: Labels = [("service".to_string(), "api".to_string())].into();
        let c = Compiled::new(&[m("service", "=~", "a.i"), m("env", "!=", "prod")]).unwrap();
        assert!(c.matches(&labels));
        assert!(!Compiled::new(&[m("service", "=~", "a")]).unwrap().matches(&labels), "anchored");
        let err = Compiled::new(&[m("service", "=~", "(api")]).unwrap_err();
        assert!(err.starts_with("invalid regex in service=~\"(api\""), "{err}");
        assert!(Compiled::new(&[m(" ", "=", "x")]).is_err());
        assert!(Compiled::new(&[m("env", "=~", ".*")]).unwrap().matches_everything());
        assert!(Compiled::new(&[m("env", "!=", "prod")]).unwrap().matches_everything());
        assert!(!Compiled::new(&[m("env", "=~", ".*"), m("a", "=", "b")]).unwrap().matches_everything());
    }

    #[test]
    fn guard_rails_thresholds() {
        let eq = [m("service", "=", "api")];
        assert_eq!(guard_rail(&eq, 5, 40, 5), None, "at the threshold: no second question");
        assert!(guard_rail(&eq, 6, 40, 5).unwrap().starts_with("this silences 6 alerts — press y"));
        assert!(guard_rail(&eq, 3, 3, 5).unwrap().contains("every alert on the board"));
        assert_eq!(guard_rail(&eq, 1, 1, 5), None, "the only alert is not 'everything'");
        let re = [m("service", "=~", "api")];
        assert!(guard_rail(&re, 1, 40, 5).unwrap().contains("1 alert (regex matchers only)"));
        let mixed = [m("service", "=~", "api"), m("env", "=", "prod")];
        assert_eq!(guard_rail(&mixed, 2, 40, 5), None);
    }
}
