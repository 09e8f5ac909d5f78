//! `ProtoError`: everything that can go wrong loading schemas and encoding or decoding protobuf.

use serde::Serialize;

/// A protobuf failure. The UI and the CLI show `to_string()` and branch on `code()`.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum ProtoError {
    /// A `.proto` file that does not parse or does not check (bad syntax, unknown type, ...).
    #[error("{location}: {message}")]
    Schema {
        /// `file:line:column` when known, else the file name.
        location: String,
        file: String,
        line: Option<usize>,
        column: Option<usize>,
        message: String,
    },
    #[error("{file}: import '{import}' not found{}: add the directory that holds it with -I DIR", at_line(*.line, *.column))]
    MissingImport {
        file: String,
        import: String,
        line: Option<usize>,
        column: Option<usize>,
    },
    #[error("cannot read schema {path}: {reason}")]
    SchemaFile { path: String, reason: String },
    #[error("{path} is not a valid descriptor set ({reason}); make one with `protoc --include_imports --descriptor_set_out=F.binpb ...`")]
    DescriptorSet { path: String, reason: String },
    #[error("no schema given: pass --schema F.proto or F.binpb")]
    NoSchema,
    #[error("unknown message type '{name}'{}", suggest(.candidates))]
    UnknownType {
        name: String,
        /// Types the user may have meant (close names, or all types when few).
        candidates: Vec<String>,
    },
    #[error("message type '{name}' is ambiguous: it matches {}; use the full name", .matches.join(", "))]
    AmbiguousType { name: String, matches: Vec<String> },
    #[error("bytes are not a valid {type_name}: {reason}")]
    Decode { type_name: String, reason: String },
    #[error("JSON is not a valid {type_name}: {reason}")]
    Json { type_name: String, reason: String },
    #[error("text format is not a valid {type_name}: {reason}")]
    Text { type_name: String, reason: String },
    #[error("raw protobuf decode failed at byte {offset}: {reason}")]
    Raw { offset: usize, reason: String },
    #[error("framing: {0}")]
    Framing(String),
    #[error("nesting deeper than {limit} levels: the data is corrupt or deliberately recursive")]
    TooDeep { limit: usize },
}

fn at_line(line: Option<usize>, column: Option<usize>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!(" (line {l}, column {c})"),
        (Some(l), None) => format!(" (line {l})"),
        _ => String::new(),
    }
}

fn suggest(candidates: &[String]) -> String {
    if candidates.is_empty() {
        "; the schema defines no message types".to_string()
    } else {
        format!("; known types include: {}", candidates.join(", "))
    }
}

impl ProtoError {
    /// A stable identifier the UI and the CLI can branch on.
    pub fn code(&self) -> &'static str {
        match self {
            ProtoError::Schema { .. } => "proto.schema",
            ProtoError::MissingImport { .. } => "proto.missing_import",
            ProtoError::SchemaFile { .. } => "proto.schema_file",
            ProtoError::DescriptorSet { .. } => "proto.descriptor_set",
            ProtoError::NoSchema => "proto.no_schema",
            ProtoError::UnknownType { .. } => "proto.unknown_type",
            ProtoError::AmbiguousType { .. } => "proto.ambiguous_type",
            ProtoError::Decode { .. } => "proto.decode",
            ProtoError::Json { .. } => "proto.json",
            ProtoError::Text { .. } => "proto.text",
            ProtoError::Raw { .. } => "proto.raw",
            ProtoError::Framing(_) => "proto.framing",
            ProtoError::TooDeep { .. } => "proto.too_deep",
        }
    }

    /// The `{code, message}` form the UI and `--json` output carry.
    pub fn to_dto(&self) -> ProtoErrorDto {
        ProtoErrorDto {
            code: self.code().to_string(),
            message: self.to_string(),
        }
    }
}

/// An error as the UI and the CLI's `--json` output see it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ProtoErrorDto {
    pub code: String,
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_say_what_to_do() {
        let e = ProtoError::MissingImport {
            file: "a.proto".into(),
            import: "b.proto".into(),
            line: Some(3),
            column: Some(1),
        };
        assert_eq!(e.code(), "proto.missing_import");
        assert!(e.to_string().contains("line 3, column 1"));
        assert!(e.to_string().contains("-I DIR"));
        let e = ProtoError::UnknownType {
            name: "Foo".into(),
            candidates: vec!["demo.Foo2".into()],
        };
        assert!(e.to_string().contains("demo.Foo2"), "{e}");
        assert_eq!(e.to_dto().code, "proto.unknown_type");
    }
}
