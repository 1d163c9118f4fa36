//! Units of a series' values, and the values as people read them: the
//! console's signals and charts and the post-mortem's charts say them alike.

/// Unit of a signal, for formatting its values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Unit {
    #[default]
    None,
    Seconds,
    Ratio,
    Reqps,
    Bytes,
}

impl Unit {
    /// The unit a record names ([`unit_name`]); anything else is none.
    pub fn from_name(name: &str) -> Unit {
        match name {
            "s" => Unit::Seconds,
            "ratio" => Unit::Ratio,
            "req/s" => Unit::Reqps,
            "bytes" => Unit::Bytes,
            _ => Unit::None,
        }
    }
}

/// How the unit is written in the record (`0.2–14 s`).
pub fn unit_name(unit: Unit) -> &'static str {
    match unit {
        Unit::None => "",
        Unit::Seconds => "s",
        Unit::Ratio => "ratio",
        Unit::Reqps => "req/s",
        Unit::Bytes => "bytes",
    }
}

/// "1.25s", "85ms", "4.2%", "120 req/s", "1.5GiB": values as people read
/// them. Non-finite values (gaps) read as "–".
pub fn format_value(v: f64, unit: Unit) -> String {
    if !v.is_finite() {
        return "–".into();
    }
    match unit {
        Unit::Seconds if v.abs() < 1.0 => format!("{:.0}ms", v * 1000.0),
        Unit::Seconds => format!("{v:.2}s"),
        Unit::Ratio => format!("{:.2}%", v * 100.0),
        Unit::Reqps => format!("{} req/s", compact(v)),
        Unit::Bytes => bytes(v),
        Unit::None => compact(v),
    }
}

fn compact(v: f64) -> String {
    let a = v.abs();
    if a >= 1e9 {
        format!("{:.1}G", v / 1e9)
    } else if a >= 1e6 {
        format!("{:.1}M", v / 1e6)
    } else if a >= 1e4 {
        format!("{:.1}k", v / 1e3)
    } else if a >= 100.0 || v == v.trunc() {
        format!("{v:.0}")
    } else if a >= 0.01 {
        format!("{v:.2}")
    } else {
        format!("{v:.1e}")
    }
}

fn bytes(v: f64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut x = v;
    let mut i = 0;
    while x.abs() >= 1024.0 && i < units.len() - 1 {
        x /= 1024.0;
        i += 1;
    }
    if i == 0 { format!("{x:.0}B") } else { format!("{x:.1}{}", units[i]) }
}
