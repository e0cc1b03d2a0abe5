//! 振込入金通知 (type 01): incoming transfers at the operator's collection accounts.

use super::engine::{ZenginError, ZenginFile};

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
    /// The record's identity across files: the same transfer reported again — in a later
    /// notice, or in the end-of-day statement (type 03) — has the same identity.
    pub fn identity(&self) -> String {
        record_identity(
            &self.bank_code,
            &self.branch_code,
            &self.account_number,
            &self.booking_date,
            &self.inquiry_number,
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

/// The receiving account of one group of a notice file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoticeAccount {
    pub bank_code: String,
    pub bank_name: String,
    pub branch_code: String,
    pub account_type: u8,
    pub account_number: String,
    pub account_name: String,
    /// 作成日 and 勘定日 (era YYMMDD, e.g. 081124 for 令和8年11月24日).
    pub date_yymmdd: String,
}

/// Writes a notice file: one group per account with its transfers, trailers computed.
pub fn notice_file(
    groups: &[(NoticeAccount, Vec<IncomingTransfer>)],
    crlf: bool,
) -> Result<ZenginFile, ZenginError> {
    use super::engine::{Group, Record};
    use super::layout::{FileKind, RecordKind};
    let kind = FileKind::Notice;
    let mut out = Vec::with_capacity(groups.len());
    let mut number = 0;
    for (account, transfers) in groups {
        number += 1;
        let account_type = account.account_type.to_string();
        let d = account.date_yymmdd.as_str();
        let header = Record::build(
            kind,
            RecordKind::Header,
            &[
                ("種別コード", "01"),
                ("作成日", d),
                ("勘定日自", d),
                ("勘定日至", d),
                ("銀行コード", &account.bank_code),
                ("銀行名", &account.bank_name),
                ("支店コード", &account.branch_code),
                ("預金種目", &account_type),
                ("口座番号", &account.account_number),
                ("口座名", &account.account_name),
            ],
        )
        .map_err(|e| ZenginError {
            record: number,
            ..e
        })?;
        let mut data = Vec::with_capacity(transfers.len());
        let (mut total, mut cancelled, mut cancelled_total) = (0u64, 0u64, 0u64);
        for t in transfers {
            number += 1;
            let amount = t.amount_yen.to_string();
            let record = Record::build(
                kind,
                RecordKind::Data,
                &[
                    ("照会番号", &t.inquiry_number),
                    ("勘定日", &t.booking_date),
                    ("起算日", &t.booking_date),
                    ("金額", &amount),
                    ("振込依頼人コード", &t.transferor_code),
                    ("振込依頼人名", &t.transferor_name),
                    ("取消区分", if t.cancelled { "1" } else { " " }),
                    ("EDI情報", &t.edi),
                ],
            )
            .map_err(|e| ZenginError {
                record: number,
                ..e
            })?;
            total += t.amount_yen;
            if t.cancelled {
                cancelled += 1;
                cancelled_total += t.amount_yen;
            }
            data.push(record);
        }
        number += 1;
        let trailer = Record::build(
            kind,
            RecordKind::Trailer,
            &[
                ("件数", &data.len().to_string()),
                ("合計金額", &total.to_string()),
                ("取消件数", &cancelled.to_string()),
                ("取消金額", &cancelled_total.to_string()),
            ],
        )?;
        out.push(Group {
            header,
            data,
            trailer,
        });
    }
    ZenginFile::from_groups(kind, crlf, out)
}

/// One identity for a transfer whether a notice (01) or a statement (03) reports it: account,
/// 勘定日 and 照会番号, with numbers compared without their zero padding (03 pads the account
/// number to 10 digits and the 照会番号 to 8, 01 to 7 and 6). This assumes the bank numbers a
/// transfer the same in both reports, as the simulator does; check it with a real bank.
pub fn record_identity(
    bank: &str,
    branch: &str,
    account: &str,
    date: &str,
    inquiry: &str,
) -> String {
    let trim = |s: &str| s.trim_start_matches('0').to_string();
    format!(
        "zengin:{bank}:{branch}:{}:{date}:{}",
        trim(account),
        trim(inquiry)
    )
}
