//! JSON skeletons for the composer: every field of a type with an example value, in declaration
//! order, with notes on oneofs (only the first member is filled in), enums and recursion.

use prost_reflect::{FieldDescriptor, Kind, MessageDescriptor};
use serde::Serialize;
use serde_json::{json, Value};

/// How deep nested messages are expanded before they are left as `{}`.
pub const DEFAULT_SKELETON_DEPTH: usize = 6;

/// A skeleton: `text` keeps the declaration order for the composer; `json` is the same value.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Skeleton {
    pub type_name: String,
    pub json: Value,
    /// Indented JSON, fields in declaration order.
    pub text: String,
    /// `path: note` lines: oneof choices, enum values, recursion cut-offs.
    pub notes: Vec<String>,
}

/// Builds the skeleton of `desc`, naming fields by JSON name or, with `proto_names`, as in the
/// `.proto` file.
pub fn skeleton(desc: &MessageDescriptor, proto_names: bool, max_depth: usize) -> Skeleton {
    let mut b = Builder {
        proto_names,
        max_depth,
        notes: Vec::new(),
        stack: Vec::new(),
    };
    let node = b.message(desc, "", 0);
    let mut text = String::new();
    node.write(&mut text, 0);
    Skeleton {
        type_name: desc.full_name().to_string(),
        json: node.to_value(),
        text,
        notes: b.notes,
    }
}

/// A JSON value that keeps its object keys in insertion order.
enum Node {
    Obj(Vec<(String, Node)>),
    Arr(Vec<Node>),
    Leaf(Value),
}

impl Node {
    fn to_value(&self) -> Value {
        match self {
            Node::Obj(fields) => Value::Object(
                fields
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_value()))
                    .collect(),
            ),
            Node::Arr(items) => Value::Array(items.iter().map(Node::to_value).collect()),
            Node::Leaf(v) => v.clone(),
        }
    }

    fn write(&self, out: &mut String, indent: usize) {
        let pad = |out: &mut String, n: usize| out.extend(std::iter::repeat_n("  ", n));
        match self {
            Node::Obj(fields) if fields.is_empty() => out.push_str("{}"),
            Node::Arr(items) if items.is_empty() => out.push_str("[]"),
            Node::Obj(fields) => {
                out.push_str("{\n");
                for (i, (k, v)) in fields.iter().enumerate() {
                    pad(out, indent + 1);
                    out.push_str(&Value::String(k.clone()).to_string());
                    out.push_str(": ");
                    v.write(out, indent + 1);
                    out.push_str(if i + 1 < fields.len() { ",\n" } else { "\n" });
                }
                pad(out, indent);
                out.push('}');
            }
            Node::Arr(items) => {
                out.push_str("[\n");
                for (i, v) in items.iter().enumerate() {
                    pad(out, indent + 1);
                    v.write(out, indent + 1);
                    out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
                }
                pad(out, indent);
                out.push(']');
            }
            Node::Leaf(v) => out.push_str(&v.to_string()),
        }
    }
}

struct Builder {
    proto_names: bool,
    max_depth: usize,
    notes: Vec<String>,
    stack: Vec<String>,
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_string()
    } else {
        format!("{path}.{name}")
    }
}

impl Builder {
    fn name(&self, f: &FieldDescriptor) -> String {
        if self.proto_names {
            f.name().to_string()
        } else {
            f.json_name().to_string()
        }
    }

    fn message(&mut self, desc: &MessageDescriptor, path: &str, depth: usize) -> Node {
        if let Some(wkt) = self.well_known(desc, path) {
            return wkt;
        }
        let full = desc.full_name().to_string();
        if self.stack.contains(&full) || depth >= self.max_depth {
            let why = if self.stack.contains(&full) {
                "recursive"
            } else {
                "deeply nested"
            };
            self.notes.push(format!(
                "{}: {full} is {why}; left empty",
                if path.is_empty() { "(root)" } else { path }
            ));
            return Node::Obj(Vec::new());
        }
        self.stack.push(full);
        let mut fields = Vec::new();
        for field in desc.fields() {
            let name = self.name(&field);
            let fpath = join(path, &name);
            if let Some(oneof) = field.containing_oneof().filter(|o| !o.is_synthetic()) {
                let members: Vec<String> = oneof.fields().map(|f| self.name(&f)).collect();
                if members.first() != Some(&name) {
                    continue;
                }
                self.notes.push(format!(
                    "{}: oneof '{}': set only one of {} (the skeleton shows {name})",
                    join(path, oneof.name()),
                    oneof.name(),
                    members.join(", ")
                ));
            }
            let node = self.field(&field, &fpath, depth);
            fields.push((name, node));
        }
        self.stack.pop();
        Node::Obj(fields)
    }

    fn field(&mut self, field: &FieldDescriptor, path: &str, depth: usize) -> Node {
        if field.is_map() {
            let Kind::Message(entry) = field.kind() else {
                return Node::Obj(Vec::new());
            };
            let key = match entry.map_entry_key_field().kind() {
                Kind::String => "key".to_string(),
                Kind::Bool => "true".to_string(),
                _ => "1".to_string(),
            };
            let value_field = entry.map_entry_value_field();
            let value = self.single(&value_field, &format!("{path}.{key}"), depth);
            return Node::Obj(vec![(key, value)]);
        }
        let one = self.single(field, path, depth);
        if field.is_list() {
            Node::Arr(vec![one])
        } else {
            one
        }
    }

    fn single(&mut self, field: &FieldDescriptor, path: &str, depth: usize) -> Node {
        match field.kind() {
            Kind::Message(m) => self.message(&m, path, depth + 1),
            Kind::Enum(e) => {
                if e.full_name() == "google.protobuf.NullValue" {
                    return Node::Leaf(Value::Null);
                }
                let values: Vec<_> = e.values().collect();
                let pick = values
                    .iter()
                    .find(|v| v.number() != 0)
                    .or(values.first())
                    .map(|v| v.name().to_string())
                    .unwrap_or_default();
                let names: Vec<&str> = values.iter().map(|v| v.name()).collect();
                self.notes.push(format!(
                    "{path}: enum {}: {}",
                    e.full_name(),
                    names.join(", ")
                ));
                Node::Leaf(json!(pick))
            }
            kind => Node::Leaf(scalar(&kind, field.name())),
        }
    }

    fn well_known(&mut self, desc: &MessageDescriptor, path: &str) -> Option<Node> {
        let leaf = |v: Value| Some(Node::Leaf(v));
        match desc.full_name() {
            "google.protobuf.Timestamp" => leaf(json!("2024-01-01T12:00:00Z")),
            "google.protobuf.Duration" => leaf(json!("1.5s")),
            "google.protobuf.Struct" => leaf(json!({"key": "value"})),
            "google.protobuf.Value" => leaf(json!("value")),
            "google.protobuf.ListValue" => leaf(json!(["value"])),
            "google.protobuf.FieldMask" => leaf(json!("fieldName")),
            "google.protobuf.Empty" => leaf(json!({})),
            "google.protobuf.DoubleValue" | "google.protobuf.FloatValue" => leaf(json!(1.5)),
            "google.protobuf.Int64Value" | "google.protobuf.UInt64Value" => leaf(json!("1")),
            "google.protobuf.Int32Value" | "google.protobuf.UInt32Value" => leaf(json!(1)),
            "google.protobuf.BoolValue" => leaf(json!(true)),
            "google.protobuf.StringValue" => leaf(json!("text")),
            "google.protobuf.BytesValue" => leaf(json!("ZXhhbXBsZQ==")),
            "google.protobuf.Any" => {
                let pool = desc.parent_pool();
                let inner = [
                    ("google.protobuf.Duration", json!("1.5s")),
                    ("google.protobuf.Timestamp", json!("2024-01-01T12:00:00Z")),
                ]
                .into_iter()
                .find(|(n, _)| pool.get_message_by_name(n).is_some());
                self.notes.push(format!(
                    "{path}: Any: set \"@type\" to type.googleapis.com/<full type name> and the \
                     message's fields beside it (a well-known type goes in \"value\")"
                ));
                match inner {
                    Some((n, v)) => {
                        leaf(json!({"@type": format!("type.googleapis.com/{n}"), "value": v}))
                    }
                    None => leaf(json!({})),
                }
            }
            _ => None,
        }
    }
}

fn scalar(kind: &Kind, name: &str) -> Value {
    match kind {
        Kind::Double | Kind::Float => json!(1.5),
        Kind::Int32 | Kind::Sint32 | Kind::Sfixed32 | Kind::Uint32 | Kind::Fixed32 => json!(1),
        Kind::Int64 | Kind::Sint64 | Kind::Sfixed64 | Kind::Uint64 | Kind::Fixed64 => json!("1"),
        Kind::Bool => json!(true),
        Kind::String => json!(format!("example {}", name.replace('_', " "))),
        Kind::Bytes => json!("ZXhhbXBsZQ=="),
        Kind::Message(_) | Kind::Enum(_) => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::{codec, Schema};

    const SRC: &str = r#"
        syntax = "proto3";
        package s;
        import "google/protobuf/any.proto";
        import "google/protobuf/duration.proto";
        import "google/protobuf/struct.proto";
        import "google/protobuf/timestamp.proto";
        import "google/protobuf/wrappers.proto";
        enum Kind { KIND_UNSPECIFIED = 0; A = 1; }
        message Node { string user_name = 1; repeated Node children = 2; Node parent = 3;
          oneof body { string text = 4; bytes raw = 5; }
          map<string, Node> by_name = 6; map<int32, Kind> kinds = 7; Kind kind = 8;
          optional int64 big = 9; google.protobuf.Timestamp at = 10; google.protobuf.Duration d = 11;
          google.protobuf.Struct meta = 12; google.protobuf.Any extra = 13;
          google.protobuf.Int32Value w = 14; double ratio = 15; repeated sfixed64 xs = 16; }
    "#;

    #[test]
    fn skeleton_has_every_field_and_encodes() {
        let schema = Schema::from_sources(&[("s.proto", SRC)]).unwrap();
        let desc = schema.message("s.Node").unwrap();
        let sk = skeleton(&desc, false, DEFAULT_SKELETON_DEPTH);
        let j = &sk.json;
        assert_eq!(j["userName"], "example user name");
        assert_eq!(j["kind"], "A");
        assert_eq!(j["big"], "1");
        assert_eq!(j["at"], "2024-01-01T12:00:00Z");
        assert_eq!(j["kinds"]["1"], "A");
        assert!(j.get("text").is_some() && j.get("raw").is_none());
        assert_eq!(j["parent"], json!({}));
        assert!(
            sk.text.starts_with(
                "{\n  \"userName\": \"example user name\",\n  \"children\": [\n    {}\n  ],"
            ),
            "{}",
            sk.text
        );
        let joined = sk.notes.join("\n");
        assert!(
            joined.contains("oneof 'body': set only one of text, raw"),
            "{joined}"
        );
        assert!(
            joined.contains("enum s.Kind: KIND_UNSPECIFIED, A"),
            "{joined}"
        );
        assert!(joined.contains("recursive"), "{joined}");
        // what the composer gets must encode
        let msg = codec::from_json(&desc, &sk.text).unwrap();
        assert!(!codec::encode(&msg).is_empty());
        let proto = skeleton(&desc, true, 2);
        assert!(proto.json.get("user_name").is_some());
        for t in schema.message_types() {
            let d = schema.message(&t.name).unwrap();
            let sk = skeleton(&d, false, DEFAULT_SKELETON_DEPTH);
            codec::from_json(&d, &sk.text)
                .unwrap_or_else(|e| panic!("{}: {e}\n{}", t.name, sk.text));
        }
    }
}
