//! `sockpit import FILE` into the store and `sockpit export COLLECTION` to files and commands.

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use sockpit_core::app::{export_text, App, ExportKind};
use sockpit_core::collection::import::Format;
use sockpit_core::collection::model::requests_with_path;

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
    let dir = match sockpit_core::store::resolve_data_dir(data_dir) {
        Ok(d) => d,
        Err(e) => return fail(exit::FAILURE, e),
    };
    // The same import the window does: secret values and literal credentials go to the secret
    // store, never into the collection's rows.
    let app = App::new(&dir);
    let result = app.import_file(&a.file, format);
    for n in app.take_notices() {
        eprintln!("sockpit: warning: {}", n.message);
    }
    let summary = match result {
        Ok(s) => s,
        Err(e) => return fail(exit::FAILURE, e),
    };
    let moved = &summary.moved_secrets;
    if !moved.is_empty() {
        eprintln!(
            "sockpit: note: {} literal credential{} moved into secret variable{}: {}",
            moved.len(),
            if moved.len() == 1 { "" } else { "s" },
            if moved.len() == 1 { "" } else { "s" },
            moved.join(", ")
        );
    }
    for w in &summary.warnings {
        eprintln!("sockpit: warning: {w}");
    }
    if let Some(old) = &summary.renamed_from {
        eprintln!(
            "sockpit: warning: a collection named '{old}' exists; imported as '{}'",
            summary.name
        );
    }
    let n = summary.requests;
    println!(
        "imported '{}' ({n} request{}, {} format) from {}",
        summary.name,
        if n == 1 { "" } else { "s" },
        summary.format,
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
    let kind = match a.format {
        ExportFormatArg::Sockpit => ExportKind::Sockpit,
        ExportFormatArg::K6 => ExportKind::K6,
        ExportFormatArg::Wscat => ExportKind::Wscat,
        ExportFormatArg::Websocat => ExportKind::Websocat,
        ExportFormatArg::Curl => ExportKind::Curl,
    };
    let text = export_text(&c, kind, a.request.as_deref());
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
