//! The Engine.IO (v3, v4) and Socket.IO (v2 = EIO3; v3/v4 = EIO4) packet codec: text and binary
//! frames, polling payloads, namespaces, ack ids and binary attachments (placeholders resolved both
//! ways). Pure functions; bad input is an `Err` with a message, never a panic.

use base64::Engine as _;
use bytes::Bytes;
use serde_json::Value;

/// An Engine.IO packet type (the first character of a text frame).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EioType {
    Open,
    Close,
    Ping,
    Pong,
    Message,
    Upgrade,
    Noop,
}

impl EioType {
    fn from_char(c: u8) -> Option<EioType> {
        Some(match c {
            b'0' => EioType::Open,
            b'1' => EioType::Close,
            b'2' => EioType::Ping,
            b'3' => EioType::Pong,
            b'4' => EioType::Message,
            b'5' => EioType::Upgrade,
            b'6' => EioType::Noop,
            _ => return None,
        })
    }
}

/// One decoded Engine.IO packet.
#[derive(Debug, Clone, PartialEq)]
pub enum EioPacket {
    /// A text packet: its type and the rest of the frame.
    Text(EioType, String),
    /// A binary message (a Socket.IO attachment).
    Binary(Bytes),
}

/// Decodes a text frame (`4...`, `2`, `0{...}`).
pub fn decode_eio_text(s: &str) -> Result<EioPacket, String> {
    let Some(&first) = s.as_bytes().first() else {
        return Err("an empty Engine.IO packet".into());
    };
    let ty = EioType::from_char(first)
        .ok_or_else(|| format!("unknown Engine.IO packet type {:?}", first as char))?;
    Ok(EioPacket::Text(ty, s[1..].to_string()))
}

/// Decodes a binary frame: EIO4 sends attachments as they are, EIO3 behind a type byte 4.
pub fn decode_eio_binary(eio: u8, data: &Bytes) -> Result<EioPacket, String> {
    if eio >= 4 {
        return Ok(EioPacket::Binary(data.clone()));
    }
    match data.first() {
        Some(4) => Ok(EioPacket::Binary(data.slice(1..))),
        Some(t) => Err(format!(
            "an Engine.IO 3 binary frame of type {t}, not a message (4)"
        )),
        None => Err("an empty Engine.IO binary frame".into()),
    }
}

/// An attachment as a binary frame for `eio`.
pub fn encode_eio_binary(eio: u8, data: &[u8]) -> Bytes {
    if eio >= 4 {
        return Bytes::copy_from_slice(data);
    }
    let mut v = Vec::with_capacity(data.len() + 1);
    v.push(4);
    v.extend_from_slice(data);
    Bytes::from(v)
}

/// Splits a polling payload into text packets: EIO4 separates them with `\x1e` (binary ones as
/// `b<base64>`); EIO3 prefixes each with its length in characters (`96:0{...}2:40`).
pub fn split_polling_payload(body: &str) -> Result<(u8, Vec<String>), String> {
    let is_eio3 = body
        .find(':')
        .is_some_and(|i| i > 0 && body[..i].bytes().all(|b| b.is_ascii_digit()));
    if !is_eio3 {
        return Ok((4, body.split('\x1e').map(str::to_string).collect()));
    }
    let mut out = Vec::new();
    let mut rest = body;
    while !rest.is_empty() {
        let colon = rest
            .find(':')
            .ok_or("an Engine.IO 3 payload without a length prefix")?;
        let n: usize = rest[..colon]
            .parse()
            .map_err(|_| format!("an Engine.IO 3 payload length {:?}", &rest[..colon]))?;
        let after = &rest[colon + 1..];
        // The length counts characters (UTF-16 units in JavaScript; chars are close enough).
        let end = after
            .char_indices()
            .nth(n)
            .map(|(i, _)| i)
            .unwrap_or(after.len());
        if after[..end].chars().count() < n {
            return Err(format!(
                "an Engine.IO 3 payload cut short (wanted {n} characters)"
            ));
        }
        out.push(after[..end].to_string());
        rest = &after[end..];
    }
    Ok((3, out))
}

/// The Engine.IO open packet's fields.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenInfo {
    pub sid: String,
    pub upgrades: Vec<String>,
    pub ping_interval_ms: u64,
    pub ping_timeout_ms: u64,
    /// Only EIO4 servers send it: its absence marks an EIO3 server.
    pub max_payload: Option<u64>,
}

/// Parses the JSON after `0`.
pub fn parse_open(json: &str) -> Result<OpenInfo, String> {
    let v: Value = serde_json::from_str(json)
        .map_err(|e| format!("the Engine.IO open packet is not JSON ({e}): {json:?}"))?;
    let sid = v
        .get("sid")
        .and_then(Value::as_str)
        .ok_or_else(|| format!("the Engine.IO open packet has no \"sid\": {json}"))?;
    let num = |k: &str| v.get(k).and_then(Value::as_u64);
    Ok(OpenInfo {
        sid: sid.to_string(),
        upgrades: v
            .get("upgrades")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|u| u.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default(),
        ping_interval_ms: num("pingInterval").unwrap_or(25_000),
        ping_timeout_ms: num("pingTimeout").unwrap_or(20_000),
        max_payload: num("maxPayload"),
    })
}

/// A Socket.IO packet type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SioType {
    Connect,
    Disconnect,
    Event,
    Ack,
    ConnectError,
    BinaryEvent,
    BinaryAck,
}

impl SioType {
    fn from_char(c: u8) -> Option<SioType> {
        Some(match c {
            b'0' => SioType::Connect,
            b'1' => SioType::Disconnect,
            b'2' => SioType::Event,
            b'3' => SioType::Ack,
            b'4' => SioType::ConnectError,
            b'5' => SioType::BinaryEvent,
            b'6' => SioType::BinaryAck,
            _ => return None,
        })
    }

    fn digit(self) -> char {
        match self {
            SioType::Connect => '0',
            SioType::Disconnect => '1',
            SioType::Event => '2',
            SioType::Ack => '3',
            SioType::ConnectError => '4',
            SioType::BinaryEvent => '5',
            SioType::BinaryAck => '6',
        }
    }
}

/// A Socket.IO packet (the payload of an Engine.IO message), before attachments are resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct SioPacket {
    pub ty: SioType,
    pub namespace: String,
    /// For v2 connects: the namespace's query (`/nsp?token=1`).
    pub query: Option<String>,
    pub id: Option<u64>,
    pub data: Option<Value>,
    /// How many binary attachments follow (binary events and acks).
    pub attachments: usize,
}

/// Decodes `2/chat,7["msg",1]`, `51-["up",{"_placeholder":true,"num":0}]`, `40{"sid":"x"}`...
pub fn decode_sio(s: &str) -> Result<SioPacket, String> {
    let b = s.as_bytes();
    let Some(&first) = b.first() else {
        return Err("an empty Socket.IO packet".into());
    };
    let ty = SioType::from_char(first)
        .ok_or_else(|| format!("unknown Socket.IO packet type {:?}", first as char))?;
    let mut i = 1;
    let mut attachments = 0;
    if matches!(ty, SioType::BinaryEvent | SioType::BinaryAck) {
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start || b.get(i) != Some(&b'-') {
            return Err("a binary Socket.IO packet without its attachment count (`N-`)".into());
        }
        attachments = s[start..i]
            .parse()
            .map_err(|_| "an attachment count out of range".to_string())?;
        if attachments > 10_000 {
            return Err(format!(
                "{attachments} attachments announced (at most 10000)"
            ));
        }
        i += 1;
    }
    let mut namespace = "/".to_string();
    let mut query = None;
    if b.get(i) == Some(&b'/') {
        let end = s[i..].find(',').map(|k| i + k).unwrap_or(b.len());
        let nsp = &s[i..end];
        match nsp.split_once('?') {
            Some((n, q)) => {
                namespace = n.to_string();
                query = Some(q.to_string());
            }
            None => namespace = nsp.to_string(),
        }
        i = (end + 1).min(b.len());
    }
    let start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let id = if i > start {
        Some(
            s[start..i]
                .parse()
                .map_err(|_| format!("an ack id out of range: {}", &s[start..i]))?,
        )
    } else {
        None
    };
    let rest = &s[i..];
    let data = if rest.is_empty() {
        None
    } else {
        Some(
            serde_json::from_str::<Value>(rest)
                .map_err(|e| format!("the packet's data is not JSON ({e}): {rest:?}"))?,
        )
    };
    let p = SioPacket {
        ty,
        namespace,
        query,
        id,
        data,
        attachments,
    };
    check_shape(&p)?;
    Ok(p)
}

fn check_shape(p: &SioPacket) -> Result<(), String> {
    match p.ty {
        SioType::Event | SioType::BinaryEvent => match &p.data {
            Some(Value::Array(a)) if a.first().is_some_and(Value::is_string) => Ok(()),
            _ => Err("an event without a [\"name\", ...args] array".into()),
        },
        SioType::Ack | SioType::BinaryAck => match (&p.data, p.id) {
            (Some(Value::Array(_)), Some(_)) => Ok(()),
            (_, None) => Err("an ack without an id".into()),
            _ => Err("an ack whose data is not an array".into()),
        },
        _ => Ok(()),
    }
}

/// Encodes a packet; in events and acks, binary data in `data` (`{"_binary_b64":"..."}`) becomes
/// placeholders, and the attachments are returned to be sent after the text frame, in order. Other
/// packets cannot carry attachments: their data is written as it is.
pub fn encode_sio(
    ty: SioType,
    namespace: &str,
    query: Option<&str>,
    id: Option<u64>,
    data: Option<&Value>,
) -> (String, Vec<Vec<u8>>) {
    let mut attachments = Vec::new();
    let binary_capable = matches!(
        ty,
        SioType::Event | SioType::Ack | SioType::BinaryEvent | SioType::BinaryAck
    );
    let data = data.map(|d| {
        if binary_capable {
            deconstruct(d, &mut attachments)
        } else {
            d.clone()
        }
    });
    let ty = match ty {
        SioType::Event if !attachments.is_empty() => SioType::BinaryEvent,
        SioType::Ack if !attachments.is_empty() => SioType::BinaryAck,
        t => t,
    };
    let mut s = String::new();
    s.push(ty.digit());
    if matches!(ty, SioType::BinaryEvent | SioType::BinaryAck) {
        s.push_str(&format!("{}-", attachments.len()));
    }
    let mut nsp_written = false;
    if namespace != "/" && !namespace.is_empty() {
        s.push_str(namespace);
        nsp_written = true;
    }
    if let Some(q) = query.filter(|q| !q.is_empty()) {
        if !nsp_written {
            s.push('/');
        }
        s.push('?');
        s.push_str(q);
        nsp_written = true;
    }
    if nsp_written {
        s.push(',');
    }
    if let Some(id) = id {
        s.push_str(&id.to_string());
    }
    if let Some(d) = data {
        s.push_str(&d.to_string());
    }
    (s, attachments)
}

/// The key that marks binary data in JSON args (`{"_binary_b64":"..."}`).
pub const BINARY_KEY: &str = "_binary_b64";

fn binary_b64(v: &Value) -> Option<Vec<u8>> {
    let o = v.as_object()?;
    if o.len() != 1 {
        return None;
    }
    base64::engine::general_purpose::STANDARD
        .decode(o.get(BINARY_KEY)?.as_str()?)
        .ok()
}

fn deconstruct(v: &Value, out: &mut Vec<Vec<u8>>) -> Value {
    if let Some(bin) = binary_b64(v) {
        let num = out.len();
        out.push(bin);
        return serde_json::json!({"_placeholder": true, "num": num});
    }
    match v {
        Value::Array(a) => Value::Array(a.iter().map(|x| deconstruct(x, out)).collect()),
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, x)| (k.clone(), deconstruct(x, out)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Puts the attachments back where their placeholders are, as `{"_binary_b64":"..."}`.
pub fn reconstruct(mut v: Value, attachments: &[Bytes]) -> Result<Value, String> {
    fill_placeholders(&mut v, attachments)?;
    Ok(v)
}

/// [`reconstruct`] in place: only placeholders are replaced, so a packet without any (every text
/// event) is walked once and never rebuilt.
fn fill_placeholders(v: &mut Value, attachments: &[Bytes]) -> Result<(), String> {
    match v {
        Value::Object(o)
            if o.get("_placeholder") == Some(&Value::Bool(true)) && o.contains_key("num") =>
        {
            let num = o
                .get("num")
                .and_then(Value::as_u64)
                .ok_or("a placeholder without a number")?;
            let data = usize::try_from(num)
                .ok()
                .and_then(|n| attachments.get(n))
                .ok_or_else(|| {
                    format!(
                        "placeholder {num} has no attachment ({} came)",
                        attachments.len()
                    )
                })?;
            let b64 = base64::engine::general_purpose::STANDARD.encode(data);
            *v = serde_json::json!({ BINARY_KEY: b64 });
            Ok(())
        }
        Value::Array(a) => a
            .iter_mut()
            .try_for_each(|x| fill_placeholders(x, attachments)),
        Value::Object(o) => o
            .values_mut()
            .try_for_each(|x| fill_placeholders(x, attachments)),
        _ => Ok(()),
    }
}
