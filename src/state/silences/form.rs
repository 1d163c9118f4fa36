//! The silence form (`s`, and `e` in the silences view): matchers prefilled
//! from the alert (each can be dropped, edited, its operator cycled), how
//! long, a required comment, and a live preview of the alerts it would
//! match. The form only edits itself; `silences_flow` validates and posts.

use chrono::{DateTime, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::model::{Alert, Matcher, Silence};
use crate::state::alerts::BoardAlert;
use crate::state::silences::form_parse::Compiled;

/// Duration presets, in the order ←/→ cycles them (then "custom").
pub const PRESETS: [(&str, u64); 3] = [("15m", 15 * 60), ("1h", 3600), ("4h", 4 * 3600)];

/// The four operators, in the order ←/→ cycles them: (is_equal, is_regex).
const OPERATORS: [(bool, bool); 4] = [(true, false), (false, false), (true, true), (false, true)];

/// Labels that never identify an alert.
const NOISE: &[&str] = &["__name__"];

#[derive(Debug, Clone, PartialEq)]
pub struct MatcherRow {
    pub matcher: Matcher,
    pub enabled: bool,
}

/// How the end of the silence is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Until {
    Preset(usize),
    /// A duration or end time typed in [`SilenceForm::custom`].
    Custom,
}

/// Which field has the cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Matcher(usize),
    Until,
    Comment,
}

/// How many current alerts the silence would match, and their names.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Preview {
    pub count: usize,
    pub names: Vec<String>,
    /// An invalid regex or label name: nothing can match until fixed.
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SilenceForm {
    /// The silence this one replaces (editing), as amtool's `update`.
    pub replaces: Option<String>,
    /// Kept from the silence being edited, so Alertmanager can update it
    /// in place; `None` starts the silence when posted.
    pub starts_at: Option<DateTime<Utc>>,
    pub rows: Vec<MatcherRow>,
    pub until: Until,
    pub custom: String,
    pub comment: String,
    pub created_by: String,
    focus: usize,
    /// Why Enter was refused, or what Alertmanager answered.
    pub error: Option<String>,
    /// The second question of the guard rails, waiting for `y`.
    pub confirm: Option<String>,
    /// Posted, waiting for Alertmanager's answer.
    pub posting: bool,
    pub preview: Preview,
}

/// What a key did to the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormKey {
    Edited,
    Cancel,
    Submit,
    /// `y` on the guard-rail question.
    Confirmed,
}

impl SilenceForm {
    fn blank(rows: Vec<MatcherRow>, created_by: &str) -> Self {
        Self {
            replaces: None,
            starts_at: None,
            rows,
            until: Until::Preset(1),
            custom: String::new(),
            comment: String::new(),
            created_by: created_by.to_string(),
            focus: 0,
            error: None,
            confirm: None,
            posting: false,
            preview: Preview::default(),
        }
    }

    /// `s` on an alert: every label but noise as an `=` matcher.
    pub fn for_alert(alert: &Alert, user: &str) -> Self {
        let rows = alert
            .labels
            .iter()
            .filter(|(k, _)| !NOISE.contains(&k.as_str()))
            .map(|(k, v)| MatcherRow {
                matcher: Matcher { name: k.clone(), value: v.clone(), is_regex: false, is_equal: true },
                enabled: true,
            })
            .collect();
        Self::blank(rows, user)
    }

    /// `e` in the silences view: the silence as it is, replaced on Enter.
    pub fn for_silence(s: &Silence, user: &str, now: DateTime<Utc>) -> Self {
        let rows = s.matchers.iter().map(|m| MatcherRow { matcher: m.clone(), enabled: true }).collect();
        let mut form = Self::blank(rows, user);
        form.replaces = Some(s.id.clone());
        form.starts_at =
            (crate::state::silences::state_at(s, now) != crate::model::SilenceState::Expired).then_some(s.starts_at);
        form.until = Until::Custom;
        form.custom = s.ends_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        form.comment = s.comment.clone();
        form
    }

    pub fn field(&self) -> Field {
        match self.focus {
            i if i < self.rows.len() => Field::Matcher(i),
            i if i == self.rows.len() => Field::Until,
            _ => Field::Comment,
        }
    }

    pub fn focus(&mut self, field: Field) {
        self.focus = match field {
            Field::Matcher(i) => i.min(self.rows.len()),
            Field::Until => self.rows.len(),
            Field::Comment => self.rows.len() + 1,
        };
    }

    /// The enabled matchers, as they would be posted.
    pub fn matchers(&self) -> Vec<Matcher> {
        self.rows.iter().filter(|r| r.enabled).map(|r| r.matcher.clone()).collect()
    }

    /// The until field as typed or chosen ("1h", "90m", an end time).
    pub fn until_text(&self) -> &str {
        match self.until {
            Until::Preset(i) => PRESETS.get(i).map_or("1h", |p| p.0),
            Until::Custom => &self.custom,
        }
    }

    /// Recomputes the preview over the board (muted alerts included).
    pub fn refresh_preview(&mut self, alerts: &[BoardAlert]) {
        self.preview = match Compiled::new(&self.matchers()) {
            Err(e) => Preview { count: 0, names: Vec::new(), error: Some(e) },
            Ok(_) if self.rows.iter().all(|r| !r.enabled) => Preview::default(),
            Ok(c) => {
                let hits: Vec<&Alert> = alerts.iter().map(|b| &*b.alert).filter(|a| c.matches(&a.labels)).collect();
                let mut names: Vec<String> = hits.iter().map(|a| a.name().to_string()).collect();
                names.sort();
                names.dedup();
                Preview { count: hits.len(), names, error: None }
            }
        };
    }

    /// Applies one key. Text keys edit the focused field.
    pub fn on_key(&mut self, key: KeyEvent) -> FormKey {
        if self.confirm.take().is_some() {
            return match key.code {
                KeyCode::Char('y' | 'Y') => FormKey::Confirmed,
                _ => FormKey::Edited,
            };
        }
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let fields = self.rows.len() + 2;
        match key.code {
            KeyCode::Esc => return FormKey::Cancel,
            KeyCode::Enter => return FormKey::Submit,
            KeyCode::Tab | KeyCode::Down => self.focus = (self.focus + 1) % fields,
            KeyCode::BackTab | KeyCode::Up => self.focus = (self.focus + fields - 1) % fields,
            KeyCode::Left | KeyCode::Right => self.cycle(key.code == KeyCode::Right),
            KeyCode::Char('u') if ctrl => *self.text_mut() = String::new(),
            KeyCode::Char(' ') if matches!(self.field(), Field::Matcher(_)) => {
                if let Field::Matcher(i) = self.field() {
                    self.rows[i].enabled = !self.rows[i].enabled;
                }
            }
            KeyCode::Char(c) if !ctrl => self.text_mut().push(c),
            KeyCode::Backspace => {
                self.text_mut().pop();
            }
            _ => return FormKey::Edited,
        }
        self.error = None;
        FormKey::Edited
    }

    /// ←/→: the operator of a matcher, or the duration preset.
    fn cycle(&mut self, forward: bool) {
        let step = |i: usize, n: usize| if forward { (i + 1) % n } else { (i + n - 1) % n };
        match self.field() {
            Field::Matcher(i) => {
                let m = &mut self.rows[i].matcher;
                let at = OPERATORS.iter().position(|o| *o == (m.is_equal, m.is_regex)).unwrap_or(0);
                (m.is_equal, m.is_regex) = OPERATORS[step(at, OPERATORS.len())];
            }
            Field::Until => {
                let at = match self.until {
                    Until::Preset(i) => i,
                    Until::Custom => PRESETS.len(),
                };
                let next = step(at, PRESETS.len() + 1);
                self.until = if next == PRESETS.len() { Until::Custom } else { Until::Preset(next) };
            }
            Field::Comment => {}
        }
    }

    /// The text the focused field edits (typing in the until field
    /// switches it to a custom duration).
    fn text_mut(&mut self) -> &mut String {
        match self.field() {
            Field::Matcher(i) => &mut self.rows[i].matcher.value,
            Field::Until => {
                if matches!(self.until, Until::Preset(_)) {
                    self.until = Until::Custom;
                    self.custom.clear();
                }
                &mut self.custom
            }
            Field::Comment => &mut self.comment,
        }
    }
}

#[cfg(test)]
mod tests;
