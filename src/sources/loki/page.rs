//! One forward page of `query_range` from a [`Cursor`]: the step both the
//! [`ForwardReader`](super::ForwardReader) and the follower's polling take.

use super::cursor::Cursor;
use super::follow_line::FollowLine;
use super::{Direction, LokiClient, RangeQuery};
use crate::sources::SourceError;

/// Loki's default `max_entries_limit_per_query`.
const MAX_LIMIT: u32 = 5000;

pub(crate) struct Page<L> {
    /// New lines, oldest first; empty only when nothing more is there.
    pub lines: Vec<L>,
    /// The page was full: more may follow at once.
    pub more: bool,
    /// Nanoseconds skipped (see [`forward_page`]).
    pub skipped: u64,
}

/// Lines after `cursor` (its timestamp included, the lines seen there
/// excluded) up to `end_ns` exclusive, at most `limit`; the cursor moves
/// past them.
///
/// A page over the response cap is asked again with half the limit; a
/// full page of lines already seen (more lines on one nanosecond than the
/// limit) with twice the limit, up to Loki's 5000; beyond that the
/// nanosecond cannot be paged through and is skipped, and counted. So a
/// stream cannot stall a reader, whatever it holds.
pub(crate) async fn forward_page<L: FollowLine>(
    client: &LokiClient,
    query: &str,
    cursor: &mut Cursor,
    end_ns: i64,
    limit: u32,
) -> Result<Page<L>, SourceError> {
    let mut limit = limit.clamp(1, MAX_LIMIT);
    let mut skipped = 0;
    while cursor.ts < end_ns {
        let q =
            RangeQuery { query: query.to_string(), start_ns: cursor.ts, end_ns, limit, direction: Direction::Forward };
        let mut lines = match L::range(client, &q).await {
            Err(SourceError::TooLarge(_)) if limit > 1 => {
                limit /= 2;
                continue;
            }
            other => other?,
        };
        let full = lines.len() >= limit as usize;
        let resume = cursor.clone();
        cursor.admit(&resume, &mut lines);
        if !lines.is_empty() || !full {
            return Ok(Page { lines, more: full, skipped });
        }
        if limit < MAX_LIMIT {
            limit = (limit * 2).min(MAX_LIMIT);
        } else {
            skipped += 1;
            *cursor = Cursor::at(cursor.ts + 1);
        }
    }
    Ok(Page { lines: Vec::new(), more: false, skipped })
}
