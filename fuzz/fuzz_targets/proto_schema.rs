//! Fuzz target: protobuf decoding against the demo schema (`collections/protos/sockpit_demo.proto`)
//! through `proto::codec` and `proto::detect`. Properties: a decoded message encodes to bytes that
//! decode to the same message, and its JSON view reads back to the same message.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use prost_reflect::MessageDescriptor;
use sockpit_core::proto::codec::{decode, encode, from_json_value, to_json, to_text, JsonOptions};
use sockpit_core::proto::detect::detect_types;
use sockpit_core::proto::schema::Schema;

const DEMO: &str = include_str!("../../collections/protos/sockpit_demo.proto");

fn schema() -> &'static (Schema, Vec<MessageDescriptor>) {
    static S: OnceLock<(Schema, Vec<MessageDescriptor>)> = OnceLock::new();
    S.get_or_init(|| {
        let s = Schema::from_sources(&[("sockpit_demo.proto", DEMO)]).expect("the demo schema");
        let mut types: Vec<MessageDescriptor> = s
            .pool()
            .all_messages()
            .filter(|m| !m.is_map_entry())
            .collect();
        types.sort_by(|a, b| a.full_name().cmp(b.full_name()));
        (s, types)
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let (schema, types) = schema();
    // Mostly the demo's own types; the bundled well-known ones (Timestamp...) too.
    let desc = &types[usize::from(pick) % types.len()];
    if pick & 0x80 != 0 {
        let _ = detect_types(schema, bytes, 3);
    }
    let Ok(msg) = decode(desc, bytes) else {
        return;
    };
    let _ = to_text(&msg, pick & 1 == 0);
    let bytes = encode(&msg);
    let again = decode(desc, &bytes).expect("an encoded message decodes");
    let json = to_json(&msg, &JsonOptions::default());
    // Equal messages; or, since a proto3 zero on the wire decodes as set but is not encoded, equal
    // bytes once encoded again. Failing both (NaN is not equal to itself, and map entries encode in
    // any order), the JSON views must be equal (NaN is "NaN" there).
    if again != msg && encode(&again) != bytes {
        let again_json = to_json(&again, &JsonOptions::default());
        assert!(json.is_ok() && again_json.is_ok(), "{again:?} != {msg:?}");
        assert_eq!(again_json.ok(), json.as_ref().ok().cloned());
    }
    if let Ok(json) = json {
        if msg.unknown_fields().next().is_none() {
            let back = from_json_value(desc, &json);
            assert!(back.is_ok(), "{json} does not read back: {back:?}");
        }
    }
});
