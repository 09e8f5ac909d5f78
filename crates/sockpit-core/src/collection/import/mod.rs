//! Importers: other tools' exports to a [`Collection`], with the format detected from the file.
//!
//! Every importer keeps WebSocket (and SSE, where the tool has it) requests, converts the tool's
//! template syntax to `{{name}}`, and reports in `warnings` whatever the file holds that Sockpit
//! cannot carry (HTTP requests, scripts, tests, unsupported auth), never dropping it silently.
//! Sibling names that clash in a folder are renamed `NAME (2)` and reported. A bad file is an
//! error and nothing is imported: `import.corrupt` (bad JSON/YAML, truncated), `import.invalid`,
//! `import.unknown_format`, `import.newer_version`, `import.nothing_to_import`.

mod asyncapi;
mod bruno;
mod bruno_dir;
mod har;
mod insomnia;
mod kreya;
mod scripts;
mod yaak;

use std::collections::HashMap;
use std::path::Path;

use serde_json::Value;

use super::error::CollectionError;
use super::model::{Collection, Item};
use super::share::{json_error, parse_share};
use super::validate::validate;

/// The formats `sockpit import --format` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Auto,
    Sockpit,
    Insomnia,
    Yaak,
    Bruno,
    Kreya,
    Har,
    Asyncapi,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        Some(match s {
            "auto" => Format::Auto,
            "sockpit" => Format::Sockpit,
            "insomnia" => Format::Insomnia,
            "yaak" => Format::Yaak,
            "bruno" => Format::Bruno,
            "kreya" => Format::Kreya,
            "har" => Format::Har,
            "asyncapi" => Format::Asyncapi,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Auto => "auto",
            Format::Sockpit => "sockpit",
            Format::Insomnia => "insomnia",
            Format::Yaak => "yaak",
            Format::Bruno => "bruno",
            Format::Kreya => "kreya",
            Format::Har => "har",
            Format::Asyncapi => "asyncapi",
        }
    }
}

/// An imported collection and what could not be carried over.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    pub collection: Collection,
    pub format: Format,
    pub warnings: Vec<String>,
}

/// What importers share: the file's path for messages and the warnings so far.
pub(crate) struct Ctx<'a> {
    pub path: &'a str,
    pub dir: &'a Path,
    pub warnings: Vec<String>,
}

impl Ctx<'_> {
    #[cfg(test)]
    pub fn for_tests() -> Ctx<'static> {
        Ctx {
            path: "test",
            dir: Path::new("."),
            warnings: Vec::new(),
        }
    }

    pub fn warn(&mut self, w: impl Into<String>) {
        self.warnings.push(w.into());
    }

    pub fn invalid(&self, format: &'static str, reason: impl Into<String>) -> CollectionError {
        CollectionError::Invalid {
            path: self.path.into(),
            format,
            reason: reason.into(),
        }
    }

    pub fn nothing(&self, skipped: impl Into<String>) -> CollectionError {
        CollectionError::NothingToImport {
            path: self.path.into(),
            skipped: skipped.into(),
        }
    }
}

/// Reads and imports a file.
pub fn import_file(path: &Path, format: Format) -> Result<Imported, CollectionError> {
    let shown = path.display().to_string();
    if path.is_dir() {
        if !path.join("bruno.json").is_file() {
            return Err(CollectionError::UnknownFormat {
                path: shown,
                hint: "a folder; Sockpit imports a Bruno collection folder (with bruno.json) or a file".into(),
            });
        }
        let mut ctx = Ctx {
            path: &shown,
            dir: path,
            warnings: Vec::new(),
        };
        let c = bruno_dir::import_dir(path, &mut ctx)?;
        return finish(c, Format::Bruno, ctx);
    }
    let bytes = std::fs::read(path).map_err(|e| CollectionError::Unreadable {
        path: shown.clone(),
        reason: e.to_string(),
    })?;
    let text = String::from_utf8(bytes).map_err(|e| CollectionError::Corrupt {
        path: shown.clone(),
        syntax: "UTF-8 text",
        reason: format!("invalid byte at offset {}", e.utf8_error().valid_up_to()),
    })?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    import_text(&text, &shown, &ext, dir, format)
}

fn parse_json(text: &str, path: &str) -> Result<Value, CollectionError> {
    serde_json::from_str(text).map_err(|e| CollectionError::Corrupt {
        path: path.into(),
        syntax: "JSON",
        reason: json_error(&e),
    })
}

fn parse_yaml(text: &str, path: &str) -> Result<Value, CollectionError> {
    serde_norway::from_str::<Value>(text).map_err(|e| CollectionError::Corrupt {
        path: path.into(),
        syntax: "YAML",
        reason: e.to_string(),
    })
}

fn looks_like_json(text: &str) -> bool {
    matches!(text.trim_start().chars().next(), Some('{' | '['))
}

/// Which format a parsed document is, by its distinctive keys.
fn detect(v: &Value) -> Option<Format> {
    let has = |k: &str| v.get(k).is_some();
    if has("sockpit") {
        Some(Format::Sockpit)
    } else if v.get("_type").and_then(Value::as_str) == Some("export")
        || has("__export_format")
        || v.get("type")
            .and_then(Value::as_str)
            .is_some_and(|t| t.starts_with("collection.insomnia.rest/"))
    {
        Some(Format::Insomnia)
    } else if has("yaakSchema") || has("yaakVersion") {
        Some(Format::Yaak)
    } else if v.get("log").and_then(|l| l.get("entries")).is_some() {
        Some(Format::Har)
    } else if has("asyncapi") {
        Some(Format::Asyncapi)
    } else if has("opencollection") {
        Some(Format::Bruno)
    } else if has("invokerName") || (has("details") && has("operationType")) {
        Some(Format::Kreya)
    } else {
        None
    }
}

fn keys_hint(v: &Value) -> String {
    match v {
        Value::Object(m) if m.is_empty() => "an empty object".into(),
        Value::Object(m) => {
            let keys: Vec<&str> = m.keys().take(6).map(String::as_str).collect();
            format!("an object with keys {}", keys.join(", "))
        }
        Value::Array(_) => "a list".into(),
        _ => "a plain value".into(),
    }
}

/// Imports text already read; `ext` (lowercase, no dot) and `dir` (for sibling files) help.
pub fn import_text(
    text: &str,
    path: &str,
    ext: &str,
    dir: &Path,
    format: Format,
) -> Result<Imported, CollectionError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(CollectionError::Corrupt {
            path: path.into(),
            syntax: "a collection file",
            reason: "the file is empty".into(),
        });
    }
    let mut ctx = Ctx {
        path,
        dir,
        warnings: Vec::new(),
    };
    // `.bru` is not JSON or YAML; everything else is parsed first, then recognised.
    let format = match format {
        Format::Auto if ext == "bru" => Format::Bruno,
        f => f,
    };
    if format == Format::Bruno
        && (ext == "bru" || !(looks_like_json(text) || text.contains("opencollection")))
    {
        let c = bruno::import_bru(text, &mut ctx)?;
        return finish(c, Format::Bruno, ctx);
    }
    let doc = if looks_like_json(text) || matches!(ext, "json" | "har" | "krop") {
        parse_json(text, path)?
    } else {
        parse_yaml(text, path)?
    };
    let format = match format {
        Format::Auto => detect(&doc).ok_or_else(|| CollectionError::UnknownFormat {
            path: path.into(),
            hint: format!("found {}", keys_hint(&doc)),
        })?,
        f => f,
    };
    let c = match format {
        Format::Sockpit => {
            // The share format keeps everything; no warnings.
            let c = parse_share(text, path)?;
            return Ok(Imported {
                collection: c,
                format,
                warnings: Vec::new(),
            });
        }
        Format::Insomnia => insomnia::import(&doc, &mut ctx)?,
        Format::Yaak => yaak::import(&doc, &mut ctx)?,
        Format::Bruno => bruno::import_opencollection(&doc, &mut ctx)?,
        Format::Kreya => kreya::import(&doc, &mut ctx)?,
        Format::Har => har::import(&doc, &mut ctx)?,
        Format::Asyncapi => asyncapi::import(&doc, &mut ctx)?,
        Format::Auto => unreachable_auto(path)?,
    };
    finish(c, format, ctx)
}

fn unreachable_auto(path: &str) -> Result<Collection, CollectionError> {
    Err(CollectionError::UnknownFormat {
        path: path.into(),
        hint: "format detection gave no answer".into(),
    })
}

fn finish(mut c: Collection, format: Format, mut ctx: Ctx) -> Result<Imported, CollectionError> {
    if c.name.trim().is_empty() {
        c.name = Path::new(ctx.path)
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("Imported")
            .to_string();
    }
    dedupe(&mut c.items, &mut ctx.warnings, "");
    if super::model::requests_with_path(&c.items).is_empty() {
        return Err(ctx.nothing(if ctx.warnings.is_empty() {
            "the file holds no requests".to_string()
        } else {
            ctx.warnings.join("; ")
        }));
    }
    validate(&c)?;
    Ok(Imported {
        collection: c,
        format,
        warnings: ctx.warnings,
    })
}

/// Renames clashing sibling names `NAME (2)`, `NAME (3)`, ... and reports each.
fn dedupe(items: &mut [Item], warnings: &mut Vec<String>, folder: &str) {
    let mut seen: HashMap<String, u32> = HashMap::new();
    for item in items.iter() {
        seen.entry(item.name().to_string()).or_insert(0);
    }
    let mut used: HashMap<String, u32> = HashMap::new();
    for item in items.iter_mut() {
        let name = item.name().to_string();
        let n = used.entry(name.clone()).or_insert(0);
        *n += 1;
        if *n > 1 {
            let mut k = *n;
            let mut new = format!("{name} ({k})");
            while seen.contains_key(&new) {
                k += 1;
                new = format!("{name} ({k})");
            }
            seen.insert(new.clone(), 0);
            let place = if folder.is_empty() {
                String::new()
            } else {
                format!(" in folder '{folder}'")
            };
            warnings.push(format!("duplicate name '{name}'{place} renamed to '{new}'"));
            item.set_name(new);
        }
        if let Item::Folder(f) = item {
            let name = f.name.clone();
            dedupe(&mut f.items, warnings, &name);
        }
    }
}

/// `value` as a string (numbers and booleans printed), or `""`.
pub(crate) fn s(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

/// Replaces `open NAME close` template references with `{{NAME}}`, where `prefix` is stripped
/// from NAME (`_.` for Insomnia, `env.`/`vars.` for Kreya).
pub(crate) fn convert_templates(text: &str, prefixes: &[&str]) -> String {
    if !text.contains("{{") {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            out.push_str(&rest[start..]);
            return out;
        };
        let mut name = after[..end].trim();
        for p in prefixes {
            if let Some(n) = name.strip_prefix(p) {
                name = n.trim();
            }
        }
        out.push_str("{{");
        out.push_str(name);
        out.push_str("}}");
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}
