//! Turning what a user typed (hex, base64, a file) into the bytes of a binary message.

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
}

impl PayloadError {
    pub fn code(&self) -> &'static str {
        match self {
            PayloadError::InvalidHex { .. } | PayloadError::OddHex { .. } => "payload.invalid_hex",
            PayloadError::InvalidBase64(_) => "payload.invalid_base64",
            PayloadError::File { .. } => "payload.file",
        }
    }
}

/// Parses hex such as `de ad be ef`, `0xDEADBEEF` or `de:ad:be:ef`.
pub fn parse_hex(input: &str) -> Result<Bytes, PayloadError> {
    let s = input.trim();
    let s = s
        .strip_prefix("0x")
        .or_else(|| s.strip_prefix("0X"))
        .unwrap_or(s);
    let mut out = Vec::with_capacity(s.len() / 2);
    let mut high: Option<u8> = None;
    let mut digits = 0;
    for (i, c) in s.chars().enumerate() {
        if c.is_whitespace() || c == ':' || c == '-' || c == ',' {
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

    #[test]
    fn base64_forms() {
        assert_eq!(&parse_base64("aGVsbG8=").unwrap()[..], b"hello");
        assert_eq!(&parse_base64("aGVsbG8").unwrap()[..], b"hello");
        assert_eq!(&parse_base64("_-8").unwrap()[..], &[0xff, 0xef]);
        let e = parse_base64("***").unwrap_err();
        assert_eq!(e.code(), "payload.invalid_base64");
    }
}
