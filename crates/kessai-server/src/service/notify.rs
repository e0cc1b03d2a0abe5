//! Turning the core's notices into outbox emails, in the recipient's language.

use crate::error::AppResult;
use crate::i18n::Lang;
use crate::mail::templates::{render, MailContext};
use crate::App;
use kessai_core::{BankAccount, NoticeKind};
use kessai_store::{NewEmail, Registration, Tx};

/// What an email may say besides the notice and its recipient's own registration.
#[derive(Default)]
pub struct Extras<'a> {
    /// The reference the buyer quotes when paying (the buyer's deal ID).
    pub payment_reference: Option<&'a str>,
    /// The account to pay into, when not the operator's collection account (a virtual account).
    pub pay_to: Option<&'a BankAccount>,
    /// The buyer, for the seller's "please ship" email: name and shipping address.
    pub ship_to: Option<&'a Registration>,
}

/// Writes one email to the outbox in the caller's transaction.
pub async fn notify(app: &App, tx: &mut Tx, to: &Registration, kind: &NoticeKind) -> AppResult<()> {
    notify_with(app, tx, to, kind, &Extras::default()).await
}

/// Like [`notify`], with everything [`Extras`] can add.
pub async fn notify_with(
    app: &App,
    tx: &mut Tx,
    to: &Registration,
    kind: &NoticeKind,
    extras: &Extras<'_>,
) -> AppResult<()> {
    let lang = Lang::parse(Some(&to.lang));
    let deal_url = deal_url(&app.config.public_url, to.public_id.as_str(), lang);
    let ship_to = extras.ship_to.map(|b| {
        (
            b.terms.buyer_name.as_str(),
            b.shipping_address.as_deref().unwrap_or("-"),
        )
    });
    let cx = MailContext {
        lang,
        role: to.role,
        public_id: to.public_id.as_str(),
        item: &to.terms.item,
        price: to.terms.price,
        payment_reference: extras.payment_reference,
        collection_account: extras.pay_to.unwrap_or(app.config.collection_account()),
        own_account: &to.bank_account,
        ship_to,
        deal_url: &deal_url,
        bank_master: app.config.bank_master.as_deref(),
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

/// The deal page for one deal ID, its sign-in filled in, in the recipient's language.
pub fn deal_url(public_url: &str, public_id: &str, lang: Lang) -> String {
    format!(
        "{}/deal?deal_id={public_id}&lang={}",
        public_url.trim_end_matches('/'),
        lang.code()
    )
}
