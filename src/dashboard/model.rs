//! The typed dashboard lives in [`crate::model::dashboard`] (messages carry
//! it); the parser's modules name it from here.

pub use crate::model::dashboard::*;
