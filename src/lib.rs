//! warroom: the incident war room in a terminal.
//!
//! Data flows one way: `sources` (typed async clients, one per API, over one
//! HTTP layer) are polled by `app::poller` tasks that send [`msg::Msg`]s
//! down one channel; `app` feeds them to [`state::update`], which changes the
//! pure [`state::State`] and returns [`msg::Cmd`]s for the runtime to perform;
//! `ui` renders the state when it is dirty. `incident` owns the durable
//! timeline and the post-mortem, `runbook` resolves and renders runbooks, and
//! `drill` is the embedded simulator behind `warroom demo`.

pub mod app;
pub mod check;
pub mod cli;
pub mod config;
pub mod dashboard;
pub mod demo;
pub mod drill;
pub mod env;
pub mod incident;
pub mod keymap;
pub mod logging;
pub mod model;
pub mod msg;
pub mod runbook;
pub mod sources;
pub mod state;
pub mod text;
pub mod theme;
pub mod tui;
pub mod ui;
