//! Protobuf payloads: runtime schemas (`.proto` via protox, or descriptor sets), JSON and text
//! format encode/decode with the canonical proto3 mapping (prost-reflect), raw decode without a
//! schema, the inspector's field tree with byte ranges (`inspect`), framing, type detection and composer skeletons.
//!
//! Decoding yields a `DynamicMessage` (the in-memory form); JSON is rendered only when asked for.

pub mod codec;
pub mod detect;
pub mod error;
pub mod framing;
pub mod inspect;
pub mod payload_codec;
pub mod raw;
pub mod schema;
pub mod skeleton;

pub use codec::{
    decode, encode, from_json, from_json_value, from_text, to_json, to_json_string, to_text,
    JsonOptions,
};
pub use detect::{detect_types, Candidate};
pub use error::{ProtoError, ProtoErrorDto};
pub use framing::{Frame, Framing};
pub use inspect::{
    inspect, inspect_view, rank_types, FieldNode, InspectError, InspectView, InspectedMessage,
    Suggestion,
};
pub use payload_codec::{DecodedMessage, PayloadCodec};
pub use prost_reflect::{DescriptorPool, DynamicMessage, MessageDescriptor};
pub use raw::{decode_raw, RawField, RawValue, DEFAULT_MAX_DEPTH};
pub use schema::{Schema, TypeInfo};
pub use skeleton::{skeleton, Skeleton, DEFAULT_SKELETON_DEPTH};
