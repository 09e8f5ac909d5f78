//! What a session's WebSocket runs over: the transport itself, or the wire layer around it.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::wire::WireStream;
use crate::net::transport::Transport;

/// What a session's WebSocket runs over: the transport itself, or the wire layer around it (frame
/// inspector, permessage-deflate).
pub enum SessionStream {
    Direct(Transport),
    Wire(Box<WireStream<Transport>>),
}

impl AsyncRead for SessionStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            SessionStream::Direct(s) => Pin::new(s).poll_read(cx, buf),
            SessionStream::Wire(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for SessionStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            SessionStream::Direct(s) => Pin::new(s).poll_write(cx, buf),
            SessionStream::Wire(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            SessionStream::Direct(s) => Pin::new(s).poll_flush(cx),
            SessionStream::Wire(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            SessionStream::Direct(s) => Pin::new(s).poll_shutdown(cx),
            SessionStream::Wire(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}
