//! The shared war room's workers: the pusher (the outbox: this host's
//! records, from the journal, to Loki, in order) and the receiver (the
//! incident's stream, from Loki, into the local journal), both off the
//! event loop. The console learns what they did as [`ShareMsg`]s; records
//! received are written to the journal (fsync'd) and read from there like
//! any other process' appends, so the screen, the post-mortem and a later
//! offline export all read one file.
//!
//! Also `warroom incidents` and the first read of `--join`.

use std::collections::{BTreeMap, VecDeque};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::{Notify, mpsc};

use crate::config::Config;
use crate::incident::share::{self, Marker, PushLock};
use crate::incident::{Journal, Record, Timeline};
use crate::model::{SharePush, ShareReceived};
use crate::msg::Msg;
use crate::sources::HttpClient;
use crate::sources::loki::{
    FollowMode, FollowSettings, FollowSpec, ForwardReader, LokiClient, PushEntry, PushError, PushStream, QuerySpec,
    RawLine, follow_raw, now_ns,
};

/// Records in one push at most (well under Loki's request limits).
const MAX_BATCH: usize = 500;
/// The pusher's retry delays double from this…
const RETRY_FIRST: Duration = Duration::from_secs(1);
/// …up to this.
const RETRY_MAX: Duration = Duration::from_secs(8);
/// How long a `Retry-After` is honoured at most.
const RETRY_AFTER_MAX: Duration = Duration::from_secs(60);
/// How often a console says it is in the room.
pub const HEARTBEAT: Duration = Duration::from_secs(60);
/// Lines per page when reading a stream.
const PAGE: u32 = 1000;
/// How far before the declaration the incident's stream is read from:
/// teammates' clocks differ.
const CLOCK_MARGIN: Duration = Duration::from_secs(3600);

/// Where and how the incident is shared.
#[derive(Clone)]
pub struct ShareSettings {
    pub client: LokiClient,
    pub lookback: Duration,
    /// How often the stream is polled when the tail is refused.
    pub poll: Duration,
}

impl ShareSettings {
    /// `None` when sharing is off. An error when it is on and no Loki is
    /// there to share through (or `share_via` names none).
    pub fn from_config(cfg: &Config) -> anyhow::Result<Option<ShareSettings>> {
        if !cfg.share {
            return Ok(None);
        }
        let ep = match &cfg.share_via {
            None => cfg.loki.first(),
            Some(via) => cfg.loki.iter().find(|ep| ep.name.as_deref() == Some(via.as_str()) || ep.url == *via),
        };
        let Some(ep) = ep else {
            anyhow::bail!(match &cfg.share_via {
                None =>
                    "sharing is on (--share / share = true) but no Loki is configured: pass --loki URL or add [[loki]]"
                        .to_string(),
                Some(via) => format!("share_via = {via:?} names no [[loki]] endpoint (by name or url)"),
            });
        };
        let client = LokiClient::new(HttpClient::new(ep)?, ep.display_name());
        Ok(Some(ShareSettings { client, lookback: cfg.share_lookback, poll: cfg.refresh.max(Duration::from_secs(1)) }))
    }
}

/// The workers of one shared incident; stopped when dropped.
pub struct Sharing {
    id: String,
    wake: Arc<Notify>,
    push: tokio::task::JoinHandle<()>,
    receive: tokio::task::JoinHandle<()>,
    /// The outbox's lock once the pusher has it, held here so that
    /// dropping the sharing frees it at once: an aborted task is only
    /// dropped at the runtime's next turn, and a sharing started again in
    /// between (a context switch, a rejoin) found it taken and said
    /// "pushed elsewhere" for its next five seconds.
    lock: Arc<std::sync::Mutex<Option<PushLock>>>,
}

impl Sharing {
    /// Starts pushing and receiving incident `id` of `dir` (the incident
    /// directory), whose records this host writes as `who` = (user, host).
    pub fn start(
        settings: &ShareSettings,
        dir: &Path,
        id: &str,
        who: (&str, &str),
        declared: Option<DateTime<Utc>>,
        tx: mpsc::UnboundedSender<Msg>,
    ) -> Sharing {
        let (user, host) = who;
        let wake = Arc::new(Notify::new());
        let lock = Arc::new(std::sync::Mutex::new(None));
        let pusher = Pusher {
            lock: lock.clone(),
            client: settings.client.clone(),
            dir: dir.to_path_buf(),
            id: id.to_string(),
            host: host.to_string(),
            user: user.to_string(),
            wake: wake.clone(),
            tx: tx.clone(),
            poll: settings.poll,
        };
        let push = tokio::spawn(pusher.run());
        let start = match declared {
            Some(at) => at - chrono::Duration::from_std(CLOCK_MARGIN).unwrap_or_default(),
            None => Utc::now() - chrono::Duration::from_std(settings.lookback).unwrap_or_default(),
        };
        let receive = receive(settings, dir, id, start.timestamp_nanos_opt().unwrap_or(0), tx);
        Sharing { id: id.to_string(), wake, push, receive, lock }
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    /// Something was appended: push it now.
    pub fn wake(&self) {
        self.wake.notify_one();
    }
}

impl Drop for Sharing {
    fn drop(&mut self) {
        self.push.abort();
        self.receive.abort();
        self.lock.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take();
    }
}

/// The outbox's worker.
struct Pusher {
    /// Where the outbox's lock is kept (see [`Sharing`]).
    lock: Arc<std::sync::Mutex<Option<PushLock>>>,
    client: LokiClient,
    dir: PathBuf,
    id: String,
    host: String,
    user: String,
    wake: Arc<Notify>,
    tx: mpsc::UnboundedSender<Msg>,
    poll: Duration,
}

impl Pusher {
    /// "In the room": one line on the stream, not a record. A failure is
    /// not reported (the records' pushes say how Loki is).
    async fn heartbeat(&self, last_ns: &mut i64) {
        let p = share::Presence::here(&self.user, &self.host, Utc::now());
        let Ok(line) = serde_json::to_string(&p) else { return };
        let ts = now_ns().max(last_ns.saturating_add(1));
        let entry = PushEntry { ts_ns: ts, line, metadata: Default::default() };
        let stream = PushStream { labels: share::stream_labels(&self.id), entries: vec![entry] };
        match self.client.push(&[stream]).await {
            Ok(()) => *last_ns = ts,
            Err(e) => tracing::debug!(error = %e, "share: heartbeat not pushed"),
        }
    }

    fn report(&self, push: SharePush) -> bool {
        self.tx.send(Msg::Share(crate::model::ShareMsg::Push(push))).is_ok()
    }

    async fn run(self) {
        let inc_dir = self.dir.join(&self.id);
        // One pusher per host and incident; the others wait their turn.
        loop {
            match PushLock::try_take(&inc_dir) {
                Ok(Some(lock)) => {
                    *self.lock.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(lock);
                    break;
                }
                Ok(None) => {
                    if !self.report(SharePush { elsewhere: true, ..SharePush::default() }) {
                        return;
                    }
                }
                Err(e) => {
                    if !self.report(SharePush {
                        error: Some(format!("cannot lock the outbox: {e}")),
                        ..SharePush::default()
                    }) {
                        return;
                    }
                }
            }
            tokio::time::sleep(Duration::from_secs(5)).await;
        }
        let mut journal = match Journal::open(&self.dir, &self.id) {
            Ok(j) => j,
            Err(e) => {
                self.report(SharePush { error: Some(e.to_string()), ..SharePush::default() });
                return;
            }
        };
        let mut marker = Marker::load(&inc_dir);
        let mut outbox = Outbox::new(marker.records);
        let mut failures = 0u32;
        let mut batch_max = MAX_BATCH;
        let mut last_report = None;
        let mut next_beat = tokio::time::Instant::now();
        loop {
            if tokio::time::Instant::now() >= next_beat {
                self.heartbeat(&mut marker.last_ns).await;
                next_beat = tokio::time::Instant::now() + HEARTBEAT;
            }
            match journal.read_new() {
                Ok(read) => outbox.read(read.records, &self.host),
                Err(e) => tracing::warn!(error = %e, "share: cannot read the journal"),
            }
            if outbox.pending.is_empty() {
                marker.records = outbox.handled();
                let status = SharePush { refused: marker.refused.len(), ..SharePush::default() };
                if last_report.as_ref() != Some(&status) {
                    if !self.report(status.clone()) {
                        return;
                    }
                    last_report = Some(status);
                }
                tokio::select! {
                    () = self.wake.notified() => {}
                    () = tokio::time::sleep(self.poll) => {}
                    () = tokio::time::sleep_until(next_beat) => {}
                }
                continue;
            }
            let n = outbox.pending.len().min(batch_max);
            let (stream, last_ns) = entries(&self.id, outbox.pending.iter().take(n).map(|(_, r)| r), marker.last_ns);
            match self.client.push(&[stream]).await {
                Ok(()) => {
                    outbox.pending.drain(..n);
                    marker.last_ns = last_ns;
                    marker.records = outbox.handled();
                    if let Err(e) = marker.save(&inc_dir) {
                        // Pushed again after a restart: readers fold it.
                        tracing::warn!(error = %e, "share: marker not saved");
                    }
                    failures = 0;
                    batch_max = MAX_BATCH;
                }
                Err(PushError::Rejected { message, .. }) if n > 1 => {
                    // One of them is refused: halve until it is alone.
                    tracing::info!(n, %message, "share: Loki refused a batch, splitting it");
                    batch_max = n / 2;
                }
                Err(PushError::Rejected { message, status }) => {
                    let (_, rec) = outbox.pending.pop_front().expect("n == 1");
                    let message = crate::text::truncate_width(&crate::text::clean(&message), 200);
                    tracing::warn!(id = %rec.id, status, %message, "share: Loki refused a record; it stays local");
                    marker.refuse(rec.id, message);
                    marker.records = outbox.handled();
                    if let Err(e) = marker.save(&inc_dir) {
                        tracing::warn!(error = %e, "share: marker not saved");
                    }
                    batch_max = MAX_BATCH;
                }
                Err(e) => {
                    failures += 1;
                    let status = SharePush {
                        unsent: outbox.pending.len(),
                        refused: marker.refused.len(),
                        error: Some(e.short()),
                        elsewhere: false,
                    };
                    if failures == 1 {
                        tracing::warn!(error = %e, unsent = status.unsent, "share: push failed; retrying");
                    }
                    if last_report.as_ref() != Some(&status) {
                        if !self.report(status.clone()) {
                            return;
                        }
                        last_report = Some(status);
                    }
                    let delay = e.retry_after().map_or_else(|| retry_delay(failures), |d| d.min(RETRY_AFTER_MAX));
                    tokio::time::sleep(delay).await;
                    continue;
                }
            }
            let status =
                SharePush { unsent: outbox.pending.len(), refused: marker.refused.len(), ..SharePush::default() };
            if last_report.as_ref() != Some(&status) {
                if !self.report(status.clone()) {
                    return;
                }
                last_report = Some(status);
            }
        }
    }
}

/// 1, 2, 4, 8, 8… seconds.
fn retry_delay(failures: u32) -> Duration {
    (RETRY_FIRST * (1u32 << failures.saturating_sub(1).min(4))).min(RETRY_MAX)
}

/// The journal's records in order, the ones this host must push pending.
#[derive(Debug, Default)]
struct Outbox {
    /// Records of the journal already handled before this run (the marker).
    skip: usize,
    /// Records read from the journal so far.
    seen: usize,
    /// (index in the journal, record) of this host's records not yet pushed.
    pending: VecDeque<(usize, Record)>,
}

impl Outbox {
    fn new(handled: usize) -> Self {
        Outbox { skip: handled, ..Outbox::default() }
    }

    fn read(&mut self, records: Vec<Record>, host: &str) {
        for rec in records {
            if self.seen >= self.skip && rec.host == host {
                self.pending.push_back((self.seen, rec));
            }
            self.seen += 1;
        }
    }

    /// Records of the journal handled: all before the first pending one.
    fn handled(&self) -> usize {
        self.pending.front().map_or(self.seen.max(self.skip), |(i, _)| *i)
    }
}

/// The stream of `records`, stamped with strictly increasing timestamps
/// after `after` (push time: Loki refuses entries far behind a stream's
/// newest, and a record's own time may be an alert's hours-old start); the
/// record's time is in its line. Returns the last timestamp used.
fn entries<'a>(id: &str, records: impl Iterator<Item = &'a Record>, after: i64) -> (PushStream, i64) {
    let mut ts = now_ns().max(after.saturating_add(1));
    let mut out = Vec::new();
    for rec in records {
        match share::encode(rec) {
            Ok(line) => {
                out.push(PushEntry { ts_ns: ts, line, metadata: Default::default() });
                ts += 1;
            }
            Err(e) => tracing::warn!(error = %e, "share: record not encodable"),
        }
    }
    (PushStream { labels: share::stream_labels(id), entries: out }, ts - 1)
}

/// Lines of the stream as records and heartbeats, and how many were
/// neither.
fn decode_lines(lines: &[RawLine]) -> (Vec<Record>, Vec<share::Presence>, usize) {
    let mut records = Vec::with_capacity(lines.len());
    let mut present = Vec::new();
    let mut foreign = 0;
    for line in lines {
        match share::decode_line(line.text.as_str()) {
            Ok(share::Shared::Record(rec)) => records.push(rec),
            Ok(share::Shared::Presence(p)) => present.push(p),
            Err(why) => {
                foreign += 1;
                tracing::debug!(%why, ts = line.ts_ns, "share: foreign line ignored");
            }
        }
    }
    (records, present, foreign)
}

/// Follows the incident's stream (all of it, then live) and writes what
/// it brings to the journal on a thread of its own (fsyncs do not belong
/// on the runtime's workers).
fn receive(
    settings: &ShareSettings,
    dir: &Path,
    id: &str,
    start_ns: i64,
    tx: mpsc::UnboundedSender<Msg>,
) -> tokio::task::JoinHandle<()> {
    let (lines_tx, lines_rx) = std::sync::mpsc::channel::<Batch>();
    let (dir, id_owned) = (dir.to_path_buf(), id.to_string());
    std::thread::Builder::new()
        .name("share-receive".into())
        .spawn(move || write_received(&dir, &id_owned, &lines_rx, &tx))
        .map_err(|e| tracing::error!(error = %e, "share: no receiver thread"))
        .ok();
    let spec = FollowSpec {
        generation: 0,
        query: QuerySpec::LogQl(share::selector(id)),
        start_ns,
        settings: FollowSettings { limit: PAGE, poll_every: settings.poll, ..FollowSettings::default() },
    };
    follow_raw(settings.client.clone(), spec, move |batch| {
        let (records, present, foreign) = decode_lines(&batch.lines);
        let present = present.into_iter().map(|p| (p.author, p.host, p.at)).collect();
        let polling = match &batch.mode {
            Some(FollowMode::Poll { reason }) => Some(Some(reason.clone())),
            Some(FollowMode::Tail) => Some(None),
            None => None,
        };
        let error = batch.error.as_ref().map(crate::text::brief);
        lines_tx.send(Batch { records, present, foreign, error, polling }).is_ok()
    })
}

struct Batch {
    records: Vec<Record>,
    present: Vec<(String, String, DateTime<Utc>)>,
    foreign: usize,
    error: Option<String>,
    /// `Some` when the batch says how the stream is followed.
    polling: Option<Option<String>>,
}

fn write_received(dir: &Path, id: &str, rx: &std::sync::mpsc::Receiver<Batch>, tx: &mpsc::UnboundedSender<Msg>) {
    let mut journal = match Journal::open(dir, id) {
        Ok(j) => j,
        Err(e) => {
            let _ = tx.send(Msg::Share(crate::model::ShareMsg::Received(ShareReceived {
                error: Some(e.to_string()),
                ..ShareReceived::default()
            })));
            return;
        }
    };
    receive_into(|records| journal.append_received(records).map_err(|e| e.to_string()), rx, tx);
}

/// Writes the batches of `rx` with `append`, reporting each to `tx`.
fn receive_into(
    mut append: impl FnMut(&[Record]) -> Result<crate::incident::Received, String>,
    rx: &std::sync::mpsc::Receiver<Batch>,
    tx: &mpsc::UnboundedSender<Msg>,
) {
    let mut polling = None;
    // Records whose write failed (a full disk, a lock refused): the
    // follower does not hand a line on twice, so they are held here and
    // written again until it works (again is harmless: a record already in
    // the journal is skipped).
    let mut unwritten = Unwritten::default();
    loop {
        let batch = if unwritten.records.is_empty() {
            match rx.recv() {
                Ok(b) => Some(b),
                Err(_) => return,
            }
        } else {
            match rx.recv_timeout(WRITE_RETRY) {
                Ok(b) => Some(b),
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => None,
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                    // The sharing ended: one last try (what is left is
                    // still in Loki, read again by the next sharing).
                    let _ = append(&unwritten.records);
                    return;
                }
            }
        };
        let mut report = ShareReceived::default();
        if let Some(batch) = batch {
            if let Some(p) = batch.polling {
                polling = p;
            }
            report.foreign = batch.foreign;
            report.present = batch.present;
            report.error = batch.error;
            unwritten.hold(batch.records);
        }
        report.polling = polling.clone();
        if !unwritten.records.is_empty() {
            match append(&unwritten.records) {
                Ok(got) => {
                    report.added = got.added;
                    report.foreign += got.refused;
                    unwritten.records.clear();
                    if unwritten.dropped > 0 {
                        report.error = Some(format!(
                            "{} received records not written (the journal could not be written); they stay in Loki",
                            std::mem::take(&mut unwritten.dropped)
                        ));
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, held = unwritten.records.len(), "share: received records not written; trying again");
                    report.error = Some(format!("received records not written yet: {e}"));
                }
            }
        }
        if tx.send(Msg::Share(crate::model::ShareMsg::Received(report))).is_err() {
            return;
        }
    }
}

/// How often records whose write failed are written again.
const WRITE_RETRY: Duration = Duration::from_secs(1);
/// Records held while the journal cannot be written, at most (the oldest
/// beyond it are let go: Loki keeps them, the next sharing reads them).
const UNWRITTEN_MAX: usize = 100_000;

#[derive(Debug, Default)]
struct Unwritten {
    records: Vec<Record>,
    /// Let go since the last successful write.
    dropped: usize,
}

impl Unwritten {
    fn hold(&mut self, mut records: Vec<Record>) {
        self.records.append(&mut records);
        let over = self.records.len().saturating_sub(UNWRITTEN_MAX);
        if over > 0 {
            self.records.drain(..over);
            self.dropped += over;
        }
    }
}

/// Reads incident `id`'s whole stream (over the lookback) into the local
/// journal of `dir`, creating it: what `--join` does before the console
/// starts, so a wrong id is a clear error and the timeline is whole at
/// once. Returns the records written.
pub async fn fetch_into(settings: &ShareSettings, dir: &Path, id: &str) -> anyhow::Result<usize> {
    if !crate::incident::id::is_valid(id) {
        anyhow::bail!("invalid incident id {id:?}");
    }
    let end = now_ns();
    let start = end - i64::try_from(settings.lookback.as_nanos()).unwrap_or(i64::MAX);
    let mut reader = ForwardReader::new(settings.client.clone(), share::selector(id), start, end + 1, PAGE);
    let mut records = Vec::new();
    let mut foreign = 0;
    while let Some(page) =
        reader.next_page().await.map_err(|e| anyhow::anyhow!("cannot read incident {id} from Loki: {e}"))?
    {
        let (recs, _, f) = decode_lines(&page);
        records.extend(recs);
        foreign += f;
    }
    if !records.iter().any(|r| matches!(r.event, crate::incident::Event::Declared { .. })) {
        anyhow::bail!(
            "no shared incident {id:?} in Loki {} over the last {} (see `warroom incidents`)",
            settings.client.name(),
            humantime::format_duration(settings.lookback)
        );
    }
    let mut journal = Journal::join(dir, id)?;
    let got = journal.append_received(&records)?;
    if foreign > 0 || got.refused > 0 {
        tracing::warn!(foreign = foreign + got.refused, "share: foreign lines ignored on join");
    }
    Ok(got.added)
}

/// One shared incident as `warroom incidents` lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct SharedIncident {
    pub id: String,
    pub title: String,
    pub severity: String,
    pub status: String,
    pub commander: String,
    pub people: Vec<String>,
    pub started: DateTime<Utc>,
}

/// The incidents declared in Loki over the lookback, newest first.
pub async fn discover(settings: &ShareSettings) -> anyhow::Result<Vec<SharedIncident>> {
    let end = now_ns();
    let start = end - i64::try_from(settings.lookback.as_nanos()).unwrap_or(i64::MAX);
    let mut reader = ForwardReader::new(settings.client.clone(), share::discovery_query(), start, end + 1, PAGE);
    let mut by_incident: BTreeMap<String, Vec<Record>> = BTreeMap::new();
    while let Some(page) = reader.next_page().await.map_err(|e| anyhow::anyhow!("cannot list incidents: {e}"))? {
        for line in page {
            let Some(id) = line.labels.get("incident").filter(|id| crate::incident::id::is_valid(id)) else {
                continue;
            };
            if let Ok(rec) = share::decode(line.text.as_str()) {
                by_incident.entry(id.clone()).or_default().push(rec);
            }
        }
    }
    // Who is in each room now: the heartbeats of the last minutes.
    let recent = end - crate::state::incident::PRESENCE_LAPSE.num_nanoseconds().unwrap_or(0);
    let mut here: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut reader =
        ForwardReader::new(settings.client.clone(), share::presence_query(), recent.max(start), end + 1, PAGE);
    while let Some(page) = reader.next_page().await.map_err(|e| anyhow::anyhow!("cannot list incidents: {e}"))? {
        for line in page {
            let Some(id) = line.labels.get("incident").filter(|id| crate::incident::id::is_valid(id)) else {
                continue;
            };
            if let Ok(share::Shared::Presence(p)) = share::decode_line(line.text.as_str()) {
                let people = here.entry(id.clone()).or_default();
                if !people.contains(&p.author) {
                    people.push(p.author);
                }
            }
        }
    }
    let mut out: Vec<SharedIncident> = by_incident
        .into_iter()
        .filter_map(|(id, records)| {
            let records = crate::incident::merge::union(records);
            let t = Timeline::build(&records);
            let (started, _) = t.declared?;
            let mut people: Vec<String> = Vec::new();
            for author in records.iter().map(|r| &r.author).chain(here.get(&id).into_iter().flatten()) {
                if !people.contains(author) {
                    people.push(author.clone());
                }
            }
            Some(SharedIncident {
                id,
                title: t.title.clone(),
                severity: t.severity.clone(),
                status: t.status.map_or_else(|| "investigating".to_string(), |s| s.to_string()),
                commander: t.commander.clone(),
                people,
                started,
            })
        })
        .collect();
    out.sort_by(|a, b| (b.started, &b.id).cmp(&(a.started, &a.id)));
    Ok(out)
}

/// `warroom incidents`: one line per open shared incident.
pub async fn print_incidents(cfg: &Config, all: bool) -> anyhow::Result<ExitCode> {
    use std::io::Write;
    let mut cfg = cfg.clone();
    cfg.share = true;
    let settings = ShareSettings::from_config(&cfg)?.expect("sharing on");
    let list = discover(&settings).await?;
    let now = Utc::now();
    let mut out = std::io::stdout().lock();
    let clean = |s: &str| crate::text::truncate_width(&crate::text::clean(s), 40);
    let shown: Vec<&SharedIncident> = list.iter().filter(|i| all || i.status != "resolved").collect();
    // Ids in full (they are what `--join` takes): the column fits the longest.
    let w = shown.iter().map(|i| i.id.len()).max().unwrap_or(2).max(2);
    let _ = writeln!(
        out,
        "{:<w$}  {:<13}  {:<8}  {:<12}  {:<7}  {:<24}  TITLE",
        "ID", "STATUS", "SEVERITY", "COMMANDER", "AGE", "IN"
    );
    for i in shown {
        let minutes = (now - i.started).num_minutes().max(0);
        let age = if minutes < 60 {
            format!("{minutes}m")
        } else if minutes < 48 * 60 {
            format!("{}h{:02}m", minutes / 60, minutes % 60)
        } else {
            format!("{}d", minutes / (24 * 60))
        };
        let _ = writeln!(
            out,
            "{:<w$}  {:<13}  {:<8}  {:<12}  {:<7}  {:<24}  {}",
            i.id,
            clean(&i.status),
            clean(&i.severity),
            clean(&i.commander),
            age,
            clean(&i.people.join(",")),
            clean(&i.title)
        );
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::incident::Event;

    fn rec(host: &str, n: u32) -> Record {
        let at = DateTime::from_timestamp(1_800_000_000, 0).expect("time");
        Record::new(at, "alice", Event::Note { id: String::new(), text: format!("n{n}") })
            .with_id(format!("01JDX3ZC8Q4M5T0V6B7N8P9R{n:02}@{host}"), host)
    }

    #[test]
    fn the_outbox_holds_this_hosts_records_past_the_marker() {
        let mut o = Outbox::new(2);
        o.read(vec![rec("a", 0), rec("a", 1), rec("b", 2), rec("a", 3)], "a");
        assert_eq!(o.pending.iter().map(|(i, _)| *i).collect::<Vec<_>>(), vec![3], "before the marker: done");
        assert_eq!(o.handled(), 3, "up to the first pending one");
        o.pending.clear();
        assert_eq!(o.handled(), 4);
        o.read(vec![rec("b", 4)], "a");
        assert_eq!(o.handled(), 5, "another host's records are handled by being read");
    }

    #[test]
    fn entries_are_stamped_strictly_after_the_last_push() {
        let recs = [rec("a", 0), rec("a", 1)];
        let far = i64::MAX / 2;
        let (stream, last) = entries("inc", recs.iter(), far);
        assert_eq!(stream.entries.iter().map(|e| e.ts_ns).collect::<Vec<_>>(), vec![far + 1, far + 2]);
        assert_eq!(last, far + 2);
        assert_eq!(stream.labels, share::stream_labels("inc"));
    }

    /// A write that fails (a full disk, a refused lock) is tried again
    /// until it works: the follower hands a line on once, so a dropped
    /// batch would be lost.
    #[test]
    fn received_records_whose_write_failed_are_written_when_it_works_again() {
        let dir = tempfile::tempdir().expect("tmp");
        let id = "db-down-1";
        let mut journal = Journal::join(dir.path(), id).expect("join");
        let path = crate::incident::journal_path(dir.path(), id);
        let (lines_tx, lines_rx) = std::sync::mpsc::channel::<Batch>();
        let (tx, mut rx) = mpsc::unbounded_channel();
        let failing = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let fail = failing.clone();
        let thread = std::thread::spawn(move || {
            let append = |records: &[Record]| {
                if fail.load(std::sync::atomic::Ordering::SeqCst) {
                    return Err("No space left on device (os error 28)".to_string());
                }
                journal.append_received(records).map_err(|e| e.to_string())
            };
            receive_into(append, &lines_rx, &tx);
        });
        let batch = |records| Batch { records, present: Vec::new(), foreign: 0, error: None, polling: None };
        let report = |rx: &mut mpsc::UnboundedReceiver<Msg>| match rx.blocking_recv() {
            Some(Msg::Share(crate::model::ShareMsg::Received(r))) => r,
            other => panic!("not a report: {other:?}"),
        };
        failing.store(true, std::sync::atomic::Ordering::SeqCst);
        lines_tx.send(batch(vec![rec("bob", 1), rec("bob", 2)])).expect("send");
        let failed = report(&mut rx);
        assert!(failed.error.as_deref().is_some_and(|e| e.contains("not written yet: No space")), "{failed:?}");
        assert_eq!(failed.added, 0);
        // Still failing: the next batch is held with the first.
        lines_tx.send(batch(vec![rec("bob", 3)])).expect("send");
        assert_eq!(report(&mut rx).added, 0);
        failing.store(false, std::sync::atomic::Ordering::SeqCst);
        let written = loop {
            let r = report(&mut rx);
            if r.added > 0 || r.error.is_none() {
                break r;
            }
        };
        assert_eq!(written.added, 3, "held and written within a retry, no new batch needed: {written:?}");
        assert!(written.error.is_none(), "{written:?}");
        lines_tx.send(batch(vec![rec("bob", 3), rec("bob", 4)])).expect("send");
        assert_eq!(report(&mut rx).added, 1, "the one already written is skipped");
        drop(lines_tx);
        thread.join().expect("thread");
        assert_eq!(Journal::read_all(&path).expect("read").records.len(), 4);
    }

    #[test]
    fn unwritten_records_are_capped_oldest_first() {
        let mut u = Unwritten::default();
        u.hold((0..UNWRITTEN_MAX as u32).map(|n| rec("a", n % 100)).collect());
        u.hold(vec![rec("b", 1), rec("b", 2)]);
        assert_eq!(u.records.len(), UNWRITTEN_MAX);
        assert_eq!(u.dropped, 2);
        assert_eq!(u.records.last().map(|r| r.host.as_str()), Some("b"));
    }

    #[test]
    fn retries_back_off_from_one_to_eight_seconds() {
        let d: Vec<u64> = (1..=6).map(|f| retry_delay(f).as_secs()).collect();
        assert_eq!(d, vec![1, 2, 4, 8, 8, 8]);
    }
}
