//! A runbook's live blocks: what each asked and answered, the lines shown
//! under it, and when it is due again. Pure: the view asks with
//! [`LiveAsk`]s and gets [`LiveResult`]s, stamped by the runtime.

use chrono::{DateTime, Utc};
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::model::Labels;
pub use crate::msg::live::{LiveAnswer, LiveAsk, LiveLine, LiveResult, LiveSeries, LiveTag};
use crate::runbook::live::Lang;
use crate::runbook::render::{Rendered, RunbookStyles};
use crate::state::signals::{Unit, format_value};
use crate::text::truncate_width;

/// Queries of one runbook in flight at once.
pub const MAX_IN_FLIGHT: usize = 4;
/// Series shown under a block (the top ones by value).
pub const TOP_SERIES: usize = 5;
/// Log lines shown under a LogQL block (the newest).
pub const LOG_LINES: usize = 3;
/// Points in a block's sparkline.
pub const SPARK_POINTS: u64 = 24;
/// An ask with no answer after this long is taken as lost (the runtime
/// dropped it with a context switch): the block may ask again.
const LOST_AFTER_SECS: i64 = 90;
/// Lines an error may take under its block.
const ERROR_LINES: usize = 3;

#[derive(Debug, Clone, PartialEq)]
struct Block {
    /// Index in the rendered code blocks.
    index: usize,
    lang: Lang,
    query: String,
    unit: Unit,
    /// Placeholders the alert could not fill: not run.
    unfilled: Vec<String>,
    asked: Option<DateTime<Utc>>,
    answer: Option<(DateTime<Utc>, Result<LiveAnswer, String>)>,
}

impl Block {
    fn in_flight(&self, now: DateTime<Utc>) -> bool {
        let Some(asked) = self.asked else { return false };
        let answered = self.answer.as_ref().is_some_and(|(at, _)| *at >= asked);
        !answered && (now - asked).num_seconds() < LOST_AFTER_SECS
    }
}

/// The live blocks of one runbook view.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LiveBlocks {
    enabled: bool,
    blocks: Vec<Block>,
}

impl LiveBlocks {
    /// The live blocks of `base` (none when `enabled` is false).
    pub fn new(base: &Rendered, enabled: bool) -> Self {
        let blocks = base
            .code_blocks
            .iter()
            .enumerate()
            .filter(|_| enabled)
            .filter_map(|(index, b)| {
                let lang = b.live?;
                let unfilled = crate::runbook::live::fill(&b.text, &Default::default()).unfilled;
                let unit = unit_of(b.unit.as_deref(), &b.text);
                Some(Block { index, lang, query: b.text.trim().to_string(), unit, unfilled, asked: None, answer: None })
            })
            .collect();
        Self { enabled, blocks }
    }

    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// Keeps what was answered for the blocks of a re-laid-out runbook
    /// (same text: the same blocks, in the same order).
    pub fn carry_over(&mut self, old: &LiveBlocks) {
        for b in &mut self.blocks {
            if let Some(o) = old.blocks.iter().find(|o| o.index == b.index && o.query == b.query) {
                (b.asked, b.answer) = (o.asked, o.answer.clone());
            }
        }
    }

    /// The live block (its lang, query and unit) that is code block `index`.
    pub fn query_of(&self, index: usize) -> Option<(Lang, &str, Unit)> {
        self.block(index).map(|b| (b.lang, b.query.as_str(), b.unit))
    }

    fn block(&self, index: usize) -> Option<&Block> {
        self.blocks.iter().find(|b| b.index == index)
    }

    /// Asks for the blocks `visible` says are on screen whose answer is
    /// older than `refresh` (or missing), within [`MAX_IN_FLIGHT`].
    pub fn due(
        &mut self,
        runbook: &str,
        visible: impl Fn(usize) -> bool,
        now: DateTime<Utc>,
        refresh: std::time::Duration,
        window: std::time::Duration,
    ) -> Vec<LiveAsk> {
        let mut room = MAX_IN_FLIGHT.saturating_sub(self.blocks.iter().filter(|b| b.in_flight(now)).count());
        let refresh = chrono::Duration::from_std(refresh).unwrap_or(chrono::Duration::seconds(30));
        let window_secs = window.as_secs().max(60);
        let mut asks = Vec::new();
        for b in &mut self.blocks {
            if room == 0 {
                break;
            }
            let fresh = b.answer.as_ref().is_some_and(|(at, _)| now - *at < refresh);
            if !b.unfilled.is_empty() || b.in_flight(now) || fresh || !visible(b.index) {
                continue;
            }
            b.asked = Some(now);
            room -= 1;
            asks.push(LiveAsk {
                tag: LiveTag { runbook: runbook.to_string(), block: b.index, query: b.query.clone(), dashboard: None },
                lang: b.lang,
                end: now.timestamp(),
                window_secs,
                step_secs: (window_secs / SPARK_POINTS).max(1),
                lines: LOG_LINES,
            });
        }
        asks
    }

    /// Takes an answer for this runbook; false (dropped) when it is for
    /// another runbook, a block it does not have, or another query.
    pub fn merge(&mut self, runbook: &str, r: LiveResult) -> bool {
        if r.tag.runbook != runbook {
            return false;
        }
        let Some(b) = self.blocks.iter_mut().find(|b| b.index == r.tag.block && b.query == r.tag.query) else {
            return false;
        };
        b.answer = Some((r.at, r.result));
        true
    }

    /// What block `index` shows, in a few words for the timeline
    /// ("service=api 7.30%, service=web 2.10%"); `None` before an answer.
    pub fn summary(&self, index: usize) -> Option<String> {
        let b = self.block(index)?;
        let (_, result) = b.answer.as_ref()?;
        Some(match result {
            Err(e) => format!("error: {}", truncate_width(e, 60)),
            Ok(LiveAnswer::Logs { count, .. }) => format!("{count} matching lines"),
            Ok(LiveAnswer::Series { top, .. }) if top.is_empty() => "no series".to_string(),
            Ok(LiveAnswer::Series { top, .. }) => {
                let names = differing(top);
                let parts: Vec<String> = top
                    .iter()
                    .take(3)
                    .map(|s| {
                        let v = format_value(s.value, b.unit);
                        match label_text(&s.labels, &names) {
                            l if l.is_empty() => v,
                            l => format!("{l} {v}"),
                        }
                    })
                    .collect();
                parts.join(", ")
            }
        })
    }

    /// The lines drawn under each live block: (its code block index, lines).
    pub fn lines(&self, base: &Rendered, styles: &RunbookStyles) -> Vec<(usize, Vec<Line<'static>>)> {
        let width = usize::from(base.width);
        self.blocks
            .iter()
            .filter_map(|b| {
                let cb = base.code_blocks.get(b.index)?;
                let pad = " ".repeat(usize::from(cb.indent) + 1);
                let avail = width.saturating_sub(pad.len() + 2).max(8);
                let rows = block_lines(b, avail, styles);
                let lines = rows
                    .into_iter()
                    .map(|(text, style)| Line::from(vec![Span::raw(pad.clone()), Span::styled(text, style)]))
                    .collect();
                Some((b.index, lines))
            })
            .collect()
    }
}

/// The rows under one block, each cut to `avail` columns.
fn block_lines(b: &Block, avail: usize, styles: &RunbookStyles) -> Vec<(String, Style)> {
    let cut = |s: String| truncate_width(&s, avail);
    if !b.unfilled.is_empty() {
        let what = b.unfilled.join(", ");
        return vec![(cut(format!("↳ not run: this alert gives no value for {what}")), styles.live_error)];
    }
    let Some((_, result)) = &b.answer else {
        return vec![(cut("↳ running…".to_string()), styles.live)];
    };
    match result {
        Err(e) => {
            let rows = chunk(e, avail.saturating_sub(2), ERROR_LINES);
            let lead = |i: usize| if i == 0 { "↳ " } else { "  " };
            rows.into_iter().enumerate().map(|(i, r)| (cut(format!("{}{r}", lead(i))), styles.live_error)).collect()
        }
        Ok(LiveAnswer::Logs { count, lines }) => {
            let mut rows = vec![(cut(format!("↳ {count} matching lines over the window")), styles.live)];
            for l in lines {
                let t = chrono::DateTime::<Utc>::from_timestamp_nanos(l.ts_ns).format("%H:%M:%S");
                rows.push((cut(format!("  {t} {}", crate::text::clean(&l.line))), styles.text));
            }
            rows
        }
        Ok(LiveAnswer::Series { top, .. }) if top.is_empty() => {
            vec![(cut("↳ no series (the query matched nothing)".to_string()), styles.live)]
        }
        Ok(LiveAnswer::Series { total, top }) => series_rows(top, *total, b.unit, avail, styles),
    }
}

fn series_rows(
    top: &[LiveSeries],
    total: usize,
    unit: Unit,
    avail: usize,
    styles: &RunbookStyles,
) -> Vec<(String, Style)> {
    let names = differing(top);
    let labels: Vec<String> = top.iter().map(|s| truncate_width(&label_text(&s.labels, &names), 40)).collect();
    let label_w = labels.iter().map(|l| unicode_width::UnicodeWidthStr::width(l.as_str())).max().unwrap_or(0);
    let values: Vec<String> = top.iter().map(|s| format_value(s.value, unit)).collect();
    let value_w = values.iter().map(String::len).max().unwrap_or(0);
    let mut rows: Vec<(String, Style)> = top
        .iter()
        .zip(labels.iter().zip(&values))
        .map(|(s, (l, v))| {
            let lw = unicode_width::UnicodeWidthStr::width(l.as_str());
            let head = match label_w {
                0 => "↳ ".to_string(),
                _ => format!("↳ {l}{}  ", " ".repeat(label_w - lw)),
            };
            let row = format!("{head}{v:>value_w$}  {}", sparkline(&s.samples));
            (truncate_width(row.trim_end(), avail), styles.live)
        })
        .collect();
    if total > top.len() {
        rows.push((truncate_width(&format!("  … {} more series", total - top.len()), avail), styles.live));
    }
    rows
}

/// The label names whose values differ between the series shown.
fn differing(top: &[LiveSeries]) -> Vec<String> {
    let mut names: Vec<String> = top.iter().flat_map(|s| s.labels.keys().cloned()).collect();
    names.sort();
    names.dedup();
    names.retain(|n| top.iter().any(|s| s.labels.get(n) != top[0].labels.get(n)));
    names
}

fn label_text(labels: &Labels, names: &[String]) -> String {
    let parts: Vec<String> =
        names.iter().map(|n| format!("{n}={}", labels.get(n).map(String::as_str).unwrap_or("∅"))).collect();
    crate::text::clean(&parts.join(" ")).into_owned()
}

/// Bars scaled between the samples' min and max (a flat series: a flat
/// line); gaps (NaN) are blanks.
pub fn sparkline(samples: &[f64]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let finite = samples.iter().copied().filter(|v| v.is_finite());
    let (lo, hi) = finite.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
    samples
        .iter()
        .map(|v| match v.is_finite() {
            false => ' ',
            true if hi - lo <= f64::EPSILON * hi.abs().max(1.0) => BARS[0],
            true => BARS[(((v - lo) / (hi - lo)) * 7.0).round().clamp(0.0, 7.0) as usize],
        })
        .collect()
}

/// `unit=…` from the fence, else a guess from the metric names.
fn unit_of(tag: Option<&str>, query: &str) -> Unit {
    match tag.map(str::to_ascii_lowercase).as_deref() {
        Some("seconds" | "s") => return Unit::Seconds,
        Some("ratio" | "percent" | "%") => return Unit::Ratio,
        Some("bytes") => return Unit::Bytes,
        Some("reqps" | "req/s") => return Unit::Reqps,
        Some(_) => return Unit::None,
        None => {}
    }
    if query.contains("_seconds") {
        Unit::Seconds
    } else if query.contains("_bytes") {
        Unit::Bytes
    } else if query.contains("_ratio") {
        Unit::Ratio
    } else {
        Unit::None
    }
}

/// `s` cut into at most `max` pieces of `width` characters.
fn chunk(s: &str, width: usize, max: usize) -> Vec<String> {
    let chars: Vec<char> = crate::text::clean(s).chars().collect();
    chars.chunks(width.max(1)).take(max).map(|c| c.iter().collect()).collect()
}

/// Where the lines of `inserts` (each after a base line) put every base
/// line, and back.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Shift {
    /// (base line inserted after, lines inserted), by line.
    points: Vec<(usize, usize)>,
}

impl Shift {
    pub fn map(&self, line: usize) -> usize {
        line + self.points.iter().filter(|(after, _)| *after < line).map(|(_, n)| n).sum::<usize>()
    }

    /// A composed line as (base line, lines past it into an insert).
    pub fn anchor(&self, composed: usize) -> (usize, usize) {
        let mut offset = 0;
        for &(after, n) in &self.points {
            let at = after + offset;
            if composed <= at {
                break;
            }
            if composed <= at + n {
                return (after, composed - at);
            }
            offset += n;
        }
        (composed - offset, 0)
    }

    /// The composed line of an anchor (an insert that shrank: its end).
    pub fn place(&self, (base, extra): (usize, usize)) -> usize {
        let n = self.points.iter().find(|(a, _)| *a == base).map_or(0, |(_, n)| *n);
        self.map(base) + extra.min(n)
    }
}

/// `base` with each insert's lines after its code block's last line.
pub fn compose(base: &Rendered, inserts: Vec<(usize, Vec<Line<'static>>)>) -> (Rendered, Shift) {
    let mut inserts: Vec<(usize, Vec<Line<'static>>)> = inserts
        .into_iter()
        .filter_map(|(i, lines)| Some((base.code_blocks.get(i)?.last_line, lines)))
        .filter(|(_, lines)| !lines.is_empty())
        .collect();
    inserts.sort_by_key(|(after, _)| *after);
    let shift = Shift { points: inserts.iter().map(|(a, l)| (*a, l.len())).collect() };
    let mut out = Rendered { width: base.width, cut: base.cut, ..Rendered::default() };
    let mut next = inserts.into_iter().peekable();
    for (i, line) in base.lines.iter().enumerate() {
        out.lines.push(line.clone());
        while let Some((_, lines)) = next.next_if(|(after, _)| *after == i) {
            out.lines.extend(lines);
        }
    }
    out.headings = base
        .headings
        .iter()
        .map(|h| crate::runbook::render::Heading { line: shift.map(h.line), ..h.clone() })
        .collect();
    out.tasks =
        base.tasks.iter().map(|t| crate::runbook::render::Task { line: shift.map(t.line), ..t.clone() }).collect();
    out.links =
        base.links.iter().map(|l| crate::runbook::render::Link { line: shift.map(l.line), ..l.clone() }).collect();
    out.code_blocks = base
        .code_blocks
        .iter()
        .map(|b| crate::runbook::render::CodeBlock {
            first_line: shift.map(b.first_line),
            last_line: shift.map(b.last_line),
            ..b.clone()
        })
        .collect();
    (out, shift)
}

#[cfg(test)]
mod tests;
