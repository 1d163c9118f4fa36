//! The event loop: messages in, `update`, render when dirty, commands out.
//!
//! Input, ticks, signals and poll results all arrive on one channel. The
//! screen is drawn only when `update` marked the state dirty, and ratatui
//! writes only the cells that differ, so an idle console sends (almost)
//! nothing over SSH.

use chrono::Utc;
use ratatui::Terminal;
use ratatui::backend::Backend;
use tokio::sync::mpsc;

use crate::config::Config;
use crate::incident::session::Session;
use crate::keymap::Keymap;
use crate::msg::{Cmd, IncidentMsg, Msg, SourceId, SourceKind};
use crate::state::{self, Setup, State};
use poller::{Pollers, SourceSpec};

/// Options the command line adds to the config.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub drill: Option<String>,
    pub context: String,
    /// Where a `postmortem-template.md` may override the layout.
    pub config_dir: Option<std::path::PathBuf>,
    /// `--join ID`: the shared incident to open (read from Loki first).
    pub join: Option<String>,
}

/// The console without a terminal: usable on ratatui's `TestBackend`.
pub struct Console {
    pub state: State,
    /// The config, its active context the one running (switched in place).
    cfg: Config,
    tx: mpsc::UnboundedSender<Msg>,
    rx: mpsc::UnboundedReceiver<Msg>,
    pollers: Pollers,
    ranges: RangeRunner,
    /// The open runbook's live blocks.
    live: LiveRunner,
    incident: Option<Session>,
    /// Rewrites the incident's post-mortem draft off the loop.
    postmortem: PostmortemWriter,
    runbooks: RunbookLoader,
    logs: LogFollower,
    silences: silence_writer::SilenceWriter,
    themes: ThemeLoader,
    /// Reads the dashboards, resolves their variables.
    dash: dash::DashWorker,
    /// Where the incident is shared, when sharing is on.
    share: Option<ShareSettings>,
    /// The shared incident's workers.
    sharing: Option<Sharing>,
    /// Escape sequences for the terminal itself (OSC 52 clipboard writes),
    /// written by the runtime after the next frame.
    pub terminal_writes: Vec<String>,
}

mod dash;
pub mod export;
mod live;
mod poller;
mod postmortem_writer;
mod range;
pub mod share;
mod silence_writer;
mod tasks;
pub mod theme_files;
mod workers;
use live::LiveRunner;
use postmortem_writer::PostmortemWriter;
use range::RangeRunner;
use share::{ShareSettings, Sharing};

/// How long a quitting console waits for its `left` record to reach Loki.
const LEAVE_GRACE: std::time::Duration = std::time::Duration::from_secs(3);
use tasks::{spawn_hangup_watch, spawn_input, spawn_signals, spawn_ticker};
use theme_files::ThemeLoader;
use workers::{LogFollower, RunbookLoader};

/// A context's result, tagged so that it is dropped once the context changed.
fn tagged(generation: u64, msg: Msg) -> Msg {
    Msg::Tagged { generation, msg: Box::new(msg) }
}

/// The sources of a config, each with an id and a unique display name.
pub fn source_specs(cfg: &Config) -> Vec<SourceSpec> {
    let kinds = [
        (SourceKind::Prometheus, &cfg.prometheus),
        (SourceKind::Alertmanager, &cfg.alertmanager),
        (SourceKind::Loki, &cfg.loki),
    ];
    let mut specs: Vec<SourceSpec> = Vec::new();
    for (kind, endpoints) in kinds {
        for (index, ep) in endpoints.iter().enumerate() {
            let mut name = ep.display_name();
            if specs.iter().any(|s| s.name == name) {
                name = format!("{name}#{}", specs.len());
            }
            specs.push(SourceSpec { id: SourceId { kind, index }, name, endpoint: ep.clone() });
        }
    }
    specs
}

impl Console {
    /// Builds the state and starts the pollers. Must run inside a tokio
    /// runtime. Fails on a config the user must fix (bad key, theme, URL).
    pub fn start(cfg: &Config, opts: Options) -> anyhow::Result<Self> {
        let keymap = Keymap::new(&cfg.keymap).map_err(anyhow::Error::msg)?;
        let theme =
            theme_files::find(&cfg.theme, theme_files::no_color_env(), &cfg.theme_dirs).map_err(anyhow::Error::msg)?;
        let specs = source_specs(cfg);
        let setup = Setup {
            sources: specs.iter().map(|s| (s.id, s.name.clone())).collect(),
            group_by: cfg.group_by.clone(),
            show_muted: cfg.show_muted,
            drill: opts.drill,
            context: opts.context,
            signals: cfg.signals.clone(),
            signal_window: cfg.signal_window,
            refresh: cfg.refresh,
            signal_top_n: cfg.signal_top_n,
            history_window: cfg.history_window,
            flap_threshold: cfg.flap_threshold,
            user: crate::env::user(),
            logs: cfg.logs.clone(),
            read_only: cfg.read_only,
            live_runbooks: cfg.live_runbooks,
            silences: crate::state::silences::SilenceSettings {
                confirm_over: cfg.silence_confirm_over,
                ack_duration: cfg.ack_duration,
            },
            local_offset: Some(tasks::local_offset()),
            dashboards: !cfg.dashboards.is_empty(),
        };
        let mut state = State::new(setup, keymap, theme, Utc::now());
        state.alerts.notify = crate::state::notify::Notifier::new(cfg.notify.clone());
        state.prefs.hyperlinks = cfg.hyperlinks.enabled(crate::tui::supports_hyperlinks);
        state.contexts.known = cfg.context_summaries();
        state.contexts.forced_read_only = state.contexts.read_only;
        state.contexts.read_only |= cfg.active_read_only();
        if state.contexts.active.is_empty() {
            state.contexts.active = cfg.active_context().to_string();
        }
        let generation = state.contexts.generation;
        if let Some(text) = cfg.history_file.as_ref().and_then(|p| std::fs::read_to_string(p).ok()) {
            state.view.prompt.edit.history = state::prompt::history::History::parse(&text);
        }
        let (tx, rx) = mpsc::unbounded_channel();
        let ranges = RangeRunner::new(cfg, generation)?;
        let live = LiveRunner::new(cfg, generation)?;
        let template = match &opts.config_dir {
            Some(d) => crate::incident::load_template(d)?,
            None => None,
        };
        let share = ShareSettings::from_config(cfg)?;
        let layout = crate::incident::postmortem::Layout { template, targets: targets(cfg) };
        let mut incident = cfg.incident_dir.clone().map(|dir| Session::new(dir, layout));
        let mut resumed = None;
        let postmortem = PostmortemWriter::start();
        if let Some(session) = incident.as_mut() {
            if let Some(host) = &cfg.host {
                session.set_host(host);
            }
            // The incident joined, else the open one found in the directory.
            let opened = match &opts.join {
                Some(id) => session.open(id).map(|(id, read)| Some((id, read))),
                None => session.resume(),
            };
            match opened {
                Ok(Some((id, read))) => {
                    // Written again: a crash may have left it behind the
                    // journal, and a join brought lines it has not seen.
                    if let Some(rewrite) = session.rewrite() {
                        postmortem.handle().request(rewrite);
                    }
                    resumed = Some((id.clone(), read.clone()));
                    let _ = tx.send(Msg::Incident(IncidentMsg::Loaded { id, read }));
                    if let Some(draft) = session.load_draft(state.incident.user()) {
                        let _ = tx.send(Msg::Incident(IncidentMsg::DraftFound(draft)));
                    }
                }
                Ok(None) => {}
                Err(e) => tracing::warn!(error = %e, "cannot resume the open incident"),
            }
        }
        let silences = silence_writer::SilenceWriter::new(&specs)?;
        let pollers = poller::spawn_tagged(specs, cfg.refresh, generation, tx.clone())?;
        let runbooks = RunbookLoader::new(cfg)?;
        let logs = LogFollower::new(cfg, generation)?;
        let themes = ThemeLoader::new(cfg.theme_dirs.clone());
        let dash = dash::DashWorker::new(cfg, generation)?;
        if dash.configured() {
            dash.load(tx.clone());
        }
        let cfg = cfg.clone();
        let mut console = Self {
            state,
            cfg,
            tx,
            rx,
            pollers,
            ranges,
            live,
            incident,
            postmortem,
            runbooks,
            logs,
            silences,
            themes,
            dash,
            share,
            sharing: None,
            terminal_writes: Vec::new(),
        };
        match resumed {
            Some((id, read)) => console.share_incident(&id, &read),
            None => console.offer_shared(),
        }
        Ok(console)
    }

    /// Starts sharing incident `id` (its journal so far: `read`) when
    /// sharing is on, and stops sharing the one before.
    fn share_incident(&mut self, id: &str, read: &crate::incident::ReadOutcome) {
        let (Some(settings), Some(session)) = (&self.share, &self.incident) else { return };
        if self.sharing.as_ref().is_some_and(|s| s.id() == id) {
            return;
        }
        let declared = crate::incident::Timeline::build(&read.records).declared.map(|(at, _)| at);
        tracing::info!(incident = %id, via = %settings.client.name(), "sharing the incident");
        let who = (self.state.incident.user(), session.host());
        self.sharing = Some(Sharing::start(settings, session.dir(), id, who, declared, self.tx.clone()));
        // After the incident's Loaded (already queued, or handled next):
        // the state says so, and joins the room if it is not in it.
        let _ = self.tx.send(Msg::Share(crate::model::ShareMsg::Started(id.to_string())));
    }

    /// On quit, in a shared incident's room: a `left` record, and a few
    /// seconds for it (and anything else unsent) to reach Loki. What does
    /// not is in the outbox, sent by the next start.
    pub async fn leave_room(&mut self) {
        let Some(record) = self.state.incident.leave_record(Utc::now()) else { return };
        if self.sharing.is_none() {
            return;
        }
        while self.rx.try_recv().is_ok() {}
        let _ = self.journal(Cmd::Append { record, from_editor: false });
        if let Some(sharing) = &self.sharing {
            sharing.wake();
        }
        let sent = async {
            while let Some(msg) = self.rx.recv().await {
                if let Msg::Share(crate::model::ShareMsg::Push(p)) = msg
                    && p.unsent == 0
                {
                    return true;
                }
            }
            false
        };
        let sent = tokio::time::timeout(LEAVE_GRACE, sent).await.unwrap_or(false);
        tracing::info!(sent, "left the shared room");
    }

    /// Stops the active context's sources and starts `name`'s, tagged with
    /// the next generation. The new clients are built first: if one cannot
    /// be (a secret file missing), the old context keeps running.
    fn switch_context(&mut self, name: String) -> Msg {
        use crate::state::contexts::{ContextMsg, Switched};
        let mut cfg = self.cfg.clone();
        if let Err(e) = cfg.select_context(&name) {
            return Msg::Context(ContextMsg::Failed { name, error: e.to_string() });
        }
        let generation = self.state.contexts.generation + 1;
        let specs = source_specs(&cfg);
        let sources: Vec<_> = specs.iter().map(|s| (s.id, s.name.clone())).collect();
        let started = (|| -> anyhow::Result<_> {
            let ranges = RangeRunner::new(&cfg, generation)?;
            let live = LiveRunner::new(&cfg, generation)?;
            let logs = LogFollower::new(&cfg, generation)?;
            let silences = silence_writer::SilenceWriter::new(&specs)?;
            let dash = dash::DashWorker::new(&cfg, generation)?;
            let pollers = poller::spawn_tagged(specs, cfg.refresh, generation, self.tx.clone())?;
            Ok((pollers, ranges, live, logs, silences, dash))
        })();
        match started {
            Ok((pollers, ranges, live, logs, silences, dash)) => {
                self.dash = dash;
                // The old ones are dropped here: their tasks are aborted.
                (self.pollers, self.ranges, self.logs, self.silences) = (pollers, ranges, logs, silences);
                self.live = live;
                let read_only = cfg.active_read_only();
                self.cfg = cfg;
                tracing::info!(context = %name, generation, "context switched");
                Msg::Context(ContextMsg::Switched(Box::new(Switched { name, generation, read_only, sources })))
            }
            Err(e) => Msg::Context(ContextMsg::Failed { name, error: format!("{e:#}") }),
        }
    }

    pub fn sender(&self) -> mpsc::UnboundedSender<Msg> {
        self.tx.clone()
    }

    /// Waits for the next message.
    pub async fn next(&mut self) -> Option<Msg> {
        self.rx.recv().await
    }

    /// Applies one message and performs its commands. Returns false once
    /// the console should stop.
    ///
    /// A command the runtime answers at once (a journal write, a context
    /// switch, the handoff file) queues its answer behind this message's
    /// other commands, to be applied in turn: never a recursive `update`.
    pub fn handle(&mut self, msg: Msg) -> bool {
        let mut queue = std::collections::VecDeque::from([msg]);
        while let Some(msg) = queue.pop_front() {
            if !self.apply(msg, &mut queue) {
                return false;
            }
        }
        !self.state.frame.quit
    }

    /// One message through `update`, and its commands performed; answers
    /// known at once go to `queue`. False once the console should stop.
    fn apply(&mut self, msg: Msg, queue: &mut std::collections::VecDeque<Msg>) -> bool {
        for cmd in state::update(&mut self.state, msg) {
            match cmd {
                Cmd::Quit => return false,
                Cmd::RefreshAll => self.pollers.refresh_all(),
                Cmd::FetchRange(f) => self.ranges.spawn(f, self.tx.clone()),
                Cmd::OpenRunbook { request, alertname, url, annotations, width, vars } => self.runbooks.open(
                    request,
                    workers::RunbookAsk { alertname, url, annotations, width },
                    vars.map(|v| *v),
                    self.tx.clone(),
                ),
                Cmd::LiveQuery(ask) => self.live.spawn(*ask, self.tx.clone()),
                Cmd::FollowLogs(spec) => self.logs.follow(*spec, self.tx.clone()),
                Cmd::StopLogs => self.logs.stop(),
                Cmd::PostSilence { draft, targets, origin } => {
                    self.silences.post(*draft, targets, origin, self.tx.clone())
                }
                Cmd::ExpireSilence { id, targets } => self.silences.expire(id, targets, self.tx.clone()),
                Cmd::SwitchContext(name) => queue.push_back(self.switch_context(name)),
                Cmd::Clipboard(text) => self.terminal_writes.push(crate::runbook::clipboard::osc52(&text)),
                Cmd::Notify { bell, desktop } => {
                    if bell {
                        self.terminal_writes.push("\x07".to_string());
                    }
                    self.terminal_writes.extend(desktop);
                }
                Cmd::LoadTheme { name } => self.themes.load(name, self.tx.clone()),
                Cmd::LoadDashboards => self.dash.load(self.tx.clone()),
                Cmd::ResolveVar(ask) => self.dash.resolve(*ask, self.tx.clone()),
                Cmd::WriteHandoff(text) => queue.push_back(self.write_handoff(&text)),
                Cmd::Join(id) => self.join(id),
                Cmd::OpenIncident(id) => {
                    let msg = match self.incident.as_mut().map(|s| s.open(&id)) {
                        Some(Ok((id, read))) => {
                            self.rewrite_postmortem();
                            self.share_incident(&id, &read);
                            IncidentMsg::Loaded { id, read }
                        }
                        Some(Err(e)) => IncidentMsg::Failed { error: e.to_string(), from_editor: false },
                        None => IncidentMsg::Failed { error: "no incident directory".into(), from_editor: false },
                    };
                    queue.push_back(Msg::Incident(msg));
                }
                Cmd::SaveHistory(text) => save_history(self.cfg.history_file.clone(), text),
                Cmd::SaveDraft(draft) => {
                    if let Some(session) = self.incident.as_ref()
                        && let Err(e) = session.save_draft(self.state.incident.user(), draft.as_ref())
                    {
                        tracing::warn!(error = %e, "note draft not kept");
                    }
                }
                Cmd::Declare(_) | Cmd::Append { .. } | Cmd::Capture(_) | Cmd::ReadJournal | Cmd::Export => {
                    if cmd == Cmd::Export {
                        self.draw_charts();
                    }
                    let msg = self.journal(cmd);
                    match &msg {
                        Some(Msg::Incident(IncidentMsg::Loaded { id, read })) => self.share_incident(id, read),
                        Some(Msg::Incident(IncidentMsg::Saved { .. })) => {
                            if let Some(s) = &self.sharing {
                                s.wake();
                            }
                        }
                        _ => {}
                    }
                    queue.extend(msg);
                }
            }
        }
        !self.state.frame.quit
    }

    /// `:handoff`'s file, `handoff.md` beside the journal (atomically).
    fn write_handoff(&self, text: &str) -> Msg {
        let id = self.state.incident.id().unwrap_or_default();
        let result = match &self.incident {
            Some(session) => {
                let path = session.dir().join(id).join(crate::incident::handoff::HANDOFF_FILE);
                crate::incident::write_atomic(&path, text).map(|()| path).map_err(|e| e.to_string())
            }
            None => Err("no incident directory configured".to_string()),
        };
        Msg::Incident(IncidentMsg::HandoffWritten(result))
    }

    /// Queues a rewrite of the open incident's post-mortem draft.
    fn rewrite_postmortem(&self) {
        if let Some(rewrite) = self.incident.as_ref().and_then(Session::rewrite) {
            self.postmortem.handle().request(rewrite);
        }
    }

    /// `e`: the draft written (by the writer, after what is queued), then
    /// the flash says where.
    fn export(&self) -> Option<Msg> {
        let session = self.incident.as_ref()?;
        let Some(rewrite) = session.rewrite() else {
            let error = crate::incident::IncidentError::NoIncident(session.dir().to_path_buf()).to_string();
            return Some(Msg::Incident(IncidentMsg::Exported(Err(error))));
        };
        let tx = self.tx.clone();
        self.postmortem.handle().request_then(
            rewrite,
            Box::new(move |result| {
                let _ = tx.send(Msg::Incident(IncidentMsg::Exported(result)));
            }),
        );
        None
    }

    /// `e`: the post-mortem's charts, drawn off the loop after the draft is
    /// written; the draft is written again with them.
    fn draw_charts(&self) {
        let Some(rewrite) = self.incident.as_ref().and_then(Session::rewrite) else { return };
        let clients = match export::clients(&self.cfg) {
            Ok(c) if !c.is_empty() => c,
            _ => return,
        };
        let (writer, tx) = (self.postmortem.handle(), self.tx.clone());
        let time = self.state.incident.time;
        tokio::spawn(async move {
            let result = async {
                let (d, i) = (rewrite.dir.clone(), rewrite.id.clone());
                let records = tokio::task::spawn_blocking(move || crate::incident::records_of(&d, &i)).await??;
                let folder = rewrite.dir.join(&rewrite.id);
                let drawn = export::draw(&clients, &records, &folder, Utc::now(), time).await?;
                let draft = writer.write(rewrite).await.map_err(anyhow::Error::msg)?;
                Ok::<_, anyhow::Error>(crate::msg::ChartsDrawn {
                    draft,
                    drawn: drawn.drawn(),
                    missing: drawn.missing(),
                })
            }
            .await
            .map_err(|e| format!("{e:#}"));
            let _ = tx.send(Msg::Incident(IncidentMsg::ChartsDrawn(result)));
        });
    }

    /// With sharing on and no incident open here: the open shared
    /// incidents, looked up off the loop, offered to `:join`.
    fn offer_shared(&self) {
        let Some(settings) = self.share.clone() else { return };
        let tx = self.tx.clone();
        tokio::spawn(async move {
            match share::discover(&settings).await {
                Ok(list) => {
                    let open = list.into_iter().filter(|i| i.status != "resolved").map(|i| (i.id, i.title)).collect();
                    let _ = tx.send(Msg::Incident(IncidentMsg::SharedOpen(open)));
                }
                Err(e) => tracing::info!(error = %format!("{e:#}"), "share: no list of open incidents"),
            }
        });
    }

    /// `:join ID`: reads the shared incident from Loki off the loop, then
    /// the state asks to open it.
    fn join(&self, id: String) {
        let tx = self.tx.clone();
        let (Some(settings), Some(session)) = (self.share.clone(), self.incident.as_ref()) else {
            let why = "sharing is off: start warroom with --share (or share = true) and a Loki".to_string();
            let _ = tx.send(Msg::Incident(IncidentMsg::Joined(Err(why))));
            return;
        };
        let dir = session.dir().to_path_buf();
        tokio::spawn(async move {
            let result = share::fetch_into(&settings, &dir, &id).await.map(|_| id).map_err(|e| format!("{e:#}"));
            let _ = tx.send(Msg::Incident(IncidentMsg::Joined(result)));
        });
    }

    /// Performs a journal command. Appends are synchronous: the fsync is a
    /// few milliseconds, and the UI must not say "saved" before it is done.
    /// The post-mortem draft that follows the journal is rewritten off the
    /// loop, once the journal changed (here, or by a teammate's line read).
    fn journal(&mut self, cmd: Cmd) -> Option<Msg> {
        let Some(session) = self.incident.as_mut() else {
            let error = "no incident directory configured (--incident-dir)".to_string();
            return Some(Msg::Incident(IncidentMsg::Failed { error, from_editor: true }));
        };
        if cmd == Cmd::Export {
            return self.export();
        }
        let msg = match cmd {
            // What a person does is stamped when it is saved, to the
            // nanosecond (the state's clock is the 1-second tick: notes saved
            // in a burst shared one time, two consoles' notes sorted out of
            // order). Captures keep the times their sources give.
            Cmd::Declare(mut decl) => match session.declare(&{
                decl.at = Utc::now();
                decl
            }) {
                Ok((id, read)) => IncidentMsg::Loaded { id, read },
                Err(e) => IncidentMsg::Failed { error: e.to_string(), from_editor: true },
            },
            Cmd::Append { mut record, from_editor } => match session.append(&{
                record.at = Utc::now();
                record
            }) {
                Ok(read) => IncidentMsg::Saved { read, from_editor },
                Err(e) => IncidentMsg::Failed { error: e.to_string(), from_editor },
            },
            Cmd::Capture(record) => match session.append(&record) {
                Ok(read) => IncidentMsg::Saved { read, from_editor: false },
                Err(e) => IncidentMsg::CaptureFailed { record: Box::new(record), error: e.to_string() },
            },
            Cmd::ReadJournal => match session.read_new() {
                Ok(Some(read)) if read.records.is_empty() && read.warnings.is_empty() => return None,
                Ok(Some(read)) => IncidentMsg::Read(read),
                Ok(None) => return None,
                Err(e) => IncidentMsg::Failed { error: e.to_string(), from_editor: false },
            },
            _ => return None,
        };
        let changed = match &msg {
            IncidentMsg::Loaded { .. } | IncidentMsg::Saved { .. } => true,
            IncidentMsg::Read(read) => !read.records.is_empty(),
            _ => false,
        };
        if changed {
            self.rewrite_postmortem();
        }
        Some(Msg::Incident(msg))
    }

    /// Applies every message already queued, so a burst costs one frame.
    pub fn drain(&mut self) -> bool {
        while let Ok(msg) = self.rx.try_recv() {
            if !self.handle(msg) {
                return false;
            }
        }
        true
    }

    /// Draws if something changed since the last frame.
    pub fn draw<B: Backend>(&mut self, terminal: &mut Terminal<B>) -> Result<(), B::Error> {
        // The state lays the panes out (for paging, clicks, what to fetch)
        // at the size it was told: at start, and should a resize event
        // have been missed, it is told here, before the frame.
        let size = terminal.size()?;
        if self.state.view.size != Some(size) {
            self.handle(Msg::Resize(size.width, size.height));
        }
        if std::mem::take(&mut self.state.frame.repaint) {
            // `resize` clears the screen and both buffers without asking
            // the terminal for the cursor (whose answer the input task would
            // swallow): the next frame repaints every cell.
            let size = terminal.size()?;
            terminal.resize(ratatui::layout::Rect::new(0, 0, size.width, size.height))?;
        }
        if self.state.frame.dirty {
            self.state.frame.dirty = false;
            terminal.draw(|f| crate::ui::draw(f, &self.state))?;
        }
        Ok(())
    }
}

/// Writes the `:` history off the event loop (atomically: a crash leaves
/// the old file or the new one). Losing it is not worth an error on screen.
fn save_history(path: Option<std::path::PathBuf>, text: String) {
    let Some(path) = path else { return };
    tokio::task::spawn_blocking(move || {
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        if let Err(e) = crate::incident::write_atomic(&path, &text) {
            tracing::warn!(error = %e, path = %path.display(), "cannot save the command history");
        }
    });
}

/// The targets of the post-mortem's durations, from the config.
pub fn targets(cfg: &Config) -> crate::incident::stats::Targets {
    crate::incident::stats::Targets { mttd: cfg.mttd_target, mttr: cfg.mttr_target }
}

/// Runs the console on the real terminal until quit or a signal.
pub async fn run(cfg: Config, opts: Options) -> anyhow::Result<()> {
    if let Some(id) = &opts.join {
        // The whole timeline first: a wrong id is an error here, before
        // the screen is taken.
        let settings = ShareSettings::from_config(&cfg)?.ok_or_else(|| anyhow::anyhow!("--join needs sharing on"))?;
        let dir = cfg.incident_dir.clone().ok_or_else(|| anyhow::anyhow!("--join needs an incident directory"))?;
        let added = share::fetch_into(&settings, &dir, id).await?;
        tracing::info!(incident = %id, added, "joined the shared incident");
    }
    let mut console = Console::start(&cfg, opts)?;
    spawn_ticker(console.sender());
    spawn_signals(console.sender())?;
    let mut terminal = crate::tui::init(cfg.mouse)?;
    spawn_input(console.sender());
    spawn_hangup_watch(console.sender());
    let result = event_loop(&mut console, &mut terminal).await;
    crate::tui::restore();
    crate::tui::release(terminal);
    if result.is_ok() {
        console.leave_room().await;
    }
    if result.is_err() {
        // Leave as on a signal: the note being typed is kept.
        console.handle(Msg::Terminate);
    }
    match result {
        // The SSH session dropped (the pty closed): nobody to tell, nothing
        // lost (every acknowledged write is on disk). A clean exit.
        Err(e) if terminal_gone(&e) => {
            tracing::info!(error = %e, "terminal closed; exiting");
            Ok(())
        }
        r => r,
    }
}

/// Whether `e` is the terminal going away under us (EIO from a closed pty,
/// a broken pipe), rather than a fault worth reporting.
fn terminal_gone(e: &anyhow::Error) -> bool {
    e.chain().filter_map(|c| c.downcast_ref::<std::io::Error>()).any(|io| {
        io.raw_os_error() == Some(libc::EIO)
            || matches!(io.kind(), std::io::ErrorKind::BrokenPipe | std::io::ErrorKind::UnexpectedEof)
    })
}

async fn event_loop(console: &mut Console, terminal: &mut crate::tui::Tui) -> anyhow::Result<()> {
    use std::io::Write;
    loop {
        console.draw(terminal)?;
        if !console.terminal_writes.is_empty() {
            let mut out = std::io::stdout();
            for w in console.terminal_writes.drain(..) {
                out.write_all(w.as_bytes())?;
            }
            out.flush()?;
        }
        let Some(msg) = console.next().await else {
            return Ok(());
        };
        if !console.handle(msg) || !console.drain() {
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    /// The whole board, as the console draws it: ticks and identical polls
    /// mark it dirty, and a frame that changes no cell writes no byte.
    #[test]
    fn an_idle_board_writes_nothing_between_minutes() {
        use crate::msg::{Msg, Payload, SourceId, SourceKind};
        use crate::state::tests::{board, now, poll, state};
        use crate::tui::tests::{Bytes, quiet};
        const AM0: SourceId = SourceId { kind: SourceKind::Alertmanager, index: 0 };
        let out = Bytes::default();
        let mut t = quiet(&out, 160, 48);
        let mut s = state();
        crate::state::update(&mut s, poll(AM0, Ok(Payload::AmAlerts(crate::model::share(board())))));
        t.draw(|f| crate::ui::draw(f, &s)).unwrap();
        assert!(out.take().len() > 1000, "the first frame draws the board");
        for secs in [2, 4, 20, 40, 58] {
            crate::state::update(&mut s, Msg::Tick(now() + chrono::Duration::seconds(secs)));
            crate::state::update(&mut s, poll(AM0, Ok(Payload::AmAlerts(crate::model::share(board())))));
            t.draw(|f| crate::ui::draw(f, &s)).unwrap();
            assert_eq!(out.take(), b"", "{secs}s in");
        }
        crate::state::update(&mut s, Msg::Tick(now() + chrono::Duration::seconds(60)));
        t.draw(|f| crate::ui::draw(f, &s)).unwrap();
        let minute = out.take();
        assert!(!minute.is_empty() && minute.len() < 400, "ages turn once a minute: {} bytes", minute.len());
    }
}
