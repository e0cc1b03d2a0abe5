//! Emails to a contract's buyer and seller at each step (seed 001: "the same facts go out by
//! email"): each notice `Tx::contracts_changed` recorded is turned into one email per party
//! that gave an address, in Japanese with the English below (a contract says nothing of its
//! parties' language), with the link to the contract's progress page. The notice is taken and
//! its emails put in the outbox in one transaction, so each is written once whatever the
//! workers do; the outbox sends them, with its retries.

use super::page_link;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::{transact, App};
use kessai_core::contract::{status, Contract};
use kessai_store::{ContractNotice, NewEmail};
use std::sync::Arc;

/// Notices turned into emails per transaction.
const PER_TRANSACTION: i64 = 200;

/// The email for one party of one notice: subject and body.
fn render(n: &ContractNotice, c: &Contract, name: &str, page_url: &str) -> (String, String) {
    let now = status(&n.debit_state, &n.delivery_state, &n.payout_state);
    let in_words = |l: Lang| crate::words::contract_status(l, now);
    let subject = format!(
        "[Kessai] 契約 {} : {} / Contract {} : {}",
        n.number,
        in_words(Lang::Ja),
        n.number,
        in_words(Lang::En)
    );
    let goods = c.goods.name.as_str();
    let settled = |l: Lang| match &n.paid_on {
        Some(day) if now == "paid" => format!("{}{day}\n", l.t("清算日: ", "Settled on: ")),
        _ => String::new(),
    };
    let failed = |l: Lang| {
        if now == "debit_failed" {
            l.t(
                "買主の口座から代金を引き落とせませんでした。理由は進捗ページをご覧ください。\n",
                "The buyer's bank did not debit the amount: the progress page says why.\n",
            )
        } else {
            ""
        }
    };
    let body = format!(
        "{name} 様\n\n契約番号 {number}（{goods}、{amount}）の状況が「{ja}」になりました。\n{failed_ja}{settled_ja}\
         進捗ページ: {page_url}\n\n-- \nKessai\n\n\
         ----- English -----\n\n\
         Dear {name},\n\nContract {number} ({goods}, {amount}) is now: {en}.\n{failed_en}{settled_en}\
         Progress page: {page_url}&lang=en\n",
        number = n.number,
        amount = kessai_core::Yen(n.amount_yen),
        ja = in_words(Lang::Ja),
        en = in_words(Lang::En),
        failed_ja = failed(Lang::Ja),
        failed_en = failed(Lang::En),
        settled_ja = settled(Lang::Ja),
        settled_en = settled(Lang::En),
    );
    (subject, body)
}

/// Turns up to [`PER_TRANSACTION`] notices into outbox emails; how many notices were taken.
pub async fn deliver_due(app: &App) -> AppResult<usize> {
    let key = page_link::key(app).await?;
    transact!(*app, |tx| {
        let notices = tx.contract_notices_due(PER_TRANSACTION).await?;
        let now = app.clock.now().0;
        let mut taken = 0;
        for n in &notices {
            if !tx.take_contract_notice(&n.id, now).await? {
                continue;
            }
            taken += 1;
            let c: Contract = serde_json::from_str(&n.body).map_err(AppError::internal)?;
            let url = page_link::url_under(app, &key, &n.contract_id);
            for party in [&c.buyer, &c.seller] {
                let Some(to) = &party.email else { continue };
                let (subject, body) = render(n, &c, &party.name, &url);
                let email = NewEmail {
                    to,
                    subject: &subject,
                    body: &body,
                    deal_ref: Some(&n.contract_id),
                };
                tx.enqueue_email(&email, now).await?;
            }
        }
        Ok(taken)
    })
}

/// The worker: takes notices as they come, then rests for the mail interval.
pub async fn run(app: Arc<App>) {
    loop {
        match deliver_due(&app).await {
            Ok(n) if n as i64 == PER_TRANSACTION => continue,
            Ok(_) => {}
            Err(e) => tracing::warn!("contract emails: {}", e.message),
        }
        tokio::time::sleep(app.config.mail_interval).await;
    }
}
