//! The record layouts, as data: one table per record type of each file kind, transcribed from
//! `shared/standards/zengin.md` (positions there are 1-based; `start` here is too).

/// N = digits, right-aligned, zero-filled. C = characters, left-aligned, space-filled.
/// Dates are N fields that must also be a real date: `Ymd` a 和暦 YYMMDD (in the current era,
/// 令和: year 08 is 2026), `YmdOrZero` the same or all zeros (no date), `Md` an MMDD.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    N,
    C,
    Ymd,
    YmdOrZero,
    Md,
}

impl Kind {
    /// Whether the field holds digits (written right-aligned, zero-filled).
    pub fn is_digits(self) -> bool {
        self != Kind::C
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Field {
    pub name: &'static str,
    pub start: usize,
    pub width: usize,
    pub kind: Kind,
}

/// データ区分: the first byte of every record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordKind {
    Header,
    Data,
    Trailer,
    End,
}

impl RecordKind {
    pub const ALL: [RecordKind; 4] = [
        RecordKind::Header,
        RecordKind::Data,
        RecordKind::Trailer,
        RecordKind::End,
    ];

    pub fn code(self) -> u8 {
        match self {
            RecordKind::Header => b'1',
            RecordKind::Data => b'2',
            RecordKind::Trailer => b'8',
            RecordKind::End => b'9',
        }
    }

    /// The record's kind in words, for messages: "a data record (type 2)".
    pub fn describe(self) -> &'static str {
        match self {
            RecordKind::Header => "a header (type 1)",
            RecordKind::Data => "a data record (type 2)",
            RecordKind::Trailer => "a trailer (type 8)",
            RecordKind::End => "the end record (type 9)",
        }
    }

    pub fn from_code(b: u8) -> Option<RecordKind> {
        RecordKind::ALL.into_iter().find(|k| k.code() == b)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// 総合振込: payouts and refunds leaving the operator's account.
    Transfer,
    /// 口座振替: direct debit request, and the bank's result.
    Debit,
    /// 振込入金通知: incoming transfers.
    Notice,
    /// 入出金取引明細: account statement.
    Statement,
}

const fn f(name: &'static str, start: usize, width: usize, kind: Kind) -> Field {
    Field {
        name,
        start,
        width,
        kind,
    }
}

use Kind::{Md, Ymd, YmdOrZero, C, N};

const TRANSFER_HEADER: &[Field] = &[
    f("データ区分", 1, 1, N),
    f("種別コード", 2, 2, N),
    f("コード区分", 4, 1, N),
    f("振込依頼人コード", 5, 10, N),
    f("振込依頼人名", 15, 40, C),
    f("振込指定日", 55, 4, Md),
    f("仕向銀行番号", 59, 4, N),
    f("仕向銀行名", 63, 15, C),
    f("仕向支店番号", 78, 3, N),
    f("仕向支店名", 81, 15, C),
    f("預金種目", 96, 1, N),
    f("口座番号", 97, 7, N),
    f("ダミー", 104, 17, C),
];
const TRANSFER_DATA: &[Field] = &[
    f("データ区分", 1, 1, N),
    f("被仕向銀行番号", 2, 4, N),
    f("被仕向銀行名", 6, 15, C),
    f("被仕向支店番号", 21, 3, N),
    f("被仕向支店名", 24, 15, C),
    f("手形交換所番号", 39, 4, N),
    f("預金種目", 43, 1, N),
    f("口座番号", 44, 7, N),
    f("受取人名", 51, 30, C),
    f("振込金額", 81, 10, N),
    f("新規コード", 91, 1, N),
    // Holds 顧客コード1 and 2 (10 digits each), or EDI情報 when 識別表示 is Y; kept as one C
    // field so both readings survive a round trip.
    f("顧客コード・EDI情報", 92, 20, C),
    f("振込指定区分", 112, 1, N),
    f("識別表示", 113, 1, C),
    f("ダミー", 114, 7, C),
];
const TRANSFER_TRAILER: &[Field] = &[
    f("データ区分", 1, 1, N),
    f("合計件数", 2, 6, N),
    f("合計金額", 8, 12, N),
    f("ダミー", 20, 101, C),
];
const END_120: &[Field] = &[f("データ区分", 1, 1, N), f("ダミー", 2, 119, C)];

const DEBIT_HEADER: &[Field] = &[
    f("データ区分", 1, 1, N),
    f("種別コード", 2, 2, N),
    f("コード区分", 4, 1, N),
    f("委託者コード", 5, 10, N),
    f("委託者名", 15, 40, C),
    f("引落日", 55, 4, Md),
    f("取引銀行番号", 59, 4, N),
    f("取引銀行名", 63, 15, C),
    f("取引支店番号", 78, 3, N),
    f("取引支店名", 81, 15, C),
    f("預金種目", 96, 1, N),
    f("口座番号", 97, 7, N),
    f("ダミー", 104, 17, C),
];
const DEBIT_DATA: &[Field] = &[
    f("データ区分", 1, 1, N),
    f("引落銀行番号", 2, 4, N),
    f("引落銀行名", 6, 15, C),
    f("引落支店番号", 21, 3, N),
    f("引落支店名", 24, 15, C),
    f("ダミー1", 39, 4, C),
    f("預金種目", 43, 1, N),
    f("口座番号", 44, 7, N),
    f("預金者名", 51, 30, C),
    f("引落金額", 81, 10, N),
    f("新規コード", 91, 1, N),
    f("顧客番号", 92, 20, N),
    f("振替結果コード", 112, 1, N),
    f("ダミー", 113, 8, C),
];
const DEBIT_TRAILER: &[Field] = &[
    f("データ区分", 1, 1, N),
    f("合計件数", 2, 6, N),
    f("合計金額", 8, 12, N),
    f("振替済件数", 20, 6, N),
    f("振替済金額", 26, 12, N),
    f("振替不能件数", 38, 6, N),
    f("振替不能金額", 44, 12, N),
    f("ダミー", 56, 65, C),
];

const NOTICE_HEADER: &[Field] = &[
    f("データ区分", 1, 1, N),
    f("種別コード", 2, 2, N),
    f("コード区分", 4, 1, N),
    f("作成日", 5, 6, Ymd),
    f("勘定日自", 11, 6, Ymd),
    f("勘定日至", 17, 6, Ymd),
    f("銀行コード", 23, 4, N),
    f("銀行名", 27, 15, C),
    f("支店コード", 42, 3, N),
    f("支店名", 45, 15, C),
    f("預金種目", 60, 1, N),
    f("口座番号", 61, 7, N),
    f("口座名", 68, 40, C),
    f("ダミー", 108, 93, C),
];
const NOTICE_DATA: &[Field] = &[
    f("データ区分", 1, 1, N),
    f("照会番号", 2, 6, N),
    f("勘定日", 8, 6, Ymd),
    f("起算日", 14, 6, Ymd),
    f("金額", 20, 10, N),
    f("うち他店券金額", 30, 10, N),
    f("振込依頼人コード", 40, 10, N),
    f("振込依頼人名", 50, 48, C),
    f("仕向銀行名", 98, 15, C),
    f("仕向店名", 113, 15, C),
    f("取消区分", 128, 1, C),
    f("EDI情報", 129, 20, C),
    f("ダミー", 149, 52, C),
];
const NOTICE_TRAILER: &[Field] = &[
    f("データ区分", 1, 1, N),
    f("件数", 2, 6, N),
    f("合計金額", 8, 12, N),
    f("取消件数", 20, 6, N),
    f("取消金額", 26, 10, N),
    f("ダミー", 36, 165, C),
];
const END_200: &[Field] = &[f("データ区分", 1, 1, N), f("ダミー", 2, 199, C)];

const STATEMENT_HEADER: &[Field] = &[
    f("データ区分", 1, 1, N),
    f("種別コード", 2, 2, N),
    f("コード区分", 4, 1, N),
    f("作成日", 5, 6, Ymd),
    f("勘定日自", 11, 6, Ymd),
    f("勘定日至", 17, 6, Ymd),
    f("銀行コード", 23, 4, N),
    f("銀行名", 27, 15, C),
    f("支店コード", 42, 3, N),
    f("支店名", 45, 15, C),
    f("ダミー1", 60, 3, N),
    f("預金種目", 63, 1, N),
    f("口座番号", 64, 10, N),
    f("口座名", 74, 40, C),
    f("貸越区分", 114, 1, N),
    f("通帳・証書区分", 115, 1, N),
    f("取引前残高", 116, 14, N),
    f("ダミー", 130, 71, C),
];
const STATEMENT_DATA: &[Field] = &[
    f("データ区分", 1, 1, N),
    f("照会番号", 2, 8, N),
    f("勘定日", 10, 6, Ymd),
    f("預入・払出日", 16, 6, Ymd),
    f("入払区分", 22, 1, N),
    f("取引区分", 23, 2, N),
    f("取引金額", 25, 12, N),
    f("うち他店券金額", 37, 12, N),
    f("交換呈示日", 49, 6, YmdOrZero),
    f("不渡返還日", 55, 6, YmdOrZero),
    f("手形・小切手区分", 61, 1, N),
    f("手形・小切手番号", 62, 7, N),
    f("僚店番号", 69, 3, N),
    f("振込依頼人コード", 72, 10, N),
    f("振込依頼人名", 82, 48, C),
    f("仕向銀行名", 130, 15, C),
    f("仕向店名", 145, 15, C),
    f("摘要内容", 160, 20, C),
    f("EDI情報", 180, 20, C),
    f("ダミー", 200, 1, C),
];
const STATEMENT_TRAILER: &[Field] = &[
    f("データ区分", 1, 1, N),
    f("入金件数", 2, 6, N),
    f("入金額合計", 8, 13, N),
    f("出金件数", 21, 6, N),
    f("出金額合計", 27, 13, N),
    f("貸越区分", 40, 1, N),
    f("取引後残高", 41, 14, N),
    f("データ・レコード件数", 55, 7, N),
    f("ダミー", 62, 139, C),
];
const STATEMENT_END: &[Field] = &[
    f("データ区分", 1, 1, N),
    f("レコード総件数", 2, 10, N),
    f("口座数", 12, 5, N),
    f("ダミー", 17, 184, C),
];

impl FileKind {
    pub const ALL: [FileKind; 4] = [
        FileKind::Transfer,
        FileKind::Debit,
        FileKind::Notice,
        FileKind::Statement,
    ];

    /// 種別コード.
    pub fn type_code(self) -> &'static str {
        match self {
            FileKind::Transfer => "21",
            FileKind::Debit => "91",
            FileKind::Notice => "01",
            FileKind::Statement => "03",
        }
    }

    /// The trailer's (count, amount) field pairs that together total every data record of a
    /// group: what the file itself says it holds.
    pub fn trailer_totals(self) -> &'static [(&'static str, &'static str)] {
        match self {
            FileKind::Transfer | FileKind::Debit => &[("合計件数", "合計金額")],
            FileKind::Notice => &[("件数", "合計金額")],
            FileKind::Statement => &[("入金件数", "入金額合計"), ("出金件数", "出金額合計")],
        }
    }

    pub fn record_len(self) -> usize {
        match self {
            FileKind::Transfer | FileKind::Debit => 120,
            FileKind::Notice | FileKind::Statement => 200,
        }
    }

    pub fn fields(self, record: RecordKind) -> &'static [Field] {
        use FileKind::*;
        use RecordKind::*;
        match (self, record) {
            (Transfer, Header) => TRANSFER_HEADER,
            (Transfer, Data) => TRANSFER_DATA,
            (Transfer, Trailer) => TRANSFER_TRAILER,
            (Debit, Header) => DEBIT_HEADER,
            (Debit, Data) => DEBIT_DATA,
            (Debit, Trailer) => DEBIT_TRAILER,
            (Notice, Header) => NOTICE_HEADER,
            (Notice, Data) => NOTICE_DATA,
            (Notice, Trailer) => NOTICE_TRAILER,
            (Statement, Header) => STATEMENT_HEADER,
            (Statement, Data) => STATEMENT_DATA,
            (Statement, Trailer) => STATEMENT_TRAILER,
            (Statement, End) => STATEMENT_END,
            (Transfer | Debit, End) => END_120,
            (Notice, End) => END_200,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every table covers its record exactly: fields in order, no gap, no overlap.
    #[test]
    fn every_layout_tiles_its_record() {
        for kind in FileKind::ALL {
            for record in RecordKind::ALL {
                let mut next = 1;
                let mut names = std::collections::HashSet::new();
                for field in kind.fields(record) {
                    assert_eq!(field.start, next, "{kind:?} {record:?} {}", field.name);
                    assert!(
                        names.insert(field.name),
                        "{kind:?} {record:?}: {} twice",
                        field.name
                    );
                    next += field.width;
                }
                assert_eq!(next - 1, kind.record_len(), "{kind:?} {record:?}");
            }
        }
    }
}
