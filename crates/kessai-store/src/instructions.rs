//! Outbound bank instructions (payouts and refunds), pending until a bank file takes them.

use crate::db::{query, query_scalar};
use crate::{get, new_internal_id, Result, Store, Tx};
use kessai_core::{BankAccount, Instruction};

#[derive(Clone, Debug, serde::Serialize)]
pub struct InstructionRecord {
    pub id: String,
    /// The deal it pays from; none for a return of suspense money.
    pub deal_id: Option<String>,
    /// The suspense credit a return sends back.
    pub credit_id: Option<String>,
    pub purpose: String,
    pub party: String,
    pub amount_yen: i64,
    pub bank_account: serde_json::Value,
    pub status: String,
    /// Why the bank rejected it, when it did.
    pub status_reason: Option<String>,
    pub created_at_ms: i64,
}

impl Tx {
    pub async fn insert_instruction(
        &mut self,
        deal_id: &str,
        journal_id: &str,
        instruction: &Instruction,
        account: &BankAccount,
        now_ms: i64,
    ) -> Result<String> {
        // The instruction refers to its journal: that must be written first.
        self.flush_journals().await?;
        let id = new_internal_id();
        query(
            "INSERT INTO payment_instructions (id, deal_id, journal_id, purpose, party, amount_yen, bank_account_json, status, created_at_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8)",
        )
        .bind(&id)
        .bind(deal_id)
        .bind(journal_id)
        .bind(instruction.purpose.as_str())
        .bind(instruction.to.as_str())
        .bind(instruction.amount.0)
        .bind(serde_json::to_string(account).expect("account serializes"))
        .bind(now_ms)
        .execute(self.conn())
        .await?;
        Ok(id)
    }
}

/// Money from the suspense list going back to whoever sent it.
pub struct NewReturn<'a> {
    pub credit_id: &'a str,
    pub journal_id: &'a str,
    pub amount_yen: i64,
    pub account: &'a BankAccount,
    /// What the transfer quotes (EDI / remittance), so the bank's answer finds it again.
    pub payee_ref: &'a str,
    pub now_ms: i64,
}

impl Tx {
    /// One return per credit (a unique index holds it); none if the credit already has one.
    pub async fn insert_return_instruction(&mut self, r: &NewReturn<'_>) -> Result<Option<String>> {
        // The instruction refers to its journal: that must be written first.
        self.flush_journals().await?;
        let id = new_internal_id();
        let done = query(
            "INSERT INTO payment_instructions (id, credit_id, journal_id, purpose, party, amount_yen, bank_account_json, status, payee_ref, created_at_ms) \
             VALUES ($1, $2, $3, 'return', 'payer', $4, $5, 'pending', $6, $7) ON CONFLICT (credit_id) DO NOTHING",
        )
        .bind(&id)
        .bind(r.credit_id)
        .bind(r.journal_id)
        .bind(r.amount_yen)
        .bind(serde_json::to_string(r.account).expect("account serializes"))
        .bind(r.payee_ref)
        .bind(r.now_ms)
        .execute(self.conn())
        .await?;
        Ok((done.rows_affected() == 1).then_some(id))
    }
}

/// An instruction as the answer logic needs it.
#[derive(Clone, Debug)]
pub struct InstructionState {
    pub id: String,
    /// None for a return of suspense money or a contract's payout.
    pub deal_id: Option<String>,
    /// The marketplace contract whose seller it pays.
    pub contract_id: Option<String>,
    pub purpose: kessai_core::InstructionPurpose,
    pub amount_yen: i64,
    pub status: kessai_core::instruction::InstructionStatus,
}

impl InstructionState {
    /// Whose ledger accounts its journals post to: the deal's or the contract's (none for a
    /// return, whose accounts are the operator's).
    pub fn owner(&self) -> Option<&str> {
        self.deal_id.as_deref().or(self.contract_id.as_deref())
    }
}

/// An instruction's state from a row of [`STATE_COLUMNS`].
fn state_of(r: &crate::Row) -> Result<InstructionState> {
    let purpose: String = get(r, "purpose")?;
    let status: String = get(r, "status")?;
    Ok(InstructionState {
        id: get(r, "id")?,
        deal_id: get(r, "deal_id")?,
        contract_id: get(r, "contract_id")?,
        purpose: kessai_core::InstructionPurpose::parse(&purpose)
            .ok_or_else(|| crate::corrupt(format!("instruction purpose {purpose}")))?,
        amount_yen: get(r, "amount_yen")?,
        status: kessai_core::instruction::InstructionStatus::parse(&status)
            .ok_or_else(|| crate::corrupt(format!("instruction status {status}")))?,
    })
}

/// What [`InstructionState`] is read from, as columns of `payment_instructions i`.
const STATE_COLUMNS: &str = "i.id, i.deal_id, i.contract_id, i.purpose, i.amount_yen, i.status";

impl Tx {
    pub async fn instruction_state(&mut self, id: &str) -> Result<Option<InstructionState>> {
        let sql = format!("SELECT {STATE_COLUMNS} FROM payment_instructions i WHERE i.id = $1");
        let row = query(&sql).bind(id).fetch_optional(self.conn()).await?;
        row.as_ref().map(state_of).transpose()
    }

    /// Moves an instruction from `from` to `to`; `false` if it was no longer in `from`.
    pub async fn set_instruction_status(
        &mut self,
        id: &str,
        from: &str,
        to: &str,
        reason: Option<&str>,
    ) -> Result<bool> {
        let done = query("UPDATE payment_instructions SET status = $1, status_reason = $2 WHERE id = $3 AND status = $4")
            .bind(to)
            .bind(reason)
            .bind(id)
            .bind(from)
            .execute(self.conn())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The oldest outstanding (sent or accepted) instruction paying `amount_yen` to the party
    /// whose deal ID (or return reference) is `public_id`: how a Zengin statement's withdrawal,
    /// which quotes that ID in its EDI field, finds the payout it settles. With
    /// `also_completed` (a transfer coming back), a completed one is preferred, newest first: a
    /// transfer that came back had usually been reported as gone before.
    pub async fn instruction_for_payee(
        &mut self,
        public_id: &str,
        amount_yen: i64,
        also_completed: bool,
    ) -> Result<Option<InstructionState>> {
        // Three lookups by index (the reference, the buyer's or the seller's deal ID), not one
        // OR across the join, which has no index to use and scans every instruction for each
        // withdrawal: quadratic in a statement of many payouts. The status is compared as an
        // expression (`|| ''`) so that no index serves it: PostgreSQL's generic plan otherwise
        // ANDed the status index into the lookup, reading every sent instruction's entry for
        // each withdrawal (19,585 of them at 20,000 payouts; the bank's confirmation of 100,000
        // ran at 173 answers/s).
        const OUTSTANDING: &str =
            "i.status || '' IN ('sent', 'accepted', $3) AND i.amount_yen = $2";
        const ORDER: &str = "CASE WHEN i.status = 'completed' THEN 0 ELSE 1 END AS first, \
             CASE WHEN i.status = 'completed' THEN -i.created_at_ms ELSE i.created_at_ms END AS then_by";
        let sql = format!(
            "SELECT {STATE_COLUMNS}, {ORDER} FROM payment_instructions i WHERE i.payee_ref = $1 AND {OUTSTANDING} \
             UNION ALL SELECT {STATE_COLUMNS}, {ORDER} FROM deals d JOIN payment_instructions i ON i.deal_id = d.id \
             WHERE d.buyer_id = $1 AND i.party = 'buyer' AND {OUTSTANDING} \
             UNION ALL SELECT {STATE_COLUMNS}, {ORDER} FROM deals d JOIN payment_instructions i ON i.deal_id = d.id \
             WHERE d.seller_id = $1 AND i.party = 'seller' AND {OUTSTANDING} \
             ORDER BY first, then_by, id LIMIT 1"
        );
        let row = query(&sql)
            .bind(public_id)
            .bind(amount_yen)
            .bind(if also_completed { "completed" } else { "sent" })
            .fetch_optional(self.conn())
            .await?;
        row.as_ref().map(state_of).transpose()
    }

    /// Whether a refund of exactly `amount_yen` from this deal went to the bank (sent, accepted
    /// or completed).
    pub async fn refund_sent(&mut self, deal_id: &str, amount_yen: i64) -> Result<bool> {
        let found: Option<String> = query_scalar(
            "SELECT id FROM payment_instructions WHERE deal_id = $1 AND purpose = 'refund' \
             AND amount_yen = $2 AND status IN ('sent', 'accepted', 'completed') LIMIT 1",
        )
        .bind(deal_id)
        .bind(amount_yen)
        .fetch_optional(self.conn())
        .await?;
        Ok(found.is_some())
    }

    /// A rejected instruction with a corrected account goes back to pending.
    pub async fn correct_instruction(&mut self, id: &str, account: &BankAccount) -> Result<bool> {
        let done = query(
            "UPDATE payment_instructions SET bank_account_json = $1, status = 'pending', status_reason = NULL, export_id = NULL \
             WHERE id = $2 AND status = 'rejected'",
        )
        .bind(serde_json::to_string(account).expect("account serializes"))
        .bind(id)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The content an answer with this identity was recorded with: `None` if it was never
    /// recorded, `Some(None)` if it was recorded before contents were kept.
    pub async fn bank_answer_content(&mut self, identity: &str) -> Result<Option<Option<String>>> {
        let row = query("SELECT content FROM bank_answers WHERE identity = $1")
            .bind(identity)
            .fetch_optional(self.conn())
            .await?;
        row.map(|r| get(&r, "content")).transpose()
    }

    /// Records a bank answer by its identity and content; `false` when it was recorded before.
    pub async fn record_bank_answer(
        &mut self,
        identity: &str,
        content: &str,
        instruction_id: Option<&str>,
        answer: &str,
        now_ms: i64,
    ) -> Result<bool> {
        let done = query("INSERT INTO bank_answers (identity, instruction_id, answer, at_ms, content) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (identity) DO NOTHING")
            .bind(identity)
            .bind(instruction_id)
            .bind(answer)
            .bind(now_ms)
            .bind(content)
            .execute(self.conn())
            .await?;
        Ok(done.rows_affected() == 1)
    }
}

impl Store {
    /// Instructions, optionally of one deal, oldest first.
    /// Instructions oldest first, `limit` at most, after the cursor `after` (the creation time
    /// and ID of the last one already listed): a page costs the same wherever it starts (the
    /// indexes of migration 11).
    pub async fn instructions(
        &self,
        deal_id: Option<&str>,
        after: Option<(i64, &str)>,
        limit: i64,
    ) -> Result<Vec<InstructionRecord>> {
        let deal = if deal_id.is_some() {
            "deal_id = $4 AND"
        } else {
            ""
        };
        let sql = format!(
            "SELECT id, deal_id, credit_id, purpose, party, amount_yen, bank_account_json, status, status_reason, created_at_ms \
             FROM payment_instructions WHERE {deal} (created_at_ms > $1 OR (created_at_ms = $1 AND id > $2)) \
             ORDER BY created_at_ms, id LIMIT $3"
        );
        let (after_ms, after_id) = after.unwrap_or((i64::MIN, ""));
        let mut list = query(&sql).bind(after_ms).bind(after_id).bind(limit);
        if let Some(deal) = deal_id {
            list = list.bind(deal);
        }
        let rows = list.fetch_all(self.reader()).await?;
        rows.iter()
            .map(|r| {
                let account: String = get(r, "bank_account_json")?;
                Ok(InstructionRecord {
                    id: get(r, "id")?,
                    deal_id: get(r, "deal_id")?,
                    credit_id: get(r, "credit_id")?,
                    purpose: get(r, "purpose")?,
                    party: get(r, "party")?,
                    amount_yen: get(r, "amount_yen")?,
                    bank_account: serde_json::from_str(&account).unwrap_or(serde_json::Value::Null),
                    status: get(r, "status")?,
                    status_reason: get(r, "status_reason")?,
                    created_at_ms: get(r, "created_at_ms")?,
                })
            })
            .collect()
    }
}
