//! The terminal: entered once, always restored — on quit, on error, on
//! panic (the hook restores before the message prints) and on SIGTERM/SIGHUP
//! (handled as messages by the app loop).

use std::io::{BufWriter, Stdout, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use crossterm::terminal::{EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode};
use ratatui::Terminal;
use ratatui::backend::{Backend, ClearType, WindowSize};
use ratatui::buffer::Cell;
use ratatui::layout::{Position, Size};

pub type Tui = Terminal<QuietBackend<BufWriter<Stdout>>>;

/// A frame goes to the terminal in one write: `Stdout` alone is line
/// buffered and would send a frame in a write per row (the backend moves
/// down with `LF`), which a slow SSH link or a multiplexer shows half drawn.
/// Every `draw` ends with a flush, so nothing waits in the buffer.
const FRAME_BUFFER: usize = 256 * 1024;

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
        tracing::error!(%info, backtrace = %std::backtrace::Backtrace::force_capture(), "panic");
        previous(info);
        if was_active {
            std::process::exit(101);
        }
    }));
}

/// Enters raw mode, the alternate screen and (when asked) mouse capture.
/// On any error after raw mode is on, the terminal is restored before the
/// error is returned: a terminal must never be left raw.
pub fn init(mouse: bool) -> std::io::Result<Tui> {
    enable_raw_mode()?;
    ACTIVE.store(true, Ordering::SeqCst);
    let entered = enter(mouse);
    if entered.is_err() {
        restore();
    }
    entered
}

fn enter(mouse: bool) -> std::io::Result<Tui> {
    let mut out = std::io::stdout();
    crossterm::execute!(out, EnterAlternateScreen)?;
    if mouse {
        crossterm::execute!(out, EnableMouseCapture)?;
        MOUSE.store(true, Ordering::SeqCst);
    }
    let width = crossterm::terminal::size().ok().map(|(w, _)| w);
    let out = BufWriter::with_capacity(FRAME_BUFFER, std::io::stdout());
    let mut t = Terminal::new(QuietBackend::new(out).raw(width))?;
    // Not `clear()`: it asks the terminal where the cursor is, and one that
    // never answers (a serial console, some multiplexers) fails it after a
    // timeout. `resize` clears the screen and both buffers without asking.
    let ready = t
        .hide_cursor()
        .and_then(|()| t.size())
        .and_then(|size| t.resize(ratatui::layout::Rect::new(0, 0, size.width, size.height)));
    match ready {
        Ok(()) => Ok(t),
        Err(e) => {
            release(t);
            Err(e)
        }
    }
}

/// Drops the terminal without a word on a dead one: ratatui's `Drop` shows
/// the cursor and, when that fails (the pty closed under us), `eprintln!`s
/// to the same dead terminal, which panics. The cursor is shown here first;
/// if the terminal is gone, the value is forgotten instead (warroom is
/// exiting; [`restore`] already did what can be done).
pub fn release(mut t: Tui) {
    if t.show_cursor().is_err() {
        std::mem::forget(t);
    }
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
    // The pen is kept across frames: back to the default before the shell's
    // prompt inherits it.
    let reset = crossterm::style::SetAttribute(crossterm::style::Attribute::Reset);
    let _ = crossterm::execute!(out, reset, LeaveAlternateScreen, crossterm::cursor::Show);
    let _ = disable_raw_mode();
    let _ = out.flush();
}

/// Whether the terminal on stdout is known to show OSC 8 hyperlinks (from
/// its environment: `TERM_PROGRAM`, `VTE_VERSION`, `FORCE_HYPERLINK`…),
/// for `hyperlinks = "auto"`.
pub fn supports_hyperlinks() -> bool {
    supports_hyperlinks::on(supports_hyperlinks::Stream::Stdout)
}

/// The crossterm backend, writing as few bytes as a frame needs: over SSH
/// every byte of an idle console is paid for at every poll.
///
/// ratatui's `CrosstermBackend::draw` ends every frame the same way whatever
/// it drew: colours and attributes reset (even with no cell to draw), then
/// the terminal hides (or shows and moves) the cursor — about 25 bytes for a
/// frame that changed nothing. It also moves the cursor with an absolute
/// `CSI row;col H` for every cell that does not follow the last one, and
/// sets colours from scratch each frame. This backend:
/// - writes nothing for a frame without changed cells, and a cursor change
///   only when the terminal's cursor is not already so;
/// - keeps the pen (colours, attributes) across frames, so a frame sets only
///   what differs from the last cell written (reset before a clear, whose
///   erase uses the background colour, and by [`restore`] on exit);
/// - moves by the shortest of an absolute move, relative moves (`BS`, and
///   `LF` in raw mode, where it does not return the carriage) and `CR`: a
///   column of ages turning costs 3 bytes a row, not 9.
///
/// The cursor position is tracked only where it is certain: after a cell of
/// width 1 that is not in the last column (a wide glyph, or the pending wrap
/// after the last column, forget it, and the next move is absolute).
pub struct QuietBackend<W: Write> {
    out: W,
    /// What the terminal was last told (`None`: not known yet).
    cursor_visible: Option<bool>,
    /// Where the cursor is known to be.
    cursor_at: Option<Position>,
    /// The colours and attributes in force (`None`: not known).
    pen: Option<Pen>,
    /// The screen width, from the last `size` (the last column's pending
    /// wrap makes the cursor position uncertain there).
    width: std::cell::Cell<Option<u16>>,
    /// The terminal is in raw mode: `LF` moves down without `CR`.
    raw: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Pen {
    fg: ratatui::style::Color,
    bg: ratatui::style::Color,
    modifier: ratatui::style::Modifier,
}

impl Pen {
    const RESET: Pen = Pen {
        fg: ratatui::style::Color::Reset,
        bg: ratatui::style::Color::Reset,
        modifier: ratatui::style::Modifier::empty(),
    };
}

impl<W: Write> QuietBackend<W> {
    pub fn new(writer: W) -> Self {
        Self {
            out: writer,
            cursor_visible: None,
            cursor_at: None,
            pen: None,
            width: std::cell::Cell::new(None),
            raw: false,
        }
    }

    /// The terminal is in raw mode (`LF` is a plain line feed) and `width`
    /// columns wide until the next `size`.
    pub fn raw(mut self, width: Option<u16>) -> Self {
        self.raw = true;
        self.width.set(width);
        self
    }

    pub fn writer(&self) -> &W {
        &self.out
    }

    /// Moves the cursor to `to` by the shortest sequence.
    fn move_to(&mut self, to: Position) -> std::io::Result<()> {
        let absolute = format!("\x1b[{};{}H", to.y + 1, to.x + 1);
        let best = match self.cursor_at {
            Some(from) if from == to => return Ok(()),
            Some(from) => {
                let relative = self.vertical(from.y, to.y).map(|v| v + &horizontal(from.x, to.x));
                let carriage = self.vertical(from.y, to.y).map(|v| "\r".to_string() + &v + &horizontal(0, to.x));
                [relative, carriage].into_iter().flatten().fold(absolute, |a, b| if b.len() < a.len() { b } else { a })
            }
            None => absolute,
        };
        self.out.write_all(best.as_bytes())?;
        self.cursor_at = Some(to);
        Ok(())
    }

    /// Rows down (`LF`s in raw mode) or up; `None` when only an absolute
    /// move will do.
    fn vertical(&self, from: u16, to: u16) -> Option<String> {
        Some(match to.cmp(&from) {
            std::cmp::Ordering::Equal => String::new(),
            std::cmp::Ordering::Greater if self.raw && to - from <= 4 => "\n".repeat(usize::from(to - from)),
            std::cmp::Ordering::Greater => csi(to - from, 'B'),
            std::cmp::Ordering::Less => csi(from - to, 'A'),
        })
    }

    /// Sets what differs between the pen and `cell`'s style.
    fn set_pen(&mut self, cell: &Cell) -> std::io::Result<()> {
        use crossterm::style::{Attribute, SetAttribute, SetBackgroundColor, SetForegroundColor};
        use ratatui::backend::IntoCrossterm;
        let want = Pen { fg: cell.fg, bg: cell.bg, modifier: cell.modifier };
        let pen = match self.pen {
            Some(p) => p,
            None => {
                crossterm::queue!(self.out, SetAttribute(Attribute::Reset))?;
                Pen::RESET
            }
        };
        if pen == want {
            self.pen = Some(pen);
            return Ok(());
        }
        let w = &mut self.out;
        let (removed, added) = (pen.modifier - want.modifier, want.modifier - pen.modifier);
        if !removed.is_empty() {
            // Taking attributes away: from a clean pen, the colours with it.
            crossterm::queue!(w, SetAttribute(Attribute::Reset))?;
            queue_modifier(w, want.modifier)?;
            if want.fg != ratatui::style::Color::Reset {
                crossterm::queue!(w, SetForegroundColor(want.fg.into_crossterm()))?;
            }
            if want.bg != ratatui::style::Color::Reset {
                crossterm::queue!(w, SetBackgroundColor(want.bg.into_crossterm()))?;
            }
        } else {
            queue_modifier(w, added)?;
            if want.fg != pen.fg {
                crossterm::queue!(w, SetForegroundColor(want.fg.into_crossterm()))?;
            }
            if want.bg != pen.bg {
                crossterm::queue!(w, SetBackgroundColor(want.bg.into_crossterm()))?;
            }
        }
        self.pen = Some(want);
        Ok(())
    }

    /// Back to the terminal's default colours and attributes.
    fn reset_pen(&mut self) -> std::io::Result<()> {
        if self.pen != Some(Pen::RESET) {
            use crossterm::style::{Attribute, SetAttribute};
            crossterm::queue!(self.out, SetAttribute(Attribute::Reset))?;
            self.pen = Some(Pen::RESET);
        }
        Ok(())
    }
}

fn csi(n: u16, c: char) -> String {
    if n == 1 { format!("\x1b[{c}") } else { format!("\x1b[{n}{c}") }
}

/// Columns right or left (`BS` for a few).
fn horizontal(from: u16, to: u16) -> String {
    match to.cmp(&from) {
        std::cmp::Ordering::Equal => String::new(),
        std::cmp::Ordering::Greater => csi(to - from, 'C'),
        std::cmp::Ordering::Less if from - to <= 3 => "\x08".repeat(usize::from(from - to)),
        std::cmp::Ordering::Less => csi(from - to, 'D'),
    }
}

/// SGR for each attribute in `m`.
fn queue_modifier(w: &mut impl Write, m: ratatui::style::Modifier) -> std::io::Result<()> {
    use crossterm::style::{Attribute, SetAttribute};
    use ratatui::style::Modifier;
    let map = [
        (Modifier::BOLD, Attribute::Bold),
        (Modifier::DIM, Attribute::Dim),
        (Modifier::ITALIC, Attribute::Italic),
        (Modifier::UNDERLINED, Attribute::Underlined),
        (Modifier::SLOW_BLINK, Attribute::SlowBlink),
        (Modifier::RAPID_BLINK, Attribute::RapidBlink),
        (Modifier::REVERSED, Attribute::Reverse),
        (Modifier::HIDDEN, Attribute::Hidden),
        (Modifier::CROSSED_OUT, Attribute::CrossedOut),
    ];
    for (modifier, attribute) in map {
        if m.contains(modifier) {
            crossterm::queue!(w, SetAttribute(attribute))?;
        }
    }
    Ok(())
}

impl<W: Write> Backend for QuietBackend<W> {
    type Error = std::io::Error;

    fn draw<'a, I>(&mut self, content: I) -> Result<(), Self::Error>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        use unicode_width::UnicodeWidthStr;
        let width = self.width.get();
        for (x, y, cell) in content {
            self.move_to(Position { x, y })?;
            self.set_pen(cell)?;
            let symbol = cell.symbol();
            self.out.write_all(symbol.as_bytes())?;
            let next = x.saturating_add(1);
            let certain = symbol.width() == 1 && width.is_some_and(|w| next < w);
            self.cursor_at = certain.then_some(Position { x: next, y });
        }
        Ok(())
    }

    fn append_lines(&mut self, n: u16) -> Result<(), Self::Error> {
        self.cursor_at = None;
        for _ in 0..n {
            self.out.write_all(b"\n")?;
        }
        self.out.flush()
    }

    fn hide_cursor(&mut self) -> Result<(), Self::Error> {
        if self.cursor_visible != Some(false) {
            crossterm::execute!(self.out, crossterm::cursor::Hide)?;
            self.cursor_visible = Some(false);
        }
        Ok(())
    }

    fn show_cursor(&mut self) -> Result<(), Self::Error> {
        if self.cursor_visible != Some(true) {
            crossterm::execute!(self.out, crossterm::cursor::Show)?;
            self.cursor_visible = Some(true);
        }
        Ok(())
    }

    fn get_cursor_position(&mut self) -> Result<Position, Self::Error> {
        let (x, y) = crossterm::cursor::position()?;
        let at = Position { x, y };
        self.cursor_at = Some(at);
        Ok(at)
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> Result<(), Self::Error> {
        let at = position.into();
        if self.cursor_at != Some(at) {
            crossterm::execute!(self.out, crossterm::cursor::MoveTo(at.x, at.y))?;
            self.cursor_at = Some(at);
        }
        Ok(())
    }

    fn clear(&mut self) -> Result<(), Self::Error> {
        // The erase fills with the current background: the default one.
        self.clear_region(ClearType::All)
    }

    fn clear_region(&mut self, clear_type: ClearType) -> Result<(), Self::Error> {
        use crossterm::terminal::{Clear, ClearType as C};
        self.reset_pen()?;
        self.cursor_at = None;
        let t = match clear_type {
            ClearType::All => C::All,
            ClearType::AfterCursor => C::FromCursorDown,
            ClearType::BeforeCursor => C::FromCursorUp,
            ClearType::CurrentLine => C::CurrentLine,
            ClearType::UntilNewLine => C::UntilNewLine,
        };
        crossterm::execute!(self.out, Clear(t))
    }

    fn size(&self) -> Result<Size, Self::Error> {
        let (width, height) = crossterm::terminal::size()?;
        self.width.set(Some(width));
        Ok(Size { width, height })
    }

    fn window_size(&mut self) -> Result<WindowSize, Self::Error> {
        let w = crossterm::terminal::window_size()?;
        Ok(WindowSize {
            columns_rows: Size { width: w.columns, height: w.rows },
            pixels: Size { width: w.width, height: w.height },
        })
    }

    fn flush(&mut self) -> Result<(), Self::Error> {
        self.out.flush()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::cell::RefCell;
    use std::io::Write;
    use std::rc::Rc;

    use ratatui::backend::CrosstermBackend;
    use ratatui::layout::{Position, Rect};
    use ratatui::style::{Color, Style};
    use ratatui::text::Line;
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

    /// A terminal `w`x`h` in raw mode writing into `out`, as `init` builds it.
    pub(crate) fn quiet(out: &Bytes, w: u16, h: u16) -> Terminal<QuietBackend<Bytes>> {
        Terminal::with_options(QuietBackend::new(out.clone()).raw(Some(w)), fixed(w, h)).unwrap()
    }

    fn text(s: &'static str) -> impl FnOnce(&mut ratatui::Frame) {
        move |f: &mut ratatui::Frame| f.render_widget(Paragraph::new(s), f.area())
    }

    #[test]
    fn an_unchanged_frame_writes_nothing() {
        let out = Bytes::default();
        let mut t = quiet(&out, 40, 5);
        t.draw(text("hello")).unwrap();
        assert!(String::from_utf8_lossy(&out.take()).contains("hello"));
        t.draw(text("hello")).unwrap();
        assert_eq!(out.take(), b"", "nothing changed, nothing written");
        t.draw(text("hellp")).unwrap();
        assert_eq!(out.take(), b"\x08p", "only the cell that changed, one column back");
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

    /// A column of ages turning: short relative moves, not an absolute
    /// `CSI row;col H` per cell; the pen kept from the last frame, and
    /// reset before a clear (whose erase paints the current background).
    #[test]
    fn moves_are_short_and_the_pen_is_kept() {
        let out = Bytes::default();
        let mut t = quiet(&out, 40, 5);
        let cyan = Style::new().fg(Color::Cyan);
        let rows = |n: char, extra: Option<&'static str>| {
            move |f: &mut ratatui::Frame| {
                let mut lines: Vec<Line> =
                    ["a", "b", "c"].iter().map(|l| Line::styled(format!("{l}{n}m"), cyan)).collect();
                lines.push(Line::default());
                lines.extend(extra.map(Line::from));
                f.render_widget(Paragraph::new(lines), f.area());
            }
        };
        t.draw(rows('1', None)).unwrap();
        let first = out.take();
        assert!(first.starts_with(b"\x1b[1;1H\x1b[0m\x1b["), "{:?}", String::from_utf8_lossy(&first));
        assert!(
            first.ends_with(b"ma1m\r\nb1m\r\nc1m\x1b[?25l"),
            "CR LF to the next row, the cursor hidden: {:?}",
            String::from_utf8_lossy(&first)
        );
        t.draw(rows('2', None)).unwrap();
        assert_eq!(out.take(), b"\x1b[1;2H2\n\x082\n\x082", "the pen is still cyan; down and back one");
        t.draw(rows('2', Some("x"))).unwrap();
        assert_eq!(out.take(), b"\r\n\n\x1b[39mx", "back to the default colour, said once");
        t.draw(rows('3', Some("x"))).unwrap();
        out.take();
        ratatui::backend::Backend::clear(t.backend_mut()).unwrap();
        let cleared = out.take();
        assert!(cleared.starts_with(b"\x1b[0m\x1b[2J"), "{:?}", String::from_utf8_lossy(&cleared));
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
        assert!(first.contains("note") && first.ends_with("\x1b[?25h"), "written, then shown: {first:?}");
        t.draw(typed("note", 4)).unwrap();
        assert_eq!(out.take(), b"", "an editor waiting for a key writes nothing");
        t.draw(typed("notes", 5)).unwrap();
        assert_eq!(out.take(), b"s", "the cursor is already after the new letter");
        t.draw(typed("notes", 2)).unwrap();
        assert_eq!(out.take(), b"\x1b[1;3H");
        t.draw(text("notes")).unwrap();
        assert_eq!(out.take(), b"\x1b[?25l", "hidden once the editor is gone");
        t.draw(text("notes")).unwrap();
        assert_eq!(out.take(), b"");
    }
}
