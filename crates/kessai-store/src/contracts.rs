//! Sales contracts of marketplace sites: written in bulk (multi-row inserts), known by the
//! site's own number, read by the site that sent them.

use crate::bulk::Rows;
use crate::db::{query, Row};
use crate::deals::deal_account;
use crate::{get, Result, Store, Tx};
use kessai_core::contract::{debit, delivery};
use kessai_core::money::CURRENCY;
use kessai_core::AccountKind;
use std::collections::HashMap;

/// A contract about to be stored.
pub struct NewContract<'a> {
    pub id: &'a str,
    pub number: &'a str,
    pub content_sha256: &'a str,
    pub body: &'a str,
    pub amount_yen: i64,
    pub buyer_bank_code: &'a str,
    pub due_date: Option<&'a str>,
    /// `after_shipment` or `regardless` (kessai_core::contract::PayoutWhen).
    pub payout_when: &'a str,
    /// `pooled` or `direct` (kessai_core::contract::Pooling).
    pub pooling: &'a str,
    /// How many of its parties gave an email address (they are told of each step).
    pub party_emails: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContractRecord {
    pub id: String,
    pub site_id: String,
    pub number: String,
    pub content_sha256: String,
    /// The canonical JSON of `kessai_core::contract::Contract`.
    pub body: String,
    pub amount_yen: i64,
    pub buyer_bank_code: String,
    pub due_date: Option<String>,
    pub debit_state: String,
    pub delivery_state: String,
    /// `waiting`, `instructed`, `paid` (kessai_core::contract::payout).
    pub payout_state: String,
    /// The day the bank confirmed the seller's payout.
    pub paid_on: Option<String>,
    pub created_at_ms: i64,
}

/// A contract number already stored for the site: its ID and content digest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredNumber {
    pub id: String,
    pub content_sha256: String,
}

pub(crate) const COLUMNS: &str =
    "id, site_id, number, content_sha256, body, amount_yen, buyer_bank_code, due_date, debit_state, \
     delivery_state, payout_state, paid_on, created_at_ms";

/// Numbers looked up per statement.
const NUMBERS_PER_SELECT: usize = 300;

pub(crate) fn from_row(row: &Row) -> Result<ContractRecord> {
    Ok(ContractRecord {
        id: get(row, "id")?,
        site_id: get(row, "site_id")?,
        number: get(row, "number")?,
        content_sha256: get(row, "content_sha256")?,
        body: get(row, "body")?,
        amount_yen: get(row, "amount_yen")?,
        buyer_bank_code: get(row, "buyer_bank_code")?,
        due_date: get(row, "due_date")?,
        debit_state: get(row, "debit_state")?,
        delivery_state: get(row, "delivery_state")?,
        payout_state: get(row, "payout_state")?,
        paid_on: get(row, "paid_on")?,
        created_at_ms: get(row, "created_at_ms")?,
    })
}

impl Tx {
    /// Which of these numbers the site has stored already, with each one's ID and digest.
    pub async fn stored_numbers(
        &mut self,
        site_id: &str,
        numbers: &[&str],
    ) -> Result<HashMap<String, StoredNumber>> {
        let mut found = HashMap::new();
        for chunk in numbers.chunks(NUMBERS_PER_SELECT) {
            let places: Vec<String> = (2..chunk.len() + 2).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT number, id, content_sha256 FROM contracts WHERE site_id = $1 AND number IN ({})",
                places.join(", ")
            );
            let mut q = query(&sql).bind(site_id);
            for n in chunk {
                q = q.bind(*n);
            }
            for row in q.fetch_all(self.conn()).await? {
                found.insert(
                    get(&row, "number")?,
                    StoredNumber {
                        id: get(&row, "id")?,
                        content_sha256: get(&row, "content_sha256")?,
                    },
                );
            }
        }
        Ok(found)
    }

    /// Stores the contracts in multi-row inserts; returns how many were new (a number stored
    /// meanwhile by a concurrent request is skipped, and the caller retries on fresh data).
    pub async fn insert_contracts(
        &mut self,
        site_id: &str,
        contracts: &[NewContract<'_>],
        now_ms: i64,
    ) -> Result<u64> {
        let mut rows = Rows::new(
            "contracts",
            &[
                "id",
                "site_id",
                "number",
                "content_sha256",
                "body",
                "amount_yen",
                "buyer_bank_code",
                "due_date",
                "debit_state",
                "delivery_state",
                "payout_when",
                "pooling",
                "party_emails",
                "created_at_ms",
            ],
        );
        for c in contracts {
            rows.push([
                c.id.into(),
                site_id.into(),
                c.number.into(),
                c.content_sha256.into(),
                c.body.into(),
                c.amount_yen.into(),
                c.buyer_bank_code.into(),
                c.due_date.map(str::to_string).into(),
                debit::NOT_REQUESTED.into(),
                delivery::WAITING.into(),
                c.payout_when.into(),
                c.pooling.into(),
                c.party_emails.into(),
                now_ms.into(),
            ]);
        }
        let inserted = rows.write_new(self).await?;
        // Each contract's own ledger accounts, as a deal has: what is held for it, owed to
        // its seller, owed back to its buyer.
        let mut accounts = Rows::new("accounts", &["id", "kind", "deal_id", "currency"]);
        for c in contracts {
            for kind in [
                AccountKind::Held,
                AccountKind::PayoutDue,
                AccountKind::RefundDue,
            ] {
                accounts.push([
                    deal_account(kind, c.id).into(),
                    kind.as_str().into(),
                    c.id.into(),
                    CURRENCY.into(),
                ]);
            }
        }
        accounts.write_new(self).await?;
        // Accepted: the first status a site hears of. When fewer went in, the caller reruns
        // the whole transaction on fresh data, and these events go with it.
        let ids: Vec<&str> = contracts.iter().map(|c| c.id).collect();
        self.contracts_changed(&ids, now_ms).await?;
        Ok(inserted)
    }

    /// One contract, in this transaction (for a step that changes it).
    pub async fn contract_for_update(&mut self, id: &str) -> Result<Option<ContractRecord>> {
        let sql = format!("SELECT {COLUMNS} FROM contracts WHERE id = $1");
        let row = query(&sql).bind(id).fetch_optional(self.conn()).await?;
        row.as_ref().map(from_row).transpose()
    }
}

impl Store {
    /// A contract by its ID alone (for its own page, reached by a signed link).
    pub async fn contract_by_id(&self, id: &str) -> Result<Option<ContractRecord>> {
        let sql = format!("SELECT {COLUMNS} FROM contracts WHERE id = $1");
        let row = query(&sql).bind(id).fetch_optional(self.reader()).await?;
        row.as_ref().map(from_row).transpose()
    }

    /// The key for `purpose` (hex), made from `fresh` by the first caller: every later caller,
    /// in any instance sharing the database, gets the one stored.
    pub async fn page_key(&self, purpose: &str, fresh: &str) -> Result<String> {
        let read = "SELECT key_hex FROM page_keys WHERE purpose = $1";
        let stored: Option<String> = crate::db::query_scalar(read)
            .bind(purpose)
            .fetch_optional(self.reader())
            .await?;
        if let Some(key) = stored {
            return Ok(key);
        }
        let mut tx = self.begin().await?;
        query("INSERT INTO page_keys (purpose, key_hex) VALUES ($1, $2) ON CONFLICT (purpose) DO NOTHING")
            .bind(purpose)
            .bind(fresh)
            .execute(tx.conn())
            .await?;
        let key = crate::db::query_scalar(read)
            .bind(purpose)
            .fetch_one(tx.conn())
            .await?;
        tx.commit().await?;
        Ok(key)
    }

    /// A contract of this site (another site's contract is not found).
    pub async fn contract(&self, site_id: &str, id: &str) -> Result<Option<ContractRecord>> {
        let sql = format!("SELECT {COLUMNS} FROM contracts WHERE site_id = $1 AND id = $2");
        let row = query(&sql)
            .bind(site_id)
            .bind(id)
            .fetch_optional(self.reader())
            .await?;
        row.as_ref().map(from_row).transpose()
    }

    /// The site's contracts in ID order (time order), `limit` after the ID `after`.
    pub async fn contracts_of_site(
        &self,
        site_id: &str,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<ContractRecord>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM contracts WHERE site_id = $1 AND id > $2 ORDER BY id LIMIT $3"
        );
        let rows = query(&sql)
            .bind(site_id)
            .bind(after.unwrap_or(""))
            .bind(limit)
            .fetch_all(self.reader())
            .await?;
        rows.iter().map(from_row).collect()
    }
}
