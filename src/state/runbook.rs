//! The runbook pane's state: the document, its layout for the current
//! width, where the reader is, the table of contents, the search, and the
//! steps ticked during this incident.
//!
//! Pure: actions change the view and may return a [`RunbookEvent`] for the
//! runtime to act on (a journal entry, a clipboard write). Nothing here
//! does I/O.

pub mod live;

pub mod flow;

use std::collections::BTreeSet;
use std::sync::Arc;

use super::runbook::live::{LiveAsk, LiveBlocks, LiveResult, Shift, compose};
use crate::runbook::Document;
use crate::runbook::render::{Heading, Limit, Prepared, Rendered, RunbookStyles, SearchMatch, render, render_limited};

/// Lines shown before the first resize tells the real height.
const DEFAULT_HEIGHT: u16 = 20;
/// Columns moved by one horizontal scroll step in code blocks.
const HSCROLL_STEP: u16 = 8;

/// What a user can do in the pane (the keymap binds keys to these).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunbookAction {
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    /// Scroll code blocks horizontally.
    Left,
    Right,
    ToggleToc,
    /// In the table of contents: jump to the selected heading.
    Accept,
    /// Close the table of contents, else clear the search.
    Cancel,
    NextMatch,
    PrevMatch,
    /// Move to the next step not yet done.
    NextStep,
    /// Tick (or untick) the step under the cursor.
    Tick,
    /// Copy the code block under the cursor.
    Copy,
}

/// What the runtime must do after an action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunbookEvent {
    /// A step changed; record it in the incident timeline.
    Step {
        runbook: String,
        /// 1-based, in document order.
        step: usize,
        text: String,
        done: bool,
        /// What the step's live blocks showed when it was ticked.
        values: Vec<String>,
    },
    /// Write `runbook::clipboard::osc52(&text)` to the terminal.
    Copy { text: String },
}

impl RunbookEvent {
    /// The timeline entry for a step, e.g.
    /// `runbook db-down: step 3 'Restart pgbouncer' done`.
    pub fn timeline_text(&self) -> Option<String> {
        match self {
            Self::Step { runbook, step, text, done, values } => {
                let text = crate::text::clean_truncated(text, 80);
                let state = if *done { "done" } else { "undone" };
                let values = match values.is_empty() {
                    true => String::new(),
                    false => format!(" — {}", crate::text::clean_truncated(&values.join("; "), 120)),
                };
                Some(format!("runbook {runbook}: step {step} '{text}' {state}{values}"))
            }
            Self::Copy { .. } => None,
        }
    }
}

/// The runbook pane: the runbook shown, and the one load awaited. Loads
/// are numbered: an answer that is not the one awaited (an earlier `r`
/// overtaken by a later one, or a load the user walked away from with Esc)
/// is dropped, so a late answer never replaces what is shown or reopens a
/// pane the user closed.
#[derive(Debug, Clone, Default)]
pub struct RunbookPane {
    pub view: Option<RunbookView>,
    /// Runbooks run their query blocks (config `live_runbooks`).
    pub live: bool,
    /// The load asked for last and not answered yet.
    pub awaiting: Option<u64>,
    /// Loads asked for so far (the next one's number).
    requests: u64,
}

impl RunbookPane {
    pub fn new(live: bool) -> Self {
        Self { live, ..Self::default() }
    }

    /// A new load's number; the one awaited from now on.
    pub fn ask(&mut self) -> u64 {
        self.requests += 1;
        self.awaiting = Some(self.requests);
        self.requests
    }

    /// Whether `request` is the load awaited; if so, it is no longer.
    pub fn take_answer(&mut self, request: u64) -> bool {
        let awaited = self.awaiting == Some(request);
        if awaited {
            self.awaiting = None;
        }
        awaited
    }

    pub fn is_open(&self) -> bool {
        self.view.is_some()
    }

    /// Closes the pane, and gives up on a load still on its way.
    pub fn close(&mut self) {
        self.view = None;
        self.awaiting = None;
    }
}

#[derive(Debug, Clone)]
pub struct RunbookView {
    doc: Arc<Document>,
    name: String,
    styles: RunbookStyles,
    /// The document's layout, without the live answers.
    base: Rendered,
    /// `base` with each live block's answer under it: what is drawn, and
    /// what every line index (cursor, steps, search) refers to.
    rendered: Rendered,
    shift: Shift,
    live: LiveBlocks,
    scroll: usize,
    cursor: usize,
    hscroll: u16,
    height: u16,
    toc: Option<usize>,
    query: String,
    matches: Vec<SearchMatch>,
    current_match: Option<usize>,
    /// Steps whose state the user flipped (relative to the file's `[x]`).
    flipped: BTreeSet<usize>,
    /// Emit OSC 8 hyperlinks (set from terminal detection).
    pub hyperlinks: bool,
}

impl RunbookView {
    pub fn new(doc: Arc<Document>, width: u16, styles: RunbookStyles) -> Self {
        let rendered = render(&doc.markdown, width, &styles);
        Self::with(doc, rendered, styles)
    }

    /// A view of a runbook laid out off the event loop: its layout is used
    /// when made for `width`; at another width the part it reached is laid
    /// out again (no more work than was done off the loop, within its time
    /// limit).
    pub fn prepared(p: Prepared, width: u16, styles: RunbookStyles) -> Self {
        let rendered = match p.rendered.width == width.max(render_min()) && styles == RunbookStyles::default() {
            true => p.rendered,
            false => render_limited(&p.doc.markdown, width, &styles, Limit::reaching(p.rendered.cut)),
        };
        Self::with(p.doc, rendered, styles)
    }

    fn with(doc: Arc<Document>, rendered: Rendered, styles: RunbookStyles) -> Self {
        Self {
            name: doc.name(),
            doc,
            styles,
            base: rendered.clone(),
            rendered,
            shift: Shift::default(),
            live: LiveBlocks::default(),
            scroll: 0,
            cursor: 0,
            hscroll: 0,
            height: DEFAULT_HEIGHT,
            toc: None,
            query: String::new(),
            matches: Vec::new(),
            current_match: None,
            flipped: BTreeSet::new(),
            hyperlinks: false,
        }
    }

    pub fn document(&self) -> &Document {
        &self.doc
    }

    /// The short name used in timeline entries.
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn rendered(&self) -> &Rendered {
        &self.rendered
    }

    pub fn cursor(&self) -> usize {
        self.cursor
    }

    pub fn hscroll(&self) -> u16 {
        self.hscroll
    }

    pub fn toc_selection(&self) -> Option<usize> {
        self.toc
    }

    pub fn headings(&self) -> &[Heading] {
        &self.rendered.headings
    }

    pub fn query(&self) -> &str {
        &self.query
    }

    pub fn matches(&self) -> &[SearchMatch] {
        &self.matches
    }

    pub fn current_match(&self) -> Option<usize> {
        self.current_match
    }

    /// Whether step `index` (0-based) is done, counting the user's ticks.
    pub fn is_done(&self, index: usize) -> bool {
        let in_file = self.rendered.tasks.get(index).is_some_and(|t| t.checked);
        in_file != self.flipped.contains(&index)
    }

    /// Sets steps (1-based, as recorded) done or not, as the incident's
    /// records say (ticks from before a reopen, or a teammate's).
    pub fn set_steps(&mut self, done: &std::collections::BTreeMap<usize, bool>) {
        for (&step, &d) in done {
            let Some(index) = step.checked_sub(1).filter(|i| *i < self.rendered.tasks.len()) else { continue };
            if self.is_done(index) != d && !self.flipped.remove(&index) {
                self.flipped.insert(index);
            }
        }
    }

    /// (done, total) steps.
    pub fn progress(&self) -> (usize, usize) {
        let total = self.rendered.tasks.len();
        ((0..total).filter(|&i| self.is_done(i)).count(), total)
    }

    /// The first line to draw in a viewport of `height` lines: the stored
    /// scroll, moved just enough to show the cursor.
    pub fn top(&self, height: u16) -> usize {
        let h = usize::from(height.max(1));
        let top = self.scroll.min(self.cursor);
        if self.cursor >= top + h { self.cursor + 1 - h } else { top }
    }

    /// The pane's content size changed: re-lays out on a width change,
    /// keeping the cursor at the same place in the document.
    pub fn resize(&mut self, width: u16, height: u16) {
        self.height = height.max(1);
        if width.max(render_min()) != self.rendered.width {
            let old_len = self.rendered.lines.len().max(1);
            let heading = self.heading_index_at(self.cursor);
            let limit = Limit::reaching(self.rendered.cut);
            self.base = render_limited(&self.doc.markdown, width, &self.styles, limit);
            let mut live = LiveBlocks::new(&self.base, self.live.enabled());
            live.carry_over(&self.live);
            self.live = live;
            (self.rendered, self.shift) = compose(&self.base, self.live.lines(&self.base, &self.styles));
            let new_len = self.rendered.lines.len();
            self.cursor = match heading {
                Some(h) if self.rendered.lines.len() > 1 => self.rendered.headings[h].line,
                _ => self.cursor * new_len / old_len,
            };
            self.cursor = self.cursor.min(new_len.saturating_sub(1));
            self.scroll = self.cursor;
            self.search(&self.query.clone());
        }
        self.follow_cursor();
    }

    /// Turns the live blocks on or off (config and `<!-- warroom: static -->`).
    pub fn set_live(&mut self, enabled: bool) {
        self.live = LiveBlocks::new(&self.base, enabled);
        self.recompose();
    }

    pub fn live(&self) -> &LiveBlocks {
        &self.live
    }

    /// Lays the answers out again under their blocks, keeping the cursor
    /// and the scroll on the same document line.
    fn recompose(&mut self) {
        let (cursor, scroll) = (self.shift.anchor(self.cursor), self.shift.anchor(self.scroll));
        (self.rendered, self.shift) = compose(&self.base, self.live.lines(&self.base, &self.styles));
        self.cursor = self.shift.place(cursor).min(self.last_line());
        self.scroll = self.shift.place(scroll).min(self.last_line());
        if !self.query.is_empty() {
            self.matches = self.rendered.find(&self.query);
            self.current_match = self.current_match.filter(|i| *i < self.matches.len());
        }
        self.follow_cursor();
    }

    /// The queries due for the live blocks on screen.
    pub fn ask_live(
        &mut self,
        now: chrono::DateTime<chrono::Utc>,
        refresh: std::time::Duration,
        window: std::time::Duration,
    ) -> Vec<LiveAsk> {
        let top = self.top(self.height);
        let bottom = top + usize::from(self.height);
        let blocks = &self.rendered.code_blocks;
        let shift = &self.shift;
        let visible = |i: usize| {
            blocks.get(i).is_some_and(|b| {
                let end = shift.place((self.base.code_blocks[i].last_line, usize::MAX));
                b.first_line < bottom && end >= top
            })
        };
        let name = self.name.clone();
        self.live.due(&name, visible, now, refresh, window)
    }

    /// An answer: shown under its block when it is this runbook's and
    /// its query is still the block's (else dropped, false).
    pub fn merge_live(&mut self, result: LiveResult) -> bool {
        let merged = self.live.merge(&self.name, result);
        if merged {
            self.recompose();
        }
        merged
    }

    /// The live block whose code or answer holds `line` (its code block index).
    pub fn live_block_at(&self, line: usize) -> Option<usize> {
        (0..self.rendered.code_blocks.len()).find(|&i| {
            let b = &self.rendered.code_blocks[i];
            let end = self.shift.place((self.base.code_blocks[i].last_line, usize::MAX));
            (b.first_line..=end).contains(&line) && self.live.query_of(i).is_some()
        })
    }

    /// What the live blocks of the step starting at `line` show: the
    /// blocks after it, before the next step or heading.
    fn step_values(&self, line: usize) -> Vec<String> {
        let next_task = self.rendered.tasks.iter().map(|t| t.line).filter(|l| *l > line).min();
        let next_heading = self.rendered.headings.iter().map(|h| h.line).filter(|l| *l > line).min();
        let end = next_task.into_iter().chain(next_heading).min().unwrap_or(usize::MAX);
        (0..self.rendered.code_blocks.len())
            .filter(|&i| (line + 1..end).contains(&self.rendered.code_blocks[i].first_line))
            .filter_map(|i| self.live.summary(i))
            .collect()
    }

    fn heading_index_at(&self, line: usize) -> Option<usize> {
        self.rendered.headings.iter().rposition(|h| h.line <= line)
    }

    fn last_line(&self) -> usize {
        self.rendered.lines.len().saturating_sub(1)
    }

    fn move_cursor(&mut self, to: usize) {
        self.cursor = to.min(self.last_line());
        self.follow_cursor();
    }

    fn follow_cursor(&mut self) {
        self.scroll = self.top(self.height);
    }

    /// Sets the search query (case-insensitive) and moves to the first
    /// match at or after the cursor. An empty query clears the search.
    pub fn search(&mut self, query: &str) {
        self.query = crate::text::clean(query).into_owned();
        self.matches = self.rendered.find(&self.query);
        self.current_match = None;
        if let Some(i) = self.matches.iter().position(|m| m.line >= self.cursor) {
            self.go_to_match(i);
        } else if !self.matches.is_empty() {
            self.go_to_match(0);
        }
    }

    fn go_to_match(&mut self, i: usize) {
        self.current_match = Some(i);
        let line = self.matches[i].line;
        self.move_cursor(line);
    }

    /// Applies an action; returns what the runtime must do, if anything.
    pub fn apply(&mut self, action: RunbookAction) -> Option<RunbookEvent> {
        if let Some(sel) = self.toc {
            return self.apply_toc(sel, action);
        }
        let page = usize::from(self.height.saturating_sub(1).max(1));
        match action {
            RunbookAction::Up => self.move_cursor(self.cursor.saturating_sub(1)),
            RunbookAction::Down => self.move_cursor(self.cursor + 1),
            RunbookAction::PageUp => self.move_cursor(self.cursor.saturating_sub(page)),
            RunbookAction::PageDown => self.move_cursor(self.cursor + page),
            RunbookAction::Top => self.move_cursor(0),
            RunbookAction::Bottom => self.move_cursor(self.last_line()),
            RunbookAction::Left => self.hscroll = self.hscroll.saturating_sub(HSCROLL_STEP),
            RunbookAction::Right => self.hscroll = self.hscroll.saturating_add(HSCROLL_STEP),
            RunbookAction::ToggleToc => {
                self.toc =
                    (!self.rendered.headings.is_empty()).then(|| self.heading_index_at(self.cursor).unwrap_or(0));
            }
            RunbookAction::Accept => {}
            RunbookAction::Cancel => self.search(""),
            RunbookAction::NextMatch | RunbookAction::PrevMatch => self.step_match(action),
            RunbookAction::NextStep => self.next_step(),
            RunbookAction::Tick => return self.tick(),
            RunbookAction::Copy => {
                let block = self.rendered.code_block_at(self.cursor)?;
                return Some(RunbookEvent::Copy { text: block.text.clone() });
            }
        }
        None
    }

    fn apply_toc(&mut self, sel: usize, action: RunbookAction) -> Option<RunbookEvent> {
        let last = self.rendered.headings.len().saturating_sub(1);
        match action {
            RunbookAction::Up => self.toc = Some(sel.saturating_sub(1)),
            RunbookAction::Down => self.toc = Some((sel + 1).min(last)),
            RunbookAction::Top | RunbookAction::PageUp => self.toc = Some(0),
            RunbookAction::Bottom | RunbookAction::PageDown => self.toc = Some(last),
            RunbookAction::Accept => {
                self.toc = None;
                if let Some(h) = self.rendered.headings.get(sel) {
                    self.cursor = h.line;
                    self.scroll = h.line;
                    self.follow_cursor();
                }
            }
            RunbookAction::ToggleToc | RunbookAction::Cancel => self.toc = None,
            _ => {}
        }
        None
    }

    fn step_match(&mut self, action: RunbookAction) {
        let n = self.matches.len();
        if n == 0 {
            return;
        }
        let next = match (self.current_match, action) {
            (None, _) => 0,
            (Some(i), RunbookAction::PrevMatch) => (i + n - 1) % n,
            (Some(i), _) => (i + 1) % n,
        };
        self.go_to_match(next);
    }

    fn next_step(&mut self) {
        let tasks = &self.rendered.tasks;
        let after = tasks.iter().find(|t| t.line > self.cursor && !self.is_done(t.index));
        let first_open = || tasks.iter().find(|t| !self.is_done(t.index));
        if let Some(line) = after.or_else(first_open).map(|t| t.line) {
            self.move_cursor(line);
        }
    }

    fn tick(&mut self) -> Option<RunbookEvent> {
        let task = self.rendered.task_at(self.cursor)?.clone();
        if !self.flipped.remove(&task.index) {
            self.flipped.insert(task.index);
        }
        Some(RunbookEvent::Step {
            runbook: self.name.clone(),
            step: task.index + 1,
            values: self.step_values(task.line),
            text: task.text,
            done: self.is_done(task.index),
        })
    }
}

fn render_min() -> u16 {
    crate::runbook::render::MIN_WIDTH
}
