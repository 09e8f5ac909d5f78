//! `sockpit load --collection C --request R`: the collection loaded (a file or the store), its
//! secrets filled in, and the request prepared by `sockpit_core::load::saved_target`.

use std::path::Path;

use sockpit_core::load::{self, SavedTarget};
use sockpit_core::runner::RunOptions;
use sockpit_core::secrets::SecretStore;
use sockpit_core::store::resolve_data_dir;

use crate::collections::{self, Loaded};
use crate::connect::Usage;
use crate::load_cmd::LoadArgs;

/// Connection flags that a saved request's own settings replace: giving one is a usage error.
fn connection_flags_given(a: &LoadArgs) -> Vec<&'static str> {
    let c = &a.conn;
    let mut out = Vec::new();
    let mut flag = |given: bool, name: &'static str| {
        if given {
            out.push(name);
        }
    };
    flag(!c.headers.is_empty(), "--header");
    flag(c.insecure, "--insecure");
    flag(!c.cacert.is_empty(), "--cacert");
    flag(c.cert.is_some(), "--cert");
    flag(c.proxy.is_some(), "--proxy");
    flag(
        c.no_deflate || c.deflate.is_some(),
        "--deflate/--no-deflate",
    );
    flag(!a.protocols.is_empty(), "--protocol");
    let auth = &c.auth;
    flag(
        auth.bearer.is_some()
            || auth.basic.is_some()
            || auth.api_key.is_some()
            || auth.query_token.is_some()
            || auth.subprotocol_token.is_some()
            || auth.auth_first_message.is_some(),
        "an auth flag",
    );
    out
}

/// Names of the stored collections, for an unknown name.
fn stored_names(data_dir: Option<&Path>) -> String {
    let names: Vec<String> = collections::open_store(data_dir)
        .and_then(|s| s.list_collections())
        .map(|l| l.into_iter().map(|c| format!("'{}'", c.name)).collect())
        .unwrap_or_default();
    if names.is_empty() {
        "none; import one with `sockpit import FILE`, or pass a .sockpit.json file".into()
    } else {
        names.join(", ")
    }
}

/// The saved request `a.request` of collection `a.collection`, ready to load.
pub fn target(a: &LoadArgs, data_dir: Option<&Path>) -> Result<SavedTarget, Usage> {
    let (Some(coll), Some(req)) = (&a.collection, &a.request) else {
        return Err(Usage(
            "--collection and --request go together: name the collection and the request in it"
                .into(),
        ));
    };
    let mut overrides = Vec::new();
    for v in &a.vars {
        match v.split_once('=') {
            Some((k, val)) if !k.trim().is_empty() => {
                overrides.push((k.trim().to_string(), val.to_string()))
            }
            _ => {
                return Err(Usage(format!(
                    "--var '{v}' has no name or '='; write it as NAME=VALUE"
                )))
            }
        }
    }
    let given = connection_flags_given(a);
    if !given.is_empty() {
        return Err(Usage(format!(
            "{} cannot be used with --collection: the request's saved settings apply; edit the \
             request, or load a URL instead",
            given.join(", ")
        )));
    }
    let Loaded {
        mut collection,
        base_dir,
        store,
        warnings,
    } = collections::load(coll, data_dir).map_err(|(_, msg)| {
        if msg.starts_with("no collection named") {
            Usage(format!(
                "no collection named '{coll}' (stored collections: {})",
                stored_names(data_dir)
            ))
        } else {
            Usage(msg)
        }
    })?;
    for w in warnings {
        eprintln!("sockpit: warning: {w}");
    }
    if let Some(env) = &a.env {
        if !collection.environments.iter().any(|e| &e.name == env) {
            let names: Vec<String> = collection
                .environments
                .iter()
                .map(|e| format!("'{}'", e.name))
                .collect();
            return Err(Usage(format!(
                "no environment named '{env}' in collection '{}' (it has: {})",
                collection.name,
                if names.is_empty() {
                    "no environments".to_string()
                } else {
                    names.join(", ")
                }
            )));
        }
    }
    let mut globals = store
        .as_ref()
        .map(|s| s.globals())
        .transpose()
        .map_err(|e| Usage(e.to_string()))?
        .unwrap_or_default();
    let dir = resolve_data_dir(data_dir).map_err(|e| Usage(e.to_string()))?;
    let mut secrets = SecretStore::new(&dir);
    let filled = secrets.fill(&mut collection, &mut globals);
    crate::secret_cmd::warn_once(&mut secrets);
    filled.map_err(|e| Usage(e.to_string()))?;
    let opts = RunOptions {
        environment: a.env.clone(),
        overrides,
        globals,
        base_dir,
        ..RunOptions::default()
    };
    load::saved_target(&collection, req, &opts).map_err(|e| Usage(e.to_string()))
}
