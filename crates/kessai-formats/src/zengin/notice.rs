//! 振込入金通知 (type 01): incoming transfers at the operator's collection accounts.

use super::engine::ZenginFile;

/// One incoming transfer as the bank reported it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IncomingTransfer {
    /// The receiving account (bank, branch, number) from the group's header.
    pub bank_code: String,
    pub branch_code: String,
    pub account_number: String,
    /// 照会番号: the bank's number for the record, unique per account and day.
    pub inquiry_number: String,
    /// 勘定日 (era YYMMDD, as written).
    pub booking_date: String,
    pub amount_yen: u64,
    pub transferor_code: String,
    /// 振込依頼人名: where payers put a reference before their name.
    pub transferor_name: String,
    pub edi: String,
    /// 取消区分 set: the bank reverses an earlier notice.
    pub cancelled: bool,
}

impl IncomingTransfer {
    /// The record's identity across files: the same transfer reported again has the same key.
    pub fn identity(&self) -> String {
        format!(
            "01:{}:{}:{}:{}:{}",
            self.bank_code,
            self.branch_code,
            self.account_number,
            self.booking_date,
            self.inquiry_number
        )
    }
}

pub fn incoming_transfers(file: &ZenginFile) -> Vec<IncomingTransfer> {
    file.groups
        .iter()
        .flat_map(|g| {
            g.data.iter().map(move |r| IncomingTransfer {
                bank_code: g.header.get("銀行コード").into(),
                branch_code: g.header.get("支店コード").into(),
                account_number: g.header.get("口座番号").into(),
                inquiry_number: r.get("照会番号").into(),
                booking_date: r.get("勘定日").into(),
                amount_yen: r.number("金額"),
                transferor_code: r.get("振込依頼人コード").into(),
                transferor_name: r.text("振込依頼人名").into(),
                edi: r.text("EDI情報").into(),
                cancelled: r.get("取消区分") != " ",
            })
        })
        .collect()
}
