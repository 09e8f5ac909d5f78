//! A stored (or edited) request into what the engines take: variables rendered in layers (the
//! active environment, the request's collection, globals) with secret values filled from the
//! secret store, then the same `runner::prepare` mapping `sockpit run` uses.

use std::path::Path;

use crate::collection::model::{Auth, Protocol, Request};
use crate::secrets::SecretScope;
use crate::sse::SseConfig;
use crate::store::Store;
use crate::template::Vars;
use crate::ws::{ConnectConfig, ReconnectPolicy};

use super::environments::active_environment;
use super::{App, AppError};

/// One layer of variables and the secret scope its secret values live under.
struct Layer {
    source: String,
    scope: SecretScope,
    vars: Vec<crate::collection::model::Variable>,
}

/// The layers for a request of `collection`: the active environment, the collection's own
/// variables, then globals (secret values still to fill in).
fn layers_for(store: &Store, collection: Option<i64>) -> Result<Vec<Layer>, AppError> {
    let mut layers = Vec::new();
    let active = active_environment(store)?;
    if let Some(env) = store
        .environments()?
        .into_iter()
        .find(|e| Some(e.id) == active)
    {
        layers.push(Layer {
            source: format!("environment '{}'", env.name),
            scope: SecretScope::environment(&env.collection, &env.name),
            vars: env.variables,
        });
    }
    if let Some(c) = collection {
        let name = super::requests::collection_name(store, c).unwrap_or_default();
        layers.push(Layer {
            source: format!("collection '{name}'"),
            scope: SecretScope::collection(&name),
            vars: store.collection_variables(c)?,
        });
    }
    layers.push(Layer {
        source: "globals".into(),
        scope: SecretScope::globals(),
        vars: store.globals()?,
    });
    Ok(layers)
}

/// The SSE subscription of a request, the auth pattern left out because it needs a WebSocket
/// (`first_message`, ...), and the secret values to keep out of what is shown.
#[derive(Debug)]
pub struct SseRender {
    pub config: SseConfig,
    pub auth_left_out: Option<String>,
    pub secrets: Vec<String>,
}

/// Whether plain HTTP can carry `auth`: not first-message or subprotocol-token auth, nor a
/// ticket sent as a message.
fn http_auth(auth: &Auth) -> bool {
    match auth {
        Auth::SubprotocolToken { .. } | Auth::FirstMessage { .. } => false,
        Auth::Ticket { into, .. } => into != "message",
        _ => true,
    }
}

impl App {
    /// The variables for a request of `collection`, secret variables filled from the secret
    /// store (only those without a value); what scripts set in this window session comes first.
    pub fn request_vars(&self, collection: Option<i64>) -> Result<Vars, AppError> {
        let mut layers = self.with_store(|s| layers_for(s, collection))?;
        self.with_secrets(|secrets| {
            for layer in &mut layers {
                for v in layer
                    .vars
                    .iter_mut()
                    .filter(|v| v.secret && v.value.is_none())
                {
                    v.value = secrets.get(&layer.scope, &v.name)?;
                }
            }
            Ok(())
        })?;
        let mut vars = Vars::new();
        let set = self.script_vars();
        if !set.is_empty() {
            let mut set: Vec<_> = set.into_iter().collect();
            set.sort();
            let set = set
                .into_iter()
                .map(|(n, v)| crate::collection::model::Variable::plain(n, v))
                .collect();
            vars.push_layer("variables set by scripts", set);
        }
        for l in layers {
            vars.push_layer(l.source, l.vars);
        }
        Ok(vars)
    }

    /// The WebSocket configuration for `request` of `collection`; `reconnect` turns on the
    /// default policy when its settings name none. Relative certificate paths resolve in the
    /// data directory. Secret values are marked for redaction in reports and errors.
    pub fn render_ws(
        &self,
        request: &Request,
        collection: Option<i64>,
        reconnect: bool,
    ) -> Result<ConnectConfig, AppError> {
        let vars = self.request_vars(collection)?;
        let mut cfg = ws_config(request, &vars, reconnect, &self.data_dir)?;
        cfg.redact = vars.secret_values();
        Ok(cfg)
    }

    /// The SSE subscription to `sse_url` beside `request`: its headers, auth (what plain HTTP can
    /// carry), TLS, proxy and timeouts, with variables rendered as for connecting. The request's
    /// query parameters belong to its WebSocket URL and are not added.
    pub fn render_sse(
        &self,
        request: &Request,
        sse_url: &str,
        collection: Option<i64>,
    ) -> Result<SseRender, AppError> {
        let vars = self.request_vars(collection)?;
        let (config, auth_left_out) = sse_config(request, sse_url, &vars, &self.data_dir)?;
        Ok(SseRender {
            config,
            auth_left_out,
            secrets: vars.secret_values(),
        })
    }
}

/// The engine configuration for connecting `request` with `vars` (see [`App::render_ws`]).
pub fn ws_config(
    request: &Request,
    vars: &Vars,
    reconnect: bool,
    base_dir: &Path,
) -> Result<ConnectConfig, AppError> {
    let mut model = request.clone();
    if model.name.is_empty() {
        model.name = "Untitled".into();
    }
    // Saved messages are not part of connecting; their variables are checked when sent.
    model.messages.clear();
    let rendered = vars.render_request(&model)?;
    let mut cfg = crate::runner::prepare::ws_config(&rendered, base_dir)?;
    if reconnect && cfg.reconnect.is_none() {
        cfg.reconnect = Some(ReconnectPolicy::default());
    }
    Ok(cfg)
}

/// The SSE configuration for `sse_url` beside `request` (see [`App::render_sse`]), and the auth
/// pattern left out, if any.
pub fn sse_config(
    request: &Request,
    sse_url: &str,
    vars: &Vars,
    base_dir: &Path,
) -> Result<(SseConfig, Option<String>), AppError> {
    let mut model = request.clone();
    if model.name.is_empty() {
        model.name = "Untitled".into();
    }
    model.protocol = Protocol::Sse;
    model.url = sse_url.trim().to_string();
    model.params.clear();
    model.messages.clear();
    model.settings.deflate_params = None;
    let left_out = (!http_auth(&model.auth)).then(|| {
        let kind = serde_json::to_value(&model.auth)
            .ok()
            .and_then(|v| v["type"].as_str().map(str::to_string))
            .unwrap_or_default();
        model.auth = Auth::None;
        kind
    });
    let rendered = vars.render_request(&model)?;
    let cfg = crate::runner::prepare::sse_config(&rendered, base_dir)?;
    Ok((cfg, left_out))
}
