//! permessage-deflate (RFC 7692): the offer, validation of the server's answer, and the codecs.

use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};

/// What we offer. The default matches browsers: `permessage-deflate; client_max_window_bits`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeflateConfig {
    /// Ask the server to let us reset our compression context after every message.
    pub client_no_context_takeover: bool,
    /// Ask the server to reset its compression context after every message.
    pub server_no_context_takeover: bool,
    /// Our LZ77 window (8-15); `None` offers the bare parameter: "the server may pick".
    pub client_max_window_bits: Option<u8>,
    /// The server's LZ77 window limit (8-15); `None` offers nothing (15).
    pub server_max_window_bits: Option<u8>,
}

impl DeflateConfig {
    pub fn validate(&self) -> Result<(), String> {
        for (name, v) in [
            ("client_max_window_bits", self.client_max_window_bits),
            ("server_max_window_bits", self.server_max_window_bits),
        ] {
            if let Some(bits) = v {
                if !(8..=15).contains(&bits) {
                    return Err(format!("{name} must be between 8 and 15, got {bits}"));
                }
            }
        }
        Ok(())
    }

    /// The `Sec-WebSocket-Extensions` value we send.
    pub fn offer(&self) -> String {
        let mut s = String::from("permessage-deflate");
        if self.client_no_context_takeover {
            s.push_str("; client_no_context_takeover");
        }
        if self.server_no_context_takeover {
            s.push_str("; server_no_context_takeover");
        }
        match self.client_max_window_bits {
            Some(b) => s.push_str(&format!("; client_max_window_bits={b}")),
            None => s.push_str("; client_max_window_bits"),
        }
        if let Some(b) = self.server_max_window_bits {
            s.push_str(&format!("; server_max_window_bits={b}"));
        }
        s
    }
}

/// What was agreed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeflateParams {
    pub client_no_context_takeover: bool,
    pub server_no_context_takeover: bool,
    pub client_max_window_bits: u8,
    pub server_max_window_bits: u8,
}

/// Checks the server's `Sec-WebSocket-Extensions` answer against our offer (RFC 7692 §5, §7.1).
/// `Ok(None)`: the server declined compression.
pub fn negotiate(
    offer: &DeflateConfig,
    response: Option<&str>,
) -> Result<Option<DeflateParams>, String> {
    let Some(response) = response.map(str::trim).filter(|r| !r.is_empty()) else {
        return Ok(None);
    };
    let mut agreed = None;
    for ext in response.split(',') {
        let mut parts = ext.split(';').map(str::trim);
        let name = parts.next().unwrap_or_default();
        if !name.eq_ignore_ascii_case("permessage-deflate") {
            return Err(format!(
                "the server accepted extension '{name}', which was not offered"
            ));
        }
        if agreed.is_some() {
            return Err("the server accepted permessage-deflate twice".into());
        }
        let mut p = DeflateParams {
            client_no_context_takeover: false,
            server_no_context_takeover: false,
            client_max_window_bits: offer.client_max_window_bits.unwrap_or(15),
            server_max_window_bits: 15,
        };
        let mut seen: Vec<String> = Vec::new();
        for param in parts.filter(|s| !s.is_empty()) {
            let (key, value) = match param.split_once('=') {
                Some((k, v)) => (
                    k.trim().to_ascii_lowercase(),
                    Some(v.trim().trim_matches('"')),
                ),
                None => (param.to_ascii_lowercase(), None),
            };
            if seen.contains(&key) {
                return Err(format!("parameter '{key}' appears twice in '{response}'"));
            }
            seen.push(key.clone());
            let bits = |v: Option<&str>| -> Result<u8, String> {
                let v = v.ok_or_else(|| format!("'{key}' needs a value"))?;
                match v.parse::<u8>() {
                    Ok(b) if (8..=15).contains(&b) && !v.starts_with('0') => Ok(b),
                    _ => Err(format!("'{key}={v}' is not a window size from 8 to 15")),
                }
            };
            match key.as_str() {
                "server_no_context_takeover" | "client_no_context_takeover" if value.is_some() => {
                    return Err(format!("'{key}' takes no value, got '{param}'"));
                }
                "server_no_context_takeover" => p.server_no_context_takeover = true,
                "client_no_context_takeover" => p.client_no_context_takeover = true,
                "server_max_window_bits" => {
                    let b = bits(value)?;
                    if let Some(max) = offer.server_max_window_bits {
                        if b > max {
                            return Err(format!(
                                "server_max_window_bits={b} is above the {max} we offered"
                            ));
                        }
                    }
                    p.server_max_window_bits = b;
                }
                "client_max_window_bits" => {
                    let b = bits(value)?;
                    if let Some(max) = offer.client_max_window_bits {
                        if b > max {
                            return Err(format!(
                                "client_max_window_bits={b} is above the {max} we offered"
                            ));
                        }
                    }
                    p.client_max_window_bits = b;
                }
                other => return Err(format!("unknown permessage-deflate parameter '{other}'")),
            }
        }
        if offer.server_no_context_takeover && !p.server_no_context_takeover {
            return Err("the server ignored the server_no_context_takeover we asked for".into());
        }
        if offer.server_max_window_bits.is_some()
            && !seen.iter().any(|k| k == "server_max_window_bits")
        {
            return Err("the server did not answer the server_max_window_bits we asked for".into());
        }
        agreed = Some(p);
    }
    Ok(agreed)
}

const TAIL: [u8; 4] = [0x00, 0x00, 0xff, 0xff];

/// How far past its `limit` one [`Inflater::inflate`] call may leave `out` (one output step), when
/// `out` came in without spare capacity; the fuzz target `deflate` checks it.
pub const INFLATE_OVERSHOOT: usize = 16 * 1024;

/// Inflates the server's compressed messages.
pub struct Inflater {
    d: Decompress,
    reset_each_message: bool,
}

impl Inflater {
    pub fn new(params: &DeflateParams) -> Inflater {
        Inflater {
            // A 15-bit window reads every smaller window too.
            d: Decompress::new_with_window_bits(false, 15),
            reset_each_message: params.server_no_context_takeover,
        }
    }

    /// Inflates one frame's payload (the message's last frame with `fin`) onto `out`, stopping early
    /// once `out` is longer than `limit`.
    pub fn inflate(
        &mut self,
        input: &[u8],
        fin: bool,
        out: &mut Vec<u8>,
        limit: usize,
    ) -> Result<(), String> {
        self.run(input, out, limit)?;
        if fin {
            self.run(&TAIL, out, limit)?;
            if self.reset_each_message {
                self.d.reset(false);
            }
        }
        Ok(())
    }

    fn run(&mut self, input: &[u8], out: &mut Vec<u8>, limit: usize) -> Result<(), String> {
        let mut pos = 0;
        loop {
            if out.len() > limit {
                return Ok(());
            }
            if out.capacity() - out.len() < 16 * 1024 {
                // Grow with the input, doubling, but never past the limit and the overshoot: a bomb
                // stops near it. `reserve` itself may double past the limit, hence `reserve_exact`.
                let want = (64 * 1024)
                    .max(input.len().saturating_sub(pos) * 4)
                    .max(out.capacity())
                    .min(
                        limit
                            .saturating_sub(out.len())
                            .saturating_add(INFLATE_OVERSHOOT),
                    );
                out.reserve_exact(want);
            }
            let (in0, out0) = (self.d.total_in(), self.d.total_out());
            let status = self
                .d
                .decompress_vec(&input[pos..], out, FlushDecompress::Sync)
                .map_err(|e| format!("corrupt compressed data: {e}"))?;
            pos += (self.d.total_in() - in0) as usize;
            let produced = self.d.total_out() - out0;
            if status == Status::StreamEnd {
                // A final block ends this deflate stream; the next data starts a fresh one.
                self.d.reset(false);
                if pos >= input.len() {
                    return Ok(());
                }
                continue;
            }
            let room_left = out.capacity() > out.len();
            if pos >= input.len() && room_left {
                return Ok(());
            }
            if produced == 0 && self.d.total_in() == in0 && room_left {
                return Ok(());
            }
        }
    }
}

/// Deflates our messages.
pub struct Deflater {
    c: Compress,
    reset_each_message: bool,
}

impl Deflater {
    /// `None` when the agreed window cannot be honoured by zlib (8 bits): we then send uncompressed
    /// messages, which RFC 7692 allows.
    pub fn new(params: &DeflateParams) -> Option<Deflater> {
        if params.client_max_window_bits < 9 {
            return None;
        }
        Some(Deflater {
            c: Compress::new_with_window_bits(
                Compression::default(),
                false,
                params.client_max_window_bits,
            ),
            reset_each_message: params.client_no_context_takeover,
        })
    }

    /// Deflates one frame's payload onto `out`; the message's last frame (`fin`) drops the trailing
    /// empty block as RFC 7692 §7.2.1 says.
    pub fn deflate(&mut self, input: &[u8], fin: bool, out: &mut Vec<u8>) -> Result<(), String> {
        let start = out.len();
        let mut pos = 0;
        loop {
            if out.capacity() - out.len() < 1024 {
                out.reserve(input.len() / 2 + 1024);
            }
            let in0 = self.c.total_in();
            self.c
                .compress_vec(&input[pos..], out, FlushCompress::Sync)
                .map_err(|e| format!("compression failed: {e}"))?;
            pos += (self.c.total_in() - in0) as usize;
            // Done when all input is in and the flush fitted (zlib left room in `out`).
            if pos >= input.len() && out.capacity() > out.len() {
                break;
            }
        }
        if fin {
            if out.len() >= start + 4 && out[out.len() - 4..] == TAIL {
                out.truncate(out.len() - 4);
            }
            if out.len() == start {
                // An empty message still needs a deflate block.
                out.push(0x00);
            }
            if self.reset_each_message {
                self.c.reset();
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(ccto: bool, scto: bool, cbits: u8) -> DeflateParams {
        DeflateParams {
            client_no_context_takeover: ccto,
            server_no_context_takeover: scto,
            client_max_window_bits: cbits,
            server_max_window_bits: 15,
        }
    }

    #[test]
    fn offers_like_a_browser_by_default() {
        assert_eq!(
            DeflateConfig::default().offer(),
            "permessage-deflate; client_max_window_bits"
        );
        let c = DeflateConfig {
            client_no_context_takeover: true,
            server_no_context_takeover: true,
            client_max_window_bits: Some(10),
            server_max_window_bits: Some(9),
        };
        assert_eq!(
            c.offer(),
            "permessage-deflate; client_no_context_takeover; server_no_context_takeover; client_max_window_bits=10; server_max_window_bits=9"
        );
        assert!(DeflateConfig {
            server_max_window_bits: Some(7),
            ..Default::default()
        }
        .validate()
        .is_err());
    }

    #[test]
    fn validates_server_answers() {
        let offer = DeflateConfig::default();
        assert_eq!(negotiate(&offer, None).unwrap(), None);
        let ok = negotiate(
            &offer,
            Some("permessage-deflate; server_no_context_takeover; client_max_window_bits=10"),
        )
        .unwrap()
        .unwrap();
        assert!(ok.server_no_context_takeover && !ok.client_no_context_takeover);
        assert_eq!(ok.client_max_window_bits, 10);
        let quoted = negotiate(
            &offer,
            Some("permessage-deflate; server_max_window_bits=\"12\""),
        )
        .unwrap()
        .unwrap();
        assert_eq!(quoted.server_max_window_bits, 12);
        for bad in [
            "x-webkit-deflate-frame",
            "permessage-deflate, permessage-deflate",
            "permessage-deflate; server_max_window_bits=16",
            "permessage-deflate; server_max_window_bits=7",
            "permessage-deflate; server_max_window_bits",
            "permessage-deflate; server_max_window_bits=010",
            "permessage-deflate; client_max_window_bits=ab",
            "permessage-deflate; server_no_context_takeover=1",
            "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
            "permessage-deflate; foo",
        ] {
            assert!(
                negotiate(&offer, Some(bad)).is_err(),
                "{bad} must be refused"
            );
        }
        // client_max_window_bits only when offered, and not above what we offered.
        let strict = DeflateConfig {
            client_max_window_bits: Some(10),
            ..Default::default()
        };
        assert!(negotiate(
            &strict,
            Some("permessage-deflate; client_max_window_bits=12")
        )
        .is_err());
        let asked = DeflateConfig {
            server_no_context_takeover: true,
            ..Default::default()
        };
        assert!(negotiate(&asked, Some("permessage-deflate")).is_err());
    }

    #[test]
    fn deflate_and_inflate_roundtrip_with_and_without_context_takeover() {
        for (ccto, scto) in [(false, false), (true, true)] {
            let params = p(ccto, scto, 15);
            // Our deflater talks to an inflater configured like the server's side of the same setting.
            let mut d = Deflater::new(&params).unwrap();
            let mut i = Inflater::new(&DeflateParams {
                server_no_context_takeover: ccto,
                ..params
            });
            for msg in [
                &b"Hello, hello, hello"[..],
                b"",
                &[0u8; 100_000],
                b"Hello, hello, hello",
            ] {
                let mut wire = Vec::new();
                d.deflate(msg, true, &mut wire).unwrap();
                let mut back = Vec::new();
                i.inflate(&wire, true, &mut back, usize::MAX).unwrap();
                assert_eq!(back, msg);
            }
        }
    }

    #[test]
    fn rfc7692_example_and_fragmented_input() {
        // RFC 7692 §7.2.3.1: "Hello" compressed.
        let mut i = Inflater::new(&p(false, false, 15));
        let mut out = Vec::new();
        i.inflate(
            &[0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00],
            true,
            &mut out,
            1000,
        )
        .unwrap();
        assert_eq!(out, b"Hello");
        // §7.2.3.2: the same message split over two frames.
        let mut out = Vec::new();
        i.inflate(&[0xf2, 0x48, 0xcd], false, &mut out, 1000)
            .unwrap();
        i.inflate(&[0xc9, 0xc9, 0x07, 0x00], true, &mut out, 1000)
            .unwrap();
        assert_eq!(out, b"Hello");
    }

    #[test]
    fn stops_at_the_limit_and_rejects_garbage() {
        let params = p(false, false, 15);
        let mut d = Deflater::new(&params).unwrap();
        let bomb = vec![b'a'; 50 << 20];
        let mut wire = Vec::new();
        d.deflate(&bomb, true, &mut wire).unwrap();
        assert!(wire.len() < 200_000, "compresses well: {}", wire.len());
        let mut i = Inflater::new(&params);
        let mut out = Vec::new();
        i.inflate(&wire, true, &mut out, 1 << 20).unwrap();
        assert!(
            out.len() > 1 << 20 && out.len() < 4 << 20,
            "stopped near the limit: {}",
            out.len()
        );
        let mut i = Inflater::new(&params);
        assert!(i
            .inflate(&[0xff, 0xff, 0xff, 0xff], true, &mut Vec::new(), 1000)
            .is_err());
        // Found by the `deflate` fuzz target: `Vec::reserve` doubled the buffer to 128 KiB for a
        // limit of 100,000 bytes. Now the output stops within the overshoot at any limit.
        for limit in [0, 1000, 65_535, 100_000, 131_072, 1 << 20, 3 << 20] {
            let mut i = Inflater::new(&params);
            let mut out = Vec::new();
            i.inflate(&wire, true, &mut out, limit).unwrap();
            assert!(out.len() > limit, "{limit}: stopped early at {}", out.len());
            assert!(
                out.len() <= limit + INFLATE_OVERSHOOT,
                "{limit}: {} bytes",
                out.len()
            );
        }
        assert!(Deflater::new(&p(false, false, 8)).is_none());
    }
}
