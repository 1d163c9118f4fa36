//! Silences to write, and what Alertmanager answered.

use chrono::{DateTime, Utc};

use crate::model::Matcher;

/// A silence to post: a new one (`id` empty) or a replacement of `id`, as
/// amtool does for `silence update` (Alertmanager updates it in place, or
/// expires it and creates a new one when the change requires it).
#[derive(Debug, Clone, PartialEq)]
pub struct SilenceDraft {
    pub id: Option<String>,
    pub matchers: Vec<Matcher>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub created_by: String,
    pub comment: String,
}

/// Which action a post or expiry came from: decides what is said on
/// success and where an error goes (the form keeps its own).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SilenceOrigin {
    Form,
    Ack,
    Extend,
    Expire,
}

/// What Alertmanager answered to a write.
#[derive(Debug, Clone, PartialEq)]
pub enum SilenceMsg {
    /// `id` is the id Alertmanager assigned; `via` the member that took it.
    Posted {
        id: String,
        draft: Box<SilenceDraft>,
        origin: SilenceOrigin,
        via: String,
    },
    Expired {
        id: String,
        via: String,
    },
    Failed {
        error: String,
        origin: SilenceOrigin,
    },
}
