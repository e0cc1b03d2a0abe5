//! The bank's Zengin side: settling 総合振込 (21), answering 口座振替 requests (91), and
//! reporting in 振込入金通知 (01) and 入出金取引明細 (03).

use super::{BankState, DayEntry, OutFile, SimError};

impl BankState {
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
        // The money goes into the account the header names: one of the operator's, or with no
        // pooling the seller's own.
        let into = match self.operator_account(
            &header.bank_code,
            &header.branch_code,
            &header.account_number,
        ) {
            Some(a) => a.key(),
            None => format!(
                "{}-{}-{}",
                header.bank_code, header.branch_code, header.account_number
            ),
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
                self.add(into.clone(), d.amount_yen as i64);
            }
        }
        let collected: u64 = answered
            .iter()
            .filter(|d| d.result == DebitResult::Debited)
            .map(|d| d.amount_yen)
            .sum();
        // Booked on the statement's day (a 91 header gives the month and day only).
        self.book_collection(&into, collected, "");
        let result = debit_file(&header, &answered, true, file.crlf)
            .map_err(|e| SimError::BadFile(name.into(), e.to_string()))?;
        self.processed.insert(name.to_string());
        let seq = self.next();
        Ok(vec![(
            format!("{seq:06}-zengin91-result.txt"),
            write(&result),
        )])
    }

    /// Settles the operator's 総合振込 (type 21) file: every transfer leaves the account. One the
    /// seeded draw fails (at the reject rate) cannot be credited at the payee's bank and comes
    /// straight back, as Zengin banks do (振込不能 → 資金返却): the statement shows the
    /// withdrawal, then a deposit of the same amount whose 摘要 says 振込不能 and whose EDI
    /// repeats the transfer's. The answer is the day's statement.
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
        // The transfers leave the operator's account the header names (the main one, or a
        // collection account being swept).
        let h = &file.groups[0].header;
        let from = self
            .operator_account(
                h.get("仕向銀行番号"),
                h.get("仕向支店番号"),
                h.get("口座番号"),
            )
            .unwrap_or(&self.operator)
            .clone();
        let requester = h.text("振込依頼人名").to_string();
        let (from_key, from_entry) = (from.key(), self.entry_account(&from));
        for t in transfers(&file) {
            let returned = self.draw() % 1000 < u64::from(self.reject_per_mille);
            self.add(from_key.clone(), -(t.amount_yen as i64));
            let r = self.next();
            self.day_entries.push(DayEntry {
                entry_reference: r.to_string(),
                amount_yen: t.amount_yen,
                booking_date: booking_date.into(),
                remittance: t.edi.clone(),
                account: from_entry.clone(),
                ..DayEntry::default()
            });
            if returned {
                self.add(from_key.clone(), t.amount_yen as i64);
                let r = self.next();
                self.day_entries.push(DayEntry {
                    entry_reference: r.to_string(),
                    amount_yen: t.amount_yen,
                    credit: true,
                    booking_date: booking_date.into(),
                    remittance: t.edi,
                    returned_transfer: true,
                    account: from_entry.clone(),
                    ..DayEntry::default()
                });
                continue;
            }
            let to =
                self.other_operator_account(&from, &t.bank_code, &t.branch_code, &t.account_number);
            match to {
                // Into another of the operator's accounts: a deposit on its statement.
                Some(to) => {
                    self.add(to.key(), t.amount_yen as i64);
                    let r = self.next();
                    self.day_entries.push(DayEntry {
                        entry_reference: r.to_string(),
                        amount_yen: t.amount_yen,
                        credit: true,
                        booking_date: booking_date.into(),
                        debtor_name: Some(requester.clone()),
                        remittance: t.edi,
                        account: self.entry_account(&to),
                        ..DayEntry::default()
                    });
                }
                None => self.add(
                    format!("{}-{}-{}", t.bank_code, t.branch_code, t.account_number),
                    t.amount_yen as i64,
                ),
            }
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
    pub(super) fn zengin_notice(&mut self, booking_date: &str) -> OutFile {
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
                debtor_name: Some(c.payer_name.clone()),
                remittance: (!c.remittance.is_empty()).then(|| c.remittance.clone()),
                ..DayEntry::default()
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

    /// The day's entries as a Zengin 入出金取引明細 (03): one account per group, each of the
    /// operator's accounts that had entries.
    pub(super) fn zengin_statement(&mut self, date: &str) -> OutFile {
        use kessai_formats::zengin::statement::statement_file;
        let day = era_yymmdd(date);
        let groups: Vec<_> = self
            .take_day_entries()
            .into_iter()
            .map(|(account, entries)| self.zengin_group(&day, &account, &entries))
            .collect();
        let file = statement_file(&groups, true).expect("the simulator writes valid statements");
        let seq = self.next();
        (
            format!("{seq:06}-zengin03.txt"),
            kessai_formats::zengin::write(&file),
        )
    }

    fn zengin_group(
        &self,
        day: &str,
        of: &super::AccountRef,
        entries: &[DayEntry],
    ) -> (
        kessai_formats::zengin::statement::StatementAccount,
        Vec<kessai_formats::zengin::statement::StatementEntry>,
    ) {
        use kessai_formats::zengin::statement::{
            StatementAccount, StatementEntry, COLLECTION_DESCRIPTION, RETURN_DESCRIPTION,
        };
        let closing = self.balances.get(&of.key()).copied().unwrap_or(0);
        let net = super::accounts::net_of(entries);
        let account = StatementAccount {
            bank_code: of.bank_code.clone(),
            bank_name: String::new(),
            branch_code: of.branch_code.clone(),
            branch_name: String::new(),
            account_type: 1,
            account_number: of.account_number.clone(),
            account_name: of.name.clone(),
            date_yymmdd: day.to_string(),
            opening_balance_yen: (closing - net).max(0) as u64,
        };
        let lines = entries
            .iter()
            .map(|e| StatementEntry {
                inquiry_number: format!(
                    "{:08}",
                    e.entry_reference.parse::<u64>().unwrap_or(0) % 1_000_000
                ),
                booking_date: day.to_string(),
                deposit: e.credit,
                kind: if e.credit && !e.collection { 11 } else { 14 },
                amount_yen: e.amount_yen,
                transferor_code: "0000000000".into(),
                transferor_name: if e.credit && !e.returned_transfer && !e.collection {
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
                description: match (e.credit, e.returned_transfer) {
                    _ if e.collection => COLLECTION_DESCRIPTION.into(),
                    (_, true) => RETURN_DESCRIPTION.into(),
                    (true, false) => String::new(),
                    (false, _) => "ｿｳｺﾞｳﾌﾘｺﾐ".into(),
                },
                // A withdrawal, or a transfer coming back, repeats the transfer's EDI.
                edi: if e.credit && !e.returned_transfer {
                    String::new()
                } else {
                    e.remittance.clone().unwrap_or_default()
                },
            })
            .collect();
        (account, lines)
    }
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
