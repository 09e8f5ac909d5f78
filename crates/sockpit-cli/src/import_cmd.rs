//! `sockpit import FILE` into the store and `sockpit export COLLECTION` to files and commands.

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use sockpit_core::collection::export::{export, ExportFormat};
use sockpit_core::collection::import::{import_file, Format};
use sockpit_core::collection::model::requests_with_path;
use sockpit_core::collection::to_share_json;
use sockpit_core::secrets::{extract_literal_secrets, SecretScope, SecretStore};

use crate::collections;
use crate::exit;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ImportFormatArg {
    Auto,
    Insomnia,
    Yaak,
    Bruno,
    Kreya,
    Har,
    Asyncapi,
    Sockpit,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The file to import (format detected from its content), or a Bruno collection folder.
    pub file: PathBuf,
    /// The file's format, when detection should not decide.
    #[arg(long, value_enum, default_value_t = ImportFormatArg::Auto)]
    pub format: ImportFormatArg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormatArg {
    Sockpit,
    K6,
    Wscat,
    Websocat,
    Curl,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// A collection in the store (by name) or a collection file.
    pub collection: String,
    #[arg(long, value_enum, default_value_t = ExportFormatArg::Sockpit)]
    pub format: ExportFormatArg,
    /// Write to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Only this request (k6, wscat, websocat, curl).
    #[arg(long, value_name = "NAME")]
    pub request: Option<String>,
}

fn fail(code: i32, msg: impl std::fmt::Display) -> i32 {
    eprintln!("sockpit: error: {msg}");
    code
}

pub fn import(a: ImportArgs, data_dir: Option<&Path>) -> i32 {
    let format = match a.format {
        ImportFormatArg::Auto => Format::Auto,
        ImportFormatArg::Insomnia => Format::Insomnia,
        ImportFormatArg::Yaak => Format::Yaak,
        ImportFormatArg::Bruno => Format::Bruno,
        ImportFormatArg::Kreya => Format::Kreya,
        ImportFormatArg::Har => Format::Har,
        ImportFormatArg::Asyncapi => Format::Asyncapi,
        ImportFormatArg::Sockpit => Format::Sockpit,
    };
    // Everything is read and checked before the store is touched.
    let imported = match import_file(&a.file, format) {
        Ok(i) => i,
        Err(e) => return fail(exit::FAILURE, e),
    };
    let mut store = match collections::open_store(data_dir) {
        Ok(s) => s,
        Err(e) => return fail(exit::FAILURE, e),
    };
    // Secret values from the file go to the OS credential store (or the fallback), never into
    // the collection's rows.
    let mut stripped = imported.collection.clone();
    let mut secret_values: Vec<(Option<String>, String, String)> = Vec::new();
    for v in stripped.variables.iter_mut().filter(|v| v.secret) {
        if let Some(value) = v.value.take() {
            secret_values.push((None, v.name.clone(), value));
        }
    }
    for e in &mut stripped.environments {
        for v in e.variables.iter_mut().filter(|v| v.secret) {
            if let Some(value) = v.value.take() {
                secret_values.push((Some(e.name.clone()), v.name.clone(), value));
            }
        }
    }
    // So are literal credentials in auth fields and credential headers: each becomes a secret
    // collection variable (`{{auth_<request>_<field>}}`) whose value goes to the secret store.
    let moved = extract_literal_secrets(&mut stripped);
    for (name, value) in moved.iter().cloned() {
        secret_values.push((None, name, value));
    }
    let outcome = match store.import_collection(&stripped) {
        Ok(o) => o,
        Err(e) => return fail(exit::FAILURE, e),
    };
    if !secret_values.is_empty() {
        let mut secrets = SecretStore::new(store.path().parent().unwrap_or(Path::new(".")));
        for (env, name, value) in &secret_values {
            let scope = match env {
                Some(env) => SecretScope::environment(&outcome.name, env),
                None => SecretScope::collection(&outcome.name),
            };
            if let Err(e) = secrets.set(&scope, name, value) {
                crate::secret_cmd::warn_once(&mut secrets);
                return fail(exit::FAILURE, e);
            }
        }
        crate::secret_cmd::warn_once(&mut secrets);
    }
    if !moved.is_empty() {
        let names: Vec<&str> = moved.iter().map(|(n, _)| n.as_str()).collect();
        eprintln!(
            "sockpit: note: {} literal credential{} moved into secret variable{}: {}",
            moved.len(),
            if moved.len() == 1 { "" } else { "s" },
            if moved.len() == 1 { "" } else { "s" },
            names.join(", ")
        );
    }
    for w in &imported.warnings {
        eprintln!("sockpit: warning: {w}");
    }
    if let Some(old) = &outcome.renamed_from {
        eprintln!(
            "sockpit: warning: a collection named '{old}' exists; imported as '{}'",
            outcome.name
        );
    }
    let n = requests_with_path(&imported.collection.items).len();
    println!(
        "imported '{}' ({n} request{}, {} format) from {}",
        outcome.name,
        if n == 1 { "" } else { "s" },
        imported.format.as_str(),
        a.file.display()
    );
    exit::OK
}

pub fn export_cmd(a: ExportArgs, data_dir: Option<&Path>) -> i32 {
    let loaded = match collections::load(&a.collection, data_dir) {
        Ok(l) => l,
        Err((code, msg)) => return fail(code, msg),
    };
    let c = loaded.collection;
    if let Some(name) = &a.request {
        if !requests_with_path(&c.items)
            .iter()
            .any(|(_, r)| &r.name == name)
        {
            return fail(
                exit::USAGE,
                format!("no request named '{name}' in collection '{}'", c.name),
            );
        }
    }
    let text = match a.format {
        ExportFormatArg::Sockpit => to_share_json(&c),
        ExportFormatArg::K6 => export(&c, ExportFormat::K6, a.request.as_deref()),
        ExportFormatArg::Wscat => export(&c, ExportFormat::Wscat, a.request.as_deref()),
        ExportFormatArg::Websocat => export(&c, ExportFormat::Websocat, a.request.as_deref()),
        ExportFormatArg::Curl => export(&c, ExportFormat::Curl, a.request.as_deref()),
    };
    match &a.output {
        Some(p) => {
            if let Err(e) = std::fs::write(p, text) {
                return fail(exit::FAILURE, format!("cannot write {}: {e}", p.display()));
            }
        }
        None => print!("{text}"),
    }
    exit::OK
}
