//! The terminal: entered once, always restored — on quit, on error, on
//! panic (the hook restores before the message prints) and on SIGTERM/SIGHUP
//! (handled as messages by the app loop).

use std::io::{Stdout, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use crossterm::terminal::{EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode};
use ratatui::Terminal;
use ratatui::backend::{Backend, ClearType, CrosstermBackend, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};

pub type Tui = Terminal<QuietBackend<CrosstermBackend<Stdout>>>;

static ACTIVE: AtomicBool = AtomicBool::new(false);
static MOUSE: AtomicBool = AtomicBool::new(false);

/// Restores the terminal on panic, lets the default hook print, and, when
/// the UI was up, exits: a panic in any task would otherwise leave a UI
/// drawing over a restored terminal. Nothing acknowledged is lost (journal
/// appends are fsync'd before they are acknowledged).
pub fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let was_active = ACTIVE.load(Ordering::SeqCst);
        restore();
        tracing::error!(%info, "panic");
        previous(info);
        if was_active {
            std::process::exit(101);
        }
    }));
}

pub fn init(mouse: bool) -> std::io::Result<Tui> {
    enable_raw_mode()?;
    ACTIVE.store(true, Ordering::SeqCst);
    let mut out = std::io::stdout();
    crossterm::execute!(out, EnterAlternateScreen)?;
    if mouse {
        crossterm::execute!(out, EnableMouseCapture)?;
        MOUSE.store(true, Ordering::SeqCst);
    }
    let mut t = Terminal::new(QuietBackend::new(CrosstermBackend::new(std::io::stdout())))?;
    t.hide_cursor()?;
    t.clear()?;
    Ok(t)
}

/// Leaves raw mode and the alternate screen. Safe to call twice, and from
/// the panic hook.
pub fn restore() {
    if !ACTIVE.swap(false, Ordering::SeqCst) {
        return;
    }
    let mut out = std::io::stdout();
    if MOUSE.swap(false, Ordering::SeqCst) {
        let _ = crossterm::execute!(out, DisableMouseCapture);
    }
    let _ = crossterm::execute!(out, LeaveAlternateScreen, crossterm::cursor::Show);
    let _ = disable_raw_mode();
    let _ = out.flush();
}

/// Whether the terminal on stdout is known to show OSC 8 hyperlinks (from
/// its environment: `TERM_PROGRAM`, `VTE_VERSION`, `FORCE_HYPERLINK`…),
/// for `hyperlinks = "auto"`.
pub fn supports_hyperlinks() -> bool {
    supports_hyperlinks::on(supports_hyperlinks::Stream::Stdout)
}

/// A backend that writes nothing for a frame in which nothing changed.
///
/// ratatui's `Terminal::draw` ends every frame the same way whatever it
/// drew: the crossterm backend's `draw` resets colours and attributes even
/// with no cell to draw, and the terminal hides (or shows and moves) the
/// cursor. That is about 25 bytes for a frame that changed nothing — every
/// poll at idle, over SSH. This passes a `draw` on only when it has cells,
/// and a cursor change only when the terminal's cursor is not already so.
pub struct QuietBackend<B> {
    inner: B,
    /// What the terminal was last told (`None`: not known yet).
    cursor_visible: Option<bool>,
    /// Where the cursor is known to be; forgotten once cells are drawn (the
    /// backend moves it to draw them).
    cursor_at: Option<Position>,
}

impl<B> QuietBackend<B> {
    pub fn new(inner: B) -> Self {
        Self { inner, cursor_visible: None, cursor_at: None }
    }

    pub fn inner(&self) -> &B {
        &self.inner
    }
}

impl<B: Backend> Backend for QuietBackend<B> {
    type Error = B::Error;

    fn draw<'a, I>(&mut self, content: I) -> Result<(), Self::Error>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        let mut content = content.peekable();
        if content.peek().is_none() {
            return Ok(());
        }
        self.cursor_at = None;
        self.inner.draw(content)
    }

    fn append_lines(&mut self, n: u16) -> Result<(), Self::Error> {
        self.cursor_at = None;
        self.inner.append_lines(n)
    }

    fn hide_cursor(&mut self) -> Result<(), Self::Error> {
        if self.cursor_visible != Some(false) {
            self.inner.hide_cursor()?;
            self.cursor_visible = Some(false);
        }
        Ok(())
    }

    fn show_cursor(&mut self) -> Result<(), Self::Error> {
        if self.cursor_visible != Some(true) {
            self.inner.show_cursor()?;
            self.cursor_visible = Some(true);
        }
        Ok(())
    }

    fn get_cursor_position(&mut self) -> Result<Position, Self::Error> {
        let at = self.inner.get_cursor_position()?;
        self.cursor_at = Some(at);
        Ok(at)
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> Result<(), Self::Error> {
        let at = position.into();
        if self.cursor_at != Some(at) {
            self.inner.set_cursor_position(at)?;
            self.cursor_at = Some(at);
        }
        Ok(())
    }

    fn clear(&mut self) -> Result<(), Self::Error> {
        self.cursor_at = None;
        self.inner.clear()
    }

    fn clear_region(&mut self, clear_type: ClearType) -> Result<(), Self::Error> {
        self.cursor_at = None;
        self.inner.clear_region(clear_type)
    }

    fn size(&self) -> Result<Size, Self::Error> {
        self.inner.size()
    }

    fn window_size(&mut self) -> Result<WindowSize, Self::Error> {
        self.inner.window_size()
    }

    fn flush(&mut self) -> Result<(), Self::Error> {
        self.inner.flush()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::cell::RefCell;
    use std::io::Write;
    use std::rc::Rc;

    use ratatui::backend::CrosstermBackend;
    use ratatui::layout::{Position, Rect};
    use ratatui::widgets::Paragraph;
    use ratatui::{Terminal, TerminalOptions, Viewport};

    use super::QuietBackend;

    /// The bytes a backend writes, as a terminal would receive them.
    #[derive(Clone, Default)]
    pub(crate) struct Bytes(Rc<RefCell<Vec<u8>>>);

    impl Bytes {
        pub(crate) fn take(&self) -> Vec<u8> {
            std::mem::take(&mut self.0.borrow_mut())
        }
    }

    impl Write for Bytes {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.borrow_mut().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn fixed(w: u16, h: u16) -> TerminalOptions {
        TerminalOptions { viewport: Viewport::Fixed(Rect::new(0, 0, w, h)) }
    }

    /// A terminal `w`x`h` writing into `out`, as `init` builds it.
    pub(crate) fn quiet(out: &Bytes, w: u16, h: u16) -> Terminal<QuietBackend<CrosstermBackend<Bytes>>> {
        Terminal::with_options(QuietBackend::new(CrosstermBackend::new(out.clone())), fixed(w, h)).unwrap()
    }

    #[test]
    fn an_unchanged_frame_writes_nothing() {
        let out = Bytes::default();
        let mut t = quiet(&out, 40, 5);
        let text = |s: &'static str| move |f: &mut ratatui::Frame| f.render_widget(Paragraph::new(s), f.area());
        t.draw(text("hello")).unwrap();
        assert!(String::from_utf8_lossy(&out.take()).contains("hello"));
        t.draw(text("hello")).unwrap();
        assert_eq!(out.take(), b"", "nothing changed, nothing written");
        t.draw(text("hellp")).unwrap();
        let changed = String::from_utf8_lossy(&out.take()).into_owned();
        assert!(changed.contains('p') && !changed.contains("hell"), "only the cell that changed: {changed:?}");
        t.draw(text("hellp")).unwrap();
        assert_eq!(out.take(), b"");

        // ratatui's own backend, for the record: the same unchanged frame
        // costs resets and a cursor hide.
        let plain = Bytes::default();
        let mut t = Terminal::with_options(CrosstermBackend::new(plain.clone()), fixed(40, 5)).unwrap();
        t.draw(text("hello")).unwrap();
        plain.take();
        t.draw(text("hello")).unwrap();
        assert!(!plain.take().is_empty(), "the cause: ratatui writes an unchanged frame");
    }

    #[test]
    fn the_cursor_moves_only_when_it_must() {
        let out = Bytes::default();
        let mut t = quiet(&out, 40, 5);
        let typed = |s: &'static str, x: u16| {
            move |f: &mut ratatui::Frame| {
                f.render_widget(Paragraph::new(s), f.area());
                f.set_cursor_position(Position::new(x, 0));
            }
        };
        t.draw(typed("note", 4)).unwrap();
        let first = String::from_utf8_lossy(&out.take()).into_owned();
        assert!(first.contains("\x1b[?25h") && first.contains("\x1b[1;5H"), "shown and placed: {first:?}");
        t.draw(typed("note", 4)).unwrap();
        assert_eq!(out.take(), b"", "an editor waiting for a key writes nothing");
        t.draw(typed("notes", 5)).unwrap();
        let next = String::from_utf8_lossy(&out.take()).into_owned();
        assert!(next.contains('s') && next.contains("\x1b[1;6H") && !next.contains("\x1b[?25h"), "{next:?}");
        t.draw(|f| f.render_widget(Paragraph::new("notes"), f.area())).unwrap();
        assert_eq!(out.take(), b"\x1b[?25l", "hidden once the editor is gone");
        t.draw(|f| f.render_widget(Paragraph::new("notes"), f.area())).unwrap();
        assert_eq!(out.take(), b"");
    }
}
