//! permessage-deflate offer parameters written as text (`client_no_context_takeover;
//! server_max_window_bits=10`), as the CLI's `--deflate` and the window's Settings tab take them.

use super::DeflateConfig;

/// Parses `;`-separated RFC 7692 parameters into an offer; empty text is the default offer.
pub fn parse_deflate_params(params: &str) -> Result<DeflateConfig, String> {
    let mut d = DeflateConfig::default();
    for p in params.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let (key, value) = match p.split_once('=') {
            Some((k, v)) => (k.trim(), Some(v.trim())),
            None => (p, None),
        };
        let bits = || -> Result<u8, String> {
            value
                .and_then(|v| v.parse().ok())
                .filter(|b| (8..=15).contains(b))
                .ok_or_else(|| format!("'{p}' needs a window size from 8 to 15"))
        };
        match key {
            "client_no_context_takeover" => d.client_no_context_takeover = true,
            "server_no_context_takeover" => d.server_no_context_takeover = true,
            "client_max_window_bits" => d.client_max_window_bits = Some(bits()?),
            "server_max_window_bits" => d.server_max_window_bits = Some(bits()?),
            other => {
                return Err(format!(
                    "unknown parameter '{other}' (use client_no_context_takeover, \
                     server_no_context_takeover, client_max_window_bits=N, server_max_window_bits=N)"
                ))
            }
        }
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_refuses() {
        let d = parse_deflate_params("client_no_context_takeover; server_max_window_bits=10")
            .expect("valid");
        assert!(d.client_no_context_takeover);
        assert_eq!(d.server_max_window_bits, Some(10));
        assert!(parse_deflate_params("server_max_window_bits=99").is_err());
        assert!(parse_deflate_params("bogus").is_err());
    }
}
