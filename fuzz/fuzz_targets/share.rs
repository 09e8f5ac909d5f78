//! Fuzz target: the share-format reader (`collection::share`). Properties: a collection read from
//! a file serializes to a file that reads back as the same collection (secrets redacted), and
//! serializing that again gives the same text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sockpit_core::collection::share::{parse_share, redact, to_share_json};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(c) = parse_share(text, "fuzz.sockpit.json") else {
        return;
    };
    let shared = to_share_json(&c);
    let back = parse_share(&shared, "fuzz.sockpit.json")
        .unwrap_or_else(|e| panic!("a written share file does not read back: {e}\n{shared}"));
    assert_eq!(back, redact(&c));
    assert_eq!(to_share_json(&back), shared);
});
