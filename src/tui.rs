//! The terminal: entered once, always restored — on quit, on error, on
//! panic (the hook restores before the message prints) and on SIGTERM/SIGHUP
//! (handled as messages by the app loop).

use std::io::{Stdout, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use crossterm::terminal::{EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

pub type Tui = Terminal<CrosstermBackend<Stdout>>;

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
    let mut t = Terminal::new(CrosstermBackend::new(std::io::stdout()))?;
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
