//! Turning the core's notices into outbox emails, in the recipient's language.

use crate::error::AppResult;
use crate::i18n::Lang;
use crate::mail::templates::{render, MailContext};
use crate::App;
use kessai_core::NoticeKind;
use kessai_store::{NewEmail, Registration, Tx};

/// Writes one email to the outbox in the caller's transaction.
pub async fn notify(
    app: &App,
    tx: &mut Tx,
    to: &Registration,
    kind: &NoticeKind,
    payment_reference: Option<&str>,
) -> AppResult<()> {
    notify_paying_to(
        app,
        tx,
        to,
        kind,
        payment_reference,
        app.config.collection_account(),
    )
    .await
}

/// Like [`notify`], naming `pay_to` as the account to pay into (a deal's virtual account).
pub async fn notify_paying_to(
    app: &App,
    tx: &mut Tx,
    to: &Registration,
    kind: &NoticeKind,
    payment_reference: Option<&str>,
    pay_to: &kessai_core::BankAccount,
) -> AppResult<()> {
    let cx = MailContext {
        lang: Lang::parse(Some(&to.lang)),
        role: to.role,
        public_id: to.public_id.as_str(),
        item: &to.terms.item,
        price: to.terms.price,
        payment_reference,
        collection_account: pay_to,
    };
    let (subject, body) = render(kind, &cx);
    let email = NewEmail {
        to: &to.email,
        subject: &subject,
        body: &body,
        deal_ref: Some(to.public_id.as_str()),
    };
    tx.enqueue_email(&email, app.clock.now().0).await?;
    Ok(())
}
