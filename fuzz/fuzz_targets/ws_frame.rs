//! Fuzz target: the wire layer's WebSocket frame header (`ws::wire::frame`). Properties: a parsed
//! header written back (shortest length form) parses to the same header, byte for byte when the
//! input used the shortest form; any header we write parses back to itself; masking twice is the
//! identity.
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use sockpit_core::ws::wire::frame::{apply_mask, FrameHeader, Opcode};

fuzz_target!(|data: &[u8]| {
    // 1. Bytes from a server: parse, write back, parse again.
    if let Some(h) = FrameHeader::parse(data) {
        assert!((2..=14).contains(&h.header_len) && h.header_len <= data.len());
        let mut out = Vec::new();
        h.write(h.payload_len as usize, &mut out);
        let again = FrameHeader::parse(&out).expect("a written header parses");
        assert_eq!(
            FrameHeader {
                header_len: h.header_len,
                ..again
            },
            h
        );
        assert_eq!(again.header_len, out.len());
        let shortest = match data[1] & 0x7f {
            126 => h.payload_len >= 126,
            127 => h.payload_len > u64::from(u16::MAX),
            _ => true,
        };
        // Our writer sets the opcode's low nibble only; from_u8 keeps reserved opcodes as they are.
        if shortest {
            assert_eq!(&out[..], &data[..h.header_len]);
        }
        // Masking the payload that follows, twice, gives it back.
        if let Some(mask) = h.mask {
            let payload = &data[h.header_len..];
            let mut p = payload.to_vec();
            apply_mask(&mut p, mask);
            apply_mask(&mut p, mask);
            assert_eq!(p, payload);
        }
    }
    // 2. A header we would write, from the same bytes taken as structure.
    let mut u = Unstructured::new(data);
    if let Ok(x) = Header::arbitrary(&mut u) {
        let h = FrameHeader {
            fin: x.fin,
            rsv1: x.rsv1,
            rsv2: x.rsv2,
            rsv3: x.rsv3,
            opcode: Opcode::from_u8(x.opcode & 0x0f),
            mask: x.mask,
            payload_len: x.len,
            header_len: 0,
        };
        let mut out = Vec::new();
        h.write(x.len as usize, &mut out);
        let back = FrameHeader::parse(&out).expect("a written header parses");
        assert_eq!(back.header_len, out.len());
        assert_eq!(
            back,
            FrameHeader {
                header_len: out.len(),
                ..h
            }
        );
        // One byte short is "need more bytes", never a wrong header.
        assert!(FrameHeader::parse(&out[..out.len() - 1]).is_none());
    }
});

#[derive(Debug, Arbitrary)]
struct Header {
    fin: bool,
    rsv1: bool,
    rsv2: bool,
    rsv3: bool,
    opcode: u8,
    mask: Option<[u8; 4]>,
    len: u64,
}
