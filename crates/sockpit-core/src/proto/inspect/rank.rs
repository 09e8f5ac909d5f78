//! "Detect type" for the inspector: every message type of a schema tried on the bytes, ranked by
//! how well it reads them (fields known with fitting wire types, fewest unknown, most consumed).

use prost_reflect::DescriptorPool;

use super::{inspect_message, FieldNode};

/// One ranked type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    pub type_name: String,
    /// Higher is better: 10 per known field (nested included), 1 per byte inside known fields,
    /// minus 25 per unknown field.
    pub score: i64,
    pub known: usize,
    pub unknown: usize,
}

/// The `limit` types that read `bytes` best; a type that fails to read them, or knows none of
/// their fields, is left out. `google.protobuf.*` types rank after the user's own on ties.
pub fn rank_types(pool: &DescriptorPool, bytes: &[u8], limit: usize) -> Vec<Suggestion> {
    let mut out: Vec<(Suggestion, bool, usize)> = pool
        .all_messages()
        .filter(|m| !m.is_map_entry())
        .filter_map(|desc| {
            let fields = inspect_message(bytes, 0..bytes.len(), Some(&desc)).ok()?;
            let (mut known, mut unknown) = (0usize, 0usize);
            count(&fields, &mut known, &mut unknown);
            let consumed: usize = fields
                .iter()
                .filter(|n| !n.unknown)
                .map(|n| n.range.len())
                .sum();
            if known == 0 {
                return None;
            }
            let score = known as i64 * 10 + consumed as i64 - unknown as i64 * 25;
            let wkt = desc.full_name().starts_with("google.protobuf.");
            Some((
                Suggestion {
                    type_name: desc.full_name().to_string(),
                    score,
                    known,
                    unknown,
                },
                wkt,
                desc.fields().len(),
            ))
        })
        .collect();
    out.sort_by(|a, b| {
        b.0.score
            .cmp(&a.0.score)
            .then(a.1.cmp(&b.1))
            .then(a.2.cmp(&b.2))
            .then(a.0.type_name.cmp(&b.0.type_name))
    });
    out.into_iter().take(limit).map(|(s, _, _)| s).collect()
}

/// Known and unknown fields, nested ones included; the raw guesses under an unknown field are
/// not counted as known.
fn count(fields: &[FieldNode], known: &mut usize, unknown: &mut usize) {
    for n in fields {
        if n.unknown {
            *unknown += 1;
        } else {
            *known += 1;
            count(&n.children, known, unknown);
        }
    }
}
