//! State of the window's inspectors, beside `AppState`: the protobuf schema and types in use, each
//! session's recorded frames (compact rows for the Frames tab) and the running compares.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use sockpit_core::proto::{PayloadCodec, Schema};
use sockpit_core::ws::{Direction, FrameRecord};
use tokio::sync::mpsc;

use crate::state::lock;

/// The protobuf settings of the window: a loaded schema and the codec built from the chosen types.
#[derive(Default)]
pub struct ProtoSetting {
    pub path: String,
    pub schema: Option<Schema>,
    /// Built when a type is chosen; shared with forwarders (cloned `Arc`, lock released at once).
    pub codec: Option<Arc<PayloadCodec>>,
}

/// One recorded frame in compact form (no payload): 32 bytes a frame.
#[derive(Debug, Clone, Copy)]
pub struct FrameRow {
    pub t: u64,
    pub len: u64,
    pub mask: [u8; 4],
    pub opcode: u8,
    /// Bits: FIN, RSV1, RSV2, RSV3, masked.
    pub flags: u8,
    pub dir: Direction,
}

pub const FIN: u8 = 1;
pub const RSV1: u8 = 2;
pub const RSV2: u8 = 4;
pub const RSV3: u8 = 8;
pub const MASKED: u8 = 16;

impl FrameRow {
    pub fn from_record(r: &FrameRecord) -> FrameRow {
        let bit = |on: bool, b: u8| if on { b } else { 0 };
        FrameRow {
            t: r.t,
            len: r.len,
            mask: r.mask.unwrap_or_default(),
            opcode: r.opcode.as_u8(),
            flags: bit(r.fin, FIN)
                | bit(r.rsv1, RSV1)
                | bit(r.rsv2, RSV2)
                | bit(r.rsv3, RSV3)
                | bit(r.mask.is_some(), MASKED),
            dir: r.dir,
        }
    }
}

/// A session's recorded frames.
pub type FrameLog = Vec<FrameRow>;

#[derive(Default)]
pub struct InspectState {
    pub proto: Arc<Mutex<ProtoSetting>>,
    /// Frames by WebSocket session id (only sessions connected with "Record frames").
    pub frames: Mutex<HashMap<u32, Arc<Mutex<FrameLog>>>>,
    /// Stop switches of running compares, by id.
    pub compares: Mutex<HashMap<u32, mpsc::Sender<()>>>,
}

impl InspectState {
    /// The codec in use now, if a schema and a type are set.
    pub fn codec(&self) -> Option<Arc<PayloadCodec>> {
        lock(&self.proto).codec.clone()
    }
}
