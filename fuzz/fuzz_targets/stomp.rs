//! Fuzz target: the STOMP frame decoder (`protocol::stomp::frame`), over a buffer of frames and
//! heart-beats in the version the first byte picks. Properties: every call consumes at least one
//! byte; a frame read is written back by `serialize` to bytes that read as the same frame, taking
//! exactly those bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sockpit_core::protocol::stomp::frame::{starts_like_frame, unwritable};
use sockpit_core::protocol::stomp::{parse, serialize, Item, Version};

fuzz_target!(|data: &[u8]| {
    let Some((&pick, mut buf)) = data.split_first() else {
        return;
    };
    let version = Version::ALL[usize::from(pick % 3)];
    let _ = starts_like_frame(buf);
    while let Some((item, used)) = parse(buf, version) {
        assert!(
            used > 0 && used <= buf.len(),
            "took {used} of {} bytes",
            buf.len()
        );
        buf = &buf[used..];
        let Ok(Item::Frame(frame)) = item else {
            continue;
        };
        if frame
            .headers
            .iter()
            .any(|(k, v)| unwritable(&frame.command, k, v, version).is_some())
        {
            continue;
        }
        let bytes = serialize(&frame, version);
        match parse(&bytes, version) {
            Some((Ok(Item::Frame(back)), n)) => {
                assert_eq!(back, frame, "{:?}", String::from_utf8_lossy(&bytes));
                assert_eq!(n, bytes.len());
            }
            other => panic!(
                "{:?} reads as {other:?}, not {frame:?}",
                String::from_utf8_lossy(&bytes)
            ),
        }
    }
});
