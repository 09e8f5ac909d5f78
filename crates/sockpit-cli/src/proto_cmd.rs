//! `sockpit proto types|decode|encode|skeleton|detect`: protobuf without a socket. Bytes (binary,
//! hex or base64) or JSON come on stdin; results go to stdout; one `sockpit: error: ...` line on
//! stderr and exit status 1 on failure, 2 on a usage error.

use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;

use base64::Engine;
use clap::{Args, Subcommand, ValueEnum};
use sockpit_core::proto::{self, Framing, JsonOptions, ProtoError, Schema};

use crate::exit;

#[derive(Debug, Args)]
#[command(after_help = PROTO_AFTER_HELP)]
pub struct ProtoArgs {
    #[command(subcommand)]
    pub command: ProtoCommand,
}

const PROTO_AFTER_HELP: &str = "\
Examples:
  sockpit proto types --schema game.proto -I protos
  echo '{\"x\":1}' | sockpit proto encode --schema game.proto --type game.Move > move.bin
  sockpit proto decode --schema game.proto --type game.Move < move.bin
  sockpit proto decode --raw --in hex <<< '08 96 01'
Exit status: 0 ok, 1 error (bad schema, bytes or JSON), 2 usage error.";

#[derive(Debug, Subcommand)]
pub enum ProtoCommand {
    /// List the message types a schema defines.
    Types(TypesArgs),
    /// Decode bytes on stdin to JSON (or text format), with a schema or --raw without one.
    Decode(DecodeArgs),
    /// Encode JSON (or text format) on stdin to bytes.
    Encode(EncodeArgs),
    /// Print a JSON skeleton of a type: every field with an example value (notes on stderr).
    Skeleton(SkeletonArgs),
    /// Rank the types that decode the bytes on stdin cleanly ("which type is this?").
    Detect(DetectArgs),
}

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// A .proto file, or a descriptor set (.binpb, .desc, .pb) (repeatable).
    #[arg(short = 's', long = "schema", value_name = "FILE")]
    pub schema: Vec<PathBuf>,
    /// Import path for .proto files (repeatable; each schema's own directory is added last).
    #[arg(short = 'I', long = "include", value_name = "DIR")]
    pub include: Vec<PathBuf>,
}

impl SchemaArgs {
    fn load(&self) -> Result<Schema, ProtoError> {
        Schema::load(&self.schema, &self.include)
    }
}

#[derive(Debug, Clone, Copy, Default, ValueEnum)]
pub enum ByteFormat {
    #[default]
    Binary,
    Hex,
    Base64,
}

#[derive(Debug, Args)]
pub struct JsonArgs {
    /// Field names as in the .proto file (user_id) instead of JSON names (userId).
    #[arg(long)]
    pub proto_names: bool,
    /// Enum values as numbers instead of names.
    #[arg(long)]
    pub enum_numbers: bool,
    /// Include fields that hold their default value.
    #[arg(long)]
    pub emit_defaults: bool,
}

impl JsonArgs {
    fn options(&self) -> JsonOptions {
        JsonOptions {
            proto_field_names: self.proto_names,
            enums_as_numbers: self.enum_numbers,
            emit_defaults: self.emit_defaults,
        }
    }
}

#[derive(Debug, Args)]
pub struct TypesArgs {
    #[command(flatten)]
    pub schema: SchemaArgs,
    /// Also list google.protobuf.* types.
    #[arg(long)]
    pub all: bool,
    /// Print a JSON array with each type's file and field count.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct DecodeArgs {
    #[command(flatten)]
    pub schema: SchemaArgs,
    /// Message type (full name, or a unique short name).
    #[arg(short = 't', long = "type", value_name = "TYPE")]
    pub type_name: Option<String>,
    /// Decode without a schema, like `protoc --decode_raw`.
    #[arg(long)]
    pub raw: bool,
    /// How the payload wraps its messages: none, varint, grpc, type-byte:1=pkg.A,2=pkg.B.
    #[arg(long, value_name = "FRAMING", default_value = "none")]
    pub framing: String,
    /// How the bytes on stdin are written.
    #[arg(long = "in", value_enum, default_value_t = ByteFormat::Binary)]
    pub input: ByteFormat,
    /// Print protobuf text format (with --raw: exactly what `protoc --decode_raw` prints).
    #[arg(long)]
    pub text: bool,
    /// Indent the JSON.
    #[arg(long)]
    pub pretty: bool,
    #[command(flatten)]
    pub json: JsonArgs,
}

#[derive(Debug, Args)]
pub struct EncodeArgs {
    #[command(flatten)]
    pub schema: SchemaArgs,
    #[arg(short = 't', long = "type", value_name = "TYPE")]
    pub type_name: String,
    /// How to wrap the message: none, varint, grpc, type-byte:1=pkg.A,2=pkg.B. With varint or grpc,
    /// several JSON documents on stdin become several framed messages.
    #[arg(long, value_name = "FRAMING", default_value = "none")]
    pub framing: String,
    /// Read protobuf text format instead of JSON.
    #[arg(long)]
    pub text: bool,
    /// How to write the bytes (binary refuses to write to a terminal).
    #[arg(long = "out", value_enum, default_value_t = ByteFormat::Binary)]
    pub output: ByteFormat,
}

#[derive(Debug, Args)]
pub struct SkeletonArgs {
    #[command(flatten)]
    pub schema: SchemaArgs,
    #[arg(short = 't', long = "type", value_name = "TYPE")]
    pub type_name: String,
    /// Field names as in the .proto file.
    #[arg(long)]
    pub proto_names: bool,
    /// Print {"type","skeleton","notes"} as one JSON object.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct DetectArgs {
    #[command(flatten)]
    pub schema: SchemaArgs,
    #[arg(long = "in", value_enum, default_value_t = ByteFormat::Binary)]
    pub input: ByteFormat,
    /// How many candidates to print.
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
    #[arg(long)]
    pub json: bool,
}

/// A failure: the message for stderr and the exit status.
struct Failure(String, i32);

impl From<ProtoError> for Failure {
    fn from(e: ProtoError) -> Failure {
        // A missing --schema is a usage error, as `decode` without --schema or --raw is.
        let status = match e {
            ProtoError::NoSchema => exit::USAGE,
            _ => exit::FAILURE,
        };
        Failure(e.to_string(), status)
    }
}

fn usage(msg: impl Into<String>) -> Failure {
    Failure(msg.into(), exit::USAGE)
}

fn failure(msg: impl Into<String>) -> Failure {
    Failure(msg.into(), exit::FAILURE)
}

pub fn run(args: ProtoArgs) -> i32 {
    let mut out = std::io::stdout().lock();
    let res = match args.command {
        ProtoCommand::Types(a) => types(a, &mut out),
        ProtoCommand::Decode(a) => decode(a, &mut out),
        ProtoCommand::Encode(a) => encode(a, &mut out),
        ProtoCommand::Skeleton(a) => skeleton(a, &mut out),
        ProtoCommand::Detect(a) => detect(a, &mut out),
    };
    let res = res.and_then(|()| {
        out.flush()
            .map_err(|e| failure(format!("cannot write to stdout: {e}")))
    });
    match res {
        Ok(()) => exit::OK,
        Err(Failure(msg, code)) => {
            eprintln!("sockpit: error: {msg}");
            code
        }
    }
}

type Out<'a> = std::io::StdoutLock<'a>;

fn write_out(out: &mut Out<'_>, bytes: &[u8]) -> Result<(), Failure> {
    out.write_all(bytes)
        .map_err(|e| failure(format!("cannot write to stdout: {e}")))
}

fn read_stdin() -> Result<Vec<u8>, Failure> {
    let mut buf = Vec::new();
    std::io::stdin()
        .read_to_end(&mut buf)
        .map_err(|e| failure(format!("cannot read stdin: {e}")))?;
    Ok(buf)
}

fn read_bytes(format: ByteFormat) -> Result<Vec<u8>, Failure> {
    let raw = read_stdin()?;
    let text = || {
        String::from_utf8(raw.clone())
            .map_err(|_| failure("stdin is not text, but --in hex/base64 expects text"))
    };
    match format {
        ByteFormat::Binary => Ok(raw),
        ByteFormat::Hex => sockpit_core::payload::parse_hex(&text()?)
            .map(|b| b.to_vec())
            .map_err(|e| failure(format!("stdin: {e}"))),
        ByteFormat::Base64 => sockpit_core::payload::parse_base64(&text()?)
            .map(|b| b.to_vec())
            .map_err(|e| failure(format!("stdin: {e}"))),
    }
}

fn parse_framing(spec: &str) -> Result<Framing, Failure> {
    spec.parse().map_err(|e: ProtoError| usage(e.to_string()))
}

fn types(a: TypesArgs, out: &mut Out<'_>) -> Result<(), Failure> {
    let schema = a.schema.load()?;
    let list: Vec<_> = schema
        .message_types()
        .into_iter()
        .filter(|t| a.all || !t.well_known)
        .collect();
    if a.json {
        let s = serde_json::to_string(&list).map_err(|e| failure(e.to_string()))?;
        return write_out(out, format!("{s}\n").as_bytes());
    }
    let mut s = String::new();
    for t in list {
        s.push_str(&t.name);
        s.push('\n');
    }
    write_out(out, s.as_bytes())
}

fn decode(a: DecodeArgs, out: &mut Out<'_>) -> Result<(), Failure> {
    let framing = parse_framing(&a.framing)?;
    let bytes = read_bytes(a.input)?;
    let frames = framing.split(&bytes)?;
    let many = frames.len() > 1;
    if a.raw {
        let mut s = String::new();
        for (i, frame) in frames.iter().enumerate() {
            let fields = proto::decode_raw(frame.payload, proto::DEFAULT_MAX_DEPTH)?;
            if a.text {
                if many {
                    s.push_str(&format!("# message {}\n", i + 1));
                }
                s.push_str(&proto::raw::to_protoc_text(&fields));
            } else {
                let j = proto::raw::to_json(&fields);
                s.push_str(&json_text(&j, a.pretty)?);
                s.push('\n');
            }
        }
        return write_out(out, s.as_bytes());
    }
    if a.schema.schema.is_empty() {
        return Err(usage(
            "decode needs --schema F.proto (or F.binpb), or --raw to decode without one",
        ));
    }
    let schema = a.schema.load()?;
    let default = a
        .type_name
        .as_deref()
        .map(|t| schema.message(t))
        .transpose()?;
    let opts = a.json.options();
    let mut s = String::new();
    for (i, frame) in frames.iter().enumerate() {
        let desc = match (frame.type_name, &default) {
            (Some(t), _) => schema.message(t)?,
            (None, Some(d)) => d.clone(),
            (None, None) => return Err(usage(missing_type(&schema))),
        };
        let msg = proto::decode(&desc, frame.payload)?;
        if a.text {
            if many {
                s.push_str(&format!("# message {}: {}\n", i + 1, desc.full_name()));
            }
            s.push_str(&proto::to_text(&msg, true));
            if !s.ends_with('\n') && !s.is_empty() {
                s.push('\n');
            }
        } else {
            s.push_str(&proto::to_json_string(&msg, &opts, a.pretty)?);
            s.push('\n');
        }
    }
    write_out(out, s.as_bytes())
}

fn missing_type(schema: &Schema) -> String {
    let names: Vec<String> = schema
        .message_types()
        .into_iter()
        .filter(|t| !t.well_known)
        .map(|t| t.name)
        .take(8)
        .collect();
    format!(
        "say which message type with --type T (this schema has: {}); `sockpit proto detect` can guess",
        names.join(", ")
    )
}

fn json_text(v: &serde_json::Value, pretty: bool) -> Result<String, Failure> {
    if pretty {
        serde_json::to_string_pretty(v)
    } else {
        serde_json::to_string(v)
    }
    .map_err(|e| failure(e.to_string()))
}

fn encode(a: EncodeArgs, out: &mut Out<'_>) -> Result<(), Failure> {
    let framing = parse_framing(&a.framing)?;
    if matches!(a.output, ByteFormat::Binary) && std::io::stdout().is_terminal() {
        return Err(usage(
            "refusing to write binary to a terminal: redirect stdout, or use --out hex or --out base64",
        ));
    }
    let schema = a.schema.load()?;
    let desc = schema.message(&a.type_name)?;
    let input = String::from_utf8(read_stdin()?)
        .map_err(|_| failure("stdin is not UTF-8 text; encode reads JSON or text format"))?;
    let docs: Vec<&str> = if a.text {
        vec![input.as_str()]
    } else {
        json_documents(&input)
    };
    if docs.len() > 1 && matches!(framing, Framing::None | Framing::TypeByte { .. }) {
        return Err(failure(format!(
            "stdin holds {} JSON documents, but framing '{framing}' carries one message: use --framing varint or grpc",
            docs.len()
        )));
    }
    let mut bytes = Vec::new();
    for doc in docs {
        let msg = if a.text {
            proto::from_text(&desc, doc)?
        } else {
            proto::from_json(&desc, doc)?
        };
        bytes.extend(framing.wrap(&proto::encode(&msg), Some(desc.full_name()))?);
    }
    match a.output {
        ByteFormat::Binary => write_out(out, &bytes),
        ByteFormat::Hex => write_out(out, format!("{}\n", hex::encode(&bytes)).as_bytes()),
        ByteFormat::Base64 => {
            let b = base64::engine::general_purpose::STANDARD.encode(&bytes);
            write_out(out, format!("{b}\n").as_bytes())
        }
    }
}

/// Splits text into its top-level JSON documents (whitespace-separated). Text that does not
/// split cleanly is returned whole, so that the parser reports the error with its position.
fn json_documents(input: &str) -> Vec<&str> {
    let mut docs = Vec::new();
    let mut stream = serde_json::Deserializer::from_str(input).into_iter::<serde_json::Value>();
    let mut start = 0;
    loop {
        match stream.next() {
            None => break,
            Some(Ok(_)) => {
                let end = stream.byte_offset();
                docs.push(input[start..end].trim());
                start = end;
            }
            Some(Err(_)) => return vec![input],
        }
    }
    if docs.is_empty() {
        vec![input]
    } else {
        docs
    }
}

fn skeleton(a: SkeletonArgs, out: &mut Out<'_>) -> Result<(), Failure> {
    let schema = a.schema.load()?;
    let desc = schema.message(&a.type_name)?;
    let sk = proto::skeleton(&desc, a.proto_names, proto::DEFAULT_SKELETON_DEPTH);
    if a.json {
        let j = serde_json::json!({"type": sk.type_name, "skeleton": sk.json, "notes": sk.notes});
        return write_out(out, format!("{j}\n").as_bytes());
    }
    for note in &sk.notes {
        eprintln!("note: {note}");
    }
    write_out(out, format!("{}\n", sk.text).as_bytes())
}

fn detect(a: DetectArgs, out: &mut Out<'_>) -> Result<(), Failure> {
    let schema = a.schema.load()?;
    let bytes = read_bytes(a.input)?;
    let found = proto::detect_types(&schema, &bytes, a.limit);
    if a.json {
        let s = serde_json::to_string(&found).map_err(|e| failure(e.to_string()))?;
        return write_out(out, format!("{s}\n").as_bytes());
    }
    if found.is_empty() {
        return Err(failure(
            "no message type in the schema decodes these bytes cleanly (try `decode --raw`, or a framing)",
        ));
    }
    let mut s = String::new();
    for c in found {
        s.push_str(&format!("{}\t{}\n", c.score, c.type_name));
    }
    write_out(out, s.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_json_documents() {
        assert_eq!(
            json_documents("{\"a\":1}\n{\"a\":2}\n"),
            ["{\"a\":1}", "{\"a\":2}"]
        );
        assert_eq!(json_documents(" {} "), ["{}"]);
        assert_eq!(json_documents("{\"a\": }"), ["{\"a\": }"]);
        assert_eq!(json_documents(""), [""]);
    }
}
