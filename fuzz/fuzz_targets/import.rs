//! Fuzz target: every importer's detect+parse (`collection::import::import_text`). The first byte
//! picks the format (auto-detection or one forced format) and the file extension; the rest is the
//! file. Property: an imported collection is valid, so it exports to a share file that reads back
//! as the same collection (secrets redacted).
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use sockpit_core::collection::import::{import_text, Format};
use sockpit_core::collection::share::{parse_share, redact, to_share_json};

const FORMATS: [Format; 8] = [
    Format::Auto,
    Format::Sockpit,
    Format::Insomnia,
    Format::Yaak,
    Format::Bruno,
    Format::Kreya,
    Format::Har,
    Format::Asyncapi,
];
const EXTS: [&str; 8] = ["json", "yaml", "yml", "bru", "har", "krop", "", "txt"];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let format = FORMATS[usize::from(pick & 7)];
    let ext = EXTS[usize::from(pick >> 3 & 7)];
    let text = String::from_utf8_lossy(rest);
    // A directory that does not exist: importers that read sibling files (Kreya's requests,
    // Bruno's environments) report them missing instead of reading this machine.
    let dir = Path::new("/nonexistent/sockpit-fuzz");
    let Ok(imported) = import_text(&text, "fuzz.in", ext, dir, format) else {
        return;
    };
    let shared = to_share_json(&imported.collection);
    let back = parse_share(&shared, "fuzz.sockpit.json")
        .unwrap_or_else(|e| panic!("an imported collection does not read back: {e}\n{shared}"));
    assert_eq!(back, redact(&imported.collection));
});
