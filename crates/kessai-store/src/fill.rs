//! `kessai bench fill`: a database with many deals, fast, for figures that need volume.
//!
//! Every deal walks a path through the core's state machine ([`Deal::apply`]) and, for some
//! payouts, the bank's answer ([`instruction::answer`]); the rows are what those transitions
//! return — journals, instructions, events, the deal's final state — and every balance is
//! the sum of the lines written, never a figure made up here. Rows go out in multi-row
//! inserts, thousands of deals per transaction, so `kessai check` judges what the core made.

use crate::bulk::{Rows, Val};
use crate::db::query;
use crate::deals::deal_account;
use crate::{new_internal_id, Result, Store};
use kessai_core::instruction::{self, BankAnswer, InstructionStatus};
use kessai_core::matching::Terms;
use kessai_core::money::CURRENCY;
use kessai_core::{AccountKind, AccountType, BankAccount, Deal, DealCommand, DealId, FeeRule};
use kessai_core::{Journal, Millis, Party, Transition, Yen};
use std::collections::BTreeMap;

/// What a fill wrote.
#[derive(Clone, Copy, Debug, Default)]
pub struct FillSummary {
    pub deals: usize,
    pub rows: usize,
}

const DEALS_PER_TX: usize = 5_000;
/// Public IDs are `(base + n) × STRIDE mod 30⁹`: a bijection (STRIDE is prime to 30), so IDs
/// never collide within a fill and look as scattered as drawn ones.
const STRIDE: u64 = 1_000_000_007;
const ID_SPACE: u64 = 19_683_000_000_000;
/// Not a hash of any password: nobody signs in to a filled deal.
const PASSWORD_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$ZmlsbGVkLWRlYWw$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

impl Store {
    /// Writes `deals` deals agreed from `start_ms` on, in states spread over every path.
    pub async fn fill(&self, deals: usize, start_ms: i64) -> Result<FillSummary> {
        let random = uuid::Uuid::now_v7().as_u128() as u64;
        let base = random % (ID_SPACE - 2 * deals as u64);
        let mut summary = FillSummary::default();
        while summary.deals < deals {
            let n = (deals - summary.deals).min(DEALS_PER_TX);
            let mut batch = Batch::new();
            for k in summary.deals..summary.deals + n {
                let at = start_ms + k as i64 * 1_000;
                batch.deal(k as u64, base + 2 * k as u64, at);
            }
            summary.rows += batch.write(self).await?;
            summary.deals += n;
        }
        Ok(summary)
    }
}

fn public_id(n: u64) -> DealId {
    let mut x = (u128::from(n) * u128::from(STRIDE) % u128::from(ID_SPACE)) as u64;
    let mut indices = [0u8; kessai_core::deal_id::RANDOM_CHARS];
    for i in indices.iter_mut() {
        *i = (x % 30) as u8;
        x /= 30;
    }
    DealId::from_indices(indices)
}

/// The commands deal number `k` receives: awaiting payment (none, or a short payment),
/// funded, shipped, completed (some overpaid), refunded by the operator, or expired unpaid.
fn plan(k: u64, deal: &Deal) -> Vec<DealCommand> {
    let price = deal.price;
    let pay = |amount: i64| DealCommand::Pay {
        amount: Yen(amount),
    };
    let ship = DealCommand::Ship {
        tracking: Some(format!("TRK{k:010}")),
    };
    match k % 10 {
        0 => vec![],
        1 => vec![pay(price.0 / 2)],
        2 => vec![pay(price.0)],
        3 => vec![pay(price.0), ship],
        4..=6 => vec![pay(price.0), ship, DealCommand::ConfirmReceipt],
        7 => vec![pay(price.0 + 500), ship, DealCommand::ConfirmReceipt],
        8 => vec![pay(price.0), DealCommand::OperatorRefund],
        _ => vec![DealCommand::Expire],
    }
}

struct Batch {
    registrations: Rows,
    deals: Rows,
    accounts: Rows,
    journals: Rows,
    lines: Rows,
    credits: Rows,
    instructions: Rows,
    events: Rows,
    /// Totals (debits, credits) of the accounts every deal shares, for this batch.
    shared: BTreeMap<&'static str, (i64, i64)>,
    /// Totals of the current deal's own accounts.
    own: BTreeMap<AccountKind, (i64, i64)>,
}

impl Batch {
    fn new() -> Batch {
        Batch {
            registrations: Rows::new(
                "registrations",
                &[
                    "public_id",
                    "role",
                    "pairing_key",
                    "terms_json",
                    "email",
                    "lang",
                    "shipping_address",
                    "bank_account_json",
                    "password_hash",
                    "deal_id",
                    "created_at_ms",
                ],
            ),
            deals: Rows::new(
                "deals",
                &[
                    "id",
                    "buyer_id",
                    "seller_id",
                    "item",
                    "state",
                    "price_yen",
                    "fee_yen",
                    "received_yen",
                    "pay_by_ms",
                    "ship_by_ms",
                    "ship_days",
                    "tracking",
                    "version",
                    "created_at_ms",
                    "updated_at_ms",
                ],
            ),
            accounts: Rows::new(
                "accounts",
                &[
                    "id",
                    "kind",
                    "deal_id",
                    "currency",
                    "debits_yen",
                    "credits_yen",
                ],
            ),
            journals: Rows::new(
                "journals",
                &[
                    "id",
                    "deal_id",
                    "kind",
                    "resolution",
                    "currency",
                    "cause",
                    "at_ms",
                ],
            ),
            lines: Rows::new(
                "journal_lines",
                &["journal_id", "line_no", "account_id", "amount_yen"],
            ),
            credits: Rows::new(
                "bank_credits",
                &[
                    "id",
                    "bank_ref",
                    "amount_yen",
                    "reference",
                    "deal_id",
                    "outcome",
                    "received_at_ms",
                ],
            ),
            instructions: Rows::new(
                "payment_instructions",
                &[
                    "id",
                    "deal_id",
                    "journal_id",
                    "purpose",
                    "party",
                    "amount_yen",
                    "bank_account_json",
                    "status",
                    "created_at_ms",
                ],
            ),
            events: crate::events::pending_events(),
            shared: BTreeMap::new(),
            own: BTreeMap::new(),
        }
    }

    /// Deal number `k`, its parties numbered `n` and `n + 1`, agreed at `t0`.
    fn deal(&mut self, k: u64, n: u64, t0: i64) {
        let id = new_internal_id();
        let (buyer, seller) = (public_id(n), public_id(n + 1));
        let terms = Terms {
            item: format!("出品 {k}"),
            price: Yen(1_000 + (k % 400) as i64 * 250),
            buyer_name: format!("買主 {k}"),
            buyer_email: format!("buyer{k}@example.jp"),
            seller_name: format!("売主 {k}"),
            seller_email: format!("seller{k}@example.jp"),
        };
        let account = serde_json::to_string(&BankAccount {
            bank_code: "0001".into(),
            branch_code: "001".into(),
            account_type: AccountType::Ordinary,
            account_number: format!("{:07}", k % 10_000_000),
            holder_name: "ｶｲﾇｼ ﾀﾛｳ".into(),
        })
        .expect("account serializes");
        self.register(&buyer, Party::Buyer, &terms, &account, &id, t0);
        self.register(&seller, Party::Seller, &terms, &account, &id, t0);
        let fee = FeeRule::default().fee_for(terms.price);
        let mut deal = Deal::agreed(terms.price, fee, Millis(t0), 7, 5);
        let detail = serde_json::json!({ "price_yen": terms.price.0, "pay_by_ms": deal.pay_by.0 });
        self.event(&id, t0, "agreed", &detail);
        self.own.clear();
        let commands = plan(k, &deal);
        let mut now = t0;
        for (step, command) in commands.iter().enumerate() {
            now = match command {
                DealCommand::Expire => deal.pay_by.0,
                _ => t0 + 60_000 * (step as i64 + 1),
            };
            let t = deal
                .apply(command, Millis(now))
                .expect("each plan is a path the deal allows");
            self.transition(&id, &buyer, &t, command, &account, now, k % 10 == 4);
            deal = t.deal;
        }
        for kind in [
            AccountKind::Held,
            AccountKind::PayoutDue,
            AccountKind::RefundDue,
        ] {
            let (debits, credits) = self.own.get(&kind).copied().unwrap_or_default();
            self.accounts.push([
                deal_account(kind, &id).into(),
                kind.as_str().into(),
                Val::from(id.as_str()),
                CURRENCY.into(),
                debits.into(),
                credits.into(),
            ]);
        }
        self.deals.push([
            id.into(),
            buyer.as_str().into(),
            seller.as_str().into(),
            terms.item.into(),
            deal.state.as_str().into(),
            deal.price.0.into(),
            deal.fee.0.into(),
            deal.received.0.into(),
            deal.pay_by.0.into(),
            deal.ship_by.map(|m| m.0).into(),
            i64::from(deal.ship_days).into(),
            deal.tracking.into(),
            (commands.len() as i64).into(),
            t0.into(),
            now.into(),
        ]);
    }

    fn register(
        &mut self,
        id: &DealId,
        role: Party,
        terms: &Terms,
        account: &str,
        deal: &str,
        at: i64,
    ) {
        let email = match role {
            Party::Buyer => &terms.buyer_email,
            Party::Seller => &terms.seller_email,
        };
        let address = (role == Party::Buyer).then(|| "東京都千代田区千代田1-1".to_string());
        self.registrations.push([
            id.as_str().into(),
            role.as_str().into(),
            terms.pairing_key().into(),
            serde_json::to_string(terms)
                .expect("terms serialize")
                .into(),
            email.as_str().into(),
            "ja".into(),
            address.into(),
            account.into(),
            PASSWORD_HASH.into(),
            deal.into(),
            at.into(),
        ]);
        let detail = serde_json::json!({ "role": role.as_str() });
        self.events.push([
            new_internal_id().into(),
            None::<String>.into(),
            id.as_str().into(),
            at.into(),
            "registered".into(),
            detail.to_string().into(),
        ]);
    }

    fn event(&mut self, deal: &str, at: i64, event: &str, detail: &serde_json::Value) {
        self.events.push([
            new_internal_id().into(),
            Some(deal.to_string()).into(),
            None::<String>.into(),
            at.into(),
            event.into(),
            detail.to_string().into(),
        ]);
    }

    /// The rows one transition makes, as the server saves them (`service::deal_ops`); with
    /// `settle`, the bank then reports each instruction paid.
    #[allow(clippy::too_many_arguments)]
    fn transition(
        &mut self,
        deal: &str,
        buyer: &DealId,
        t: &Transition,
        command: &DealCommand,
        account: &str,
        now: i64,
        settle: bool,
    ) {
        let ids: Vec<String> = t
            .journals
            .iter()
            .map(|j| self.journal(deal, j, command.name(), now))
            .collect();
        for ins in &t.instructions {
            let at = t.journal_of(ins);
            let mut status = InstructionStatus::Pending;
            if settle {
                let (done, journals) = instruction::answer(
                    InstructionStatus::Sent,
                    ins.purpose,
                    ins.amount,
                    &BankAnswer::Settled,
                )
                .expect("a sent transfer settles");
                for j in &journals {
                    self.journal(deal, j, "bank_answer", now);
                }
                let detail = serde_json::json!({ "amount_yen": ins.amount.0, "reason": null });
                self.event(
                    deal,
                    now,
                    &format!("{}_{}", ins.purpose.as_str(), done.as_str()),
                    &detail,
                );
                status = done;
            }
            self.instructions.push([
                new_internal_id().into(),
                Some(deal.to_string()).into(),
                ids[at].as_str().into(),
                ins.purpose.as_str().into(),
                ins.to.as_str().into(),
                ins.amount.0.into(),
                account.into(),
                status.as_str().into(),
                now.into(),
            ]);
        }
        let mut detail = serde_json::json!({ "received_yen": t.deal.received.0 });
        if let DealCommand::Pay { amount } = command {
            detail["amount_yen"] = amount.0.into();
            let credit = new_internal_id();
            self.credits.push([
                credit.as_str().into(),
                format!("fill-{credit}").into(),
                amount.0.into(),
                buyer.as_str().into(),
                Some(deal.to_string()).into(),
                "matched".into(),
                now.into(),
            ]);
        }
        if let Some(tracking) = &t.deal.tracking {
            detail["tracking"] = tracking.clone().into();
        }
        self.event(deal, now, t.event, &detail);
    }

    fn journal(&mut self, deal: &str, j: &Journal, cause: &str, now: i64) -> String {
        let id = new_internal_id();
        let resolution = j.kind.resolves_hold().then(|| "hold".to_string());
        self.journals.push([
            id.as_str().into(),
            Some(deal.to_string()).into(),
            j.kind.as_str().into(),
            resolution.into(),
            CURRENCY.into(),
            cause.into(),
            now.into(),
        ]);
        for (no, line) in j.lines.iter().enumerate() {
            let totals = if line.account.is_per_deal() {
                self.own.entry(line.account).or_default()
            } else {
                self.shared.entry(line.account.as_str()).or_default()
            };
            match line.amount_yen {
                a if a > 0 => totals.0 += a,
                a => totals.1 -= a,
            }
            let account = match line.account.is_per_deal() {
                true => deal_account(line.account, deal),
                false => line.account.as_str().to_string(),
            };
            self.lines.push([
                id.as_str().into(),
                (no as i64).into(),
                account.into(),
                line.amount_yen.into(),
            ]);
        }
        id
    }

    /// One transaction: every table in an order the foreign keys accept, then the shared
    /// accounts' balances. Returns the rows written.
    async fn write(mut self, store: &Store) -> Result<usize> {
        let mut tx = store.begin().await?;
        let mut rows = 0;
        for table in [
            &mut self.registrations,
            &mut self.deals,
            &mut self.accounts,
            &mut self.journals,
            &mut self.lines,
            &mut self.credits,
            &mut self.instructions,
            &mut self.events,
        ] {
            rows += table.len();
            table.write(&mut tx).await?;
        }
        for (account, (debits, credits)) in &self.shared {
            query("UPDATE accounts SET debits_yen = debits_yen + $1, credits_yen = credits_yen + $2 WHERE id = $3")
                .bind(*debits)
                .bind(*credits)
                .bind(*account)
                .execute(tx.conn())
                .await?;
        }
        tx.commit().await?;
        Ok(rows)
    }
}

/// Emails written per transaction by [`Store::fill_outbox`].
const EMAILS_PER_TX: usize = 10_000;

impl Store {
    /// Writes `emails` pending emails, all due at `now_ms`, for the outbox benchmark.
    pub async fn fill_outbox(&self, emails: usize, now_ms: i64) -> Result<()> {
        let mut written = 0;
        while written < emails {
            let n = (emails - written).min(EMAILS_PER_TX);
            let mut rows = Rows::new(
                "outbox_emails",
                &[
                    "id",
                    "to_addr",
                    "subject",
                    "body",
                    "status",
                    "next_attempt_ms",
                    "created_at_ms",
                ],
            );
            for k in written..written + n {
                rows.push([
                    new_internal_id().into(),
                    format!("bench{k}@example.com").into(),
                    "Kessai: bench".into(),
                    format!("Email number {k} of a filled outbox.\n").into(),
                    "pending".into(),
                    now_ms.into(),
                    now_ms.into(),
                ]);
            }
            let mut tx = self.begin().await?;
            rows.write(&mut tx).await?;
            tx.commit().await?;
            written += n;
        }
        Ok(())
    }
}

impl Store {
    /// Up to `n` parties of agreed deals, spread over the whole table: each is the first public
    /// ID at or after a random one (the benchmark of reads signs them in).
    pub async fn sample_parties(&self, n: usize) -> Result<Vec<DealId>> {
        let mut found = std::collections::BTreeSet::new();
        for _ in 0..n * 2 {
            if found.len() >= n {
                break;
            }
            let from = random_public_id();
            let next: Option<String> = crate::db::query_scalar(
                "SELECT public_id FROM registrations WHERE public_id >= $1 AND deal_id IS NOT NULL \
                 ORDER BY public_id LIMIT 1",
            )
            .bind(from.as_str())
            .fetch_optional(self.reader())
            .await?;
            if let Some(id) = next.and_then(|s| DealId::parse(&s).ok()) {
                found.insert(id.as_str().to_string());
            }
        }
        Ok(found.iter().filter_map(|s| DealId::parse(s).ok()).collect())
    }
}

/// A public ID anywhere in the ID space: a UUIDv7's low 64 bits are random.
fn random_public_id() -> DealId {
    public_id(uuid::Uuid::now_v7().as_u128() as u64 % ID_SPACE)
}
