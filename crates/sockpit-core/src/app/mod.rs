//! The application API: the one set of functions both faces call for anything beyond argument
//! mapping. The CLI (`sockpit import`, `export`, ...) and the window's Tauri commands go through
//! [`App`], so importing, saving a request, editing environments, rendering a stored request into
//! an engine configuration, listing history and encoding a message behave the same in both.
//!
//! `App` owns the data directory's store and secret store behind std mutexes, locked in that order
//! (store, then secrets) and never across `.await`: every method is blocking, and the window runs
//! them on `spawn_blocking`. Warnings a user should see (the secret store's database fallback, an
//! OS entry left behind) are kept as [`Notice`]s for the face to show, and logged with `tracing`.
//! Variables scripts set (`sp.vars.set`) are kept for the life of the `App` (a window session)
//! and rendered before every other layer.

mod brokers;
mod environments;
mod error;
mod history;
mod layered;
mod render;
mod requests;
mod scripted_session;
mod scripts;
mod session_scripts;
mod share;
mod sse_session;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use serde::Serialize;

pub use brokers::{
    broker_config, mqtt_publish, mqtt_subscribe, stomp_send, stomp_subscribe, BrokerLayer,
    BrokerRender,
};
pub use environments::{EnvVarInput, EnvironmentView};
pub use error::AppError;
pub use history::HistoryItem;
pub use layered::{
    emit_args, emit_name, graphql_config, graphql_operation, parse_protocol, socketio_config,
    GraphqlRender,
};
pub use render::{sse_config, ws_config, SseRender};
pub use requests::{parse_node_kind, SavedRequest, DEFAULT_COLLECTION};
pub use scripted_session::{
    graphql_scripting, socketio_scripting, ScriptedSession, ScriptedStream, StreamBatch,
};
pub use scripts::{check_scripts, ScriptDiagnostic, ScriptEvent, ScriptedBatch};
pub use session_scripts::{
    check_hook_file, read_hook_file, saved_sentence, script_layer, ScriptPlan, SessionScripts,
};
pub use share::{export_text, write_atomically, ExportKind, ImportSummary};
pub use sse_session::{start_sse, SseSource, SseStarted};

pub use crate::collection::export_line::{command_line, CliFlavour};
pub use crate::message::encode_message;

use crate::secrets::{SecretStatus, SecretStore};
use crate::store::Store;

/// Something the user should see, beside the result of what they did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notice {
    /// `secret.fallback`, `secret.left_behind`, ...
    pub code: &'static str,
    pub message: String,
}

/// The application over one data directory (the SQLite store and the local secrets).
pub struct App {
    data_dir: PathBuf,
    store: Mutex<Option<Store>>,
    secrets: Mutex<Option<SecretStore>>,
    notices: Mutex<Vec<Notice>>,
    /// Variables scripts set in this window session (`sp.vars.set`): rendered first.
    script_vars: Mutex<HashMap<String, String>>,
}

/// Notices kept at most; older ones are dropped first.
const MAX_NOTICES: usize = 100;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Every writer leaves the data whole, so a poisoned lock is still usable.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl App {
    /// The application over `data_dir`; nothing is opened until first use.
    pub fn new(data_dir: &Path) -> App {
        App {
            data_dir: data_dir.to_path_buf(),
            store: Mutex::new(None),
            secrets: Mutex::new(None),
            notices: Mutex::new(Vec::new()),
            script_vars: Mutex::new(HashMap::new()),
        }
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Runs `f` on the store, opening (and creating) it on first use.
    pub fn with_store<T>(
        &self,
        f: impl FnOnce(&mut Store) -> Result<T, AppError>,
    ) -> Result<T, AppError> {
        let mut slot = lock(&self.store);
        let store = match &mut *slot {
            Some(s) => s,
            None => slot.insert(Store::open_in(&self.data_dir)?),
        };
        f(store)
    }

    /// Runs `f` on the secret store; its fallback warning becomes a notice the first time.
    fn with_secrets<T>(
        &self,
        f: impl FnOnce(&mut SecretStore) -> Result<T, AppError>,
    ) -> Result<T, AppError> {
        let mut slot = lock(&self.secrets);
        let secrets = slot.get_or_insert_with(|| SecretStore::new(&self.data_dir));
        let out = f(secrets);
        if let Some(w) = secrets.take_warning() {
            self.notify("secret.fallback", w);
        }
        out
    }

    /// Runs `f` on the store and the secret store together (store locked first), for changes
    /// whose secrets follow them. The warnings `f` returns (the change went ahead) become notices.
    fn with_both<T>(
        &self,
        f: impl FnOnce(&mut Store, &mut SecretStore) -> Result<(T, Vec<String>), AppError>,
    ) -> Result<T, AppError> {
        let (out, warnings) =
            self.with_store(|store| self.with_secrets(|secrets| f(store, secrets)))?;
        for w in warnings {
            self.notify("secret.left_behind", w);
        }
        Ok(out)
    }

    /// Keeps a notice for the face to show, and logs it.
    pub fn notify(&self, code: &'static str, message: impl Into<String>) {
        let message = message.into();
        tracing::warn!(code, "{message}");
        let mut n = lock(&self.notices);
        if n.len() == MAX_NOTICES {
            n.remove(0);
        }
        n.push(Notice { code, message });
    }

    /// The notices since the last call, oldest first.
    pub fn take_notices(&self) -> Vec<Notice> {
        std::mem::take(&mut *lock(&self.notices))
    }

    /// Where secrets go on this machine (probing the OS store on first call), and any warning.
    pub fn secret_status(&self) -> Result<SecretStatus, AppError> {
        self.with_secrets(|s| Ok(s.status()))
    }
}

#[cfg(test)]
mod tests;
