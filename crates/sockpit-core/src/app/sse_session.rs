//! A window SSE subscription ([`start_sse`]): with a request, its scripts and an attached hook
//! file start first (`before_connect` runs to its end, file first, as for WebSocket), the
//! subscription is then rendered with what they set, and the scripts run beside it in a
//! [`ScriptedSession`] (every event a message, as `sockpit run` feeds them).

use std::sync::Arc;

use super::scripted_session::{ScriptedSession, ScriptedStream};
use super::session_scripts::{ScriptPlan, SessionScripts};
use super::{App, AppError};
use crate::collection::model::{Protocol, Request};
use crate::sse::{SseConfig, SseControl, SseHandle};

/// Where a window subscription's events come from.
pub enum SseSource {
    /// No scripts: the subscription's own batches.
    Plain(SseHandle),
    /// The subscription with its scripts beside it.
    Scripted(ScriptedSession),
}

/// A subscription just started.
pub struct SseStarted {
    pub source: SseSource,
    pub control: SseControl,
    /// The request's auth pattern left out because it needs a WebSocket.
    pub auth_left_out: Option<String>,
    /// Secret variables' values, kept out of the pane's connecting/open rows and errors.
    pub secrets: Vec<String>,
}

/// Subscribes to `url`: bare without a `request`; with an SSE one, its scripts and `plan`'s hook
/// file start first, then it is rendered (headers, auth, TLS, proxy, variables including what
/// `before_connect` set). A syntax error, an unreadable hook file, or a `before_connect` error
/// when stopping on script errors is an error, and nothing subscribes.
pub async fn start_sse(
    app: Arc<App>,
    request: Option<Request>,
    url: String,
    collection: Option<i64>,
    plan: ScriptPlan,
) -> Result<SseStarted, AppError> {
    let Some(request) = request else {
        let handle = SseHandle::spawn(SseConfig::new(url.trim()));
        return Ok(SseStarted {
            control: handle.control(),
            source: SseSource::Plain(handle),
            auth_left_out: None,
            secrets: Vec::new(),
        });
    };
    // The pane subscribes beside whatever request is active: only an SSE request's scripts (and
    // hook file) are for its stream.
    let has_scripts = plan.hook_file.is_some() || !request.scripts.is_empty();
    let scripts = if request.protocol == Protocol::Sse && has_scripts {
        let vars = blocking(&app, move |a| a.request_vars(collection)).await?;
        SessionScripts::start(&app, &request, vars.values(), &plan).await?
    } else {
        None
    };
    let render = blocking(&app, move |a| a.render_sse(&request, &url, collection)).await?;
    let handle = SseHandle::spawn(render.config);
    let control = handle.control();
    let source = match scripts {
        Some(s) => SseSource::Scripted(ScriptedSession::new(ScriptedStream::Sse(handle), s, app)),
        None => SseSource::Plain(handle),
    };
    Ok(SseStarted {
        source,
        control,
        auth_left_out: render.auth_left_out,
        secrets: render.secrets,
    })
}

/// Runs `f` on tokio's blocking pool (the store and the keyring block).
async fn blocking<T: Send + 'static>(
    app: &Arc<App>,
    f: impl FnOnce(&App) -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    let app = app.clone();
    tokio::task::spawn_blocking(move || f(&app))
        .await
        .map_err(|e| AppError::invalid("app.task_failed", format!("the SSE setup stopped: {e}")))?
}
