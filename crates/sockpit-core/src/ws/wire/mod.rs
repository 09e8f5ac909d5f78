//! The wire layer: a stream adapter between the TCP/TLS stream and tungstenite that sees the real
//! bytes both ways. It records every frame for the frame inspector and implements permessage-deflate
//! by rewriting frames (tungstenite has no deflate): server frames with RSV1 are inflated and handed
//! on with RSV1 clear; our frames are deflated and get RSV1 after tungstenite wrote them.
//!
//! With neither the inspector nor deflate in use the session does not put this layer on the path,
//! and once the handshake shows that neither is needed it only forwards bytes.

pub mod deflate;
pub mod frame;

use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{ready, Context, Poll};
use std::time::Instant;

use bytes::{Buf, Bytes, BytesMut};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use self::deflate::{DeflateConfig, DeflateParams, Deflater, Inflater};
use self::frame::{apply_mask, FrameHeader, Opcode};
use super::event::{Direction, Nanos};

/// How much of each frame's payload the inspector keeps for display.
pub const PREVIEW_BYTES: usize = 256;
/// Pending output above which writes wait for the socket.
const WRITE_HIGH_WATER: usize = 4 << 20;
/// Largest frame handed to tungstenite after inflating.
const INFLATED_FRAME: usize = 1 << 20;

/// One frame as it crossed the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameRecord {
    pub t: Nanos,
    pub dir: Direction,
    pub fin: bool,
    pub rsv1: bool,
    pub rsv2: bool,
    pub rsv3: bool,
    pub opcode: Opcode,
    pub mask: Option<[u8; 4]>,
    /// Payload length on the wire (compressed, when RSV1 is set).
    pub len: u64,
    /// The first [`PREVIEW_BYTES`] of the payload as on the wire, unmasked.
    pub preview: Bytes,
}

/// What the adapter shares with the session task (short critical sections, never across `.await`).
#[derive(Debug, Default)]
pub struct WireShared {
    state: Mutex<SharedState>,
}

#[derive(Debug, Default)]
struct SharedState {
    frames: Vec<FrameRecord>,
    request_head: Vec<u8>,
    response_head: Vec<u8>,
    negotiation: Option<Result<Option<DeflateParams>, String>>,
    failure: Option<String>,
}

impl WireShared {
    fn with<R>(&self, f: impl FnOnce(&mut SharedState) -> R) -> R {
        let mut guard = self.state.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut guard)
    }

    /// Moves the frames recorded so far into `into`.
    pub fn take_frames(&self, into: &mut Vec<FrameRecord>) {
        self.with(|s| into.append(&mut s.frames));
    }

    /// The deflate outcome once the upgrade response was read: agreed parameters, `None` when the
    /// server declined, or why its answer is invalid.
    pub fn negotiation(&self) -> Option<Result<Option<DeflateParams>, String>> {
        self.with(|s| s.negotiation.clone())
    }

    /// Why the wire layer failed the connection (for example corrupt compressed data).
    pub fn failure(&self) -> Option<String> {
        self.with(|s| s.failure.clone())
    }

    /// The upgrade request and response heads exactly as sent and received.
    pub fn heads(&self) -> (String, String) {
        self.with(|s| {
            (
                String::from_utf8_lossy(&s.request_head).into_owned(),
                String::from_utf8_lossy(&s.response_head).into_owned(),
            )
        })
    }
}

/// How the adapter is set up for one connection.
#[derive(Debug, Clone)]
pub struct WireOptions {
    pub inspect: bool,
    pub deflate: Option<DeflateConfig>,
    pub max_message_size: usize,
    pub max_frame_size: usize,
    pub epoch: Instant,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// HTTP head not complete yet.
    Handshake,
    /// Parsing (and possibly rewriting) frames.
    Frames,
    /// Forwarding bytes untouched.
    Passthrough,
}

/// State of the message being read or written.
#[derive(Debug, Default)]
struct MessageState {
    compressed: bool,
    emitted_first: bool,
    opcode: Option<Opcode>,
    size: usize,
}

pub struct WireStream<S> {
    inner: S,
    shared: Arc<WireShared>,
    opts: WireOptions,
    r_phase: Phase,
    r_raw: BytesMut,
    r_out: BytesMut,
    r_eof: bool,
    r_msg: MessageState,
    inflater: Option<Inflater>,
    w_phase: Phase,
    w_in: BytesMut,
    w_out: BytesMut,
    w_msg: MessageState,
    deflater: Option<Deflater>,
    scratch: Vec<u8>,
    read_buf: Vec<u8>,
}

impl<S> WireStream<S> {
    pub fn new(inner: S, opts: WireOptions, shared: Arc<WireShared>) -> WireStream<S> {
        WireStream {
            inner,
            shared,
            opts,
            r_phase: Phase::Handshake,
            r_raw: BytesMut::new(),
            r_out: BytesMut::new(),
            r_eof: false,
            r_msg: MessageState::default(),
            inflater: None,
            w_phase: Phase::Handshake,
            w_in: BytesMut::new(),
            w_out: BytesMut::new(),
            w_msg: MessageState::default(),
            deflater: None,
            scratch: Vec::new(),
            read_buf: vec![0; 64 * 1024],
        }
    }

    fn now(&self) -> Nanos {
        self.opts.epoch.elapsed().as_nanos() as Nanos
    }

    fn record(&self, dir: Direction, h: &FrameHeader, len: usize, payload: &[u8]) {
        if !self.opts.inspect {
            return;
        }
        let mut preview = payload[..payload.len().min(PREVIEW_BYTES)].to_vec();
        if let Some(m) = h.mask {
            apply_mask(&mut preview, m);
        }
        let rec = FrameRecord {
            t: self.now(),
            dir,
            fin: h.fin,
            rsv1: h.rsv1,
            rsv2: h.rsv2,
            rsv3: h.rsv3,
            opcode: h.opcode,
            mask: h.mask,
            len: len as u64,
            preview: Bytes::from(preview),
        };
        self.shared.with(|s| s.frames.push(rec));
    }

    fn fail(&self, msg: String) -> io::Error {
        self.shared.with(|s| s.failure = Some(msg.clone()));
        io::Error::new(io::ErrorKind::InvalidData, msg)
    }

    /// Turns raw input into what tungstenite should read; `true` when output was produced.
    fn process_read(&mut self) -> io::Result<bool> {
        match self.r_phase {
            Phase::Handshake => self.read_head(),
            Phase::Passthrough => {
                let all = self.r_raw.split();
                self.r_out.unsplit(all);
                Ok(!self.r_out.is_empty())
            }
            Phase::Frames => {
                let mut produced = false;
                while let Some(h) = FrameHeader::parse(&self.r_raw) {
                    if h.payload_len > self.opts.max_frame_size as u64 {
                        // Too large to buffer: hand it on as is and let tungstenite refuse it (1009).
                        self.r_phase = Phase::Passthrough;
                        let all = self.r_raw.split();
                        self.r_out.unsplit(all);
                        return Ok(true);
                    }
                    let total = h.header_len + h.payload_len as usize;
                    if self.r_raw.len() < total {
                        self.r_raw.reserve(total - self.r_raw.len());
                        break;
                    }
                    let frame = self.r_raw.split_to(total).freeze();
                    self.record(
                        Direction::In,
                        &h,
                        h.payload_len as usize,
                        &frame[h.header_len..],
                    );
                    self.transform_in(&h, &frame)?;
                    produced = true;
                }
                Ok(produced)
            }
        }
    }

    fn read_head(&mut self) -> io::Result<bool> {
        let Some(end) = memchr::memmem::find(&self.r_raw, b"\r\n\r\n") else {
            if self.r_raw.len() > 64 * 1024 {
                return Err(self.fail("the upgrade response head is over 64 KiB".into()));
            }
            return Ok(false);
        };
        let head = self.r_raw.split_to(end + 4);
        let text = String::from_utf8_lossy(&head).into_owned();
        let switching = text
            .split_whitespace()
            .nth(1)
            .is_some_and(|status| status == "101");
        let extensions: Vec<&str> = text
            .lines()
            .filter_map(|l| l.split_once(':'))
            .filter(|(n, _)| n.trim().eq_ignore_ascii_case("sec-websocket-extensions"))
            .map(|(_, v)| v.trim())
            .collect();
        let joined = (!extensions.is_empty()).then(|| extensions.join(", "));
        let negotiation = match (&self.opts.deflate, joined.as_deref()) {
            (Some(offer), answer) => deflate::negotiate(offer, answer),
            (None, Some(answer)) => Err(format!(
                "the server accepted extensions we did not offer: {answer}"
            )),
            (None, None) => Ok(None),
        };
        let agreed = negotiation.as_ref().ok().copied().flatten();
        self.shared.with(|s| {
            s.response_head = head.to_vec();
            s.negotiation = Some(negotiation);
        });
        if switching && (self.opts.inspect || agreed.is_some()) {
            if let Some(p) = agreed {
                self.inflater = Some(Inflater::new(&p));
                self.deflater = Deflater::new(&p);
            }
            self.r_phase = Phase::Frames;
        } else {
            self.r_phase = Phase::Passthrough;
            if self.w_phase == Phase::Frames && self.w_in.is_empty() {
                self.w_phase = Phase::Passthrough;
            }
        }
        self.r_out.extend_from_slice(&head);
        if !switching {
            // A refusal's body follows its head at once, as tungstenite expects to read it.
            let body = self.r_raw.split();
            self.r_out.unsplit(body);
        }
        Ok(true)
    }

    fn transform_in(&mut self, h: &FrameHeader, frame: &[u8]) -> io::Result<()> {
        match h.opcode {
            Opcode::Text | Opcode::Binary => {
                self.r_msg = MessageState {
                    compressed: h.rsv1 && self.inflater.is_some() && h.mask.is_none(),
                    emitted_first: false,
                    opcode: Some(h.opcode),
                    size: 0,
                };
            }
            Opcode::Continuation if !h.rsv1 => {}
            _ => {
                self.r_out.extend_from_slice(frame);
                return Ok(());
            }
        }
        if !self.r_msg.compressed {
            self.r_out.extend_from_slice(frame);
            return Ok(());
        }
        self.scratch.clear();
        let limit = self.opts.max_message_size.saturating_sub(self.r_msg.size);
        let inflated = match self.inflater.as_mut() {
            Some(inflater) => {
                inflater.inflate(&frame[h.header_len..], h.fin, &mut self.scratch, limit)
            }
            None => Ok(()),
        };
        if let Err(e) = inflated {
            return Err(self.fail(format!(
                "permessage-deflate: {e} in a frame from the server"
            )));
        }
        self.r_msg.size += self.scratch.len();
        let chunk = self.opts.max_frame_size.clamp(1, INFLATED_FRAME);
        let pieces = self.scratch.len().div_ceil(chunk).max(usize::from(h.fin));
        for i in 0..pieces {
            let data = &self.scratch
                [(i * chunk).min(self.scratch.len())..((i + 1) * chunk).min(self.scratch.len())];
            let opcode = if self.r_msg.emitted_first {
                Opcode::Continuation
            } else {
                self.r_msg.opcode.unwrap_or(Opcode::Binary)
            };
            self.r_msg.emitted_first = true;
            let out = FrameHeader {
                fin: h.fin && i + 1 == pieces,
                rsv1: false,
                rsv2: h.rsv2,
                rsv3: h.rsv3,
                opcode,
                mask: None,
                payload_len: data.len() as u64,
                header_len: 0,
            };
            let mut head = Vec::with_capacity(14);
            out.write(data.len(), &mut head);
            self.r_out.extend_from_slice(&head);
            self.r_out.extend_from_slice(data);
        }
        Ok(())
    }

    fn process_write(&mut self) -> io::Result<()> {
        loop {
            match self.w_phase {
                Phase::Handshake => {
                    let Some(end) = memchr::memmem::find(&self.w_in, b"\r\n\r\n") else {
                        return Ok(());
                    };
                    let head = self.w_in.split_to(end + 4);
                    self.shared.with(|s| s.request_head = head.to_vec());
                    self.w_out.extend_from_slice(&head);
                    self.w_phase = Phase::Frames;
                }
                Phase::Passthrough => {
                    let all = self.w_in.split();
                    self.w_out.unsplit(all);
                    return Ok(());
                }
                Phase::Frames => {
                    while let Some(h) = FrameHeader::parse(&self.w_in) {
                        let total = h.header_len + h.payload_len as usize;
                        if self.w_in.len() < total {
                            return Ok(());
                        }
                        let frame = self.w_in.split_to(total).freeze();
                        self.transform_out(&h, &frame)?;
                    }
                    return Ok(());
                }
            }
        }
    }

    fn transform_out(&mut self, h: &FrameHeader, frame: &[u8]) -> io::Result<()> {
        let compress = match h.opcode {
            Opcode::Text | Opcode::Binary => {
                self.w_msg.compressed = self.deflater.is_some();
                self.w_msg.compressed
            }
            Opcode::Continuation => self.w_msg.compressed,
            _ => false,
        };
        let payload = &frame[h.header_len..];
        let Some(deflater) = self.deflater.as_mut().filter(|_| compress) else {
            self.record(Direction::Out, h, payload.len(), payload);
            self.w_out.extend_from_slice(frame);
            return Ok(());
        };
        let mut plain = payload.to_vec();
        if let Some(m) = h.mask {
            apply_mask(&mut plain, m);
        }
        self.scratch.clear();
        deflater
            .deflate(&plain, h.fin, &mut self.scratch)
            .map_err(|e| io::Error::other(format!("permessage-deflate: {e}")))?;
        let out = FrameHeader {
            rsv1: h.opcode != Opcode::Continuation,
            ..*h
        };
        let mut head = Vec::with_capacity(14);
        out.write(self.scratch.len(), &mut head);
        if let Some(m) = h.mask {
            apply_mask(&mut self.scratch, m);
        }
        self.record(Direction::Out, &out, self.scratch.len(), &self.scratch);
        self.w_out.extend_from_slice(&head);
        self.w_out.extend_from_slice(&self.scratch);
        Ok(())
    }
}

impl<S: AsyncWrite + Unpin> WireStream<S> {
    /// Writes pending output; `Ready` once all of it is out.
    fn poll_drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while !self.w_out.is_empty() {
            let n = ready!(Pin::new(&mut self.inner).poll_write(cx, &self.w_out))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.w_out.advance(n);
        }
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for WireStream<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        loop {
            if !this.r_out.is_empty() {
                let n = this.r_out.len().min(buf.remaining());
                buf.put_slice(&this.r_out[..n]);
                this.r_out.advance(n);
                return Poll::Ready(Ok(()));
            }
            if this.r_phase == Phase::Passthrough && this.r_raw.is_empty() {
                return Pin::new(&mut this.inner).poll_read(cx, buf);
            }
            if this.process_read()? {
                continue;
            }
            if this.r_eof {
                return Poll::Ready(Ok(()));
            }
            let mut rb = ReadBuf::new(&mut this.read_buf);
            ready!(Pin::new(&mut this.inner).poll_read(cx, &mut rb))?;
            let filled = rb.filled().len();
            if filled == 0 {
                this.r_eof = true;
            } else {
                this.r_raw.extend_from_slice(&this.read_buf[..filled]);
            }
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for WireStream<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.w_phase == Phase::Passthrough && this.w_out.is_empty() && this.w_in.is_empty() {
            return Pin::new(&mut this.inner).poll_write(cx, buf);
        }
        if this.w_out.len() >= WRITE_HIGH_WATER {
            ready!(this.poll_drain(cx))?;
        }
        this.w_in.extend_from_slice(buf);
        this.process_write()?;
        if let Poll::Ready(Err(e)) = this.poll_drain(cx) {
            return Poll::Ready(Err(e));
        }
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_drain(cx))?;
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_drain(cx))?;
        Pin::new(&mut this.inner).poll_shutdown(cx)
    }
}
