//! SMTP delivery over kept connections.
//!
//! lettre speaks the protocol; this file owns the TCP connections, for two reasons. A new
//! connection costs a connect, the greeting and EHLO, so connections are kept and reused (one
//! per delivery in flight). And lettre writes the end of DATA (`.`) as a small write after the
//! message: with Nagle's algorithm on, that write waits for the server's delayed ACK (40 ms on
//! Linux), which capped delivery near 25 emails/s per connection. Our sockets set TCP_NODELAY.

use lettre::address::Envelope;
use lettre::transport::smtp::client::AsyncSmtpConnection;
use lettre::transport::smtp::extension::ClientId;
use std::sync::Mutex;

pub struct SmtpSender {
    host: String,
    port: u16,
    /// Connections not in use, at most `keep` of them.
    idle: Mutex<Vec<AsyncSmtpConnection>>,
    keep: usize,
}

impl SmtpSender {
    pub fn new(host: &str, port: u16, keep: usize) -> SmtpSender {
        SmtpSender {
            host: host.to_string(),
            port,
            idle: Mutex::new(vec![]),
            keep,
        }
    }

    pub async fn send(&self, envelope: &Envelope, message: &[u8]) -> anyhow::Result<()> {
        let kept = self.idle.lock().expect("smtp pool").pop();
        if let Some(mut conn) = kept {
            match conn.send(envelope, message).await {
                Ok(_) => {
                    self.put_back(conn);
                    return Ok(());
                }
                // The server answered with a refusal: a new connection would hear the same.
                Err(e) if e.is_permanent() || e.is_transient() => {
                    self.put_back(conn);
                    return Err(e.into());
                }
                // The kept connection broke (the server may have closed it while idle): the
                // email goes on a new one.
                Err(_) => conn.abort().await,
            }
        }
        let mut conn = self.connect().await?;
        conn.send(envelope, message).await?;
        self.put_back(conn);
        Ok(())
    }

    async fn connect(&self) -> anyhow::Result<AsyncSmtpConnection> {
        let stream = tokio::net::TcpStream::connect((self.host.as_str(), self.port)).await?;
        stream.set_nodelay(true)?;
        Ok(
            AsyncSmtpConnection::connect_with_transport(Box::new(stream), &ClientId::default())
                .await?,
        )
    }

    fn put_back(&self, conn: AsyncSmtpConnection) {
        let mut idle = self.idle.lock().expect("smtp pool");
        if !conn.has_broken() && idle.len() < self.keep {
            idle.push(conn);
        }
    }
}
