//! The Frames tab: ranges of a session's recorded frames.

use tauri::State;

use crate::dto::{AppError, Dir};
use crate::dto_inspect::FrameDto;
use crate::inspect::{FrameRow, InspectState, FIN, MASKED, RSV1, RSV2, RSV3};
use crate::state::lock;
use sockpit_core::ws::{Direction, Opcode};

/// Longest range one call returns.
const MAX_RANGE: u32 = 2000;

pub fn frame_dto(index: usize, f: &FrameRow) -> FrameDto {
    let opcode = match Opcode::from_u8(f.opcode) {
        Opcode::Reserved(n) => format!("reserved({n})"),
        op => op.as_str().to_string(),
    };
    FrameDto {
        index: index as u32,
        t_ms: f.t as f64 / 1e6,
        dir: if f.dir == Direction::In {
            Dir::In
        } else {
            Dir::Out
        },
        fin: f.flags & FIN != 0,
        rsv1: f.flags & RSV1 != 0,
        rsv2: f.flags & RSV2 != 0,
        rsv3: f.flags & RSV3 != 0,
        opcode,
        masked: f.flags & MASKED != 0,
        mask: if f.flags & MASKED != 0 {
            hex::encode(f.mask)
        } else {
            String::new()
        },
        len: f.len as f64,
    }
}

/// Frames `start..end` of `session` (empty when it records none).
#[tauri::command]
pub async fn frames_range(
    inspect: State<'_, InspectState>,
    session: u32,
    start: u32,
    end: u32,
) -> Result<Vec<FrameDto>, AppError> {
    let Some(frames) = lock(&inspect.frames).get(&session).cloned() else {
        return Ok(Vec::new());
    };
    let f = lock(&frames);
    let end = (end.min(start.saturating_add(MAX_RANGE)) as usize).min(f.len());
    let start = (start as usize).min(end);
    Ok(f[start..end]
        .iter()
        .enumerate()
        .map(|(i, r)| frame_dto(start + i, r))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_rows_read_back_with_flags_opcode_and_mask() {
        let row = FrameRow {
            t: 2_500_000,
            len: 5,
            mask: [0xde, 0xad, 0xbe, 0xef],
            opcode: 2,
            flags: FIN | RSV1 | MASKED,
            dir: Direction::Out,
        };
        let d = frame_dto(7, &row);
        assert_eq!((d.index, d.t_ms, d.dir), (7, 2.5, Dir::Out));
        assert_eq!((d.fin, d.rsv1, d.rsv2, d.rsv3), (true, true, false, false));
        assert_eq!(
            (d.opcode.as_str(), d.masked, d.mask.as_str()),
            ("binary", true, "deadbeef")
        );
        let unmasked = frame_dto(
            0,
            &FrameRow {
                opcode: 3,
                flags: 0,
                ..row
            },
        );
        assert_eq!(
            (unmasked.opcode.as_str(), unmasked.mask.as_str()),
            ("reserved(3)", "")
        );
    }
}
