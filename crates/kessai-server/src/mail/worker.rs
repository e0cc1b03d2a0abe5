//! Delivers the email outbox. Rows are leased before sending so that several server instances
//! can run this worker against one database without sending an email twice at once; a crash
//! after sending but before marking re-sends with the same Message-ID (and, in directory mode,
//! rewrites the same file), so nothing is lost and duplicates are recognizable.

use super::message;
use crate::config::MailTransport;
use crate::App;
use futures_util::StreamExt;
use kessai_store::OutboxEmail;
use std::path::Path;
use std::sync::Arc;

/// Emails claimed at once.
const BATCH: i64 = 256;
/// Deliveries under way at once: a slow mail server is waited on by many at a time, not one.
const IN_FLIGHT: usize = 16;
/// Sent emails are recorded after every this many, in one transaction: few commits, and after
/// a crash at most this many are sent again (with their Message-ID, so recognizably).
const RECORD_EVERY: usize = 32;
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
    Smtp(super::smtp::SmtpSender),
    Directory(std::path::PathBuf),
}

impl Sender {
    pub fn new(transport: &MailTransport) -> anyhow::Result<Sender> {
        Ok(match transport {
            MailTransport::Smtp { host, port } => {
                Sender::Smtp(super::smtp::SmtpSender::new(host, *port, IN_FLIGHT))
            }
            MailTransport::Directory(dir) => {
                std::fs::create_dir_all(dir)?;
                Sender::Directory(dir.clone())
            }
        })
    }

    /// Deliveries worth running at once: many for a mail server (each waits on the network),
    /// one for a directory (files created at once in one directory contend for its lock;
    /// measured: 16 at once were slower than one at a time).
    fn in_flight(&self) -> usize {
        match self {
            Sender::Smtp(_) => IN_FLIGHT,
            Sender::Directory(_) => 1,
        }
    }

    async fn send(&self, email: &OutboxEmail, from: &str) -> anyhow::Result<()> {
        let message = message::build(email, from)?;
        match self {
            Sender::Smtp(smtp) => smtp.send(message.envelope(), &message.formatted()).await?,
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

enum Outcome {
    Sent,
    Failed(String),
    /// Not started: too little lease was left to finish it.
    Released,
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
    for group in emails.chunks(RECORD_EVERY) {
        // The futures are made before they go into the stream: a closure inside the stream
        // would need a higher-ranked `Send` bound that the compiler cannot prove for `spawn`.
        let deliveries: Vec<_> = group
            .iter()
            .map(|email| deliver(app, sender, email, lease_until))
            .collect();
        let results: Vec<Outcome> = futures_util::stream::iter(deliveries)
            .buffered(sender.in_flight())
            .collect()
            .await;
        let (mut done, mut released) = (vec![], vec![]);
        for (email, outcome) in group.iter().zip(results) {
            match outcome {
                Outcome::Sent => done.push(email.id.as_str()),
                Outcome::Released => released.push(email.id.as_str()),
                Outcome::Failed(error) => {
                    tracing::warn!(email = %email.id, "delivery failed: {error}");
                    let retry_at = app.clock.now().0 + retry_delay_ms(email.attempts);
                    app.store
                        .mark_email_failed(&email.id, &error, retry_at)
                        .await?;
                }
            }
        }
        app.store
            .mark_emails_sent(&done, owner, app.clock.now().0)
            .await?;
        app.store.release_emails(&released, owner).await?;
        sent += done.len();
    }
    Ok(sent)
}

/// One delivery, started only if it can finish within the lease, so no email is ever sent by
/// a worker whose lease has run out.
async fn deliver(app: &App, sender: &Sender, email: &OutboxEmail, lease_until: i64) -> Outcome {
    if app.clock.now().0 + SEND_TIMEOUT_MS > lease_until {
        return Outcome::Released;
    }
    let timeout = std::time::Duration::from_millis(SEND_TIMEOUT_MS as u64);
    match tokio::time::timeout(timeout, sender.send(email, &app.config.mail_from)).await {
        Ok(Ok(())) => Outcome::Sent,
        Ok(Err(e)) => Outcome::Failed(e.to_string()),
        Err(_) => Outcome::Failed(format!("delivery took longer than {SEND_TIMEOUT_MS} ms")),
    }
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
