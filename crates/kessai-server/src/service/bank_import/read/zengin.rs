//! Zengin files from the bank: incoming-transfer notices (01), statements (03) and the results
//! of Kessai's direct debits (91, an entry known by its 顧客番号). A notice or statement entry's
//! identity is its account (bank, branch, number), 勘定日 and 照会番号; what it says is its
//! amount, 勘定日, direction and counterparty: the payer's 振込依頼人コード, or for a
//! withdrawal the EDI that names the payee. Not the payer's name: it is free text that the two
//! reports render differently (03's field may hold a 契約者番号 instead, and a returned
//! transfer's 01 name is what 03 writes in 摘要), so the same transfer would look like two.

use super::{invalid_file, AccountRef, Answer, DebitEntry, Effect, Incoming, Parsed};
use crate::error::AppResult;
use crate::service::bank_answers::AnswerTarget;
use crate::service::entry::{Direction, EntryContent};
use kessai_core::instruction::BankAnswer;
use kessai_formats::zengin::statement::{statement_entries, StatementEntry};
use kessai_formats::zengin::{self as fmt, notice::incoming_transfers, FileKind};

/// The counterparty as an entry names them in a structured field: the payer's code (when
/// set), else for a withdrawal its EDI (the payee Kessai quoted).
fn counterparty(code: &str, edi: &str) -> String {
    match code.trim_start_matches('0') {
        "" => edi.trim().to_string(),
        _ => code.to_string(),
    }
}

fn content(amount_yen: u64, date: &str, direction: Direction, who: String) -> EntryContent {
    EntryContent {
        amount_yen: amount_yen as i64,
        booking_date: date.to_string(),
        direction,
        counterparty: who,
    }
}

/// Parses a Zengin file from the bank, or rejects it whole naming the record and field.
/// The bytes are dropped once parsed, before the records are read into entries.
pub(super) fn read(bytes: Vec<u8>) -> AppResult<Parsed> {
    let file = fmt::parse(&bytes)
        .map_err(|e| invalid_file(format!("Zengin file rejected, nothing applied: {e}")))?;
    drop(bytes);
    let mut parsed =
        match file.kind {
            FileKind::Notice => notice(&file),
            FileKind::Statement => statement(&file),
            FileKind::Debit => return Ok(debit_results(&file)),
            FileKind::Transfer => return Err(invalid_file(
                "a Zengin 21 file is a transfer request Kessai writes for the bank, not a file \
                 from the bank (expected an incoming-transfer notice 01 or a statement 03)",
            )),
        };
    let (entries, total_yen) = file.totals();
    parsed.entries = entries as i64;
    parsed.total_yen = total_yen as i64;
    parsed.accounts = file
        .groups
        .iter()
        .map(|g| AccountRef {
            bank_code: Some(g.header.get("銀行コード").to_string()),
            branch_code: Some(g.header.get("支店コード").to_string()),
            account_number: g.header.get("口座番号").to_string(),
        })
        .collect();
    Ok(parsed)
}

/// A 口座振替 result file: one result per debit Kessai requested, about the operator's
/// collection account at the bank that sent it.
fn debit_results(file: &fmt::ZenginFile) -> Parsed {
    use kessai_core::contract::DebitOutcome;
    use kessai_formats::zengin::debit::{self, DebitResult};
    let date = file
        .groups
        .first()
        .map(|g| g.header.get("引落日").to_string())
        .unwrap_or_default();
    let debits = debit::debits(file)
        .into_iter()
        .zip(1..)
        .map(|(d, position)| {
            let outcome = match d.result {
                DebitResult::Debited => DebitOutcome::Debited,
                DebitResult::InsufficientFunds => DebitOutcome::InsufficientFunds,
                DebitResult::NoAccount => DebitOutcome::NoAccount,
                DebitResult::StoppedByPayer => DebitOutcome::StoppedByPayer,
                DebitResult::NoAgreement => DebitOutcome::NoAgreement,
                DebitResult::StoppedByCollector => DebitOutcome::StoppedByCollector,
                DebitResult::Other => DebitOutcome::Other,
            };
            DebitEntry {
                position,
                identity: format!("zengin-91:{}:{}", d.bank_code, d.customer_number),
                content: content(
                    d.amount_yen,
                    &date,
                    Direction::In,
                    format!("{} {}", d.customer_number, outcome.as_str()),
                ),
                reference: d.customer_number.parse().ok(),
                amount_yen: d.amount_yen as i64,
                states_amount: true,
                outcome,
            }
        })
        .collect();
    let (entries, total_yen) = file.totals();
    Parsed {
        debits,
        entries: entries as i64,
        total_yen: total_yen as i64,
        accounts: file
            .groups
            .iter()
            .map(|g| AccountRef {
                bank_code: Some(g.header.get("取引銀行番号").to_string()),
                branch_code: Some(g.header.get("取引支店番号").to_string()),
                account_number: g.header.get("口座番号").to_string(),
            })
            .collect(),
        accounts_may_be_sellers: true,
        ..Parsed::totalled("zengin-91", vec![], vec![])
    }
}

fn notice(file: &fmt::ZenginFile) -> Parsed {
    let credits = incoming_transfers(file)
        .into_iter()
        .zip(1..)
        .map(|(t, position)| Incoming {
            position,
            content: content(
                t.amount_yen,
                &t.booking_date,
                if t.cancelled {
                    Direction::Reversal
                } else {
                    Direction::In
                },
                counterparty(&t.transferor_code, ""),
            ),
            transferor_code: Some(t.transferor_code.clone()),
            account_number: t.account_number.clone(),
            bank_ref: t.identity(),
            amount_yen: t.amount_yen as i64,
            reference: format!("{} {}", t.transferor_name, t.edi)
                .trim()
                .to_string(),
            effect: if t.cancelled {
                Effect::Reversal
            } else {
                Effect::Credit
            },
            payer_text: None,
            booked_on: fmt::iso_of_era_date(&t.booking_date),
            collection_at: None,
        })
        .collect();
    Parsed::totalled("zengin-01", credits, vec![])
}

/// What a statement entry says.
fn entry_content(e: &StatementEntry) -> EntryContent {
    let direction = if e.deposit {
        Direction::In
    } else {
        Direction::Out
    };
    // A deposit names its payer as a notice does (so that both report one content); only a
    // withdrawal is told by its EDI.
    let edi = if e.deposit { "" } else { e.edi.as_str() };
    let who = counterparty(&e.transferor_code, edi);
    content(e.amount_yen, &e.booking_date, direction, who)
}

/// A Zengin statement: its deposits are incoming money, reconciled like notices, except a
/// deposit whose 摘要 marks one of Kessai's own transfers coming back (its EDI quotes the
/// payee). A withdrawal quoting a payee completes that transfer; other withdrawals and
/// corrections are listed for the operator, not applied.
fn statement(file: &fmt::ZenginFile) -> Parsed {
    let (mut credits, mut answers) = (vec![], vec![]);
    for ((account, e), position) in statement_entries(file).into_iter().zip(1..) {
        let identity = e.identity(&account);
        let incoming = |effect, reference: String, code: Option<String>| Incoming {
            position,
            content: entry_content(&e),
            transferor_code: code,
            bank_ref: identity.clone(),
            account_number: format!("{:0>7}", account.account_number),
            amount_yen: e.amount_yen as i64,
            reference: reference.trim().to_string(),
            effect,
            payer_text: None,
            booked_on: fmt::iso_of_era_date(&e.booking_date),
            collection_at: e
                .is_debit_collection()
                .then(|| account.bank_code.trim().to_string()),
        };
        let payee = AnswerTarget::Payee {
            public_id: e.edi.clone(),
            amount_yen: e.amount_yen as i64,
        };
        if e.is_return() && !e.edi.is_empty() {
            // One of Kessai's own transfers came back (振込不能・組戻し): quoting the same EDI.
            let money = incoming(Effect::Credit, format!("{} {}", e.description, e.edi), None);
            answers.push(Answer {
                position,
                identity: identity.clone(),
                content: entry_content(&e),
                target: payee,
                answer: BankAnswer::Returned {
                    reason: format!("振込不能・組戻し ({})", e.description),
                },
                money_back: Some(Box::new(money.input())),
                withdrawal: false,
                booked_on: fmt::iso_of_era_date(&e.booking_date),
            });
        } else if !e.deposit && !e.edi.is_empty() && e.kind != 19 {
            // A withdrawal quoting a payee's deal ID: one of Kessai's own transfers left.
            answers.push(Answer {
                position,
                identity: identity.clone(),
                content: entry_content(&e),
                target: payee,
                answer: BankAnswer::Settled,
                money_back: None,
                // Answering none of Kessai's transfers, it is listed for the operator.
                withdrawal: true,
                booked_on: fmt::iso_of_era_date(&e.booking_date),
            });
        } else {
            // 訂正 (19) corrects an earlier entry; like withdrawals, it is for the operator to read.
            let effect = if e.deposit && e.kind != 19 {
                Effect::Credit
            } else {
                Effect::ListOnly
            };
            let reference = format!("{} {}", e.transferor_name, e.edi);
            credits.push(incoming(effect, reference, Some(e.transferor_code.clone())));
        }
    }
    // The closing balance of each account, from its trailer (取引後残高).
    let balances = file
        .groups
        .iter()
        .map(|g| {
            let account = AccountRef {
                bank_code: Some(g.header.get("銀行コード").to_string()),
                branch_code: Some(g.header.get("支店コード").to_string()),
                account_number: g.header.get("口座番号").to_string(),
            };
            (account, g.trailer.number("取引後残高") as i64)
        })
        .collect();
    Parsed {
        balances,
        ..Parsed::totalled("zengin-03", credits, answers)
    }
}
