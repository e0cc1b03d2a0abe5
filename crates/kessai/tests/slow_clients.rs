//! Clients that hold connections without finishing a request cannot take the server from
//! others: a head that is still arriving after the header timeout is cut off, a connection
//! on which nothing moves is closed after the idle timeout, and past the connection cap new
//! connections wait for a free slot instead of exhausting the process's files.

mod support;

use kessai_server::config::HttpLimits;
use std::time::Duration;
use support::Db;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{timeout, Instant};

on_both_databases!(slow_headers_are_cut_off_and_others_still_get_answers);

const HEADER_TIMEOUT: Duration = Duration::from_secs(1);
const IDLE_TIMEOUT: Duration = Duration::from_secs(3);
const CAP: usize = 32;
/// How long a probe waits for the server to close its connection before saying it never did.
const GIVE_UP: Duration = Duration::from_secs(40);

/// Waits up to `pace` for the server to close the connection: true if it did.
async fn closed_within(stream: &mut TcpStream, pace: Duration) -> bool {
    let mut buf = [0u8; 1024];
    matches!(
        timeout(pace, stream.read(&mut buf)).await,
        Ok(Ok(0) | Err(_))
    )
}

/// Sends the start of a request head, then one byte of a header value every 200 ms, never
/// ending the head: how long until the server closed the connection (None: it never did).
async fn trickle(addr: String) -> Option<Duration> {
    let started = Instant::now();
    let mut stream = TcpStream::connect(&addr).await.unwrap();
    let head = b"GET /healthz HTTP/1.1\r\nHost: kessai\r\nX-Slow: ";
    if stream.write_all(head).await.is_err() {
        return Some(started.elapsed());
    }
    while started.elapsed() < GIVE_UP {
        if stream.write_all(b"a").await.is_err()
            || closed_within(&mut stream, Duration::from_millis(200)).await
        {
            return Some(started.elapsed());
        }
    }
    None
}

/// Sends a request whose body stops half-way: how long until the server closed it.
async fn stalled_body(addr: &str) -> Option<Duration> {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let request = "POST /v1/registrations/buyer HTTP/1.1\r\nHost: kessai\r\n\
                   Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"item\":";
    stream.write_all(request.as_bytes()).await.unwrap();
    let started = Instant::now();
    while started.elapsed() < GIVE_UP {
        if closed_within(&mut stream, Duration::from_millis(200)).await {
            return Some(started.elapsed());
        }
    }
    None
}

async fn slow_headers_are_cut_off_and_others_still_get_answers(db: Db) {
    let limits = HttpLimits {
        header_read_timeout: HEADER_TIMEOUT,
        idle_timeout: IDLE_TIMEOUT,
        max_connections: CAP,
    };
    let options = support::Options {
        http: Some(limits),
        ..Default::default()
    };
    let s = support::spawn_with(db, options).await;
    let addr = s.base.trim_start_matches("http://").to_string();

    let probes: Vec<_> = (0..200)
        .map(|_| tokio::spawn(trickle(addr.clone())))
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let asked = Instant::now();
    let health = s
        .http
        .get(format!("{}/healthz", s.base))
        .timeout(GIVE_UP)
        .send()
        .await;
    let waited = asked.elapsed();
    assert!(health.unwrap().status().is_success());
    assert!(
        waited < Duration::from_secs(20),
        "a normal request waited {waited:?} behind 200 slow clients"
    );
    assert!(
        waited >= HEADER_TIMEOUT / 2,
        "answered at once ({waited:?}): {CAP} slow clients should have held every slot"
    );

    let mut lifetimes = vec![];
    for probe in probes {
        lifetimes.push(
            probe
                .await
                .unwrap()
                .expect("the server never closed a slow client"),
        );
    }
    let shortest = lifetimes.iter().min().unwrap();
    assert!(
        *shortest >= HEADER_TIMEOUT - Duration::from_millis(100),
        "a slow client was cut off before the header timeout: {shortest:?}"
    );

    let stalled = stalled_body(&addr)
        .await
        .expect("a stalled body is never closed");
    assert!(
        stalled >= IDLE_TIMEOUT - Duration::from_millis(100) && stalled < IDLE_TIMEOUT * 3,
        "a connection idle for {stalled:?} was closed (idle timeout {IDLE_TIMEOUT:?})"
    );
    // The server still answers afterwards.
    let after = s
        .http
        .get(format!("{}/healthz", s.base))
        .send()
        .await
        .unwrap();
    assert!(after.status().is_success());
}
