//! `Schema`: a pool of message types loaded from `.proto` files (compiled in-process with protox,
//! well-known types bundled, no `protoc` needed) or from descriptor sets (`.binpb`, `.desc`, `.pb`).

use std::path::{Path, PathBuf};

use prost_reflect::{DescriptorPool, MessageDescriptor};
use protox::file::{ChainFileResolver, File, FileResolver, GoogleFileResolver};
use serde::Serialize;

use super::error::ProtoError;

/// The message types a request can encode to and decode from.
#[derive(Debug, Clone)]
pub struct Schema {
    pool: DescriptorPool,
}

/// One message type, as `sockpit proto types` and the type picker list it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TypeInfo {
    /// Fully qualified name, `package.Outer.Inner`.
    pub name: String,
    /// The `.proto` file that defines it.
    pub file: String,
    pub fields: usize,
    /// `google.protobuf.*` types (bundled or imported), listed after the user's own.
    pub well_known: bool,
    /// Synthetic map-entry types are never listed; nested types are.
    pub nested: bool,
}

impl Schema {
    /// Loads every path: `.proto` files are compiled with `includes` as import paths (each file's
    /// own directory is added when no include holds it); anything else is read as a serialized
    /// `FileDescriptorSet`. All of them end up in one pool.
    pub fn load(paths: &[PathBuf], includes: &[PathBuf]) -> Result<Schema, ProtoError> {
        if paths.is_empty() {
            return Err(ProtoError::NoSchema);
        }
        let mut pool = DescriptorPool::new();
        let (protos, sets): (Vec<&PathBuf>, Vec<&PathBuf>) = paths
            .iter()
            .partition(|p| p.extension().is_some_and(|e| e == "proto"));
        for set in sets {
            let bytes = std::fs::read(set).map_err(|e| ProtoError::SchemaFile {
                path: set.display().to_string(),
                reason: e.to_string(),
            })?;
            add_descriptor_set(&mut pool, &bytes, &set.display().to_string())?;
        }
        if !protos.is_empty() {
            let fds = compile_files(&protos, includes)?;
            pool.add_file_descriptor_set(fds)
                .map_err(|e| descriptor_error(&e))?;
        }
        Ok(Schema { pool })
    }

    /// Compiles in-memory `.proto` sources, `(file name, source)`; imports resolve among them and
    /// the bundled well-known types. Used for shipped schemas and tests.
    pub fn from_sources(sources: &[(&str, &str)]) -> Result<Schema, ProtoError> {
        let mut chain = ChainFileResolver::new();
        chain.add(MemoryResolver(
            sources
                .iter()
                .map(|(n, s)| (n.to_string(), s.to_string()))
                .collect(),
        ));
        chain.add(GoogleFileResolver::new());
        let mut compiler = protox::Compiler::with_file_resolver(chain);
        compiler.include_imports(true);
        for (name, _) in sources {
            compiler.open_file(name).map_err(|e| protox_error(&e))?;
        }
        let mut pool = DescriptorPool::new();
        pool.add_file_descriptor_set(compiler.file_descriptor_set())
            .map_err(|e| descriptor_error(&e))?;
        Ok(Schema { pool })
    }

    /// Reads a serialized `FileDescriptorSet` (what `protoc --descriptor_set_out` writes).
    pub fn from_descriptor_set(bytes: &[u8], label: &str) -> Result<Schema, ProtoError> {
        let mut pool = DescriptorPool::new();
        add_descriptor_set(&mut pool, bytes, label)?;
        Ok(Schema { pool })
    }

    pub fn from_pool(pool: DescriptorPool) -> Schema {
        Schema { pool }
    }

    pub fn pool(&self) -> &DescriptorPool {
        &self.pool
    }

    /// Every message type, the user's own first (in file order), then `google.protobuf.*`.
    pub fn message_types(&self) -> Vec<TypeInfo> {
        let mut out: Vec<TypeInfo> = self
            .pool
            .all_messages()
            .filter(|m| !m.is_map_entry())
            .map(|m| TypeInfo {
                name: m.full_name().to_string(),
                file: m.parent_file().name().to_string(),
                fields: m.fields().len(),
                well_known: m.full_name().starts_with("google.protobuf."),
                nested: m.parent_message().is_some(),
            })
            .collect();
        out.sort_by_key(|t| t.well_known);
        out
    }

    /// Finds a message type by its full name (`pkg.Msg`, `.pkg.Msg`) or, when unique, by its
    /// short name (`Msg`) or any dotted suffix of its full name (`Outer.Inner`).
    pub fn message(&self, name: &str) -> Result<MessageDescriptor, ProtoError> {
        let wanted = name.trim().trim_start_matches('.');
        if let Some(m) = self.pool.get_message_by_name(wanted) {
            return Ok(m);
        }
        let suffix = format!(".{wanted}");
        let matches: Vec<MessageDescriptor> = self
            .pool
            .all_messages()
            .filter(|m| !m.is_map_entry() && m.full_name().ends_with(&suffix))
            .collect();
        match matches.as_slice() {
            [one] => Ok(one.clone()),
            [] => Err(ProtoError::UnknownType {
                name: name.to_string(),
                candidates: self.candidates(wanted),
            }),
            _ => Err(ProtoError::AmbiguousType {
                name: name.to_string(),
                matches: matches.iter().map(|m| m.full_name().to_string()).collect(),
            }),
        }
    }

    /// Up to eight names for an "unknown type" message: case-insensitive near matches first,
    /// else the user's own types.
    fn candidates(&self, wanted: &str) -> Vec<String> {
        let lower = wanted.to_ascii_lowercase();
        let types = self.message_types();
        let mut close: Vec<(usize, String)> = types
            .iter()
            .filter_map(|t| {
                let short = t.name.rsplit('.').next().unwrap_or(&t.name);
                let short = short.to_ascii_lowercase();
                let d = edit_distance(&short, &lower);
                let near =
                    short.contains(&lower) || lower.contains(&short) || d <= 1 + short.len() / 4;
                near.then(|| (d, t.name.clone()))
            })
            .collect();
        close.sort_by_key(|(d, _)| *d);
        let close: Vec<String> = close.into_iter().map(|(_, n)| n).take(8).collect();
        if !close.is_empty() {
            return close;
        }
        types
            .iter()
            .filter(|t| !t.well_known)
            .map(|t| t.name.clone())
            .take(8)
            .collect()
    }
}

/// Levenshtein distance, for "did you mean" suggestions.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

fn add_descriptor_set(
    pool: &mut DescriptorPool,
    bytes: &[u8],
    label: &str,
) -> Result<(), ProtoError> {
    pool.decode_file_descriptor_set(bytes)
        .map_err(|e| ProtoError::DescriptorSet {
            path: label.to_string(),
            reason: format!("{e:?}"),
        })
}

/// Compiles `.proto` files with protox. Paths and includes are canonicalized so that a file given
/// as an absolute path matches a relative include and vice versa.
fn compile_files(
    files: &[&PathBuf],
    includes: &[PathBuf],
) -> Result<prost_reflect::prost_types::FileDescriptorSet, ProtoError> {
    let canon = |p: &Path| {
        p.canonicalize().map_err(|e| ProtoError::SchemaFile {
            path: p.display().to_string(),
            reason: e.to_string(),
        })
    };
    let mut dirs: Vec<PathBuf> = Vec::new();
    for inc in includes {
        dirs.push(canon(inc)?);
    }
    let mut canon_files = Vec::new();
    for f in files {
        let c = canon(f)?;
        if !dirs.iter().any(|d| c.starts_with(d)) {
            if let Some(parent) = c.parent() {
                dirs.push(parent.to_path_buf());
            }
        }
        canon_files.push(c);
    }
    // Errors name files as the user wrote them, not by their name inside the include path.
    let shown = |name: &str| -> String {
        for (c, f) in canon_files.iter().zip(files) {
            let inside = dirs
                .iter()
                .find_map(|d| c.strip_prefix(d).ok())
                .map(|rel| rel.to_string_lossy().replace('\\', "/"));
            if inside.as_deref() == Some(name) {
                return f.display().to_string();
            }
        }
        includes
            .iter()
            .map(|inc| inc.join(name))
            .find(|p| p.is_file())
            .map_or_else(|| name.to_string(), |p| p.display().to_string())
    };
    let mut compiler =
        protox::Compiler::new(&dirs).map_err(|e| relocate(protox_error(&e), &shown))?;
    compiler.include_imports(true);
    for f in &canon_files {
        compiler
            .open_file(f)
            .map_err(|e| relocate(protox_error(&e), &shown))?;
    }
    Ok(compiler.file_descriptor_set())
}

/// Renames the file an error names (`shown` maps a name inside the include path to a path).
fn relocate(e: ProtoError, shown: &dyn Fn(&str) -> String) -> ProtoError {
    match e {
        ProtoError::Schema {
            location,
            file,
            line,
            column,
            message,
        } if !file.is_empty() => {
            let new = shown(&file);
            ProtoError::Schema {
                location: match location.strip_prefix(&file) {
                    Some(rest) => format!("{new}{rest}"),
                    None => location,
                },
                file: new,
                line,
                column,
                message,
            }
        }
        ProtoError::MissingImport {
            file,
            import,
            line,
            column,
        } => ProtoError::MissingImport {
            file: shown(&file),
            import,
            line,
            column,
        },
        other => other,
    }
}

/// Resolves imports among in-memory sources.
struct MemoryResolver(Vec<(String, String)>);

impl FileResolver for MemoryResolver {
    fn open_file(&self, name: &str) -> Result<File, protox::Error> {
        match self.0.iter().find(|(n, _)| n == name) {
            Some((n, s)) => File::from_source(n, s),
            None => Err(protox::Error::file_not_found(name)),
        }
    }
}

/// Splits `file:line:column: message` (protox's and prost-reflect's `Debug` form) into parts.
fn split_location(debug: &str, file: &str) -> (Option<usize>, Option<usize>, Option<String>) {
    let Some(rest) = debug.strip_prefix(file).and_then(|r| r.strip_prefix(':')) else {
        return (None, None, None);
    };
    let mut parts = rest.splitn(3, ':');
    let line = parts.next().and_then(|s| s.trim().parse().ok());
    let column = parts.next().and_then(|s| s.trim().parse().ok());
    match (line, column, parts.next()) {
        (Some(l), Some(c), Some(msg)) => (Some(l), Some(c), Some(msg.trim().to_string())),
        _ => (None, None, None),
    }
}

fn protox_error(e: &protox::Error) -> ProtoError {
    let display = e.to_string();
    let debug = format!("{e:?}");
    let file = e.file().unwrap_or("").to_string();
    let (line, column, _) = split_location(&debug, &file);
    if e.is_io() {
        return ProtoError::SchemaFile {
            path: file,
            reason: debug,
        };
    }
    if let Some(import) = display
        .strip_prefix("import '")
        .and_then(|r| r.strip_suffix("' not found"))
    {
        return ProtoError::MissingImport {
            file,
            import: import.to_string(),
            line,
            column,
        };
    }
    if e.is_file_not_found() {
        return ProtoError::SchemaFile {
            path: file,
            reason: format!("{display}; check the path and the -I directories"),
        };
    }
    schema_error(file, line, column, display)
}

fn descriptor_error(e: &prost_reflect::DescriptorError) -> ProtoError {
    let file = e.file().unwrap_or("").to_string();
    schema_error(
        file,
        e.line().map(|l| l + 1),
        e.column().map(|c| c + 1),
        e.to_string(),
    )
}

fn schema_error(
    file: String,
    line: Option<usize>,
    column: Option<usize>,
    message: String,
) -> ProtoError {
    let location = match (line, column) {
        (Some(l), Some(c)) => format!("{file}:{l}:{c}"),
        _ if file.is_empty() => "schema".to_string(),
        _ => file.clone(),
    };
    ProtoError::Schema {
        location,
        file,
        line,
        column,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEMO: &str = r#"
        syntax = "proto3";
        package demo;
        import "google/protobuf/timestamp.proto";
        message Outer { message Inner { int32 x = 1; } Inner inner = 1; map<string, int32> m = 2;
                        google.protobuf.Timestamp at = 3; }
        message Other { string s = 1; }
    "#;

    #[test]
    fn lists_and_finds_types() {
        let s = Schema::from_sources(&[("demo.proto", DEMO)]).unwrap();
        let names: Vec<String> = s.message_types().into_iter().map(|t| t.name).collect();
        assert_eq!(
            &names[..3],
            ["demo.Outer", "demo.Outer.Inner", "demo.Other"]
        );
        assert!(names.contains(&"google.protobuf.Timestamp".to_string()));
        assert!(!names.iter().any(|n| n.contains("MEntry")));
        assert_eq!(s.message("demo.Outer").unwrap().full_name(), "demo.Outer");
        assert_eq!(s.message(".demo.Other").unwrap().full_name(), "demo.Other");
        assert_eq!(s.message("Inner").unwrap().full_name(), "demo.Outer.Inner");
        assert_eq!(
            s.message("Outer.Inner").unwrap().full_name(),
            "demo.Outer.Inner"
        );
        let e = s.message("Othr").unwrap_err();
        assert_eq!(e.code(), "proto.unknown_type");
        assert!(e.to_string().contains("demo.Other"), "{e}");
        let e = s.message("Otherr").unwrap_err();
        match e {
            ProtoError::UnknownType { candidates, .. } => assert_eq!(candidates[0], "demo.Other"),
            other => panic!("{other:?}"),
        }
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn syntax_error_names_file_line_column() {
        let src = "syntax = \"proto3\";\nmessage A {\n  int32 x = ;\n}\n";
        let e = Schema::from_sources(&[("bad.proto", src)]).unwrap_err();
        assert_eq!(e.code(), "proto.schema");
        match &e {
            ProtoError::Schema {
                file, line, column, ..
            } => {
                assert_eq!(file, "bad.proto");
                assert_eq!(*line, Some(3));
                assert_eq!(*column, Some(13));
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(e.to_string().starts_with("bad.proto:3:13: "), "{e}");
    }

    #[test]
    fn unknown_field_type_is_a_located_schema_error() {
        let src = "syntax = \"proto3\";\nmessage A {\n  Nope x = 1;\n}\n";
        let e = Schema::from_sources(&[("t.proto", src)]).unwrap_err();
        assert_eq!(e.code(), "proto.schema");
        assert!(e.to_string().starts_with("t.proto:3:"), "{e}");
    }

    #[test]
    fn missing_import_says_which_and_where() {
        let src = "syntax = \"proto3\";\nimport \"other/missing.proto\";\nmessage A {}\n";
        let e = Schema::from_sources(&[("a.proto", src)]).unwrap_err();
        assert_eq!(e.code(), "proto.missing_import", "{e}");
        let msg = e.to_string();
        assert!(
            msg.contains("other/missing.proto") && msg.contains("line 2"),
            "{msg}"
        );
    }

    #[test]
    fn loads_files_from_disk_without_includes() {
        let dir = std::env::temp_dir().join(format!("sockpit-proto-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("demo.proto");
        std::fs::write(&p, DEMO).unwrap();
        let s = Schema::load(std::slice::from_ref(&p), &[]).unwrap();
        assert!(s.message("demo.Outer").is_ok());
        let set = protox::compile([&p], [&dir]).unwrap();
        let bin = dir.join("demo.binpb");
        std::fs::write(&bin, prost::Message::encode_to_vec(&set)).unwrap();
        let s = Schema::load(&[bin], &[]).unwrap();
        assert!(s.message("demo.Other").is_ok());
        let bad = dir.join("junk.desc");
        std::fs::write(&bad, b"\xff\xff\xff").unwrap();
        let e = Schema::load(&[bad], &[]).unwrap_err();
        assert_eq!(e.code(), "proto.descriptor_set");
        let e = Schema::load(&[dir.join("absent.proto")], &[]).unwrap_err();
        assert_eq!(e.code(), "proto.schema_file");
        let broken = dir.join("broken.proto");
        std::fs::write(&broken, "syntax = \"proto3\";\nmessage {").unwrap();
        let e = Schema::load(std::slice::from_ref(&broken), &[]).unwrap_err();
        let want = format!("{}:2:9: ", broken.display());
        assert!(e.to_string().starts_with(&want), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
