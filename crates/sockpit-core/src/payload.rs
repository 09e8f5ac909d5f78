//! Turning what a user typed (hex, base64, a file) into the bytes of a binary message, and the
//! errors of every message encoding (`crate::message::encode_message` uses these). The UI's early
//! hex check follows the same rule (`tests/data/hex-rule.json` holds the cases both suites read).

use std::path::Path;

use base64::Engine;
use bytes::Bytes;

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum PayloadError {
    #[error(
        "invalid hex at character {position}: '{found}' (use pairs of 0-9a-f, spaces allowed)"
    )]
    InvalidHex { position: usize, found: char },
    #[error("hex has an odd number of digits ({digits}): every byte needs two")]
    OddHex { digits: usize },
    #[error("invalid base64: {0}")]
    InvalidBase64(String),
    #[error("cannot read {path}: {reason}")]
    File { path: String, reason: String },
    #[error("invalid JSON: {0}")]
    InvalidJson(String),
    #[error(
        "no protobuf send type: load a .proto file (or set settings.proto) and choose a type first"
    )]
    NoProtoType,
    #[error("{message}")]
    Proto { code: &'static str, message: String },
}

impl PayloadError {
    pub fn code(&self) -> &'static str {
        match self {
            PayloadError::InvalidHex { .. } | PayloadError::OddHex { .. } => "payload.invalid_hex",
            PayloadError::InvalidBase64(_) => "payload.invalid_base64",
            PayloadError::File { .. } => "payload.file",
            PayloadError::InvalidJson(_) => "payload.invalid_json",
            PayloadError::NoProtoType => "payload.no_proto_type",
            PayloadError::Proto { code, .. } => code,
        }
    }
}

/// Whether `c` separates hex bytes (`de ad`, `de:ad`, `de-ad`, `de,ad`).
fn hex_separator(c: char) -> bool {
    c.is_whitespace() || c == ':' || c == '-' || c == ','
}

/// Parses hex such as `de ad be ef`, `0xDEADBEEF`, `0x01 0x02` or `de:ad:be:ef`: a `0x` prefix
/// is allowed at the start of every group (after a separator), nowhere else.
pub fn parse_hex(input: &str) -> Result<Bytes, PayloadError> {
    let s = input.trim();
    let mut out = Vec::with_capacity(s.len() / 2);
    let mut high: Option<u8> = None;
    let mut digits = 0;
    let chars: Vec<char> = s.chars().collect();
    let mut skip = 0;
    for (i, &c) in chars.iter().enumerate() {
        if skip > 0 {
            skip -= 1;
            continue;
        }
        if hex_separator(c) {
            continue;
        }
        let group_start = i == 0 || hex_separator(chars[i - 1]);
        if group_start && c == '0' && matches!(chars.get(i + 1), Some('x' | 'X')) {
            skip = 1;
            continue;
        }
        let v = c.to_digit(16).ok_or(PayloadError::InvalidHex {
            position: i + 1,
            found: c,
        })? as u8;
        digits += 1;
        match high.take() {
            Some(h) => out.push(h << 4 | v),
            None => high = Some(v),
        }
    }
    if high.is_some() {
        return Err(PayloadError::OddHex { digits });
    }
    Ok(Bytes::from(out))
}

/// Parses standard or URL-safe base64, with or without padding.
pub fn parse_base64(input: &str) -> Result<Bytes, PayloadError> {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    let s: String = input.chars().filter(|c| !c.is_whitespace()).collect();
    let engines = [&STANDARD, &STANDARD_NO_PAD, &URL_SAFE, &URL_SAFE_NO_PAD];
    let mut first_err = None;
    for e in engines {
        match e.decode(&s) {
            Ok(v) => return Ok(Bytes::from(v)),
            Err(err) => {
                first_err.get_or_insert(err);
            }
        }
    }
    Err(PayloadError::InvalidBase64(
        first_err.map(|e| e.to_string()).unwrap_or_default(),
    ))
}

pub fn read_file(path: &Path) -> Result<Bytes, PayloadError> {
    std::fs::read(path)
        .map(Bytes::from)
        .map_err(|e| PayloadError::File {
            path: path.display().to_string(),
            reason: e.to_string(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_forms() {
        assert_eq!(
            &parse_hex("de ad BE ef").unwrap()[..],
            &[0xde, 0xad, 0xbe, 0xef]
        );
        assert_eq!(&parse_hex("0x0102").unwrap()[..], &[1, 2]);
        assert_eq!(&parse_hex("01:02-03").unwrap()[..], &[1, 2, 3]);
        assert!(parse_hex("").unwrap().is_empty());
        assert_eq!(
            parse_hex("0g").unwrap_err(),
            PayloadError::InvalidHex {
                position: 2,
                found: 'g'
            }
        );
        assert_eq!(
            parse_hex("abc").unwrap_err(),
            PayloadError::OddHex { digits: 3 }
        );
    }

    /// The cases the UI's composer check (`ui/src/lib/composer.test.ts`) reads too: one verdict each.
    #[test]
    fn hex_rule_table_matches_the_ui() {
        let table: serde_json::Value =
            serde_json::from_str(include_str!("../../../tests/data/hex-rule.json")).unwrap();
        let cases = table["cases"].as_array().unwrap();
        assert!(cases.len() >= 5);
        for c in cases {
            let input = c["input"].as_str().unwrap();
            let got = parse_hex(input);
            match c["bytes"].as_str() {
                Some(want) => assert_eq!(
                    got.as_deref().map(hex::encode).as_deref(),
                    Ok(want),
                    "{input:?}"
                ),
                None => assert!(got.is_err(), "{input:?} should be refused"),
            }
        }
    }

    #[test]
    fn base64_forms() {
        assert_eq!(&parse_base64("aGVsbG8=").unwrap()[..], b"hello");
        assert_eq!(&parse_base64("aGVsbG8").unwrap()[..], b"hello");
        assert_eq!(&parse_base64("_-8").unwrap()[..], &[0xff, 0xef]);
        let e = parse_base64("***").unwrap_err();
        assert_eq!(e.code(), "payload.invalid_base64");
    }
}
