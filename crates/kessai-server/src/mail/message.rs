//! A MIME message from an outbox row. lettre encodes Japanese headers (RFC 2047) and bodies;
//! a single part carries `MIME-Version: 1.0` with its `Content-Type`, so strict readers honour both.

use kessai_store::OutboxEmail;
use lettre::message::SinglePart;
use lettre::Message;

/// The Message-ID derives from the outbox row, so a redelivery after a crash can be recognized.
pub fn build(email: &OutboxEmail, from: &str) -> anyhow::Result<Message> {
    Ok(Message::builder()
        .from(from.parse()?)
        .to(email.to.parse()?)
        .subject(email.subject.clone())
        .message_id(Some(format!("<{}@kessai>", email.id)))
        .singlepart(SinglePart::plain(email.body.clone()))?)
}
