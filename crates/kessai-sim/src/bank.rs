//! A bank with its own accounts and balances. It reads the operator's outbound credit transfers
//! (pain.001), settles or rejects each (at a configurable rate, decided by a seeded generator so
//! runs repeat exactly), answers with a status report (pain.002) and a debit notification
//! (camt.054), and reports the parties' own transfers into the operator's account as credit
//! notifications (camt.054).

use kessai_formats::iso20022::{read_pain_001, Account};
use kessai_formats::iso_notification::{write_camt_054, Notification, NotificationEntry};
use kessai_formats::iso_statement::{write_camt_053, Statement};
use kessai_formats::iso_status::{write_pain_002, StatusReport, TransactionStatus, TxStatus};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("{0}: not a pain.001 the bank accepts: {1}")]
    BadFile(String, String),
    #[error("a transfer needs a positive amount")]
    Amount,
}

/// An account at the simulated bank, by bank, branch and number.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountRef {
    pub bank_code: String,
    pub branch_code: String,
    pub account_number: String,
    pub name: String,
}

impl AccountRef {
    fn key(&self) -> String {
        format!(
            "{}-{}-{}",
            self.bank_code, self.branch_code, self.account_number
        )
    }
}

/// A party's transfer into the operator's account, reported with the next notification.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingCredit {
    pub payer_name: String,
    pub amount_yen: u64,
    pub remittance: String,
}

/// Everything the bank remembers between runs (kept as JSON by the CLI).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BankState {
    pub seed: u64,
    /// How many random draws were made: the generator's position.
    pub draws: u64,
    /// Outbound transfers rejected, per thousand.
    pub reject_per_mille: u32,
    pub operator: AccountRef,
    pub balances: BTreeMap<String, i64>,
    pub pending_credits: Vec<PendingCredit>,
    /// Names of the operator's files already processed: each is answered once.
    pub processed: BTreeSet<String>,
    /// Numbers the bank's own messages and entries.
    pub sequence: u64,
    /// Today's entries on the operator's account, repeated in the end-of-day statement.
    #[serde(default)]
    pub day_entries: Vec<DayEntry>,
    /// Report in Zengin files (01 notices, 03 statements) instead of ISO (camt.054, camt.053).
    #[serde(default)]
    pub zengin_files: bool,
}

/// An entry as the bank keeps it until the statement (a serializable copy of the ISO entry).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayEntry {
    pub entry_reference: String,
    pub amount_yen: u64,
    pub credit: bool,
    pub booking_date: String,
    pub end_to_end_id: Option<String>,
    pub debtor_name: Option<String>,
    pub remittance: Option<String>,
}

impl DayEntry {
    fn from_entry(e: &NotificationEntry) -> DayEntry {
        DayEntry {
            entry_reference: e.entry_reference.clone(),
            amount_yen: e.amount_yen,
            credit: e.credit,
            booking_date: e.booking_date.clone(),
            end_to_end_id: e.end_to_end_id.clone(),
            debtor_name: e.debtor_name.clone(),
            remittance: e.remittance.clone(),
        }
    }

    fn to_entry(&self) -> NotificationEntry {
        NotificationEntry {
            entry_reference: self.entry_reference.clone(),
            amount_yen: self.amount_yen,
            credit: self.credit,
            booking_date: self.booking_date.clone(),
            reversal: false,
            end_to_end_id: self.end_to_end_id.clone(),
            debtor_name: self.debtor_name.clone(),
            remittance: self.remittance.clone(),
            additional_info: None,
        }
    }
}

/// A file the bank produces: name and bytes.
pub type OutFile = (String, Vec<u8>);

/// SplitMix64: a tiny, well-known generator; with the seed and the draw count it gives the same
/// decisions on every run.
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl BankState {
    pub fn new(seed: u64, reject_per_mille: u32, operator: AccountRef) -> BankState {
        BankState {
            seed,
            draws: 0,
            reject_per_mille: reject_per_mille.min(1000),
            operator,
            balances: BTreeMap::new(),
            pending_credits: vec![],
            processed: BTreeSet::new(),
            sequence: 0,
            day_entries: vec![],
            zengin_files: false,
        }
    }

    fn draw(&mut self) -> u64 {
        self.draws += 1;
        splitmix64(self.seed ^ self.draws.wrapping_mul(0xA24B_AED4_963E_E407))
    }

    fn next(&mut self) -> u64 {
        self.sequence += 1;
        self.sequence
    }

    /// A party sends money to the operator's account (e.g. a buyer paying, quoting a deal ID).
    pub fn transfer_in(
        &mut self,
        payer_name: &str,
        amount_yen: u64,
        remittance: &str,
    ) -> Result<(), SimError> {
        if amount_yen == 0 {
            return Err(SimError::Amount);
        }
        *self.balances.entry(self.operator.key()).or_default() += amount_yen as i64;
        self.pending_credits.push(PendingCredit {
            payer_name: payer_name.into(),
            amount_yen,
            remittance: remittance.into(),
        });
        Ok(())
    }

    fn notification(
        &mut self,
        created_at: &str,
        booking_date: &str,
        entries: Vec<NotificationEntry>,
    ) -> OutFile {
        self.day_entries
            .extend(entries.iter().map(DayEntry::from_entry));
        let seq = self.next();
        let n = Notification {
            message_id: format!("SIMBANK-NTFCTN-{seq:06}"),
            created_at: created_at.into(),
            notification_id: format!("NTF{seq:06}"),
            account_number: self.operator.account_number.clone(),
            bank_code: self.operator.bank_code.clone(),
            branch_code: self.operator.branch_code.clone(),
            entries,
        };
        let _ = booking_date;
        (format!("{seq:06}-camt.054.xml"), write_camt_054(&n))
    }

    /// The credit notification for every transfer into the operator's account since the last one.
    pub fn credit_notification(&mut self, created_at: &str, booking_date: &str) -> Option<OutFile> {
        if self.pending_credits.is_empty() {
            return None;
        }
        if self.zengin_files {
            return Some(self.zengin_notice(booking_date));
        }
        let credits = std::mem::take(&mut self.pending_credits);
        let entries = credits
            .into_iter()
            .map(|c| {
                let r = self.next();
                NotificationEntry {
                    entry_reference: format!("CR{r:010}"),
                    amount_yen: c.amount_yen,
                    credit: true,
                    booking_date: booking_date.into(),
                    reversal: false,
                    end_to_end_id: None,
                    debtor_name: Some(c.payer_name),
                    remittance: (!c.remittance.is_empty()).then_some(c.remittance),
                    additional_info: None,
                }
            })
            .collect();
        Some(self.notification(created_at, booking_date, entries))
    }

    /// Answers one of the operator's pain.001 files: a status report, and a debit notification
    /// for the transfers that left. A file already processed is answered with nothing.
    pub fn process_outbound(
        &mut self,
        name: &str,
        bytes: &[u8],
        created_at: &str,
        booking_date: &str,
    ) -> Result<Vec<OutFile>, SimError> {
        if self.processed.contains(name) {
            return Ok(vec![]);
        }
        let batch =
            read_pain_001(bytes).map_err(|e| SimError::BadFile(name.into(), e.to_string()))?;
        let mut statuses = vec![];
        let mut debits = vec![];
        for t in &batch.transfers {
            let rejected = self.draw() % 1000 < u64::from(self.reject_per_mille);
            if rejected {
                statuses.push(TransactionStatus {
                    end_to_end_id: t.end_to_end_id.clone(),
                    status: TxStatus::Rejected,
                    reason_code: Some("AC01".into()),
                    reason_text: Some("incorrect account number".into()),
                });
                continue;
            }
            let to = account_key(&t.creditor);
            *self.balances.entry(self.operator.key()).or_default() -= t.amount_yen as i64;
            *self.balances.entry(to).or_default() += t.amount_yen as i64;
            statuses.push(TransactionStatus {
                end_to_end_id: t.end_to_end_id.clone(),
                status: TxStatus::Settled,
                reason_code: None,
                reason_text: None,
            });
            let r = self.next();
            debits.push(NotificationEntry {
                entry_reference: format!("DB{r:010}"),
                amount_yen: t.amount_yen,
                credit: false,
                booking_date: booking_date.into(),
                reversal: false,
                end_to_end_id: Some(t.end_to_end_id.clone()),
                debtor_name: None,
                remittance: (!t.remittance.is_empty()).then(|| t.remittance.clone()),
                additional_info: None,
            });
        }
        let seq = self.next();
        let report = StatusReport {
            message_id: format!("SIMBANK-STS-{seq:06}"),
            created_at: created_at.into(),
            original_message_id: batch.message_id.clone(),
            original_message_name: "pain.001.001.09".into(),
            transactions: statuses,
        };
        let mut out = vec![(format!("{seq:06}-pain.002.xml"), write_pain_002(&report))];
        if !debits.is_empty() {
            out.push(self.notification(created_at, booking_date, debits));
        }
        self.processed.insert(name.to_string());
        Ok(out)
    }

    /// The end-of-day statement (camt.053) of the operator's account: every entry of the day
    /// again, between the opening and the closing balance.
    pub fn end_of_day_statement(&mut self, created_at: &str, date: &str) -> Option<OutFile> {
        if self.day_entries.is_empty() {
            return None;
        }
        if self.zengin_files {
            return Some(self.zengin_statement(date));
        }
        let entries: Vec<NotificationEntry> = std::mem::take(&mut self.day_entries)
            .iter()
            .map(DayEntry::to_entry)
            .collect();
        let closing = self
            .balances
            .get(&self.operator.key())
            .copied()
            .unwrap_or(0);
        let net: i64 = entries
            .iter()
            .map(|e| {
                if e.credit {
                    e.amount_yen as i64
                } else {
                    -(e.amount_yen as i64)
                }
            })
            .sum();
        let seq = self.next();
        let statement = Statement {
            message_id: format!("SIMBANK-STMT-{seq:06}"),
            created_at: created_at.into(),
            statement_id: format!("STMT{seq:06}"),
            account_number: self.operator.account_number.clone(),
            bank_code: self.operator.bank_code.clone(),
            branch_code: self.operator.branch_code.clone(),
            opening_balance_yen: closing - net,
            closing_balance_yen: closing,
            date: date.into(),
            entries,
        };
        Some((format!("{seq:06}-camt.053.xml"), write_camt_053(&statement)))
    }

    /// Answers a direct-debit request (Zengin type 91): each payer's debit succeeds unless the
    /// seeded draw fails it, with a result code 1, 2, 3, 4, 8 or 9 as banks report them. The
    /// collected money lands in the operator's account. A request already answered gets nothing.
    pub fn process_debit_request(
        &mut self,
        name: &str,
        bytes: &[u8],
    ) -> Result<Vec<OutFile>, SimError> {
        use kessai_formats::zengin::debit::{debit_file, debits, DebitHeader, DebitResult};
        use kessai_formats::zengin::{parse, write, FileKind};
        const FAILURES: [DebitResult; 6] = [
            DebitResult::InsufficientFunds,
            DebitResult::NoAccount,
            DebitResult::StoppedByPayer,
            DebitResult::NoAgreement,
            DebitResult::StoppedByCollector,
            DebitResult::Other,
        ];
        if self.processed.contains(name) {
            return Ok(vec![]);
        }
        let file = parse(bytes).map_err(|e| SimError::BadFile(name.into(), e.to_string()))?;
        if file.kind != FileKind::Debit {
            return Err(SimError::BadFile(
                name.into(),
                "not a type 91 direct-debit request".into(),
            ));
        }
        let h = &file.groups[0].header;
        let header = DebitHeader {
            collector_code: h.get("委託者コード").into(),
            collector_name: h.text("委託者名").into(),
            debit_date_mmdd: h.get("引落日").into(),
            bank_code: h.get("取引銀行番号").into(),
            bank_name: h.text("取引銀行名").into(),
            branch_code: h.get("取引支店番号").into(),
            branch_name: h.text("取引支店名").into(),
            account_type: h.number("預金種目") as u8,
            account_number: h.get("口座番号").into(),
        };
        let mut answered = debits(&file);
        for d in answered.iter_mut() {
            let draw = self.draw();
            d.result = if draw % 1000 < u64::from(self.reject_per_mille) {
                FAILURES[(draw / 1000 % 6) as usize]
            } else {
                DebitResult::Debited
            };
            if d.result == DebitResult::Debited {
                *self
                    .balances
                    .entry(format!(
                        "{}-{}-{}",
                        d.bank_code, d.branch_code, d.account_number
                    ))
                    .or_default() -= d.amount_yen as i64;
                *self.balances.entry(self.operator.key()).or_default() += d.amount_yen as i64;
            }
        }
        let result = debit_file(&header, &answered, true, file.crlf)
            .map_err(|e| SimError::BadFile(name.into(), e.to_string()))?;
        self.processed.insert(name.to_string());
        let seq = self.next();
        Ok(vec![(
            format!("{seq:06}-zengin91-result.txt"),
            write(&result),
        )])
    }

    /// Settles the operator's 総合振込 (type 21) file: every transfer leaves the account (a Zengin
    /// transfer's rejection would come back as a separate return, which is not simulated). The
    /// answer is the day's statement: each withdrawal quoting the transfer's EDI.
    pub fn process_zengin_transfers(
        &mut self,
        name: &str,
        bytes: &[u8],
        booking_date: &str,
    ) -> Result<Vec<OutFile>, SimError> {
        use kessai_formats::zengin::{parse, transfer::transfers, FileKind};
        if self.processed.contains(name) {
            return Ok(vec![]);
        }
        let file = parse(bytes).map_err(|e| SimError::BadFile(name.into(), e.to_string()))?;
        if file.kind != FileKind::Transfer {
            return Err(SimError::BadFile(
                name.into(),
                "not a type 21 transfer file".into(),
            ));
        }
        for t in transfers(&file) {
            *self.balances.entry(self.operator.key()).or_default() -= t.amount_yen as i64;
            *self
                .balances
                .entry(format!(
                    "{}-{}-{}",
                    t.bank_code, t.branch_code, t.account_number
                ))
                .or_default() += t.amount_yen as i64;
            let r = self.next();
            self.day_entries.push(DayEntry {
                entry_reference: r.to_string(),
                amount_yen: t.amount_yen,
                credit: false,
                booking_date: booking_date.into(),
                end_to_end_id: None,
                debtor_name: None,
                remittance: t.edi,
            });
        }
        self.processed.insert(name.to_string());
        Ok(vec![])
    }

    fn zengin_account(&self) -> kessai_formats::zengin::notice::NoticeAccount {
        kessai_formats::zengin::notice::NoticeAccount {
            bank_code: self.operator.bank_code.clone(),
            bank_name: String::new(),
            branch_code: self.operator.branch_code.clone(),
            account_type: 1,
            account_number: self.operator.account_number.clone(),
            account_name: self.operator.name.clone(),
            date_yymmdd: String::new(),
        }
    }

    /// The day's credits as a Zengin 振込入金通知 (01). The 照会番号 of each is the one the
    /// statement will repeat.
    fn zengin_notice(&mut self, booking_date: &str) -> OutFile {
        use kessai_formats::zengin::notice::{notice_file, IncomingTransfer};
        let day = era_yymmdd(booking_date);
        let credits = std::mem::take(&mut self.pending_credits);
        let mut transfers = vec![];
        for c in credits {
            let r = self.next();
            self.day_entries.push(DayEntry {
                entry_reference: r.to_string(),
                amount_yen: c.amount_yen,
                credit: true,
                booking_date: booking_date.into(),
                end_to_end_id: None,
                debtor_name: Some(c.payer_name.clone()),
                remittance: (!c.remittance.is_empty()).then(|| c.remittance.clone()),
            });
            transfers.push(IncomingTransfer {
                bank_code: String::new(),
                branch_code: String::new(),
                account_number: String::new(),
                inquiry_number: format!("{:06}", r % 1_000_000),
                booking_date: day.clone(),
                amount_yen: c.amount_yen,
                transferor_code: "0000000000".into(),
                transferor_name: zengin_name(&format!("{} {}", c.remittance, c.payer_name), 48),
                edi: String::new(),
                cancelled: false,
            });
        }
        let mut account = self.zengin_account();
        account.date_yymmdd = day;
        let file =
            notice_file(&[(account, transfers)], true).expect("the simulator writes valid notices");
        let seq = self.next();
        (
            format!("{seq:06}-zengin01.txt"),
            kessai_formats::zengin::write(&file),
        )
    }

    /// The day's entries as a Zengin 入出金取引明細 (03).
    fn zengin_statement(&mut self, date: &str) -> OutFile {
        use kessai_formats::zengin::statement::{statement_file, StatementAccount, StatementEntry};
        let day = era_yymmdd(date);
        let entries = std::mem::take(&mut self.day_entries);
        let closing = self
            .balances
            .get(&self.operator.key())
            .copied()
            .unwrap_or(0);
        let net: i64 = entries
            .iter()
            .map(|e| {
                if e.credit {
                    e.amount_yen as i64
                } else {
                    -(e.amount_yen as i64)
                }
            })
            .sum();
        let account = StatementAccount {
            bank_code: self.operator.bank_code.clone(),
            bank_name: String::new(),
            branch_code: self.operator.branch_code.clone(),
            branch_name: String::new(),
            account_type: 1,
            account_number: self.operator.account_number.clone(),
            account_name: self.operator.name.clone(),
            date_yymmdd: day.clone(),
            opening_balance_yen: (closing - net).max(0) as u64,
        };
        let lines = entries
            .iter()
            .map(|e| StatementEntry {
                inquiry_number: format!(
                    "{:08}",
                    e.entry_reference.parse::<u64>().unwrap_or(0) % 1_000_000
                ),
                booking_date: day.clone(),
                deposit: e.credit,
                kind: if e.credit { 11 } else { 14 },
                amount_yen: e.amount_yen,
                transferor_code: "0000000000".into(),
                transferor_name: if e.credit {
                    zengin_name(
                        &format!(
                            "{} {}",
                            e.remittance.clone().unwrap_or_default(),
                            e.debtor_name.clone().unwrap_or_default()
                        ),
                        48,
                    )
                } else {
                    String::new()
                },
                description: if e.credit {
                    String::new()
                } else {
                    "ｿｳｺﾞｳﾌﾘｺﾐ".into()
                },
                edi: if e.credit {
                    String::new()
                } else {
                    e.remittance.clone().unwrap_or_default()
                },
            })
            .collect();
        let file = statement_file(&[(account, lines)], true)
            .expect("the simulator writes valid statements");
        let seq = self.next();
        (
            format!("{seq:06}-zengin03.txt"),
            kessai_formats::zengin::write(&file),
        )
    }

    pub fn balance(&self, bank_code: &str, branch_code: &str, account_number: &str) -> i64 {
        self.balances
            .get(&format!("{bank_code}-{branch_code}-{account_number}"))
            .copied()
            .unwrap_or(0)
    }
}

fn account_key(a: &Account) -> String {
    format!("{}-{}-{}", a.bank_code, a.branch_code, a.account_number)
}

/// `2026-11-24` as the Japanese era date Zengin files use (令和8年 → `081124`).
fn era_yymmdd(iso: &str) -> String {
    let year: i32 = iso.get(..4).and_then(|y| y.parse().ok()).unwrap_or(2026);
    format!(
        "{:02}{}{}",
        (year - 2018).clamp(0, 99),
        iso.get(5..7).unwrap_or("01"),
        iso.get(8..10).unwrap_or("01")
    )
}

/// A name as a Zengin field holds it: trimmed, at most `max` characters.
fn zengin_name(s: &str, max: usize) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(max)
        .collect()
}
