//! What a session's WebSocket runs over: the transport itself, or the wire layer around it.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::wire::WireStream;
use crate::net::transport::Transport;

/// What a session's WebSocket runs over: the transport itself, or the wire layer around it (frame
/// inspector, permessage-deflate), counting the reads that brought bytes.
pub struct SessionStream {
    inner: Inner,
    reads: u64,
}

enum Inner {
    Direct(Transport),
    Wire(Box<WireStream<Transport>>),
}

impl SessionStream {
    pub fn direct(transport: Transport) -> Self {
        SessionStream {
            inner: Inner::Direct(transport),
            reads: 0,
        }
    }

    pub fn wire(wire: WireStream<Transport>) -> Self {
        SessionStream {
            inner: Inner::Wire(Box::new(wire)),
            reads: 0,
        }
    }

    /// How many reads have brought bytes so far. Messages parsed while it stays the same came off
    /// the socket together, in one read, so they share its arrival time: the session reads the
    /// clock once per read rather than once per message.
    pub fn reads(&self) -> u64 {
        self.reads
    }
}

impl AsyncRead for SessionStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let r = match &mut this.inner {
            Inner::Direct(s) => Pin::new(s).poll_read(cx, buf),
            Inner::Wire(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        };
        if buf.filled().len() > before {
            this.reads += 1;
        }
        r
    }
}

impl AsyncWrite for SessionStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match &mut self.get_mut().inner {
            Inner::Direct(s) => Pin::new(s).poll_write(cx, buf),
            Inner::Wire(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match &mut self.get_mut().inner {
            Inner::Direct(s) => Pin::new(s).poll_flush(cx),
            Inner::Wire(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match &mut self.get_mut().inner {
            Inner::Direct(s) => Pin::new(s).poll_shutdown(cx),
            Inner::Wire(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}
