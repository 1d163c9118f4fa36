//! The post-mortem draft, rewritten from the journal off the event loop.
//!
//! A rewrite reads the whole journal, renders it and writes the draft
//! atomically (two fsyncs): for a long incident, far more than a frame. It
//! follows every change — a note saved here, a teammate's line read, an
//! incident opened — so it runs on a thread of its own, never on the loop
//! that draws and reads keys. The journal is what must be on disk before the
//! UI says "saved"; the draft is derived from it, and a draft a crash left
//! behind is written again when the incident is next opened.
//!
//! One thread, so two rewrites of one draft never race (the temp file beside
//! it is named by the process). A burst costs one rewrite: requests queued
//! while one runs are served by a single next one, which, reading the
//! journal afresh, has everything each of them asked for.

use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Duration;

use crate::incident::session::Rewrite;

/// Who is told how a rewrite went (`e`'s flash, the charts' task).
pub type Reply = Box<dyn FnOnce(Result<PathBuf, String>) + Send>;

/// How long a console quitting waits for the rewrites still queued.
const FINISH_GRACE: Duration = Duration::from_secs(5);

enum Job {
    Write {
        rewrite: Rewrite,
        reply: Option<Reply>,
    },
    /// Answered once everything queued before it is written.
    Flush(mpsc::Sender<()>),
}

/// Queues rewrites for the writer thread. Cheap to clone (a task drawing the
/// charts holds one).
#[derive(Clone)]
pub struct Handle {
    jobs: mpsc::Sender<Job>,
}

impl Handle {
    /// Rewrites `rewrite`'s draft; a failure is logged (the journal has
    /// everything, the next change tries again).
    pub fn request(&self, rewrite: Rewrite) {
        let _ = self.jobs.send(Job::Write { rewrite, reply: None });
    }

    /// Rewrites `rewrite`'s draft and tells `reply` where it is, or why not.
    pub fn request_then(&self, rewrite: Rewrite, reply: Reply) {
        if let Err(mpsc::SendError(Job::Write { reply: Some(reply), .. })) =
            self.jobs.send(Job::Write { rewrite, reply: Some(reply) })
        {
            reply(Err("the post-mortem writer has stopped".to_string()));
        }
    }

    /// Rewrites `rewrite`'s draft after everything queued before it.
    pub async fn write(&self, rewrite: Rewrite) -> Result<PathBuf, String> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.request_then(
            rewrite,
            Box::new(move |r| {
                let _ = tx.send(r);
            }),
        );
        rx.await.unwrap_or_else(|_| Err("the post-mortem writer has stopped".to_string()))
    }
}

/// The writer thread and its queue. Dropped, it waits for what is queued so
/// far (for a few seconds at most: a hung disk does not hold up quit); the
/// thread ends with the last handle (a task drawing charts may hold one).
pub struct PostmortemWriter {
    handle: Handle,
}

impl PostmortemWriter {
    pub fn start() -> Self {
        Self::with(|r| r.write().map_err(|e| e.to_string()))
    }

    /// A writer that writes with `write` (tests count and slow it).
    pub fn with(write: impl Fn(&Rewrite) -> Result<PathBuf, String> + Send + 'static) -> Self {
        let (jobs, queue) = mpsc::channel::<Job>();
        let spawned = std::thread::Builder::new().name("postmortem".into()).spawn(move || {
            while let Ok(first) = queue.recv() {
                let batch: Vec<Job> = std::iter::once(first).chain(queue.try_iter()).collect();
                serve(batch, &write);
            }
        });
        if let Err(e) = spawned {
            // Without a thread the queue has no reader: each request is
            // answered at once by its failed send.
            tracing::error!(error = %e, "cannot start the post-mortem writer");
        }
        Self { handle: Handle { jobs } }
    }

    pub fn handle(&self) -> Handle {
        self.handle.clone()
    }
}

impl Drop for PostmortemWriter {
    fn drop(&mut self) {
        let (tx, flushed) = mpsc::channel();
        if self.handle.jobs.send(Job::Flush(tx)).is_ok() {
            let _ = flushed.recv_timeout(FINISH_GRACE);
        }
    }
}

/// One rewrite per incident of the batch (with the newest layout asked for),
/// each of its replies told the outcome; then the flushes are answered.
fn serve(batch: Vec<Job>, write: &impl Fn(&Rewrite) -> Result<PathBuf, String>) {
    let mut groups: Vec<(Rewrite, Vec<Reply>)> = Vec::new();
    let mut flushes = Vec::new();
    for job in batch {
        let (new, reply) = match job {
            Job::Write { rewrite, reply } => (rewrite, reply),
            Job::Flush(done) => {
                flushes.push(done);
                continue;
            }
        };
        match groups.iter_mut().find(|(r, _)| r.dir == new.dir && r.id == new.id) {
            Some((rewrite, replies)) => {
                *rewrite = new;
                replies.extend(reply);
            }
            None => groups.push((new, reply.into_iter().collect())),
        }
    }
    for (rewrite, replies) in groups {
        let result = write(&rewrite);
        if let Err(e) = &result {
            tracing::warn!(error = %e, incident = %rewrite.id, "post-mortem not regenerated");
        }
        for reply in replies {
            reply(result.clone());
        }
    }
    for done in flushes {
        let _ = done.send(());
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Barrier};

    use super::*;

    fn rewrite(id: &str) -> Rewrite {
        Rewrite { dir: PathBuf::from("/incidents"), id: id.to_string(), layout: Default::default() }
    }

    /// A writer whose first write meets the test at `gate` when it has
    /// begun, and again before it ends; it records the ids written.
    fn gated(gate: Arc<Barrier>) -> (PostmortemWriter, Arc<std::sync::Mutex<Vec<String>>>) {
        let writes = Arc::new(std::sync::Mutex::new(Vec::new()));
        let first = AtomicUsize::new(0);
        let w = writes.clone();
        let writer = PostmortemWriter::with(move |r| {
            if first.fetch_add(1, Ordering::SeqCst) == 0 {
                gate.wait();
                gate.wait();
            }
            w.lock().expect("lock").push(r.id.clone());
            Ok(r.dir.join(&r.id).join("postmortem.md"))
        });
        (writer, writes)
    }

    #[test]
    fn a_burst_queued_during_a_rewrite_costs_one_more_and_every_reply_is_answered() {
        let gate = Arc::new(Barrier::new(2));
        let (writer, writes) = gated(gate.clone());
        let h = writer.handle();
        h.request(rewrite("a"));
        // The first rewrite is running: what follows queues behind it.
        gate.wait();
        let answered = Arc::new(AtomicUsize::new(0));
        for i in 0..50 {
            h.request(rewrite(if i % 10 == 9 { "b" } else { "a" }));
        }
        for _ in 0..3 {
            let answered = answered.clone();
            h.request_then(
                rewrite("a"),
                Box::new(move |r| {
                    assert_eq!(r, Ok(PathBuf::from("/incidents/a/postmortem.md")));
                    answered.fetch_add(1, Ordering::SeqCst);
                }),
            );
        }
        gate.wait();
        drop(h);
        drop(writer);
        assert_eq!(*writes.lock().expect("lock"), ["a", "a", "b"], "the first, then one per incident queued");
        assert_eq!(answered.load(Ordering::SeqCst), 3);
    }

    #[test]
    fn a_failed_rewrite_is_told_to_whoever_asked() {
        let writer = PostmortemWriter::with(|_| Err("disk full".to_string()));
        let (tx, rx) = mpsc::channel();
        writer.handle().request_then(
            rewrite("a"),
            Box::new(move |r| {
                let _ = tx.send(r);
            }),
        );
        assert_eq!(rx.recv_timeout(Duration::from_secs(10)), Ok(Err("disk full".to_string())));
    }

    #[tokio::test]
    async fn write_waits_for_what_was_queued_before_it() {
        let order = Arc::new(std::sync::Mutex::new(Vec::new()));
        let o = order.clone();
        let writer = PostmortemWriter::with(move |r| {
            o.lock().expect("lock").push(r.id.clone());
            Ok(PathBuf::from(&r.id))
        });
        let h = writer.handle();
        h.request(rewrite("first"));
        assert_eq!(h.write(rewrite("second")).await, Ok(PathBuf::from("second")));
        assert_eq!(*order.lock().expect("lock"), ["first", "second"]);
    }

    #[test]
    fn drop_waits_for_what_is_queued_not_for_a_handle_still_held() {
        let count = Arc::new(AtomicUsize::new(0));
        let c = count.clone();
        let writer = PostmortemWriter::with(move |r| {
            std::thread::sleep(Duration::from_millis(50));
            c.fetch_add(1, Ordering::SeqCst);
            Ok(PathBuf::from(&r.id))
        });
        let held = writer.handle();
        held.request(rewrite("a"));
        let started = std::time::Instant::now();
        drop(writer);
        assert_eq!(count.load(Ordering::SeqCst), 1, "the queued rewrite is done");
        assert!(started.elapsed() < FINISH_GRACE, "not held up by the handle a chart task keeps");
        held.request(rewrite("b"));
        assert_eq!(
            futures::executor::block_on(held.write(rewrite("c"))),
            Ok(PathBuf::from("c")),
            "the thread serves the handles still held"
        );
    }
}
