//! What the app keeps between commands: the application API over the data directory, live
//! sessions (their controls and logs), subscriptions and the demo server; and `blocking`, the one
//! way a command runs blocking work (SQLite, the keyring, files, log scans) off the async threads.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use sockpit_core::app::App;
use sockpit_core::protocol::graphql::GqlIntent;
use sockpit_core::protocol::mqtt::MqttIntent;
use sockpit_core::protocol::socketio::SioIntent;
use sockpit_core::protocol::stomp::StompIntent;
use sockpit_core::protocol::LayerControl;
use sockpit_core::sse::SseControl;
use sockpit_core::ws::SessionControl;
use sockpit_core::SessionLog;
use sockpit_mock::MockServer;

use crate::dto::AppError;

/// One live (or finished, still readable) WebSocket session.
pub struct WsEntry {
    pub control: SessionControl,
    pub log: Arc<Mutex<SessionLog>>,
    /// The protocol layer on it (Socket.IO, GraphQL, STOMP, MQTT), for emits, operations,
    /// subscriptions, SENDs and publishes.
    pub layer: Option<LayerCtl>,
}

/// The control of a session's protocol layer.
#[derive(Clone)]
pub enum LayerCtl {
    Socketio(LayerControl<SioIntent>),
    Graphql(LayerControl<GqlIntent>),
    Stomp(LayerControl<StompIntent>),
    Mqtt(LayerControl<MqttIntent>),
}

#[derive(Default)]
pub struct AppState {
    next_id: AtomicU32,
    pub ws: Mutex<HashMap<u32, WsEntry>>,
    pub sse: Mutex<HashMap<u32, SseControl>>,
    pub demo: Mutex<Option<MockServer>>,
    /// The data directory; resolved on first use when unset (tests set it).
    pub data_dir: Mutex<Option<PathBuf>>,
    app: Mutex<Option<Arc<App>>>,
    /// Set once the old `app-requests.json` was looked for (on the first blocking call).
    legacy_checked: AtomicBool,
    /// The session forwarders still running (history flush included).
    pub live: Arc<Live>,
}

/// Counts running forwarders, so the window's end can wait for their history to be written.
#[derive(Default)]
pub struct Live {
    count: AtomicUsize,
    idle: tokio::sync::Notify,
}

/// Held by one forwarder while it runs.
pub struct LiveGuard(Arc<Live>);

impl Live {
    /// Counts one more forwarder until the guard drops.
    pub fn enter(self: &Arc<Self>) -> LiveGuard {
        self.count.fetch_add(1, Ordering::SeqCst);
        LiveGuard(self.clone())
    }

    /// Waits until no forwarder runs, at most `limit`; `true` when none does.
    pub async fn wait_idle(&self, limit: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let idle = self.idle.notified();
            tokio::pin!(idle);
            idle.as_mut().enable();
            if self.count.load(Ordering::SeqCst) == 0 {
                return true;
            }
            if tokio::time::timeout_at(deadline, idle).await.is_err() {
                return self.count.load(Ordering::SeqCst) == 0;
            }
        }
    }
}

impl Drop for LiveGuard {
    fn drop(&mut self) {
        if self.0.count.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0.idle.notify_waiters();
        }
    }
}

impl AppState {
    pub fn next_id(&self) -> u32 {
        self.next_id.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// Closes every live WebSocket session with `code` and stops every SSE subscription, then
    /// waits at most `grace` for their forwarders to record the end and flush history; `true`
    /// when all of them finished in time.
    pub async fn close_all(&self, code: u16, reason: &str, grace: Duration) -> bool {
        let sessions: Vec<SessionControl> =
            lock(&self.ws).values().map(|e| e.control.clone()).collect();
        let subscriptions: Vec<SseControl> = lock(&self.sse).drain().map(|(_, c)| c).collect();
        for c in sessions {
            // Ended already is fine.
            let _ = c.close(code, reason.to_string()).await;
        }
        for c in subscriptions {
            let _ = c.close().await;
        }
        self.live.wait_idle(grace).await
    }

    /// The application API over the data directory, created on first use (cheap: it opens
    /// nothing until a call needs the store).
    pub fn app(&self) -> Result<Arc<App>, AppError> {
        let mut slot = lock(&self.app);
        if let Some(a) = slot.as_ref() {
            return Ok(a.clone());
        }
        let app = Arc::new(App::new(&data_dir(self)?));
        *slot = Some(app.clone());
        Ok(app)
    }

    /// Runs `f` with the application API on tokio's blocking pool: never on the main thread nor
    /// on an async worker, so a slow keyring or a long query never freezes the window.
    pub async fn blocking<T, E>(
        &self,
        f: impl FnOnce(&App) -> Result<T, E> + Send + 'static,
    ) -> Result<T, AppError>
    where
        T: Send + 'static,
        E: Into<AppError> + Send + 'static,
    {
        let app = self.app()?;
        let first = !self.legacy_checked.swap(true, Ordering::SeqCst);
        off_thread(move || -> Result<T, AppError> {
            if first {
                // The old requests file goes into the store the first time it is used.
                app.with_store(|s| crate::legacy::import_old_requests(s, app.data_dir()))?;
            }
            f(&app).map_err(Into::into)
        })
        .await
    }
}

/// Runs blocking `f` on tokio's blocking pool.
pub async fn off_thread<T, E>(
    f: impl FnOnce() -> Result<T, E> + Send + 'static,
) -> Result<T, AppError>
where
    T: Send + 'static,
    E: Into<AppError> + Send + 'static,
{
    match tokio::task::spawn_blocking(f).await {
        Ok(r) => r.map_err(Into::into),
        Err(e) => Err(AppError::new(
            "app.task_failed",
            format!("the command's task failed: {e}"),
        )),
    }
}

/// Locks a mutex, recovering the data if a panicking thread poisoned it (all writers leave it whole).
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The data directory shared with the CLI: `SOCKPIT_DATA_DIR` or the OS default.
pub fn data_dir(state: &AppState) -> Result<PathBuf, AppError> {
    if let Some(d) = lock(&state.data_dir).clone() {
        return Ok(d);
    }
    let dir = env_data_dir()?;
    *lock(&state.data_dir) = Some(dir.clone());
    Ok(dir)
}

/// `SOCKPIT_DATA_DIR` or the OS default, as the CLI resolves it.
pub fn env_data_dir() -> Result<PathBuf, AppError> {
    let explicit = std::env::var_os("SOCKPIT_DATA_DIR")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from);
    Ok(sockpit_core::store::resolve_data_dir(explicit.as_deref())?)
}
