//! Wire formats shared by the three APIs, byte-compatible with the Go
//! servers: sample values as strings, timestamps as JSON numbers, RFC 3339
//! times, Alertmanager fingerprints.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Number, Value as Json};

use super::spec::Labels;

/// A sample value the way Prometheus prints it (`strconv.FormatFloat(v,
/// 'f', -1, 64)`): `"1"`, `"0.25"`, `"NaN"`, `"+Inf"`, `"-Inf"`.
pub(crate) fn value_str(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v == f64::INFINITY {
        "+Inf".into()
    } else if v == f64::NEG_INFINITY {
        "-Inf".into()
    } else {
        format!("{v}")
    }
}

/// A sample timestamp in seconds as a JSON number: an integer when whole
/// (`1795352631`), milliseconds otherwise (`1795352661.437`).
pub(crate) fn ts_json(ms: i64) -> Json {
    if ms % 1000 == 0 {
        Json::Number(Number::from(ms / 1000))
    } else {
        Number::from_f64(ms as f64 / 1000.0).map_or(Json::Null, Json::Number)
    }
}

/// `[ts, "value"]`.
pub(crate) fn point(ms: i64, v: f64) -> Json {
    Json::Array(vec![ts_json(ms), Json::String(value_str(v))])
}

/// Go's `%e`-style value of `/api/v1/alerts` (`"1e+00"`, `"3.5e+01"`).
pub(crate) fn value_exp(v: f64) -> String {
    if !v.is_finite() {
        return value_str(v);
    }
    let s = format!("{v:e}");
    let Some((mantissa, exp)) = s.split_once('e') else {
        return s;
    };
    let (sign, digits) = match exp.strip_prefix('-') {
        Some(d) => ('-', d),
        None => ('+', exp),
    };
    format!("{mantissa}e{sign}{digits:0>2}")
}

fn datetime(unix_secs: f64) -> DateTime<Utc> {
    let nanos = (unix_secs * 1e9).round() as i64;
    DateTime::from_timestamp_nanos(nanos)
}

/// Prometheus style: up to nanoseconds, trailing zeros trimmed by group.
pub(crate) fn rfc3339_nanos(unix_secs: f64) -> String {
    datetime(unix_secs).to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// Alertmanager style: always milliseconds (`2026-11-22T13:03:23.411Z`).
pub(crate) fn rfc3339_millis(unix_secs: f64) -> String {
    datetime(unix_secs).to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Labels as a JSON object.
pub(crate) fn labels_json(l: &Labels) -> Json {
    Json::Object(l.iter().map(|(k, v)| (k.clone(), Json::String(v.clone()))).collect())
}

/// Alertmanager's label-set fingerprint: the console's own, so the two can
/// never disagree.
pub(crate) use crate::model::fingerprint;

/// Parses a Prometheus/Loki API time: Unix seconds (fractional allowed) or
/// RFC 3339.
pub(crate) fn parse_time(s: &str) -> Option<f64> {
    if let Ok(v) = s.parse::<f64>() {
        return v.is_finite().then_some(v);
    }
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|d| d.timestamp_nanos_opt().map_or(d.timestamp() as f64, |n| n as f64 / 1e9))
}

/// Parses a Prometheus duration parameter: float seconds or `5m`, `1h30m`.
pub(crate) fn parse_duration(s: &str) -> Option<f64> {
    if let Ok(v) = s.parse::<f64>() {
        return v.is_finite().then_some(v);
    }
    humantime::parse_duration(s).ok().map(|d| d.as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_timestamps_match_prometheus() {
        assert_eq!(value_str(1.0), "1");
        assert_eq!(value_str(0.25), "0.25");
        assert_eq!(value_str(f64::NAN), "NaN");
        assert_eq!(value_str(f64::INFINITY), "+Inf");
        assert_eq!(value_str(f64::NEG_INFINITY), "-Inf");
        assert_eq!(ts_json(1_795_352_631_000).to_string(), "1795352631");
        assert_eq!(ts_json(1_795_352_661_437).to_string(), "1795352661.437");
        assert_eq!(value_exp(1.0), "1e+00");
        assert_eq!(value_exp(0.0), "0e+00");
        assert_eq!(value_exp(35.0), "3.5e+01");
        assert_eq!(value_exp(0.0125), "1.25e-02");
    }

    #[test]
    fn fingerprint_matches_the_captured_alertmanager() {
        let mut l = Labels::new();
        l.insert("alertname".into(), "AlwaysFiring".into());
        l.insert("severity".into(), "page".into());
        assert_eq!(fingerprint(&l), "2a7a97fbf890646a");
    }

    #[test]
    fn times_parse_and_print() {
        assert_eq!(parse_time("1795352661.5"), Some(1_795_352_661.5));
        assert_eq!(parse_time("2026-11-22T13:03:23Z"), Some(1_795_352_603.0));
        assert_eq!(parse_time("soon"), None);
        assert_eq!(rfc3339_millis(1_795_352_603.411), "2026-11-22T13:03:23.411Z");
        assert_eq!(parse_duration("1m"), Some(60.0));
        assert_eq!(parse_duration("15"), Some(15.0));
    }
}
