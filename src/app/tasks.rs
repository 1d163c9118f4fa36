//! The event sources that are not data: terminal input, the clock, and
//! the signals that end the session.

use std::time::Duration;

use chrono::Utc;
use futures::StreamExt;
use tokio::sync::mpsc;

use crate::msg::Msg;

/// How often the clock is read. Ages are shown to the minute, so most ticks
/// change nothing on screen and draw nothing.
const TICK: Duration = Duration::from_secs(1);

pub(super) fn spawn_input(tx: mpsc::UnboundedSender<Msg>) {
    tokio::spawn(async move {
        let mut events = crossterm::event::EventStream::new();
        while let Some(ev) = events.next().await {
            let msg = match ev {
                Ok(crossterm::event::Event::Key(k)) => Msg::Key(k),
                Ok(crossterm::event::Event::Mouse(m)) => Msg::Mouse(m),
                Ok(crossterm::event::Event::Resize(w, h)) => Msg::Resize(w, h),
                Ok(_) => continue,
                Err(e) => {
                    tracing::error!(error = %e, "terminal input failed");
                    Msg::Terminate
                }
            };
            if tx.send(msg).is_err() {
                return;
            }
        }
        // The terminal is gone (SSH dropped): leave like SIGHUP.
        let _ = tx.send(Msg::Terminate);
    });
}

/// Watches the terminal for a hangup (the SSH session dropped, the pty's
/// master closed) and ends the session like SIGHUP. The input task cannot
/// tell: crossterm's reader ignores the end of a hung-up terminal (reads
/// of 0 bytes, EIO) and never reports it, and warroom is often not the
/// session leader that the kernel sends SIGHUP to.
pub(super) fn spawn_hangup_watch(tx: mpsc::UnboundedSender<Msg>) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(TICK);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            every.tick().await;
            if hung_up(libc::STDIN_FILENO) || hung_up(libc::STDOUT_FILENO) {
                tracing::info!("terminal hung up");
                let _ = tx.send(Msg::Terminate);
                return;
            }
        }
    });
}

/// Whether `fd` is a terminal that has hung up (`poll` says POLLHUP).
fn hung_up(fd: libc::c_int) -> bool {
    let mut p = libc::pollfd { fd, events: 0, revents: 0 };
    // SAFETY: one valid pollfd, no wait.
    let n = unsafe { libc::poll(&mut p, 1, 0) };
    n > 0 && p.revents & (libc::POLLHUP | libc::POLLNVAL) != 0
}

/// The local time zone's offset from UTC, now.
pub(super) fn local_offset() -> chrono::FixedOffset {
    *chrono::Local::now().offset()
}

pub(super) fn spawn_ticker(tx: mpsc::UnboundedSender<Msg>) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(TICK);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        let mut offset = local_offset();
        loop {
            every.tick().await;
            // The zone's offset changes at a daylight-saving switch.
            let now_offset = local_offset();
            if now_offset != offset {
                offset = now_offset;
                if tx.send(Msg::LocalOffset(offset)).is_err() {
                    return;
                }
            }
            if tx.send(Msg::Tick(Utc::now())).is_err() {
                return;
            }
        }
    });
}

/// SIGTERM, SIGHUP (dropped SSH session) and SIGINT end the loop cleanly so
/// the terminal is restored and files are closed.
pub(super) fn spawn_signals(tx: mpsc::UnboundedSender<Msg>) -> std::io::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate())?;
    let mut hup = signal(SignalKind::hangup())?;
    let mut int = signal(SignalKind::interrupt())?;
    tokio::spawn(async move {
        tokio::select! {
            _ = term.recv() => tracing::info!("SIGTERM"),
            _ = hup.recv() => tracing::info!("SIGHUP"),
            _ = int.recv() => tracing::info!("SIGINT"),
        }
        let _ = tx.send(Msg::Terminate);
    });
    Ok(())
}
