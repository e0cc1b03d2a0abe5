//! 入出金取引明細 (type 03): the account statement. Deposits carry the transferor's name like a
//! notice does; withdrawals are the operator's own payments leaving.

use super::engine::{Group, Record, ZenginError, ZenginFile};
use super::layout::{FileKind, RecordKind};
use super::CodeSet;

/// The account a statement group covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatementAccount {
    pub bank_code: String,
    pub bank_name: String,
    pub branch_code: String,
    pub branch_name: String,
    pub account_type: u8,
    /// Up to 10 digits in this record type.
    pub account_number: String,
    pub account_name: String,
    /// 勘定日 of the statement (era YYMMDD).
    pub date_yymmdd: String,
    pub opening_balance_yen: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatementEntry {
    /// 照会番号 (8 digits).
    pub inquiry_number: String,
    pub booking_date: String,
    /// true = 入金 (deposit), false = 出金 (withdrawal).
    pub deposit: bool,
    /// 取引区分: 10 現金, 11 振込, 12 他店券, 13 交換, 14 振替, 18 その他, 19 訂正.
    pub kind: u8,
    pub amount_yen: u64,
    pub transferor_code: String,
    pub transferor_name: String,
    pub description: String,
    pub edi: String,
}

/// 摘要 words that mark a deposit as one of the account's own transfers coming back: 振込不能
/// (could not be credited), 組戻し (recalled), 返却 (returned), as half-width kana with small
/// kana written large, the way banks print them.
pub const RETURN_MARKERS: [&str; 3] = ["ﾌﾉｳ", "ｸﾐﾓﾄﾞｼ", "ﾍﾝｷﾔｸ"];

/// What the simulator, and a bank, writes in 摘要 for a returned transfer.
pub const RETURN_DESCRIPTION: &str = "ﾌﾘｺﾐﾌﾉｳ ﾍﾝｷﾔｸ";

/// 摘要 words that mark a deposit as the money a direct-debit request collected (口座振替,
/// 口振, 集金), paid into the collector's account in one sum.
pub const COLLECTION_MARKERS: [&str; 3] = ["ﾌﾘｶｴ", "ｺｳﾌﾘ", "ｼﾕｳｷﾝ"];

/// What the simulator writes in 摘要 for a direct-debit request's collected sum.
pub const COLLECTION_DESCRIPTION: &str = "ｺｳｻﾞﾌﾘｶｴ";

impl StatementEntry {
    /// A deposit giving back one of the account's own transfers (振込不能・組戻し), as its 摘要
    /// says; its EDI repeats the transfer's.
    pub fn is_return(&self) -> bool {
        self.deposit
            && self.kind != 19
            && RETURN_MARKERS.iter().any(|m| self.description.contains(m))
    }

    /// A deposit of the sum a direct-debit request collected, as its 摘要 says, from no payer
    /// of its own (no 振込依頼人コード).
    pub fn is_debit_collection(&self) -> bool {
        self.deposit
            && self.kind != 19
            && self.transferor_code.trim_start_matches('0').is_empty()
            && COLLECTION_MARKERS
                .iter()
                .any(|m| self.description.contains(m))
    }

    /// The entry's identity: the same as the notice (01) reporting the same transfer.
    pub fn identity(&self, account: &StatementAccount) -> String {
        super::notice::record_identity(
            &account.bank_code,
            &account.branch_code,
            &account.account_number,
            &self.booking_date,
            &self.inquiry_number,
        )
    }
}

/// Builds a statement: one group per account, trailers and end record computed.
pub fn statement_file(
    groups: &[(StatementAccount, Vec<StatementEntry>)],
    crlf: bool,
) -> Result<ZenginFile, ZenginError> {
    let kind = FileKind::Statement;
    let mut out = vec![];
    let mut records = 0usize;
    for (a, entries) in groups {
        records += 1;
        let d = a.date_yymmdd.as_str();
        let header = Record::build(
            kind,
            RecordKind::Header,
            &[
                ("種別コード", "03"),
                ("作成日", d),
                ("勘定日自", d),
                ("勘定日至", d),
                ("銀行コード", &a.bank_code),
                ("銀行名", &a.bank_name),
                ("支店コード", &a.branch_code),
                ("支店名", &a.branch_name),
                ("預金種目", &a.account_type.to_string()),
                ("口座番号", &a.account_number),
                ("口座名", &a.account_name),
                ("取引前残高", &a.opening_balance_yen.to_string()),
            ],
        )
        .map_err(|e| ZenginError {
            record: records,
            ..e
        })?;
        let (mut ins, mut in_yen, mut outs, mut out_yen) = (0u64, 0u64, 0u64, 0u64);
        let mut data = vec![];
        for e in entries {
            records += 1;
            let record = Record::build(
                kind,
                RecordKind::Data,
                &[
                    ("照会番号", &e.inquiry_number),
                    ("勘定日", &e.booking_date),
                    ("預入・払出日", &e.booking_date),
                    ("入払区分", if e.deposit { "1" } else { "2" }),
                    ("取引区分", &e.kind.to_string()),
                    ("取引金額", &e.amount_yen.to_string()),
                    ("振込依頼人コード", &e.transferor_code),
                    ("振込依頼人名", &e.transferor_name),
                    ("摘要内容", &e.description),
                    ("EDI情報", &e.edi),
                ],
            )
            .map_err(|err| ZenginError {
                record: records,
                ..err
            })?;
            if e.deposit {
                ins += 1;
                in_yen += e.amount_yen;
            } else {
                outs += 1;
                out_yen += e.amount_yen;
            }
            data.push(record);
        }
        records += 1;
        let closing = a.opening_balance_yen + in_yen - out_yen.min(a.opening_balance_yen + in_yen);
        let trailer = Record::build(
            kind,
            RecordKind::Trailer,
            &[
                ("入金件数", &ins.to_string()),
                ("入金額合計", &in_yen.to_string()),
                ("出金件数", &outs.to_string()),
                ("出金額合計", &out_yen.to_string()),
                ("取引後残高", &closing.to_string()),
                ("データ・レコード件数", &data.len().to_string()),
            ],
        )?;
        out.push(Group {
            header,
            data,
            trailer,
        });
    }
    records += 1;
    let end = Record::build(
        kind,
        RecordKind::End,
        &[
            ("レコード総件数", &records.to_string()),
            ("口座数", &groups.len().to_string()),
        ],
    )?;
    Ok(ZenginFile {
        kind,
        code_set: CodeSet::Jis,
        crlf,
        groups: out,
        end,
    })
}

/// Every entry of a parsed statement, with its account.
pub fn statement_entries(file: &ZenginFile) -> Vec<(StatementAccount, StatementEntry)> {
    let mut out = vec![];
    for g in &file.groups {
        let h = &g.header;
        let account = StatementAccount {
            bank_code: h.get("銀行コード").into(),
            bank_name: h.text("銀行名").into(),
            branch_code: h.get("支店コード").into(),
            branch_name: h.text("支店名").into(),
            account_type: h.number("預金種目") as u8,
            account_number: h.get("口座番号").trim_start_matches('0').to_string(),
            account_name: h.text("口座名").into(),
            date_yymmdd: h.get("勘定日至").into(),
            opening_balance_yen: h.number("取引前残高"),
        };
        for r in &g.data {
            out.push((
                account.clone(),
                StatementEntry {
                    inquiry_number: r.get("照会番号").into(),
                    booking_date: r.get("勘定日").into(),
                    deposit: r.get("入払区分") == "1",
                    kind: r.number("取引区分") as u8,
                    amount_yen: r.number("取引金額"),
                    transferor_code: r.get("振込依頼人コード").into(),
                    transferor_name: r.text("振込依頼人名").into(),
                    description: r.text("摘要内容").into(),
                    edi: r.text("EDI情報").into(),
                },
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::zengin::{parse, write};

    fn account(number: &str, opening: u64) -> StatementAccount {
        StatementAccount {
            bank_code: "0001".into(),
            bank_name: "ﾐｽﾞﾎ".into(),
            branch_code: "001".into(),
            branch_name: "ﾄｳｷﾖｳ".into(),
            account_type: 1,
            account_number: number.into(),
            account_name: "ｹﾂｻｲ ｴｽｸﾛ-".into(),
            date_yymmdd: "081124".into(),
            opening_balance_yen: opening,
        }
    }

    fn entry(no: &str, deposit: bool, amount: u64, name: &str) -> StatementEntry {
        StatementEntry {
            inquiry_number: no.into(),
            booking_date: "081124".into(),
            deposit,
            kind: if deposit { 11 } else { 14 },
            amount_yen: amount,
            transferor_code: "0000000000".into(),
            transferor_name: name.into(),
            description: if deposit {
                String::new()
            } else {
                "ｿｳｺﾞｳﾌﾘｺﾐ".into()
            },
            edi: String::new(),
        }
    }

    fn groups() -> Vec<(StatementAccount, Vec<StatementEntry>)> {
        vec![
            (
                account("1234567", 100_000),
                vec![
                    entry("00000001", true, 52_000, "K7M4QX9PT2 ﾔﾏﾀﾞ"),
                    entry("00000002", false, 50_128, ""),
                ],
            ),
            (
                account("7777777", 0),
                vec![entry("00000001", true, 1_500, "ﾀﾅｶ")],
            ),
        ]
    }

    #[test]
    fn statement_matches_golden_and_round_trips() {
        let bytes = write(&statement_file(&groups(), true).unwrap());
        crate::zengin::tests_support::golden("statement_03_crlf.dat", &bytes);
        let parsed = parse(&bytes).unwrap();
        assert_eq!(write(&parsed), bytes);
        let entries = statement_entries(&parsed);
        let summary: Vec<(&str, bool, u64)> = entries
            .iter()
            .map(|(a, e)| (a.account_number.as_str(), e.deposit, e.amount_yen))
            .collect();
        assert_eq!(
            summary,
            [
                ("1234567", true, 52_000),
                ("1234567", false, 50_128),
                ("7777777", true, 1_500)
            ]
        );
        assert_eq!(
            parsed.groups[0].trailer.number("取引後残高"),
            100_000 + 52_000 - 50_128
        );
        assert_eq!(parsed.end.number("レコード総件数"), 8);
    }

    #[test]
    fn a_transfer_in_a_notice_and_a_statement_has_one_identity() {
        use crate::zengin::notice::IncomingTransfer;
        let notice = IncomingTransfer {
            bank_code: "0001".into(),
            branch_code: "001".into(),
            account_number: "1234567".into(),
            inquiry_number: "000042".into(),
            booking_date: "081124".into(),
            amount_yen: 52_000,
            transferor_code: "0000000000".into(),
            transferor_name: "ﾔﾏﾀﾞ".into(),
            edi: String::new(),
            cancelled: false,
        };
        let padded = StatementAccount {
            account_number: "0001234567".into(),
            ..account("1234567", 0)
        };
        let same = entry("00000042", true, 52_000, "ﾔﾏﾀﾞ");
        assert_eq!(
            notice.identity(),
            same.identity(&padded),
            "03 pads to 10 and 8 digits, 01 to 7 and 6"
        );
        assert_ne!(
            notice.identity(),
            entry("00000043", true, 52_000, "ﾔﾏﾀﾞ").identity(&padded)
        );
        assert_ne!(notice.identity(), same.identity(&account("7777777", 0)));
    }

    #[test]
    fn totals_that_do_not_add_up_are_rejected() {
        let bytes = write(&statement_file(&groups(), true).unwrap());
        // End record (record 8): 口座数 at positions 12-16.
        let mut wrong = bytes.clone();
        wrong[7 * 202 + 16 - 1] = b'3';
        let e = parse(&wrong).unwrap_err();
        assert_eq!((e.record, e.field), (8, Some("口座数")), "{e}");
        // First trailer (record 4): 入金件数 at positions 2-7.
        let mut wrong = bytes;
        wrong[3 * 202 + 7 - 1] = b'2';
        let e = parse(&wrong).unwrap_err();
        assert_eq!((e.record, e.field), (4, Some("入金件数")), "{e}");
    }
}
