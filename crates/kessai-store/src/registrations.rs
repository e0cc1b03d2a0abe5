//! Buyer and seller registrations, the pairing lock, and login-failure bookkeeping.

use crate::db::{query, query_scalar, Row};
use crate::{corrupt, get, Result, Tx};
use kessai_core::matching::Terms;
use kessai_core::{BankAccount, DealId, Party};

#[derive(Clone, Debug)]
pub struct Registration {
    pub public_id: DealId,
    pub role: Party,
    pub terms: Terms,
    pub email: String,
    pub lang: String,
    pub shipping_address: Option<String>,
    pub bank_account: BankAccount,
    pub password_hash: String,
    pub deal_id: Option<String>,
    pub mismatch: Vec<String>,
    pub failed_logins: i64,
    pub locked_until_ms: i64,
    pub created_at_ms: i64,
}

pub struct NewRegistration<'a> {
    pub public_id: &'a DealId,
    pub role: Party,
    pub terms: &'a Terms,
    pub lang: &'a str,
    pub shipping_address: Option<&'a str>,
    pub bank_account: &'a BankAccount,
    pub password_hash: &'a str,
    pub now_ms: i64,
}

pub(crate) const COLUMNS: &str = "public_id, role, terms_json, email, lang, shipping_address, bank_account_json, password_hash, \
                       deal_id, mismatch_json, failed_logins, locked_until_ms, created_at_ms";

pub(crate) fn from_row(row: &Row) -> Result<Registration> {
    let public_id: String = get(row, "public_id")?;
    let role: String = get(row, "role")?;
    let terms: String = get(row, "terms_json")?;
    let account: String = get(row, "bank_account_json")?;
    let mismatch: Option<String> = get(row, "mismatch_json")?;
    Ok(Registration {
        public_id: DealId::parse(&public_id)
            .map_err(|e| corrupt(format!("registration id {public_id}: {e}")))?,
        role: Party::parse(&role).ok_or_else(|| corrupt(format!("role {role}")))?,
        terms: serde_json::from_str(&terms)
            .map_err(|e| corrupt(format!("terms of {public_id}: {e}")))?,
        email: get(row, "email")?,
        lang: get(row, "lang")?,
        shipping_address: get(row, "shipping_address")?,
        bank_account: serde_json::from_str(&account)
            .map_err(|e| corrupt(format!("account of {public_id}: {e}")))?,
        password_hash: get(row, "password_hash")?,
        deal_id: get(row, "deal_id")?,
        mismatch: match mismatch {
            Some(m) => serde_json::from_str(&m)
                .map_err(|e| corrupt(format!("mismatch of {public_id}: {e}")))?,
            None => vec![],
        },
        failed_logins: get(row, "failed_logins")?,
        locked_until_ms: get(row, "locked_until_ms")?,
        created_at_ms: get(row, "created_at_ms")?,
    })
}

type AnyQuery<'q> = crate::db::Query<'q>;

/// Binds what a registration says, in column order from `pairing_key` to `password_hash`.
fn bind_details<'q>(query: AnyQuery<'q>, r: &NewRegistration<'q>) -> AnyQuery<'q> {
    let email = match r.role {
        Party::Buyer => &r.terms.buyer_email,
        Party::Seller => &r.terms.seller_email,
    };
    query
        .bind(r.terms.pairing_key())
        .bind(serde_json::to_string(r.terms).expect("terms serialize"))
        .bind(email.trim().to_string())
        .bind(r.lang)
        .bind(r.shipping_address)
        .bind(serde_json::to_string(r.bank_account).expect("account serializes"))
        .bind(r.password_hash)
}

impl Tx {
    /// Inserts a registration; `false` when the (random) public ID is already taken.
    pub async fn insert_registration(&mut self, r: &NewRegistration<'_>) -> Result<bool> {
        let query = query(
            "INSERT INTO registrations (public_id, role, pairing_key, terms_json, email, lang, shipping_address, \
             bank_account_json, password_hash, created_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
             ON CONFLICT (public_id) DO NOTHING",
        )
        .bind(r.public_id.as_str())
        .bind(r.role.as_str());
        let done = bind_details(query, r)
            .bind(r.now_ms)
            .execute(self.conn())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Replaces the details of a registration not yet in a deal (an amendment after a
    /// mismatch); `false` when it is in a deal already. ID, role and creation time stay.
    pub async fn amend_registration(&mut self, r: &NewRegistration<'_>) -> Result<bool> {
        let query = query(
            "UPDATE registrations SET pairing_key = $1, terms_json = $2, email = $3, lang = $4, shipping_address = $5, \
             bank_account_json = $6, password_hash = $7 WHERE public_id = $8 AND role = $9 AND deal_id IS NULL",
        );
        let done = bind_details(query, r)
            .bind(r.public_id.as_str())
            .bind(r.role.as_str())
            .execute(self.conn())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Takes the lock for one pairing key until commit (a row lock on PostgreSQL; SQLite
    /// transactions are already serialized).
    pub async fn lock_pairing(&mut self, pairing_key: &str) -> Result<()> {
        query("INSERT INTO pairing_locks (pairing_key) VALUES ($1) ON CONFLICT (pairing_key) DO NOTHING")
            .bind(pairing_key)
            .execute(self.conn())
            .await?;
        query("UPDATE pairing_locks SET touches = touches + 1 WHERE pairing_key = $1")
            .bind(pairing_key)
            .execute(self.conn())
            .await?;
        Ok(())
    }

    /// Unmatched registrations of `role` under a pairing key, oldest first.
    pub async fn open_registrations(
        &mut self,
        pairing_key: &str,
        role: Party,
    ) -> Result<Vec<Registration>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM registrations WHERE pairing_key = $1 AND role = $2 AND deal_id IS NULL \
             ORDER BY created_at_ms, public_id LIMIT 50"
        );
        let rows = query(&sql)
            .bind(pairing_key)
            .bind(role.as_str())
            .fetch_all(self.conn())
            .await?;
        rows.iter().map(from_row).collect()
    }

    pub async fn registration(&mut self, id: &DealId) -> Result<Option<Registration>> {
        let sql = format!("SELECT {COLUMNS} FROM registrations WHERE public_id = $1");
        let row = query(&sql)
            .bind(id.as_str())
            .fetch_optional(self.conn())
            .await?;
        row.as_ref().map(from_row).transpose()
    }

    pub async fn set_mismatch(&mut self, id: &DealId, fields: &[&str]) -> Result<()> {
        let json = if fields.is_empty() {
            None
        } else {
            Some(serde_json::to_string(fields).expect("fields serialize"))
        };
        query("UPDATE registrations SET mismatch_json = $1 WHERE public_id = $2")
            .bind(json)
            .bind(id.as_str())
            .execute(self.conn())
            .await?;
        Ok(())
    }

    /// Ties a registration to its deal; `false` if it was already taken by another deal.
    pub async fn claim_registration(&mut self, id: &DealId, deal_id: &str) -> Result<bool> {
        let done = query(
            "UPDATE registrations SET deal_id = $1, mismatch_json = NULL WHERE public_id = $2 AND deal_id IS NULL",
        )
        .bind(deal_id)
        .bind(id.as_str())
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Counts a login attempt before its password is checked, so that parallel guesses cannot
    /// all slip past the limit: returns the attempt's number since the last success, or `None`
    /// when the login is locked at `now_ms`.
    pub async fn count_login_attempt(&mut self, id: &DealId, now_ms: i64) -> Result<Option<i64>> {
        query_scalar(
            "UPDATE registrations SET failed_logins = failed_logins + 1 WHERE public_id = $1 AND locked_until_ms <= $2 RETURNING failed_logins",
        )
        .bind(id.as_str())
        .bind(now_ms)
        .fetch_optional(self.conn())
        .await
    }

    /// Locks the login until `until_ms` and starts counting afresh after it.
    pub async fn lock_login(&mut self, id: &DealId, until_ms: i64) -> Result<()> {
        query(
            "UPDATE registrations SET locked_until_ms = $1, failed_logins = 0 WHERE public_id = $2",
        )
        .bind(until_ms)
        .bind(id.as_str())
        .execute(self.conn())
        .await?;
        Ok(())
    }

    pub async fn reset_login_failures(&mut self, id: &DealId) -> Result<()> {
        query("UPDATE registrations SET failed_logins = 0 WHERE public_id = $1")
            .bind(id.as_str())
            .execute(self.conn())
            .await?;
        Ok(())
    }
}

impl crate::Store {
    pub async fn registration(&self, id: &DealId) -> Result<Option<Registration>> {
        let sql = format!("SELECT {COLUMNS} FROM registrations WHERE public_id = $1");
        let row = query(&sql)
            .bind(id.as_str())
            .fetch_optional(self.reader())
            .await?;
        row.as_ref().map(from_row).transpose()
    }
}
