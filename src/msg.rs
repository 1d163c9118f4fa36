//! msg
