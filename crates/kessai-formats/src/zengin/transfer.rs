//! 総合振込 (type 21): the payouts and refunds Kessai sends to its bank, as typed values.

use super::engine::{Group, Record, ZenginError, ZenginFile};
use super::layout::{FileKind, RecordKind};

/// 振込指定区分: how the bank is to send each transfer of a file on to the payee's bank.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Designation {
    /// 7: 電信扱い (telegraphic), credited on the value date.
    #[default]
    Telegraphic,
    /// 8: 文書扱い (document).
    Document,
}

impl Designation {
    /// The digit in the data record.
    pub fn code(self) -> u8 {
        match self {
            Designation::Telegraphic => 7,
            Designation::Document => 8,
        }
    }

    pub fn from_code(code: u8) -> Option<Designation> {
        match code {
            7 => Some(Designation::Telegraphic),
            8 => Some(Designation::Document),
            _ => None,
        }
    }
}

/// The operator's side of a transfer file: who pays, from which account, on which day.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransferHeader {
    /// 振込依頼人コード: the operator's code at its bank (10 digits).
    pub requester_code: String,
    /// 振込依頼人名, half-width kana.
    pub requester_name: String,
    /// 振込指定日 as MMDD.
    pub value_date_mmdd: String,
    pub bank_code: String,
    pub bank_name: String,
    pub branch_code: String,
    pub branch_name: String,
    /// 預金種目: 1 普通, 2 当座, 4 貯蓄.
    pub account_type: u8,
    pub account_number: String,
    /// 振込指定区分 of every data record (the operator's setting for this bank).
    pub designation: Designation,
}

/// One payment to one account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transfer {
    pub bank_code: String,
    pub bank_name: String,
    pub branch_code: String,
    pub branch_name: String,
    pub account_type: u8,
    pub account_number: String,
    /// 受取人名, half-width kana.
    pub payee_name: String,
    pub amount_yen: u64,
    /// EDI情報 (up to 20 characters): the reference the payee's bank shows them.
    pub edi: Option<String>,
}

/// Builds a one-account transfer file with its trailer and end record.
pub fn transfer_file(
    header: &TransferHeader,
    transfers: &[Transfer],
    crlf: bool,
) -> Result<ZenginFile, ZenginError> {
    let kind = FileKind::Transfer;
    let account_type = header.account_type.to_string();
    let head = Record::build(
        kind,
        RecordKind::Header,
        &[
            ("種別コード", "21"),
            ("コード区分", "0"),
            ("振込依頼人コード", &header.requester_code),
            ("振込依頼人名", &header.requester_name),
            ("振込指定日", &header.value_date_mmdd),
            ("仕向銀行番号", &header.bank_code),
            ("仕向銀行名", &header.bank_name),
            ("仕向支店番号", &header.branch_code),
            ("仕向支店名", &header.branch_name),
            ("預金種目", &account_type),
            ("口座番号", &header.account_number),
        ],
    )?;
    let designation = header.designation.code().to_string();
    let mut data = Vec::with_capacity(transfers.len());
    let mut total: u64 = 0;
    for (i, t) in transfers.iter().enumerate() {
        let amount = t.amount_yen.to_string();
        let account_type = t.account_type.to_string();
        let (edi, flag) = match &t.edi {
            Some(e) => (e.as_str(), "Y"),
            None => ("", " "),
        };
        let record = Record::build(
            kind,
            RecordKind::Data,
            &[
                ("被仕向銀行番号", &t.bank_code),
                ("被仕向銀行名", &t.bank_name),
                ("被仕向支店番号", &t.branch_code),
                ("被仕向支店名", &t.branch_name),
                ("預金種目", &account_type),
                ("口座番号", &t.account_number),
                ("受取人名", &t.payee_name),
                ("振込金額", &amount),
                ("顧客コード・EDI情報", edi),
                ("振込指定区分", &designation),
                ("識別表示", flag),
            ],
        )
        .map_err(|e| ZenginError { record: i + 2, ..e })?;
        total += t.amount_yen;
        data.push(record);
    }
    let count = data.len().to_string();
    let total = total.to_string();
    let trailer = Record::build(
        kind,
        RecordKind::Trailer,
        &[("合計件数", &count), ("合計金額", &total)],
    )?;
    let group = Group {
        header: head,
        data,
        trailer,
    };
    ZenginFile::from_groups(kind, crlf, vec![group])
}

/// The transfers of a parsed type 21 file (for the bank simulator and for tests).
pub fn transfers(file: &ZenginFile) -> Vec<Transfer> {
    file.data_records()
        .map(|r| Transfer {
            bank_code: r.get("被仕向銀行番号").into(),
            bank_name: r.text("被仕向銀行名").into(),
            branch_code: r.get("被仕向支店番号").into(),
            branch_name: r.text("被仕向支店名").into(),
            account_type: r.number("預金種目") as u8,
            account_number: r.get("口座番号").into(),
            payee_name: r.text("受取人名").into(),
            amount_yen: r.number("振込金額"),
            edi: (r.get("識別表示") == "Y").then(|| r.text("顧客コード・EDI情報").to_string()),
        })
        .collect()
}
