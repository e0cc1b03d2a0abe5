//! The HTTP listener, with the limits that keep one client from holding the server: at most
//! `max_connections` served at once (the rest wait in the listen queue), a request head that
//! must arrive within `header_read_timeout`, and a connection on which nothing moves for
//! `idle_timeout` closed. (axum's own `serve` has none of these.)

use crate::config::HttpLimits;
use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio::time::Instant;

/// Serves `router` on `listener` until the task is dropped.
pub async fn serve(listener: TcpListener, router: Router, limits: HttpLimits) {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    loop {
        // A slot first: at the cap, connections wait unaccepted in the kernel's queue.
        let Ok(slot) = slots.clone().acquire_owned().await else {
            return;
        };
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(e) => {
                // Out of file descriptors, say: keep serving the open connections.
                tracing::warn!("accepting a connection failed: {e}");
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                continue;
            }
        };
        let service = TowerToHyperService::new(router.clone());
        tokio::spawn(async move {
            let last_activity = Arc::new(Mutex::new(Instant::now()));
            let io = TokioIo::new(Watched {
                inner: stream,
                last_activity: last_activity.clone(),
            });
            let connection = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(limits.header_read_timeout)
                .serve_connection(io, service);
            tokio::select! {
                _ = connection => {}
                _ = idle(&last_activity, limits.idle_timeout) => {}
            }
            drop(slot);
        });
    }
}

/// Returns once nothing has moved on the connection for `timeout`.
async fn idle(last_activity: &Mutex<Instant>, timeout: std::time::Duration) {
    loop {
        let deadline = *last_activity.lock().expect("not poisoned") + timeout;
        if Instant::now() >= deadline {
            return;
        }
        tokio::time::sleep_until(deadline).await;
    }
}

/// A stream that notes when bytes last moved through it.
struct Watched<S> {
    inner: S,
    last_activity: Arc<Mutex<Instant>>,
}

impl<S> Watched<S> {
    fn moved<T>(&self, result: Poll<io::Result<T>>, bytes: usize) -> Poll<io::Result<T>> {
        if bytes > 0 {
            *self.last_activity.lock().expect("not poisoned") = Instant::now();
        }
        result
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Watched<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let result = Pin::new(&mut self.inner).poll_read(cx, buf);
        let read = buf.filled().len() - before;
        self.moved(result, read)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Watched<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        let result = Pin::new(&mut self.inner).poll_write(cx, data);
        let written = match &result {
            Poll::Ready(Ok(n)) => *n,
            _ => 0,
        };
        self.moved(result, written)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
