//! Email: rendering notices (ja/en), building MIME messages, and the outbox worker.

pub mod message;
pub mod smtp;
pub mod templates;
pub mod worker;
