//! The STOMP frame codec: pure functions over bytes ([`parse`], [`serialize`]), no state, no I/O,
//! never a panic on any input (a fuzz target can call [`parse`] directly).
//!
//! A frame is `COMMAND EOL (header EOL)* EOL body NUL`. The body ends at `content-length` bytes
//! when that header is present (so it may hold NULs), else at the first NUL. EOLs between frames
//! are heart-beats. Header escaping follows the version: none in 1.0; `\\`, `\n`, `\c` in 1.1;
//! also `\r` in 1.2. `CONNECT`, `STOMP` and `CONNECTED` frames are never escaped. A CR before an LF
//! ends a line in 1.2 only (and before the version is known).

use std::fmt;

/// A STOMP protocol version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Version {
    V10,
    V11,
    V12,
}

impl Version {
    /// All versions, newest first.
    pub const ALL: [Version; 3] = [Version::V12, Version::V11, Version::V10];

    /// `1.0`, `1.1`, `1.2`.
    pub fn as_str(self) -> &'static str {
        match self {
            Version::V10 => "1.0",
            Version::V11 => "1.1",
            Version::V12 => "1.2",
        }
    }

    /// The WebSocket subprotocol: `v10.stomp`, `v11.stomp`, `v12.stomp`.
    pub fn subprotocol(self) -> &'static str {
        match self {
            Version::V10 => "v10.stomp",
            Version::V11 => "v11.stomp",
            Version::V12 => "v12.stomp",
        }
    }

    /// `1.0`/`1.1`/`1.2`, or a subprotocol name.
    pub fn parse(s: &str) -> Option<Version> {
        match s.trim() {
            "1.0" | "v10.stomp" => Some(Version::V10),
            "1.1" | "v11.stomp" => Some(Version::V11),
            "1.2" | "v12.stomp" => Some(Version::V12),
            _ => None,
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One STOMP frame. Headers keep their order and repeats (the first of a name counts).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Frame {
    pub command: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Frame {
    pub fn new(command: impl Into<String>) -> Frame {
        Frame {
            command: command.into(),
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// Adds a header (builder style).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Frame {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The first value of header `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// What [`parse`] found at the start of a buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// An EOL between frames.
    Heartbeat,
    Frame(Frame),
}

/// A frame that cannot be read; `code` is stable (`stomp.malformed_frame`, `stomp.bad_header`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameError {
    pub code: &'static str,
    pub message: String,
}

fn malformed(message: impl Into<String>) -> FrameError {
    FrameError {
        code: "stomp.malformed_frame",
        message: message.into(),
    }
}

fn bad_header(message: impl Into<String>) -> FrameError {
    FrameError {
        code: "stomp.bad_header",
        message: message.into(),
    }
}

/// Whether headers of `command` are escaped in `version`.
fn escaped(version: Version, command: &str) -> bool {
    version != Version::V10 && !matches!(command, "CONNECT" | "STOMP" | "CONNECTED")
}

/// At most this many bytes of a frame are quoted in an error.
const QUOTE: usize = 60;

/// A short printable quote of `bytes`.
pub fn quote(bytes: &[u8]) -> String {
    let cut = &bytes[..bytes.len().min(QUOTE)];
    let mut s = String::from_utf8_lossy(cut).escape_debug().to_string();
    if bytes.len() > QUOTE {
        s.push('…');
    }
    s
}

/// Reads one item at the start of `buf`: `None` when `buf` holds no complete item yet (more bytes
/// are needed), else the item or why it cannot be read, and how many bytes it took (always > 0;
/// after an error, the bytes up to and including the frame's NUL, or all of `buf`).
pub fn parse(buf: &[u8], version: Version) -> Option<(Result<Item, FrameError>, usize)> {
    match buf.first()? {
        b'\n' => return Some((Ok(Item::Heartbeat), 1)),
        b'\r' => {
            return match buf.get(1)? {
                b'\n' => Some((Ok(Item::Heartbeat), 2)),
                _ => Some((Err(malformed("a CR not followed by LF between frames")), 1)),
            }
        }
        _ => {}
    }
    // Header block: up to the first empty line.
    let mut lines: Vec<&[u8]> = Vec::new();
    let mut pos = 0;
    let body_start = loop {
        let Some(nl) = buf[pos..].iter().position(|&b| b == b'\n') else {
            // No end of the header block yet; a NUL before it means the frame ended early.
            return buf[pos..].iter().position(|&b| b == 0).map(|z| {
                (
                    Err(malformed(format!(
                        "a frame ended (NUL) inside its headers: {}",
                        quote(&buf[..pos + z])
                    ))),
                    pos + z + 1,
                )
            });
        };
        let mut line = &buf[pos..pos + nl];
        let strip_cr = version == Version::V12 || lines.is_empty();
        if strip_cr {
            if let Some(l) = line.strip_suffix(b"\r") {
                line = l;
            }
        }
        if let Some(z) = line.iter().position(|&b| b == 0) {
            return Some((
                Err(malformed(format!(
                    "a frame ended (NUL) inside its headers: {}",
                    quote(&buf[..pos + z])
                ))),
                pos + z + 1,
            ));
        }
        pos += nl + 1;
        if (line.is_empty() || line == b"\r") && !lines.is_empty() {
            break pos;
        }
        lines.push(line);
    };
    // Where the frame ends, so an error can skip it.
    let skip_to_nul = |from: usize| {
        buf[from..]
            .iter()
            .position(|&b| b == 0)
            .map(|z| from + z + 1)
    };
    let command_raw = lines[0];
    let command = match std::str::from_utf8(command_raw) {
        Ok(c) if !c.is_empty() && c.bytes().all(|b| b.is_ascii_uppercase()) => c.to_string(),
        _ => {
            let end = skip_to_nul(body_start)?;
            return Some((
                Err(malformed(format!(
                    "not a STOMP command line: {}",
                    quote(command_raw)
                ))),
                end,
            ));
        }
    };
    let esc = escaped(version, &command);
    let mut headers = Vec::with_capacity(lines.len() - 1);
    let mut header_error = None;
    for line in &lines[1..] {
        match header(line, version, esc) {
            Ok(h) => headers.push(h),
            Err(e) => {
                header_error.get_or_insert(e);
            }
        }
    }
    let length = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .map(|(_, v)| v.trim().parse::<usize>().map_err(|_| v.clone()));
    let (body, end) = match length {
        Some(Ok(n)) => {
            let Some(stop) = body_start.checked_add(n) else {
                return Some((Err(bad_header("content-length too large")), buf.len()));
            };
            if buf.len() <= stop {
                return None;
            }
            if buf[stop] != 0 {
                let end = skip_to_nul(stop).unwrap_or(buf.len());
                return Some((
                    Err(malformed(format!(
                        "{command}: no NUL after the {n} body bytes content-length announced"
                    ))),
                    end,
                ));
            }
            (buf[body_start..stop].to_vec(), stop + 1)
        }
        Some(Err(v)) => {
            let end = skip_to_nul(body_start)?;
            return Some((
                Err(bad_header(format!(
                    "{command}: content-length is not a number: {}",
                    quote(v.as_bytes())
                ))),
                end,
            ));
        }
        None => {
            let end = skip_to_nul(body_start)?;
            (buf[body_start..end - 1].to_vec(), end)
        }
    };
    if let Some(e) = header_error {
        return Some((Err(e), end));
    }
    Some((
        Ok(Item::Frame(Frame {
            command,
            headers,
            body,
        })),
        end,
    ))
}

fn header(line: &[u8], version: Version, esc: bool) -> Result<(String, String), FrameError> {
    let text = std::str::from_utf8(line)
        .map_err(|_| bad_header(format!("a header is not UTF-8: {}", quote(line))))?;
    let (name, value) = text.split_once(':').ok_or_else(|| {
        bad_header(format!(
            "a header line without ':': {}",
            quote(text.as_bytes())
        ))
    })?;
    if !esc {
        return Ok((name.to_string(), value.to_string()));
    }
    Ok((unescape(name, version)?, unescape(value, version)?))
}

fn unescape(s: &str, version: Version) -> Result<String, FrameError> {
    if !s.contains('\\') {
        return Ok(s.to_string());
    }
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match it.next() {
            Some('n') => out.push('\n'),
            Some('c') => out.push(':'),
            Some('\\') => out.push('\\'),
            Some('r') if version == Version::V12 => out.push('\r'),
            other => {
                return Err(bad_header(format!(
                    "an undefined escape '\\{}' in a STOMP {version} header: {}",
                    other.map(String::from).unwrap_or_default(),
                    quote(s.as_bytes())
                )))
            }
        }
    }
    Ok(out)
}

fn escape(s: &str, version: Version, out: &mut Vec<u8>) {
    for c in s.chars() {
        match c {
            '\\' => out.extend_from_slice(b"\\\\"),
            '\n' => out.extend_from_slice(b"\\n"),
            ':' => out.extend_from_slice(b"\\c"),
            '\r' if version == Version::V12 => out.extend_from_slice(b"\\r"),
            c => {
                let mut b = [0; 4];
                out.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
            }
        }
    }
}

/// Why a header cannot be written in a version (`None` when it can): 1.0 and unescaped frames
/// cannot carry an LF in a header, nor a ':' in a name; unescaped 1.2 frames no CR at the end of a
/// value (it would read as part of a CRLF line end); 1.1 cannot carry a CR.
pub fn unwritable(command: &str, name: &str, value: &str, version: Version) -> Option<String> {
    let what = if escaped(version, command) {
        if version == Version::V11 && (name.contains('\r') || value.contains('\r')) {
            Some("a CR (STOMP 1.1 cannot escape it)")
        } else {
            None
        }
    } else if name.contains('\n') || value.contains('\n') {
        Some("a line break (not escaped in this frame/version)")
    } else if name.contains(':') {
        Some("a ':' in its name (not escaped in this frame/version)")
    } else if version == Version::V12 && value.ends_with('\r') {
        Some("a CR at the end of its value (not escaped in this frame/version)")
    } else {
        None
    };
    what.map(|w| format!("{command} header '{}' holds {w}", name.escape_debug()))
}

/// The bytes of `frame` in `version` (headers escaped as that version and command require; no
/// header is added: the caller sets `content-length`).
pub fn serialize(frame: &Frame, version: Version) -> Vec<u8> {
    let esc = escaped(version, &frame.command);
    let mut out = Vec::with_capacity(frame.command.len() + frame.body.len() + 64);
    out.extend_from_slice(frame.command.as_bytes());
    out.push(b'\n');
    for (k, v) in &frame.headers {
        if esc {
            escape(k, version, &mut out);
            out.push(b':');
            escape(v, version, &mut out);
        } else {
            out.extend_from_slice(k.as_bytes());
            out.push(b':');
            out.extend_from_slice(v.as_bytes());
        }
        out.push(b'\n');
    }
    out.push(b'\n');
    out.extend_from_slice(&frame.body);
    out.push(0);
    out
}

/// Whether `data` starts like a frame: a command line (`A-Z` letters) and an EOL.
pub fn starts_like_frame(data: &[u8]) -> bool {
    let word = data.iter().take_while(|b| b.is_ascii_uppercase()).count();
    word > 0 && matches!(&data[word..], [b'\n', ..] | [b'\r', b'\n', ..])
}
