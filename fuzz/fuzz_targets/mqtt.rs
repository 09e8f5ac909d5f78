//! Fuzz target: the MQTT packet codec (`protocol::mqtt`), 3.1.1 and 5, over a buffer of packets.
//! Properties: a decoded packet encodes (encode(decode(x)) succeeds) to bytes that decode to the
//! same packet, taking exactly those bytes; the size bound is honoured.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sockpit_core::protocol::mqtt::{decode, encode, Version};

fuzz_target!(|data: &[u8]| {
    let Some((&pick, mut buf)) = data.split_first() else {
        return;
    };
    let version = if pick & 1 == 0 {
        Version::V311
    } else {
        Version::V5
    };
    // Mostly a roomy bound; sometimes a tight one.
    let max = if pick & 2 == 0 {
        1 << 20
    } else {
        usize::from(pick >> 2)
    };
    while let Ok(Some((packet, used))) = decode(buf, version, max) {
        assert!(used > 0 && used <= buf.len() && used <= max);
        buf = &buf[used..];
        let bytes = encode(&packet, version)
            .unwrap_or_else(|e| panic!("{packet:?} decoded but does not encode: {e:?}"));
        match decode(&bytes, version, usize::MAX) {
            Ok(Some((back, n))) => {
                assert_eq!(back, packet, "{bytes:?}");
                assert_eq!(n, bytes.len());
            }
            other => panic!("{packet:?} encodes to {bytes:?}, which reads as {other:?}"),
        }
    }
});
