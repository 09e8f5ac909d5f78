//! Fuzz target: permessage-deflate (`ws::wire::deflate`). Properties: inflating whatever a server
//! sends never grows the output past the size bound (plus [`INFLATE_OVERSHOOT`]), across frames and
//! messages with or without context takeover; and what our deflater sends inflates back to the
//! same messages.
//!
//! Input: `[flags][limit: u24 LE]` then records `[kind][len: u16 LE][len bytes]`. Flags: bit 0 no
//! context takeover, bits 1-3 window bits - 8. Kind bit 0: a frame from the server (compressed,
//! inflated with the bound), else a frame of one of our messages (deflated, then inflated back);
//! kind bit 1 is FIN.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sockpit_core::ws::wire::deflate::{DeflateParams, Deflater, Inflater, INFLATE_OVERSHOOT};

fuzz_target!(|data: &[u8]| {
    let [flags, l0, l1, l2, records @ ..] = data else {
        return;
    };
    let mut rest = records;
    let params = DeflateParams {
        client_no_context_takeover: flags & 1 != 0,
        server_no_context_takeover: flags & 1 != 0,
        client_max_window_bits: 8 + (flags >> 1 & 7),
        server_max_window_bits: 15,
    };
    // Below 1 MiB, so that bombs reach it quickly.
    let limit = usize::from_le_bytes([*l0, *l1, *l2 & 0x0f, 0, 0, 0, 0, 0]);

    let mut server = Inflater::new(&params);
    let mut ours = Deflater::new(&params);
    let mut ours_back = Inflater::new(&params);
    let mut message = Vec::new();
    let mut back = Vec::new();
    while let [kind, n0, n1, tail @ ..] = rest {
        let n = usize::from(u16::from_le_bytes([*n0, *n1])).min(tail.len());
        let (payload, next) = tail.split_at(n);
        rest = next;
        let fin = kind & 2 != 0;
        if kind & 1 != 0 {
            let mut out = Vec::new();
            if server.inflate(payload, fin, &mut out, limit).is_err() {
                // The wire layer closes the connection on a corrupt frame: start over, as it would.
                server = Inflater::new(&params);
                continue;
            }
            assert!(
                out.len() <= limit + INFLATE_OVERSHOOT,
                "{} bytes inflated past a bound of {limit}",
                out.len()
            );
        } else if let Some(deflater) = ours.as_mut() {
            let mut wire = Vec::new();
            deflater
                .deflate(payload, fin, &mut wire)
                .expect("deflating never fails");
            ours_back
                .inflate(&wire, fin, &mut back, usize::MAX)
                .expect("our own deflate output inflates");
            message.extend_from_slice(payload);
            if fin {
                assert_eq!(back, message);
                back.clear();
                message.clear();
            }
        }
    }
});
