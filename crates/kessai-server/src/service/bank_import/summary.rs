//! What an import did, record by record, and counted: for the API's answer and the CLI's text.

use kessai_store::EntryOutcome;
use serde::Serialize;

/// What one record (entry) of the file did.
#[derive(Clone, Debug, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct RecordOutcome {
    /// The entry's number in the file, 1-based, in file order.
    pub entry: i64,
    /// The entry's identity across files (Zengin: account, 勘定日 and 照会番号).
    pub identity: String,
    pub amount_yen: i64,
    /// `matched` (credit matched to a deal), `suspense`, `conflict` (the identity was seen
    /// before with other content: to suspense, beside the earlier record), `duplicate` (of an
    /// identical earlier entry: skipped), `reversal_applied`, `reversal_claim`, `listed`
    /// (a withdrawal or correction listed for the operator, not applied), `answer_applied`,
    /// `answer_duplicate`, `answer_ignored`, `answer_for_operator`.
    pub outcome: &'static str,
    #[serde(skip)]
    pub(super) kind: EntryOutcome,
    /// What the entry says (its canonical content), recorded with it.
    #[serde(skip)]
    pub(super) content: String,
    /// The buyer's deal ID a credit was matched to.
    pub deal_id: Option<String>,
    /// The credit that records the entry (for a duplicate: the earlier one).
    pub credit_id: Option<String>,
    /// For a conflict: the earlier credit whose identity this entry repeats.
    pub conflict_of: Option<String>,
    /// The instruction an answer is about, what the bank said (`accepted`, `settled`,
    /// `rejected`, `returned`) and the instruction's status after it (`completed`, `rejected`
    /// — a returned transfer is owed again —, `accepted`).
    pub instruction_id: Option<String>,
    pub instruction_answer: Option<String>,
    pub instruction_status: Option<String>,
    /// A direct-debit result: the contract it is about, and what the buyer's bank did
    /// (`debited`, `insufficient_funds`, `no_account`, `stopped_by_payer`, `no_agreement`,
    /// `stopped_by_collector`, `other`).
    pub contract_id: Option<String>,
    pub debit_result: Option<String>,
    /// The credit was linked to the file as it was recorded (`credit::record_unmatched`).
    #[serde(skip)]
    pub(super) file_linked: bool,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct ImportSummary {
    pub name: String,
    pub format: String,
    pub records: usize,
    /// Credits applied now and matched to a deal.
    pub matched: usize,
    /// Credits applied now to the suspense list (no single deal fits).
    pub unmatched: usize,
    /// Entries whose identity was seen before with other content (amount, date, direction,
    /// payer): not skipped, but booked to the suspense list (or, for a reversal, listed as a
    /// claim) beside the earlier record, for the operator.
    pub conflicts: usize,
    /// Entries identical to one applied from an earlier file: skipped.
    pub duplicates: usize,
    /// Entries listed for the operator but not applied: statement withdrawals without
    /// Kessai's reference, and corrections (訂正).
    pub listed: usize,
    /// Payments the bank took back (取消, reversals), undone in the deals that held them or
    /// taken off the suspense list.
    pub reversals_applied: usize,
    /// Payments the bank took back after the money had moved on: reversal claims on the
    /// payer, for the operator to recover or write off.
    pub reversals_listed: usize,
    /// Answers about Kessai's own transfers (status reports, debits, returns): applied now.
    pub answers_applied: usize,
    /// Answers applied before, or repeating the instruction's status: skipped.
    pub answers_duplicate: usize,
    /// Answers about no known instruction, or that came too late to change it: not applied.
    pub answers_ignored: usize,
    /// Transfers that came back after a notice had booked their deposit and it was used (say,
    /// matched to a deal): the money is in the books once; the deal's timeline tells the
    /// operator the payee was not paid.
    pub returns_for_operator: usize,
    /// Direct-debit results applied now: contracts debited, or failed and why.
    pub debits_applied: usize,
    /// Debit results applied before: skipped.
    pub debits_duplicate: usize,
    /// Debit results about no debit of Kessai's, or contradicting the one applied: listed for
    /// the operator, not applied.
    pub debits_ignored: usize,
    /// Set when this very file was imported before: nothing was applied now.
    pub already_imported_at_ms: Option<i64>,
    /// What each record did, in file order.
    pub outcomes: Vec<RecordOutcome>,
}

impl ImportSummary {
    pub(super) fn new(name: &str, format: &str, records: usize) -> ImportSummary {
        ImportSummary {
            name: name.to_string(),
            format: format.to_string(),
            records,
            matched: 0,
            unmatched: 0,
            conflicts: 0,
            duplicates: 0,
            listed: 0,
            reversals_applied: 0,
            reversals_listed: 0,
            answers_applied: 0,
            answers_duplicate: 0,
            answers_ignored: 0,
            returns_for_operator: 0,
            debits_applied: 0,
            debits_duplicate: 0,
            debits_ignored: 0,
            already_imported_at_ms: None,
            // Every record has an outcome: one allocation, not a doubling (with both copies
            // alive while it grows) on a file of a million records.
            outcomes: Vec::with_capacity(records),
        }
    }

    /// Adds one record's outcome, in file order, and counts it.
    pub(super) fn push(&mut self, record: RecordOutcome) {
        let count = match record.kind {
            EntryOutcome::Matched => &mut self.matched,
            EntryOutcome::Suspense => &mut self.unmatched,
            EntryOutcome::Conflict => &mut self.conflicts,
            EntryOutcome::Duplicate => &mut self.duplicates,
            EntryOutcome::ReversalApplied => &mut self.reversals_applied,
            EntryOutcome::ReversalClaim => &mut self.reversals_listed,
            EntryOutcome::Listed => &mut self.listed,
            EntryOutcome::AnswerApplied => &mut self.answers_applied,
            EntryOutcome::AnswerDuplicate => &mut self.answers_duplicate,
            EntryOutcome::AnswerIgnored => &mut self.answers_ignored,
            EntryOutcome::AnswerForOperator => &mut self.returns_for_operator,
            EntryOutcome::DebitApplied => &mut self.debits_applied,
            EntryOutcome::DebitDuplicate => &mut self.debits_duplicate,
            EntryOutcome::DebitIgnored => &mut self.debits_ignored,
        };
        *count += 1;
        self.outcomes.push(record);
    }

    /// The summary as the CLI prints it: the counts that are not zero, then a line per record
    /// (the first thousand).
    pub fn text(&self) -> String {
        if let Some(at) = self.already_imported_at_ms {
            return format!(
                "{}: this file was already imported ({}); nothing applied",
                self.name,
                crate::i18n::format_jst(kessai_core::Millis(at))
            );
        }
        let counts = [
            (self.matched, "credits matched to deals"),
            (self.unmatched, "to suspense"),
            (
                self.conflicts,
                "conflicts (to suspense, beside the earlier record)",
            ),
            (self.duplicates, "duplicates of earlier entries (skipped)"),
            (
                self.answers_applied,
                "answers applied to Kessai's instructions",
            ),
            (self.answers_duplicate, "answers already applied (skipped)"),
            (
                self.answers_ignored,
                "answers not applied (no such instruction, or too late)",
            ),
            (
                self.returns_for_operator,
                "returned transfers for the operator",
            ),
            (
                self.listed,
                "withdrawals or corrections listed (not applied)",
            ),
            (self.debits_applied, "debit results applied to contracts"),
            (
                self.debits_duplicate,
                "debit results already applied (skipped)",
            ),
            (
                self.debits_ignored,
                "debit results for the operator (no such debit, or contradicting)",
            ),
            (self.reversals_applied, "reversals undone"),
            (self.reversals_listed, "reversal claims for the operator"),
        ];
        let said: Vec<String> = counts
            .iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, what)| format!("{what}: {n}"))
            .collect();
        let mut out = format!(
            "{}: {}, {} records — {}",
            self.name,
            self.format,
            self.records,
            if said.is_empty() {
                "nothing to apply".to_string()
            } else {
                said.join(", ")
            }
        );
        for r in self.outcomes.iter().take(1000) {
            out.push_str(&format!(
                "\n  entry {} {} {}: {}",
                r.entry,
                r.identity,
                kessai_core::Yen(r.amount_yen),
                describe(r)
            ));
        }
        if self.outcomes.len() > 1000 {
            out.push_str(&format!("\n  … and {} more", self.outcomes.len() - 1000));
        }
        out
    }
}

/// One record's outcome in words.
fn describe(r: &RecordOutcome) -> String {
    let id = |v: &Option<String>| v.clone().unwrap_or_default();
    match r.kind {
        EntryOutcome::Matched => format!("credit matched to deal {}", id(&r.deal_id)),
        EntryOutcome::Suspense => format!("to suspense (credit {})", id(&r.credit_id)),
        EntryOutcome::Conflict => format!(
            "conflict: the bank reported this identity before with other content (credit {}); \
             to suspense as credit {}",
            id(&r.conflict_of),
            id(&r.credit_id)
        ),
        EntryOutcome::Duplicate => format!(
            "duplicate of an identical earlier entry (credit {}), skipped",
            id(&r.credit_id)
        ),
        EntryOutcome::ReversalApplied => "reversal undone".to_string(),
        EntryOutcome::ReversalClaim => "reversal claim for the operator".to_string(),
        EntryOutcome::Listed => {
            "withdrawal or correction listed for the operator (not applied)".to_string()
        }
        EntryOutcome::AnswerApplied => format!(
            "answer applied to instruction {} ({}): {}",
            id(&r.instruction_id),
            id(&r.instruction_answer),
            id(&r.instruction_status)
        ),
        EntryOutcome::AnswerDuplicate => "answer already applied (skipped)".to_string(),
        EntryOutcome::AnswerIgnored => {
            "answer about no known instruction, or too late (not applied)".to_string()
        }
        EntryOutcome::AnswerForOperator => format!(
            "transfer came back after its deposit was used: for the operator (instruction {})",
            id(&r.instruction_id)
        ),
        EntryOutcome::DebitApplied => format!(
            "debit of contract {}: {}",
            id(&r.contract_id),
            id(&r.debit_result)
        ),
        EntryOutcome::DebitDuplicate => "debit result already applied (skipped)".to_string(),
        EntryOutcome::DebitIgnored => {
            "debit result about no debit of Kessai's, or contradicting it: for the operator"
                .to_string()
        }
    }
}
