//! Importing the bank's files: the format is detected, the whole file is checked before
//! anything is applied — including that it is about an account Kessai holds — and it is
//! applied exactly once: the same file again is recognized by its content, and an entry seen
//! in an earlier file by its identity and content (the same identity with other content is a
//! conflict for the operator, never skipped). Every entry's outcome is recorded with the file,
//! for `kessai check`.

mod read;
mod summary;

use super::bank_answers::{answer_name, apply_answer, AnswerEntry, AnswerOutcome};
use super::credit::{
    apply_credit, apply_credit_to, batchable, record_unmatched, CreditInput, CreditResult, Matching,
};
use super::debit_collection::{self, Recognized};
use super::debit_results::{self, Applied, DebitApplied, DebitResult};
use super::entry::UPGRADE_WINDOW_MS;
use super::suspense::{apply_reversal_entry, ReversalOutcome};
use super::sweep;
use crate::error::{AppError, AppResult};
use crate::{transact, App};
use axum::http::StatusCode;
use kessai_store::{EntryOutcome, NewBankFile, NewEntry, Tx};
use read::{invalid_file, read, Answer, DebitEntry, Effect, Incoming, Parsed};
use sha2::{Digest, Sha256};
pub use summary::{ImportSummary, RecordOutcome};

/// Entries recorded per statement batch while a file is applied: the outcomes' recorded
/// content is dropped once written, so a file of a million entries is not held twice.
const ENTRIES_PER_WRITE: usize = 1_000;

/// Credits recorded together at most (`credit::record_unmatched`).
const CREDITS_PER_BATCH: usize = 1_000;

/// Debit results judged and written together (`debit_results::apply_all`).
const DEBITS_PER_CHUNK: usize = 1_000;

/// Imports one file. The bytes are taken, and dropped once parsed and hashed: a large file is
/// not held beside what was read from it.
pub async fn import(app: &App, name: &str, bytes: Vec<u8>) -> AppResult<ImportSummary> {
    let sha256 = hex::encode(Sha256::digest(&bytes));
    let parsed = read(bytes)?;
    held_accounts_only(app, &parsed)?;
    let records =
        parsed.credits.len() + parsed.answers.len() + parsed.debits.len() + parsed.ignored;
    // One transaction for the whole file: it is applied entirely or not at all.
    transact!(*app, |tx| {
        let mut s = ImportSummary::new(name, &parsed.format, records);
        s.answers_ignored = parsed.ignored;
        if let Some(earlier) = tx.bank_file_by_hash(&sha256).await? {
            s.already_imported_at_ms = Some(earlier.imported_at_ms);
            return Ok(s);
        }
        let mut entries = EntryLog::open(app, tx, name, &sha256, &parsed, records).await?;
        // camt entries were known by `NtryRef` before migration 9: in the days after the
        // upgrade an entry may repeat one the old rule recorded (`entry::seen_before_upgrade`).
        let since = app.clock.now().0 - UPGRADE_WINDOW_MS;
        let before_upgrade = parsed.format.starts_with("camt")
            && tx.camt_credits_before_contents_since(since).await?;
        let mut rest = &parsed.credits[..];
        while let Some(first) = rest.first() {
            let inputs = leading_batch(app, rest, before_upgrade);
            if inputs.is_empty() {
                s.push(apply_incoming(app, tx, first, before_upgrade).await?);
                entries.write_full(tx, &mut s).await?;
                rest = &rest[1..];
                continue;
            }
            let (batch, after) = rest.split_at(inputs.len());
            let recorded = record_unmatched(app, tx, &inputs, &entries.file_id).await?;
            for ((c, input), done) in batch.iter().zip(&inputs).zip(recorded) {
                s.push(match done {
                    Some(credit) => RecordOutcome {
                        file_linked: true,
                        ..credited(incoming_record(c, input), credit)
                    },
                    None => apply_incoming(app, tx, c, before_upgrade).await?,
                });
                entries.write_full(tx, &mut s).await?;
            }
            rest = after;
        }
        for a in &parsed.answers {
            s.push(apply_bank_answer(app, tx, a).await?);
            entries.write_full(tx, &mut s).await?;
        }
        record_sweep_balances(tx, &parsed).await?;
        for chunk in parsed.debits.chunks(DEBITS_PER_CHUNK) {
            let results: Vec<DebitResult> = chunk
                .iter()
                .map(|d| DebitResult {
                    reference: d.reference,
                    amount_yen: d.states_amount.then_some(d.amount_yen),
                    outcome: d.outcome,
                })
                .collect();
            let applied = debit_results::apply_all(app, tx, &results).await?;
            for (d, done) in chunk.iter().zip(applied) {
                s.push(debit_outcome(d, done));
                entries.write_full(tx, &mut s).await?;
            }
        }
        entries.close(tx, &mut s).await?;
        // Entries are numbered uniquely: an unstable sort, in place.
        s.outcomes.sort_unstable_by_key(|r| r.entry);
        Ok(s)
    })
}

/// Beside each sweep whose money has left a collection account this statement covers, and
/// that no statement has balanced yet (this one may report the withdrawal, or repeat what a
/// status report or notice reported first): the closing balance the statement gave for that
/// account, and the ledger's balance of it now that the file is applied (`kessai check`
/// compares them).
async fn record_sweep_balances(tx: &mut Tx, parsed: &Parsed) -> AppResult<()> {
    for (account, bank_yen) in &parsed.balances {
        let Some(code) = account.bank_code.as_deref().map(str::trim) else {
            continue;
        };
        let sweeps = tx.sweeps_to_balance(code).await?;
        if sweeps.is_empty() {
            continue;
        }
        let ledger_yen = tx
            .account_balance(&kessai_store::collection_account(code))
            .await?;
        if ledger_yen != *bank_yen {
            tracing::error!(
                bank = code,
                bank_yen,
                ledger_yen,
                "after a sweep the collection account's ledger balance differs from the bank's"
            );
        }
        for id in sweeps {
            tx.record_sweep_balances(&id, *bank_yen, ledger_yen).await?;
        }
    }
    Ok(())
}

/// A file about an account Kessai does not hold is rejected whole, naming the account. A
/// direct-debit result may name a seller's account instead (no pooling: the debits paid into
/// it); each of its results is judged by the debit number Kessai gave and the amount
/// requested, which another collector's file does not match.
fn held_accounts_only(app: &App, parsed: &Parsed) -> AppResult<()> {
    if parsed.accounts_may_be_sellers {
        return Ok(());
    }
    for a in &parsed.accounts {
        let (bank, branch) = (a.bank_code.as_deref(), a.branch_code.as_deref());
        if !app.config.holds_account(bank, branch, &a.account_number) {
            let place = match (bank, branch) {
                (Some(b), Some(r)) => format!("{b}-{r} "),
                (Some(b), None) => format!("{b} "),
                _ => String::new(),
            };
            let number = a.account_number.trim_start_matches('0');
            return Err(invalid_file(format!(
                "the file is about account {place}{number}, which is not an account Kessai holds: nothing applied"
            )));
        }
    }
    Ok(())
}

/// The file's record, and its entries' outcomes written as they are known, in batches.
struct EntryLog {
    file_id: String,
    /// Outcomes of the summary written so far.
    written: usize,
}

impl EntryLog {
    /// Records the file with what it says it holds; its counts are set by [`EntryLog::close`].
    async fn open(
        app: &App,
        tx: &mut Tx,
        name: &str,
        sha256: &str,
        parsed: &Parsed,
        records: usize,
    ) -> AppResult<EntryLog> {
        let file = NewBankFile {
            sha256,
            format: &parsed.format,
            name,
            records: records as i64,
            applied: 0,
            duplicates: 0,
            now_ms: app.clock.now().0,
            entries: parsed.entries,
            total_yen: parsed.total_yen,
        };
        let Some(file_id) = tx.insert_bank_file(&file).await? else {
            return Err(AppError::new(
                StatusCode::CONFLICT,
                "busy",
                "the same file is being imported",
            ));
        };
        Ok(EntryLog {
            file_id,
            written: 0,
        })
    }

    /// Writes the outcomes not yet written once a batch is full.
    async fn write_full(&mut self, tx: &mut Tx, s: &mut ImportSummary) -> AppResult<()> {
        if s.outcomes.len() - self.written >= ENTRIES_PER_WRITE {
            self.write(tx, s).await?;
        }
        Ok(())
    }

    /// Writes the outcomes not yet written: the entries, and the new credits' link to the
    /// file. The content, recorded now, is not kept in the summary (it does not show it).
    async fn write(&mut self, tx: &mut Tx, s: &mut ImportSummary) -> AppResult<()> {
        let batch = &mut s.outcomes[self.written..];
        let credits: Vec<&str> = batch
            .iter()
            .filter(|r| !r.file_linked)
            .filter_map(|r| r.credit_id.as_deref())
            .collect();
        tx.link_credits_to_file(&credits, &self.file_id).await?;
        let entries: Vec<NewEntry> = batch
            .iter()
            .map(|r| NewEntry {
                position: r.entry,
                identity: &r.identity,
                content: &r.content,
                amount_yen: r.amount_yen,
                outcome: r.kind,
                credit_id: r.credit_id.as_deref(),
                instruction_id: r.instruction_id.as_deref(),
            })
            .collect();
        tx.insert_entries(&self.file_id, &entries).await?;
        for r in batch.iter_mut() {
            r.content = String::new();
        }
        self.written = s.outcomes.len();
        Ok(())
    }

    /// Writes the last outcomes and the file's counts.
    async fn close(mut self, tx: &mut Tx, s: &mut ImportSummary) -> AppResult<()> {
        self.write(tx, s).await?;
        let applied = (s.matched + s.unmatched + s.conflicts) as i64;
        tx.set_bank_file_counts(&self.file_id, applied, s.duplicates as i64)
            .await?;
        Ok(())
    }
}

/// A record's outcome before it is known what it did.
fn record(position: i64, identity: &str, fingerprint: String, amount_yen: i64) -> RecordOutcome {
    RecordOutcome {
        entry: position,
        identity: identity.to_string(),
        amount_yen,
        outcome: "",
        kind: EntryOutcome::Listed,
        content: fingerprint,
        deal_id: None,
        credit_id: None,
        conflict_of: None,
        instruction_id: None,
        instruction_answer: None,
        instruction_status: None,
        contract_id: None,
        debit_result: None,
        file_linked: false,
    }
}

fn with_kind(r: RecordOutcome, kind: EntryOutcome) -> RecordOutcome {
    RecordOutcome {
        outcome: kind.as_str(),
        kind,
        ..r
    }
}

/// What an applied credit became.
fn credited(r: RecordOutcome, c: CreditResult) -> RecordOutcome {
    let kind = match (c.duplicate, &c.conflict_of, c.outcome.as_str()) {
        (true, _, _) => EntryOutcome::Duplicate,
        (false, Some(_), _) => EntryOutcome::Conflict,
        (false, None, "matched") => EntryOutcome::Matched,
        (false, None, _) => EntryOutcome::Suspense,
    };
    let deal_id = if kind == EntryOutcome::Matched {
        c.deal_id
    } else {
        None
    };
    let r = RecordOutcome {
        deal_id,
        credit_id: c.credit_id,
        conflict_of: c.conflict_of,
        ..r
    };
    with_kind(r, kind)
}

/// The credits at the start of `rest` recorded in one batch (`credit::record_unmatched`):
/// money in that no deal can claim without a lookup, each reference once, up to
/// [`CREDITS_PER_BATCH`]; none when the first is not such a credit.
fn leading_batch(app: &App, rest: &[Incoming], before_upgrade: bool) -> Vec<CreditInput> {
    let mut refs = std::collections::HashSet::new();
    let mut inputs = Vec::new();
    for c in rest.iter().take(CREDITS_PER_BATCH) {
        if c.effect != Effect::Credit {
            break;
        }
        let input = incoming_input(c, before_upgrade);
        // Swept money arriving, and a debit request's collected sum, are applied alone.
        let sweep = kessai_core::sweep::quoted_reference(&input.reference).is_some();
        if sweep
            || c.collection_at.is_some()
            || !batchable(app, &input)
            || !refs.insert(input.bank_ref.trim().to_string())
        {
            break;
        }
        inputs.push(input);
    }
    inputs
}

/// The incoming record as the credit service takes it.
fn incoming_input(c: &Incoming, before_upgrade: bool) -> CreditInput {
    // Only money in can repeat an old-rule credit (a reversal found that way would take the
    // payment's record for itself).
    CreditInput {
        before_upgrade: c
            .payer_text
            .clone()
            .filter(|_| before_upgrade && c.effect == Effect::Credit),
        ..c.input()
    }
}

fn incoming_record(c: &Incoming, input: &CreditInput) -> RecordOutcome {
    record(c.position, &c.bank_ref, input.fingerprint(), c.amount_yen)
}

async fn apply_incoming(
    app: &App,
    tx: &mut Tx,
    c: &Incoming,
    before_upgrade: bool,
) -> AppResult<RecordOutcome> {
    let input = incoming_input(c, before_upgrade);
    let r = incoming_record(c, &input);
    Ok(match c.effect {
        Effect::ListOnly => with_kind(r, EntryOutcome::Listed),
        Effect::Reversal => {
            let done = apply_reversal_entry(app, tx, &input).await?;
            let kind = match done.outcome {
                ReversalOutcome::Applied => EntryOutcome::ReversalApplied,
                ReversalOutcome::Claimed => EntryOutcome::ReversalClaim,
                ReversalOutcome::Duplicate => EntryOutcome::Duplicate,
                ReversalOutcome::Conflict => EntryOutcome::Conflict,
            };
            let r = RecordOutcome {
                credit_id: Some(done.credit_id),
                conflict_of: done.conflict_of,
                ..r
            };
            with_kind(r, kind)
        }
        Effect::Credit => {
            let booked_on = c.booked_on.as_deref();
            if let Some(bank) = &c.collection_at {
                let found = debit_collection::recognize(app, tx, &input, bank, booked_on).await?;
                if let Some(found) = found {
                    return Ok(collection_record(r, found));
                }
            }
            match sweep::report::arrival(app, tx, &input, booked_on).await? {
                Some(done) => sweep_record(r, done),
                None => credited(r, apply_credit(app, tx, &input).await?),
            }
        }
    })
}

/// The record of a deposit that was a direct-debit request's collected sum.
fn collection_record(r: RecordOutcome, found: Recognized) -> RecordOutcome {
    match found {
        Recognized::Collected(export_id) => RecordOutcome {
            instruction_id: Some(export_id),
            instruction_answer: Some("debit_collection".into()),
            ..with_kind(r, EntryOutcome::AnswerApplied)
        },
        Recognized::Duplicate => with_kind(r, EntryOutcome::AnswerDuplicate),
    }
}

/// The record of a deposit that was swept money arriving.
fn sweep_record(r: RecordOutcome, done: sweep::report::SweepAnswer) -> RecordOutcome {
    let r = RecordOutcome {
        instruction_id: done.sweep.map(|s| s.id),
        ..r
    };
    match done.outcome {
        AnswerOutcome::Applied => RecordOutcome {
            instruction_answer: Some("arrived".into()),
            instruction_status: done.status.map(str::to_string),
            ..with_kind(r, EntryOutcome::AnswerApplied)
        },
        _ => with_kind(r, EntryOutcome::AnswerDuplicate),
    }
}

fn debit_outcome(d: &DebitEntry, done: DebitApplied) -> RecordOutcome {
    let kind = match done.outcome {
        Applied::Applied => EntryOutcome::DebitApplied,
        Applied::Duplicate => EntryOutcome::DebitDuplicate,
        Applied::Ignored => EntryOutcome::DebitIgnored,
    };
    let r = RecordOutcome {
        contract_id: done.contract_id,
        debit_result: Some(d.outcome.as_str().to_string()),
        ..record(
            d.position,
            &d.identity,
            d.content.fingerprint(),
            d.amount_yen,
        )
    };
    with_kind(r, kind)
}

async fn apply_bank_answer(app: &App, tx: &mut Tx, a: &Answer) -> AppResult<RecordOutcome> {
    let fingerprint = a.content.fingerprint();
    let entry = AnswerEntry {
        identity: &a.identity,
        content: &fingerprint,
        target: &a.target,
        answer: &a.answer,
        money: a.money_back.as_deref(),
        withdrawn_yen: a.withdrawal.then_some(a.content.amount_yen),
        booked_on: a.booked_on.as_deref(),
    };
    let done = apply_answer(app, tx, &entry).await?;
    let r = RecordOutcome {
        instruction_id: done.instruction_id.clone(),
        conflict_of: done.conflict_of.clone(),
        ..record(a.position, &a.identity, fingerprint, a.content.amount_yen)
    };
    let outcome = match (done.outcome, &a.money_back) {
        (AnswerOutcome::Applied, _) => RecordOutcome {
            instruction_answer: Some(answer_name(&a.answer).to_string()),
            instruction_status: done.status,
            ..with_kind(r, EntryOutcome::AnswerApplied)
        },
        (AnswerOutcome::Duplicate, _) => with_kind(r, EntryOutcome::AnswerDuplicate),
        // Money that came back for no instruction of ours is money in, on the suspense list.
        (AnswerOutcome::Unknown, Some(input)) => {
            let credit = apply_credit_to(app, tx, input, Matching::SuspenseOnly).await?;
            credited(r, credit)
        }
        // A debit that answers none of Kessai's transfers, or one the bank had refused (money
        // left that the books do not send), is a withdrawal for the operator to see.
        (AnswerOutcome::Unknown | AnswerOutcome::Stale, None) if a.withdrawal => {
            with_kind(r, EntryOutcome::Listed)
        }
        (AnswerOutcome::Unknown | AnswerOutcome::Stale, _) => {
            with_kind(r, EntryOutcome::AnswerIgnored)
        }
        (AnswerOutcome::ForOperator, _) => with_kind(r, EntryOutcome::AnswerForOperator),
    };
    Ok(outcome)
}
