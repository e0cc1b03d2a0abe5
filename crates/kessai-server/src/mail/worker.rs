//! Delivers the email outbox. Rows are leased before sending so that several server instances
//! can run this worker against one database without sending an email twice at once; a crash
//! after sending but before marking re-sends with the same Message-ID (and, in directory mode,
//! rewrites the same file), so nothing is lost and duplicates are recognizable.

use super::message;
use crate::config::MailTransport;
use crate::App;
use kessai_store::OutboxEmail;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use std::path::Path;
use std::sync::Arc;

const BATCH: i64 = 50;
/// How long a claimed email belongs to its worker. Short, so that emails a crashed worker had
/// claimed go out soon after a restart.
const LEASE_MS: i64 = 15_000;
/// The longest one delivery may take; a worker starts a delivery only if it can finish within
/// its lease, so no email is ever sent by a worker whose lease has run out.
const SEND_TIMEOUT_MS: i64 = 10_000;
/// Failed deliveries wait longer each time, up to an hour.
fn retry_delay_ms(attempts: i64) -> i64 {
    (5_000i64 << attempts.clamp(0, 10)).min(3_600_000)
}

pub enum Sender {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Directory(std::path::PathBuf),
}

impl Sender {
    pub fn new(transport: &MailTransport) -> anyhow::Result<Sender> {
        Ok(match transport {
            MailTransport::Smtp { host, port } => Sender::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host.as_str())
                    .port(*port)
                    .timeout(Some(std::time::Duration::from_millis(
                        SEND_TIMEOUT_MS as u64,
                    )))
                    .build(),
            ),
            MailTransport::Directory(dir) => {
                std::fs::create_dir_all(dir)?;
                Sender::Directory(dir.clone())
            }
        })
    }

    async fn send(&self, email: &OutboxEmail, from: &str) -> anyhow::Result<()> {
        let message = message::build(email, from)?;
        match self {
            Sender::Smtp(transport) => {
                transport.send(message).await?;
            }
            Sender::Directory(dir) => write_eml(dir, &email.id, &message.formatted()).await?,
        }
        Ok(())
    }
}

/// Writes atomically (temporary file, then rename) so a reader never sees half an email.
async fn write_eml(dir: &Path, id: &str, bytes: &[u8]) -> anyhow::Result<()> {
    let tmp = dir.join(format!(".{id}.tmp"));
    tokio::fs::write(&tmp, bytes).await?;
    tokio::fs::rename(&tmp, dir.join(format!("{id}.eml"))).await?;
    Ok(())
}

/// Sends one batch of due emails; returns how many were sent.
pub async fn deliver_batch(app: &Arc<App>, sender: &Sender, owner: &str) -> anyhow::Result<usize> {
    let now = app.clock.now().0;
    let lease_until = now + LEASE_MS;
    let emails = app
        .store
        .claim_emails(owner, now, lease_until, BATCH)
        .await?;
    let mut sent = 0;
    for (i, email) in emails.iter().enumerate() {
        if app.clock.now().0 + SEND_TIMEOUT_MS > lease_until {
            // Not enough lease left to finish another delivery: hand the rest back.
            for rest in &emails[i..] {
                app.store.release_email(&rest.id, owner).await?;
            }
            break;
        }
        let timeout = std::time::Duration::from_millis(SEND_TIMEOUT_MS as u64);
        let attempt =
            tokio::time::timeout(timeout, sender.send(email, &app.config.mail_from)).await;
        match attempt.unwrap_or_else(|_| {
            Err(anyhow::anyhow!(
                "delivery took longer than {SEND_TIMEOUT_MS} ms"
            ))
        }) {
            Ok(()) => {
                app.store
                    .mark_email_sent(&email.id, owner, app.clock.now().0)
                    .await?;
                sent += 1;
            }
            Err(e) => {
                tracing::warn!(email = %email.id, "delivery failed: {e}");
                let retry_at = app.clock.now().0 + retry_delay_ms(email.attempts);
                app.store
                    .mark_email_failed(&email.id, &e.to_string(), retry_at)
                    .await?;
            }
        }
    }
    Ok(sent)
}

pub async fn run(app: Arc<App>) {
    let sender = match Sender::new(&app.config.mail) {
        Ok(s) => s,
        Err(e) => {
            tracing::error!("mail worker cannot start: {e}");
            return;
        }
    };
    let owner = kessai_store::new_internal_id();
    loop {
        match deliver_batch(&app, &sender, &owner).await {
            Ok(n) if n as i64 == BATCH => continue,
            Ok(_) => {}
            Err(e) => tracing::warn!("mail worker: {e}"),
        }
        tokio::time::sleep(app.config.mail_interval).await;
    }
}
