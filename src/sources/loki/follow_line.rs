//! The two kinds of lines the client hands on, and what following needs of
//! each: [`LogLine`], cleaned for the logs pane, where the first look is
//! the newest `limit` lines; [`RawLine`], as stored, for the shared war
//! room, where the first read is every line from the start.

use std::future::Future;
use std::hash::{DefaultHasher, Hash, Hasher};

use super::raw::RawLine;
use super::tail::Tail;
use super::wire::TailChunk;
use super::{LogLine, LokiClient, QueryResult, RangeQuery, flatten};
use crate::sources::SourceError;

/// A metric query where log lines are wanted.
pub(crate) fn metric_query() -> SourceError {
    SourceError::Request("a metric query: log lines need a log query ({…} |= …)".into())
}

/// What the follower and the forward pages need of a line.
pub trait FollowLine: Clone + std::fmt::Debug + PartialEq + Send + Sync + 'static {
    /// Whether following starts with every line since the start (paged
    /// forward) rather than the newest `limit`, and catches up by paging
    /// after a reconnect rather than trusting the tail's backfill (which
    /// Loki limits to `limit` lines).
    const READ_ALL: bool;

    fn ts_ns(&self) -> i64;

    /// Identifies the line among those sharing its timestamp.
    fn key(&self) -> u64;

    /// The lines of a `query_range`, oldest first.
    fn range(client: &LokiClient, q: &RangeQuery) -> impl Future<Output = Result<Vec<Self>, SourceError>> + Send;

    /// Opens the tail websocket from `start_ns`.
    fn open_tail(
        client: &LokiClient,
        query: &str,
        start_ns: i64,
        limit: u32,
    ) -> impl Future<Output = Result<Tail, SourceError>> + Send;

    /// The next message of the tail; `None` once it closed normally.
    fn next_chunk(tail: &mut Tail) -> impl Future<Output = Option<Result<TailChunk<Self>, SourceError>>> + Send;
}

fn hash_of(v: impl Hash) -> u64 {
    let mut h = DefaultHasher::new();
    v.hash(&mut h);
    h.finish()
}

impl FollowLine for LogLine {
    const READ_ALL: bool = false;

    fn ts_ns(&self) -> i64 {
        self.ts_ns
    }

    fn key(&self) -> u64 {
        hash_of((&*self.labels, &self.metadata, &self.line))
    }

    async fn range(client: &LokiClient, q: &RangeQuery) -> Result<Vec<Self>, SourceError> {
        match client.query_range(q).await? {
            QueryResult::Streams(streams) => Ok(flatten(streams)),
            QueryResult::Matrix(_) => Err(metric_query()),
        }
    }

    async fn open_tail(client: &LokiClient, query: &str, start_ns: i64, limit: u32) -> Result<Tail, SourceError> {
        client.tail(query, start_ns, limit).await
    }

    async fn next_chunk(tail: &mut Tail) -> Option<Result<TailChunk<Self>, SourceError>> {
        tail.next().await
    }
}

impl FollowLine for RawLine {
    const READ_ALL: bool = true;

    fn ts_ns(&self) -> i64 {
        self.ts_ns
    }

    fn key(&self) -> u64 {
        hash_of((&*self.labels, &self.metadata, &self.text))
    }

    async fn range(client: &LokiClient, q: &RangeQuery) -> Result<Vec<Self>, SourceError> {
        client.query_range_raw(q).await
    }

    async fn open_tail(client: &LokiClient, query: &str, start_ns: i64, limit: u32) -> Result<Tail, SourceError> {
        client.tail_raw(query, start_ns, limit).await
    }

    async fn next_chunk(tail: &mut Tail) -> Option<Result<TailChunk<Self>, SourceError>> {
        tail.next_raw().await
    }
}
