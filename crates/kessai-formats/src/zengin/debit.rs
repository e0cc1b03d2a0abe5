//! 口座振替 (type 91): direct-debit requests Kessai sends and the results its bank returns.

use super::engine::{Group, Record, ZenginError, ZenginFile};
use super::layout::{FileKind, RecordKind};

/// The collecting company's side: who collects, into which account, on which day.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DebitHeader {
    /// 委託者コード (10 digits), given by the bank.
    pub collector_code: String,
    pub collector_name: String,
    /// 引落日 as MMDD.
    pub debit_date_mmdd: String,
    pub bank_code: String,
    pub bank_name: String,
    pub branch_code: String,
    pub branch_name: String,
    pub account_type: u8,
    pub account_number: String,
}

/// 振替結果コード: what the payer's bank did with one debit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DebitResult {
    /// 0: debited (also the value of every record of a request).
    Debited,
    /// 1: 資金不足.
    InsufficientFunds,
    /// 2: 取引なし (no such account).
    NoAccount,
    /// 3: 預金者都合による振替停止.
    StoppedByPayer,
    /// 4: 振替依頼書なし (no debit agreement).
    NoAgreement,
    /// 8: 委託者都合による振替停止.
    StoppedByCollector,
    /// 9: その他.
    Other,
}

impl DebitResult {
    pub fn code(self) -> u8 {
        match self {
            DebitResult::Debited => 0,
            DebitResult::InsufficientFunds => 1,
            DebitResult::NoAccount => 2,
            DebitResult::StoppedByPayer => 3,
            DebitResult::NoAgreement => 4,
            DebitResult::StoppedByCollector => 8,
            DebitResult::Other => 9,
        }
    }

    pub fn from_code(code: u8) -> Option<DebitResult> {
        use DebitResult::*;
        [
            Debited,
            InsufficientFunds,
            NoAccount,
            StoppedByPayer,
            NoAgreement,
            StoppedByCollector,
            Other,
        ]
        .into_iter()
        .find(|r| r.code() == code)
    }
}

/// One debit of one payer's account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Debit {
    pub bank_code: String,
    pub bank_name: String,
    pub branch_code: String,
    pub branch_name: String,
    pub account_type: u8,
    pub account_number: String,
    pub payer_name: String,
    pub amount_yen: u64,
    /// 顧客番号 (up to 20 digits): Kessai's reference for the contract.
    pub customer_number: String,
    pub result: DebitResult,
}

/// Builds a debit file: a request (`result_file = false`, every result 0 and the result counts
/// in the trailer zero) or the bank's result (counts split by 振替結果コード).
pub fn debit_file(
    header: &DebitHeader,
    debits: &[Debit],
    result_file: bool,
    crlf: bool,
) -> Result<ZenginFile, ZenginError> {
    let kind = FileKind::Debit;
    let account_type = header.account_type.to_string();
    let head = Record::build(
        kind,
        RecordKind::Header,
        &[
            ("種別コード", "91"),
            ("コード区分", "0"),
            ("委託者コード", &header.collector_code),
            ("委託者名", &header.collector_name),
            ("引落日", &header.debit_date_mmdd),
            ("取引銀行番号", &header.bank_code),
            ("取引銀行名", &header.bank_name),
            ("取引支店番号", &header.branch_code),
            ("取引支店名", &header.branch_name),
            ("預金種目", &account_type),
            ("口座番号", &header.account_number),
        ],
    )?;
    let mut data = Vec::with_capacity(debits.len());
    let (mut total, mut done, mut done_yen, mut failed, mut failed_yen) =
        (0u64, 0u64, 0u64, 0u64, 0u64);
    for (i, d) in debits.iter().enumerate() {
        let result = if result_file {
            d.result
        } else {
            DebitResult::Debited
        };
        let record = Record::build(
            kind,
            RecordKind::Data,
            &[
                ("引落銀行番号", &d.bank_code),
                ("引落銀行名", &d.bank_name),
                ("引落支店番号", &d.branch_code),
                ("引落支店名", &d.branch_name),
                ("預金種目", &d.account_type.to_string()),
                ("口座番号", &d.account_number),
                ("預金者名", &d.payer_name),
                ("引落金額", &d.amount_yen.to_string()),
                ("顧客番号", &d.customer_number),
                ("振替結果コード", &result.code().to_string()),
            ],
        )
        .map_err(|e| ZenginError { record: i + 2, ..e })?;
        total += d.amount_yen;
        if result == DebitResult::Debited {
            done += 1;
            done_yen += d.amount_yen;
        } else {
            failed += 1;
            failed_yen += d.amount_yen;
        }
        data.push(record);
    }
    let counts = if result_file {
        [done, done_yen, failed, failed_yen]
    } else {
        [0; 4]
    };
    let values: Vec<String> = [data.len() as u64, total]
        .into_iter()
        .chain(counts)
        .map(|n| n.to_string())
        .collect();
    let trailer = Record::build(
        kind,
        RecordKind::Trailer,
        &[
            ("合計件数", &values[0]),
            ("合計金額", &values[1]),
            ("振替済件数", &values[2]),
            ("振替済金額", &values[3]),
            ("振替不能件数", &values[4]),
            ("振替不能金額", &values[5]),
        ],
    )?;
    let group = Group {
        header: head,
        data,
        trailer,
    };
    ZenginFile::from_groups(kind, crlf, vec![group])
}

/// The debits of a parsed type 91 file, with their results.
pub fn debits(file: &ZenginFile) -> Vec<Debit> {
    file.data_records()
        .map(|r| Debit {
            bank_code: r.get("引落銀行番号").into(),
            bank_name: r.text("引落銀行名").into(),
            branch_code: r.get("引落支店番号").into(),
            branch_name: r.text("引落支店名").into(),
            account_type: r.number("預金種目") as u8,
            account_number: r.get("口座番号").into(),
            payer_name: r.text("預金者名").into(),
            amount_yen: r.number("引落金額"),
            customer_number: r.get("顧客番号").trim_start_matches('0').to_string(),
            result: DebitResult::from_code(r.number("振替結果コード") as u8)
                .unwrap_or(DebitResult::Other),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::zengin::{parse, write};

    fn header() -> DebitHeader {
        DebitHeader {
            collector_code: "0000000007".into(),
            collector_name: "ｹﾂｻｲ".into(),
            debit_date_mmdd: "1127".into(),
            bank_code: "0001".into(),
            bank_name: "ﾐｽﾞﾎ".into(),
            branch_code: "001".into(),
            branch_name: "ﾄｳｷﾖｳ".into(),
            account_type: 1,
            account_number: "1234567".into(),
        }
    }

    fn debit(number: &str, name: &str, amount: u64, contract: &str, result: DebitResult) -> Debit {
        Debit {
            bank_code: "0005".into(),
            bank_name: "ﾐﾂﾋﾞｼUFJ".into(),
            branch_code: "123".into(),
            branch_name: "ﾖｺﾊﾏﾅｶﾔﾏ".into(),
            account_type: 1,
            account_number: number.into(),
            payer_name: name.into(),
            amount_yen: amount,
            customer_number: contract.into(),
            result,
        }
    }

    fn debits_with_results() -> Vec<Debit> {
        vec![
            debit("1111111", "ﾔﾏﾀﾞ ﾀﾛｳ", 12_000, "1001", DebitResult::Debited),
            debit(
                "2222222",
                "ｽｽﾞｷ ｼﾞﾛｳ",
                5_500,
                "1002",
                DebitResult::InsufficientFunds,
            ),
            debit("3333333", "ｻﾄｳ ﾊﾅｺ", 800, "1003", DebitResult::NoAccount),
        ]
    }

    #[test]
    fn request_and_result_files_match_golden_and_round_trip() {
        let request = write(&debit_file(&header(), &debits_with_results(), false, true).unwrap());
        let result = write(&debit_file(&header(), &debits_with_results(), true, true).unwrap());
        crate::zengin::tests_support::golden("debit_91_request.dat", &request);
        crate::zengin::tests_support::golden("debit_91_result.dat", &result);
        for bytes in [&request, &result] {
            assert_eq!(&write(&parse(bytes).unwrap()), bytes);
        }
        let read: Vec<DebitResult> = debits(&parse(&result).unwrap())
            .iter()
            .map(|d| d.result)
            .collect();
        assert_eq!(
            read,
            [
                DebitResult::Debited,
                DebitResult::InsufficientFunds,
                DebitResult::NoAccount
            ]
        );
        assert!(debits(&parse(&request).unwrap())
            .iter()
            .all(|d| d.result == DebitResult::Debited && d.customer_number.starts_with("100")));
    }

    #[test]
    fn a_result_whose_split_does_not_add_up_is_rejected() {
        let mut bytes = write(&debit_file(&header(), &debits_with_results(), true, true).unwrap());
        // Trailer (record 5): 振替済金額 at positions 26-37, last digit at 37.
        let at = 4 * 122 + 37 - 1;
        bytes[at] = if bytes[at] == b'9' { b'8' } else { b'9' };
        let e = parse(&bytes).unwrap_err();
        assert_eq!((e.record, e.field), (5, Some("振替済金額")), "{e}");
    }

    #[test]
    fn result_codes_round_trip() {
        for code in 0..=9u8 {
            if let Some(r) = DebitResult::from_code(code) {
                assert_eq!(r.code(), code);
            } else {
                assert!((5..=7).contains(&code), "{code} is unused in the standard");
            }
        }
    }
}
