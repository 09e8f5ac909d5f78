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
pub fn frames_range(
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
