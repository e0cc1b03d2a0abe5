//! Zengin (全銀協) fixed-length files: 総合振込 (21), 口座振替 (91), 振込入金通知 (01) and
//! 入出金取引明細 (03). See `shared/standards/zengin.md`.
//!
//! A file is one or more groups of header (データ区分 1), data records (2) and a trailer (8),
//! closed by one end record (9). Records are 120 or 200 bytes, with or without CRLF after each.
//! The bytes are JIS X 0201 (コード区分 0) or EBCDIC kana, IBM CCSID 290 (コード区分 1); parsing
//! detects which from the first byte, and `ZenginFile::code_set` decides how `write` encodes.
//! Parsing is all-or-nothing: the first problem rejects the whole file, naming the record
//! number (1-based), the field and the reason.

mod charset;
mod dates;
pub mod debit;
mod engine;
pub mod layout;
pub mod notice;
pub mod statement;
pub mod transfer;

pub use charset::CodeSet;
pub use dates::iso_of_era_date;
pub use engine::{parse, write, Group, Record, ZenginError, ZenginFile};
pub use layout::{FileKind, RecordKind};

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_dates;
#[cfg(test)]
mod tests_support;
