//! A list's selection and its `/` filter, one for every picker: the
//! contexts (`ctrl-x`), the dashboards (`D`) and a dashboard variable's
//! values (`V`). The filter keeps the entries holding every word typed, in
//! any case, in one of their fields; the keys are the board's, as remapped
//! (up/down, top/bottom, `/`), and Esc clears a filter before it closes.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::keymap::Action;

/// Widest a filter grows (a paste into it is cut there).
pub const MAX_FILTER: usize = 200;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListFilter {
    /// Index into the entries the filter keeps.
    pub selected: usize,
    pub filter: String,
    /// Keys type into the filter (after `/`).
    pub filtering: bool,
}

/// What a key did to the list, for its picker to finish.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Esc without a filter, quit, or one of the picker's own keys.
    Close,
    /// Enter: the selected entry (its index among all), if any is kept.
    Choose(Option<usize>),
    /// Moved, or the filter edited (the selection kept on its entry when
    /// it is still there).
    Done,
}

impl ListFilter {
    /// The filter's words, lower case.
    pub fn words(&self) -> Vec<String> {
        words(&self.filter)
    }

    /// Whether an entry with `fields` is kept: every word in one of them.
    pub fn keeps(&self, fields: &[&str]) -> bool {
        matches(&self.words(), fields)
    }

    /// Whether a filter is typed or shown.
    pub fn active(&self) -> bool {
        self.filtering || !self.filter.is_empty()
    }

    /// Handles `key` (`action` is what the keymap says of it): `kept` gives
    /// the indices of the entries the filter keeps, `closes` the actions
    /// that close the picker besides quit.
    pub fn key(
        &mut self,
        key: KeyEvent,
        action: Option<Action>,
        closes: &[Action],
        kept: impl Fn(&ListFilter) -> Vec<usize>,
    ) -> Step {
        let visible = kept(self);
        let before = visible.get(self.selected).copied();
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Esc if self.active() => {
                self.filter.clear();
                self.filtering = false;
            }
            KeyCode::Esc => return Step::Close,
            KeyCode::Enter => return Step::Choose(before),
            KeyCode::Backspace if self.filtering => {
                self.filter.pop();
            }
            KeyCode::Char(c) if self.filtering && !ctrl => {
                if self.filter.chars().count() < MAX_FILTER {
                    self.filter.push(c);
                }
            }
            _ => {
                let last = visible.len().saturating_sub(1);
                match action {
                    Some(Action::Up) => self.selected = self.selected.saturating_sub(1),
                    Some(Action::Down) => self.selected = (self.selected + 1).min(last),
                    Some(Action::Top) => self.selected = 0,
                    Some(Action::Bottom) => self.selected = last,
                    Some(Action::Filter) => self.filtering = true,
                    Some(Action::Quit) => return Step::Close,
                    Some(a) if closes.contains(&a) => return Step::Close,
                    _ => {}
                }
                return Step::Done;
            }
        }
        let visible = kept(self);
        self.selected = reselect(before, &visible, self.selected);
        Step::Done
    }
}

/// The words of `filter`, lower case.
pub fn words(filter: &str) -> Vec<String> {
    filter.split_whitespace().map(str::to_lowercase).collect()
}

/// Every word is in one of the fields (any case).
pub fn matches(words: &[String], fields: &[&str]) -> bool {
    let fields: Vec<String> = fields.iter().map(|f| f.to_lowercase()).collect();
    words.iter().all(|w| fields.iter().any(|f| f.contains(w.as_str())))
}

/// Where the selection goes when the list changes: the same entry if it is
/// still there, else the nearest row that is.
fn reselect(before: Option<usize>, visible: &[usize], selected: usize) -> usize {
    before.and_then(|b| visible.iter().position(|v| *v == b)).unwrap_or(selected.min(visible.len().saturating_sub(1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(l: &mut ListFilter, code: KeyCode, action: Option<Action>, names: &[&str]) -> Step {
        let kept = |f: &ListFilter| (0..names.len()).filter(|i| f.keeps(&[names[*i]])).collect();
        l.key(KeyEvent::from(code), action, &[Action::Contexts], kept)
    }

    #[test]
    fn the_filter_keeps_every_word_in_any_field_any_case() {
        let l = ListFilter { filter: "Prod  eu".into(), ..ListFilter::default() };
        assert!(l.keeps(&["prod-eu-1"]));
        assert!(l.keeps(&["Production", "eu-west"]), "words in different fields");
        assert!(!l.keeps(&["prod-us"]));
        assert!(ListFilter::default().keeps(&[]), "no filter keeps all");
    }

    #[test]
    fn keys_move_filter_choose_and_close() {
        let names = ["prod-eu", "prod-us", "staging"];
        let mut l = ListFilter::default();
        assert_eq!(press(&mut l, KeyCode::Down, Some(Action::Down), &names), Step::Done);
        assert_eq!(press(&mut l, KeyCode::Down, Some(Action::Down), &names), Step::Done);
        assert_eq!(press(&mut l, KeyCode::Down, Some(Action::Down), &names), Step::Done);
        assert_eq!(l.selected, 2, "stops at the last");
        press(&mut l, KeyCode::Char('/'), Some(Action::Filter), &names);
        assert!(l.filtering);
        for c in "prod".chars() {
            press(&mut l, KeyCode::Char(c), None, &names);
        }
        assert_eq!(l.selected, 1, "staging gone: the nearest kept row");
        press(&mut l, KeyCode::Backspace, None, &names);
        assert_eq!(l.filter, "pro");
        assert_eq!(press(&mut l, KeyCode::Enter, None, &names), Step::Choose(Some(1)));
        assert_eq!(press(&mut l, KeyCode::Esc, None, &names), Step::Done, "Esc clears the filter first");
        assert!(!l.active());
        assert_eq!(press(&mut l, KeyCode::Esc, None, &names), Step::Close);
        assert_eq!(press(&mut l, KeyCode::Char('x'), Some(Action::Contexts), &names), Step::Close);
        for c in "nothing".chars() {
            l.filtering = true;
            press(&mut l, KeyCode::Char(c), None, &names);
        }
        assert_eq!(press(&mut l, KeyCode::Enter, None, &names), Step::Choose(None));
        l.filter = "x".repeat(MAX_FILTER);
        press(&mut l, KeyCode::Char('y'), None, &names);
        assert_eq!(l.filter.chars().count(), MAX_FILTER, "capped");
    }
}
