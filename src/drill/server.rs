//! The listener: one axum router for the three APIs, the simulation tick
//! task, and clean shutdown.

use std::net::SocketAddr;
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::clock::{Clock, now_secs};
use super::loki_tenant::LokiState;
use super::sim::Sim;
use super::{DrillError, DrillOptions, Scenario};

/// State shared by the handlers and the tick task.
pub(crate) struct AppState {
    sim: RwLock<Sim>,
    /// Pushed lines; locked after `sim` when both are needed.
    pub loki: LokiState,
    pub cancel: CancellationToken,
}

pub(crate) type Shared = Arc<AppState>;

impl AppState {
    /// A poisoned lock only means a handler panicked mid-read; the data is
    /// still consistent enough for a simulator, so keep serving.
    pub(crate) fn read(&self) -> RwLockReadGuard<'_, Sim> {
        self.sim.read().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn write(&self) -> RwLockWriteGuard<'_, Sim> {
        self.sim.write().unwrap_or_else(|e| e.into_inner())
    }
}

/// A running simulator. Dropping it without [`DrillServer::shutdown`] leaves
/// the tasks running until the runtime stops.
pub struct DrillServer {
    addr: SocketAddr,
    state: Shared,
    tasks: Vec<JoinHandle<()>>,
}

impl DrillServer {
    /// Binds the listener, records the baseline history and starts playing.
    pub async fn start(scenario: Scenario, opts: DrillOptions) -> Result<DrillServer, DrillError> {
        if !opts.speed.is_finite() || opts.speed <= 0.0 || opts.speed > 10_000.0 {
            return Err(DrillError::Options(format!("speed must be in (0, 10000], got {}", opts.speed)));
        }
        if !opts.listen.ip().is_loopback() {
            return Err(DrillError::Options(format!("the simulator only listens on loopback, not {}", opts.listen)));
        }
        let listener = tokio::net::TcpListener::bind(opts.listen)
            .await
            .map_err(|source| DrillError::Bind { addr: opts.listen, source })?;
        let addr = listener.local_addr().map_err(|source| DrillError::Bind { addr: opts.listen, source })?;
        let now = now_secs();
        let clock =
            Clock { start: now, speed: opts.speed, duration: scenario.duration, loop_forever: opts.loop_forever };
        let sim = Sim::new(scenario, clock, format!("http://{addr}"), now);
        let loki = LokiState::new(&opts.loki);
        let state: Shared = Arc::new(AppState { sim: RwLock::new(sim), loki, cancel: CancellationToken::new() });
        let app = router(state.clone());
        let cancel = state.cancel.clone();
        let serve = tokio::spawn(async move {
            let shutdown = cancel.clone();
            if let Err(e) =
                axum::serve(listener, app).with_graceful_shutdown(async move { shutdown.cancelled().await }).await
            {
                tracing::warn!("drill server stopped: {e}");
            }
        });
        let ticker = tokio::spawn(tick_loop(state.clone()));
        Ok(DrillServer { addr, state, tasks: vec![serve, ticker] })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`: one listener serves all three APIs.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn prometheus_url(&self) -> String {
        self.base_url()
    }

    pub fn alertmanager_url(&self) -> String {
        self.base_url()
    }

    pub fn loki_url(&self) -> String {
        self.base_url()
    }

    /// Stops the tick task, closes tail websockets and the listener.
    pub async fn shutdown(self) {
        self.state.cancel.cancel();
        for t in self.tasks {
            if let Err(e) = t.await {
                tracing::warn!("drill task ended badly: {e}");
            }
        }
    }
}

async fn tick_loop(state: Shared) {
    loop {
        let step = state.read().step_secs();
        tokio::select! {
            () = state.cancel.cancelled() => return,
            () = tokio::time::sleep(Duration::from_secs_f64(step)) => {}
        }
        state.write().tick(now_secs());
    }
}

fn router(state: Shared) -> Router {
    Router::new()
        .merge(super::prom_api::routes())
        .merge(super::am_api::routes())
        .merge(super::loki_api::routes())
        .fallback(not_found)
        .with_state(state)
}

/// Go's `http.NotFound`.
async fn not_found() -> Response {
    text(StatusCode::NOT_FOUND, "404 page not found\n")
}

pub(crate) fn text(status: StatusCode, body: &str) -> Response {
    (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], body.to_string()).into_response()
}

/// A JSON body with exactly `application/json` as Go servers send it.
pub(crate) fn json(status: StatusCode, body: &serde_json::Value) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
}
