//! The bank's ISO 20022 side: answering pain.001 with pain.002 and camt.054 debits, and
//! reporting credits (camt.054) and the day (camt.053).

use super::{account_key, AccountRef, BankState, DayEntry, OutFile, SimError};
use kessai_formats::iso20022::read_pain_001;
use kessai_formats::iso_notification::{write_camt_054, Notification, NotificationEntry};
use kessai_formats::iso_statement::{write_camt_053, Statement};
use kessai_formats::iso_status::{write_pain_002, StatusReport, TransactionStatus, TxStatus};

impl BankState {
    /// A camt.054 of these entries on the operator's account `of` (kept for its statement).
    fn notification(
        &mut self,
        created_at: &str,
        of: &AccountRef,
        entries: Vec<NotificationEntry>,
    ) -> OutFile {
        let account = self.entry_account(of);
        self.day_entries.extend(entries.iter().map(|e| DayEntry {
            account: account.clone(),
            ..DayEntry::from_entry(e)
        }));
        let seq = self.next();
        let entries = numbered(entries);
        let n = Notification {
            message_id: format!("SIMBANK-NTFCTN-{seq:06}"),
            created_at: created_at.into(),
            notification_id: format!("NTF{seq:06}"),
            account_number: of.account_number.clone(),
            bank_code: Some(of.bank_code.clone()),
            branch_code: Some(of.branch_code.clone()),
            entries,
        };
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
                    account_servicer_reference: Some(format!("CR{r:010}")),
                    amount_yen: c.amount_yen,
                    credit: true,
                    booking_date: Some(booking_date.into()),
                    debtor_name: Some(c.payer_name),
                    remittance: (!c.remittance.is_empty()).then_some(c.remittance),
                    ..NotificationEntry::default()
                }
            })
            .collect();
        let main = self.operator.clone();
        Some(self.notification(created_at, &main, entries))
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
        // The transfers leave the debtor account: the main one, or a collection account swept.
        let d = &batch.debtor;
        let from = self
            .operator_account(&d.bank_code, &d.branch_code, &d.account_number)
            .unwrap_or(&self.operator)
            .clone();
        let from_key = from.key();
        let mut statuses = vec![];
        let mut debits = vec![];
        // Deposits into the operator's other accounts, by account.
        let mut deposits: Vec<(AccountRef, NotificationEntry)> = vec![];
        for t in &batch.transfers {
            let rejected = self.draw() % 1000 < u64::from(self.reject_per_mille);
            if rejected {
                statuses.push(TransactionStatus {
                    end_to_end_id: Some(t.end_to_end_id.clone()),
                    status: Some(TxStatus::Rejected),
                    reason_code: Some("AC01".into()),
                    reason_text: Some("incorrect account number".into()),
                });
                continue;
            }
            let c = &t.creditor;
            let to =
                self.other_operator_account(&from, &c.bank_code, &c.branch_code, &c.account_number);
            self.add(from_key.clone(), -(t.amount_yen as i64));
            self.add(account_key(&t.creditor), t.amount_yen as i64);
            statuses.push(TransactionStatus {
                end_to_end_id: Some(t.end_to_end_id.clone()),
                status: Some(TxStatus::Settled),
                reason_code: None,
                reason_text: None,
            });
            let r = self.next();
            let debit = NotificationEntry {
                account_servicer_reference: Some(format!("DB{r:010}")),
                amount_yen: t.amount_yen,
                credit: false,
                booking_date: Some(booking_date.into()),
                end_to_end_id: Some(t.end_to_end_id.clone()),
                remittance: (!t.remittance.is_empty()).then(|| t.remittance.clone()),
                ..NotificationEntry::default()
            };
            // Drawn only when returns are on, so that older seeds decide as they did.
            let returned = to.is_none()
                && self.return_per_mille > 0
                && self.draw() % 1000 < u64::from(self.return_per_mille);
            if let Some(to) = to {
                // Into another of the operator's accounts: a credit there, quoting the transfer.
                let r = self.next();
                let credit = NotificationEntry {
                    account_servicer_reference: Some(format!("CR{r:010}")),
                    credit: true,
                    debtor_name: Some(from.name.clone()),
                    ..debit.clone()
                };
                deposits.push((to, credit));
            }
            if returned {
                // The payee's bank sends it back: a credit reversing the debit, quoting it.
                self.add(from_key.clone(), t.amount_yen as i64);
                self.add(account_key(&t.creditor), -(t.amount_yen as i64));
                let r = self.next();
                let back = NotificationEntry {
                    account_servicer_reference: Some(format!("RT{r:010}")),
                    credit: true,
                    reversal: true,
                    additional_info: Some(super::RETURN_REASON.into()),
                    ..debit.clone()
                };
                debits.push(debit);
                debits.push(back);
                continue;
            }
            debits.push(debit);
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
            out.push(self.notification(created_at, &from, debits));
        }
        for (to, credit) in deposits {
            out.push(self.notification(created_at, &to, vec![credit]));
        }
        let _ = booking_date;
        self.processed.insert(name.to_string());
        Ok(out)
    }

    /// The end-of-day statements (camt.053, or one Zengin 03) of the operator's accounts that
    /// had entries: every entry of the day again, between the opening and the closing balance.
    pub fn end_of_day_statements(&mut self, created_at: &str, date: &str) -> Vec<OutFile> {
        if self.day_entries.is_empty() {
            return vec![];
        }
        if self.zengin_files {
            return vec![self.zengin_statement(date)];
        }
        let mut files = vec![];
        for (of, day) in self.take_day_entries() {
            // An entry booked without a day (a 91 request's takings) is booked on the statement's.
            let entries: Vec<NotificationEntry> = day
                .iter()
                .map(|e| match e.booking_date.as_str() {
                    "" => DayEntry {
                        booking_date: date.into(),
                        ..e.clone()
                    },
                    _ => e.clone(),
                })
                .map(|e| e.to_entry())
                .collect();
            let closing = self.balances.get(&of.key()).copied().unwrap_or(0);
            let net = super::accounts::net_of(&day);
            let seq = self.next();
            let statement = Statement {
                message_id: format!("SIMBANK-STMT-{seq:06}"),
                created_at: created_at.into(),
                statement_id: format!("STMT{seq:06}"),
                account_number: of.account_number.clone(),
                bank_code: Some(of.bank_code.clone()),
                branch_code: Some(of.branch_code.clone()),
                opening_balance_yen: Some(closing - net),
                closing_balance_yen: Some(closing),
                date: date.into(),
                entries: numbered(entries),
            };
            files.push((format!("{seq:06}-camt.053.xml"), write_camt_053(&statement)));
        }
        files
    }
}

/// The entries numbered 1..n in the document, as banks do (`NtryRef` is unique within one
/// message only); the bank's own reference (`AcctSvcrRef`) stays the entry's across documents.
fn numbered(entries: Vec<NotificationEntry>) -> Vec<NotificationEntry> {
    entries
        .into_iter()
        .enumerate()
        .map(|(i, e)| NotificationEntry {
            entry_reference: Some((i + 1).to_string()),
            ..e
        })
        .collect()
}
