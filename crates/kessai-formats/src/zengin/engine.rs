//! One engine for every Zengin file kind: split into records, decode, check each field against
//! its layout, check the record sequence and the trailers, and write the same bytes back.
//!
//! Code sets: a file is JIS X 0201 (コード区分 0) or EBCDIC kana, CCSID 290 (コード区分 1). The
//! first byte tells which before anything is decoded: データ区分 1 of the header is 0x31 in JIS
//! and 0xF1 in EBCDIC. The header's 種別コード and コード区分 are then decoded in that code set,
//! and コード区分 must agree with it. Records hold characters, not bytes, so everything after
//! decoding (layouts, checks, error records and fields) is the same for both code sets.
//!
//! Record separators: none, or CR LF after every record, in the file's own code set: 0x0D 0x0A
//! in JIS, 0x0D 0x25 in EBCDIC (CR and LF in CCSID 290). Bank EBCDIC files come from hosts as
//! fixed-length records without separators, and that is what Kessai writes; CR LF in EBCDIC is
//! read and written only for symmetry (`ZenginFile::crlf` means the same thing in both code
//! sets). ASCII CR LF, a lone CR or LF, or EBCDIC NL (0x15) after an EBCDIC record is an error.

use super::charset::{decode_byte, encode_char, is_carried, CodeSet};
use super::layout::{Field, FileKind, Kind, RecordKind};
use std::fmt;

/// Files larger than this are refused before any work: a bank file of a million records is
/// 200 MB; anything beyond is a mistake, not a file.
pub const MAX_FILE_BYTES: usize = 256 * 1024 * 1024;

/// Why a file was rejected: the record (1-based), the field, and the reason.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct ZenginError {
    pub record: usize,
    pub field: Option<&'static str>,
    pub reason: String,
}

impl fmt::Display for ZenginError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.field {
            Some(field) => write!(f, "record {}, field {field}: {}", self.record, self.reason),
            None => write!(f, "record {}: {}", self.record, self.reason),
        }
    }
}

fn err(record: usize, field: Option<&'static str>, reason: impl Into<String>) -> ZenginError {
    ZenginError {
        record,
        field,
        reason: reason.into(),
    }
}

/// One record: its kind and every field's text, in layout order. The texts are kept end to
/// end in one string, with where each field ends: a file of a million records holds one
/// allocation per record, not one per field (a third of the memory).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    pub kind: RecordKind,
    fields: &'static [Field],
    text: String,
    /// The byte offset in `text` where each field ends (records are at most 250 characters,
    /// 750 bytes of UTF-8).
    ends: Box<[u16]>,
}

impl Record {
    fn from_values<'a>(
        kind: RecordKind,
        fields: &'static [Field],
        values: impl IntoIterator<Item = &'a str>,
    ) -> Record {
        let mut text = String::new();
        let mut ends = Vec::with_capacity(fields.len());
        for v in values {
            text.push_str(v);
            ends.push(u16::try_from(text.len()).expect("a record is at most 750 bytes"));
        }
        text.shrink_to_fit();
        Record {
            kind,
            fields,
            text,
            ends: ends.into_boxed_slice(),
        }
    }

    /// Every field's text, in layout order.
    fn values(&self) -> impl Iterator<Item = &str> {
        (0..self.ends.len()).map(|i| self.value(i))
    }

    fn value(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[usize::from(start)..usize::from(self.ends[i])]
    }

    /// A record with the given fields set and every other field at its blank value (zeros for N,
    /// spaces for C); データ区分 is set from `kind`. Values are checked against the layout.
    pub fn build(
        file: FileKind,
        kind: RecordKind,
        set: &[(&str, &str)],
    ) -> Result<Record, ZenginError> {
        let fields = file.fields(kind);
        let mut values: Vec<String> = fields
            .iter()
            .map(|f| match f.kind {
                Kind::C => " ".repeat(f.width),
                _ => "0".repeat(f.width),
            })
            .collect();
        values[0] = (kind.code() as char).to_string();
        for (name, value) in set {
            let i = fields
                .iter()
                .position(|f| f.name == *name)
                .ok_or_else(|| err(0, None, format!("no field {name}")))?;
            let field = &fields[i];
            values[i] = fit(field, value).map_err(|reason| err(0, Some(field.name), reason))?;
        }
        Ok(Record::from_values(
            kind,
            fields,
            values.iter().map(String::as_str),
        ))
    }

    pub fn get(&self, name: &str) -> &str {
        let i = self
            .fields
            .iter()
            .position(|f| f.name == name)
            .unwrap_or_else(|| panic!("no field {name} in {:?}", self.kind));
        self.value(i)
    }

    /// A C field without its padding.
    pub fn text(&self, name: &str) -> &str {
        self.get(name).trim_end()
    }

    /// An N field as a number (fields are checked to be digits when parsed or built).
    pub fn number(&self, name: &str) -> u64 {
        self.get(name).parse().unwrap_or(0)
    }

    /// Where a header's コード区分 is among its values; None for other records.
    fn code_set_field(&self) -> Option<usize> {
        (self.kind == RecordKind::Header)
            .then(|| self.fields.iter().position(|f| f.name == "コード区分"))
            .flatten()
    }
}

/// Pads a value to its field: N right-aligned with zeros, C left-aligned with spaces.
fn fit(field: &Field, value: &str) -> Result<String, String> {
    let len = value.chars().count();
    if len > field.width {
        return Err(format!(
            "'{value}' is longer than {} characters",
            field.width
        ));
    }
    if let Some(c) = value.chars().find(|&c| !is_carried(c)) {
        return Err(format!("'{c}' cannot be written in a Zengin file"));
    }
    match field.kind {
        Kind::C => Ok(format!("{value:<width$}", width = field.width)),
        _ if !value.bytes().all(|b| b.is_ascii_digit()) => {
            Err(format!("'{value}' is not a number"))
        }
        kind => {
            let padded = format!("{value:0>width$}", width = field.width);
            super::dates::check(kind, &padded)?;
            Ok(padded)
        }
    }
}

/// A header, its data records and its trailer: one account's part of a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    pub header: Record,
    pub data: Vec<Record>,
    pub trailer: Record,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZenginFile {
    pub kind: FileKind,
    /// The code set of the file's bytes. `write` encodes with it and writes every header's
    /// コード区分 from it (whatever the header record holds), so setting it is enough to switch a
    /// built file to EBCDIC; `with_code_set` also updates the header records.
    pub code_set: CodeSet,
    /// Whether each record ends with CR LF (in the file's code set: 0x0D 0x25 in EBCDIC).
    pub crlf: bool,
    pub groups: Vec<Group>,
    pub end: Record,
}

impl ZenginFile {
    /// A file built by Kessai (JIS code set) from its groups, closed by an end record without
    /// totals (types whose end record carries some build it themselves).
    pub(crate) fn from_groups(
        kind: FileKind,
        crlf: bool,
        groups: Vec<Group>,
    ) -> Result<ZenginFile, ZenginError> {
        Ok(ZenginFile {
            kind,
            code_set: CodeSet::Jis,
            crlf,
            groups,
            end: Record::build(kind, RecordKind::End, &[])?,
        })
    }

    /// Every data record of every group, in file order.
    pub fn data_records(&self) -> impl Iterator<Item = &Record> {
        self.groups.iter().flat_map(|g| g.data.iter())
    }

    /// What the file says it holds, from its trailers: the number of data records and their
    /// amounts' total, over every group.
    pub fn totals(&self) -> (u64, u64) {
        let pairs = self.kind.trailer_totals();
        self.groups.iter().fold((0, 0), |(n, yen), g| {
            let count: u64 = pairs.iter().map(|(c, _)| g.trailer.number(c)).sum();
            let amount: u64 = pairs.iter().map(|(_, a)| g.trailer.number(a)).sum();
            (n + count, yen + amount)
        })
    }

    /// The same file in another code set, with every header's コード区分 set to match.
    /// Both code sets carry the same characters, so this cannot fail.
    pub fn with_code_set(mut self, code_set: CodeSet) -> ZenginFile {
        self.code_set = code_set;
        for g in &mut self.groups {
            if let Some(i) = g.header.code_set_field() {
                let code = (code_set.code() as char).to_string();
                let h = &g.header;
                let values: Vec<&str> = h
                    .values()
                    .enumerate()
                    .map(|(k, v)| if k == i { code.as_str() } else { v })
                    .collect();
                g.header = Record::from_values(h.kind, h.fields, values);
            }
        }
        self
    }
}

/// Splits the bytes into records of the file's length, checking the separators (CR LF in the
/// file's code set, or nothing).
fn split(bytes: &[u8], len: usize, code_set: CodeSet) -> Result<(Vec<&[u8]>, bool), ZenginError> {
    let body = bytes.strip_suffix(&[0x1A]).unwrap_or(bytes); // an MS-DOS end-of-file mark
    let separator = code_set.crlf();
    let crlf = body.get(len..len + 2) == Some(&separator[..]);
    if !crlf
        && body
            .get(len)
            .is_some_and(|b| code_set.line_ends().contains(b))
    {
        let found = body[len..body.len().min(len + 2)]
            .iter()
            .map(|b| format!("{b:#04x}"))
            .collect::<Vec<_>>()
            .join(" ");
        return Err(err(
            1,
            None,
            match code_set {
                CodeSet::Jis => {
                    "ends with a lone LF or CR: records are separated by CRLF or by nothing"
                        .to_string()
                }
                CodeSet::Ebcdic => format!(
                    "ends with {found}: records of an EBCDIC file are separated by CR LF in \
                     EBCDIC (0x0d 0x25) or by nothing"
                ),
            },
        ));
    }
    let stride = if crlf { len + 2 } else { len };
    let mut records = Vec::with_capacity(body.len() / stride + 1);
    for (i, chunk) in body.chunks(stride).enumerate() {
        let number = i + 1;
        if chunk.len() != stride {
            return Err(err(
                number,
                None,
                format!(
                    "is {} bytes long; records of this file are {len} bytes",
                    chunk.len().min(len)
                ),
            ));
        }
        if crlf && chunk[len..] != separator {
            return Err(err(
                number,
                None,
                "does not end with CRLF like the records before it",
            ));
        }
        records.push(&chunk[..len]);
    }
    Ok((records, crlf))
}

/// Bytes as text for a message: each byte decoded, or shown as <0xNN> when it is not allowed.
fn show(code_set: CodeSet, bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| decode_byte(code_set, b).map_or_else(|| format!("<{b:#04x}>"), String::from))
        .collect()
}

fn decode_record(
    file: FileKind,
    code_set: CodeSet,
    number: usize,
    raw: &[u8],
) -> Result<Record, ZenginError> {
    let kind = decode_byte(code_set, raw[0])
        .filter(char::is_ascii)
        .and_then(|c| RecordKind::from_code(c as u8))
        .ok_or_else(|| {
            err(
                number,
                Some("データ区分"),
                format!("'{}' is not 1, 2, 8 or 9", show(code_set, &raw[..1])),
            )
        })?;
    let fields = file.fields(kind);
    let mut text = String::with_capacity(raw.len());
    let mut ends = Vec::with_capacity(fields.len());
    for field in fields {
        let bytes = &raw[field.start - 1..field.start - 1 + field.width];
        let start = text.len();
        for (offset, &b) in bytes.iter().enumerate() {
            let c = decode_byte(code_set, b).ok_or_else(|| {
                err(
                    number,
                    Some(field.name),
                    format!(
                        "byte {b:#04x} at position {} is not a {} character",
                        field.start + offset,
                        code_set.name()
                    ),
                )
            })?;
            text.push(c);
        }
        let value = &text[start..];
        if field.kind.is_digits() && !value.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err(
                number,
                Some(field.name),
                format!("'{value}' is not a number"),
            ));
        }
        super::dates::check(field.kind, value)
            .map_err(|reason| err(number, Some(field.name), reason))?;
        ends.push(u16::try_from(text.len()).expect("a record is at most 750 bytes"));
    }
    text.shrink_to_fit();
    Ok(Record {
        kind,
        fields,
        text,
        ends: ends.into_boxed_slice(),
    })
}

/// Parses a whole file, or rejects it whole with the first problem found.
pub fn parse(bytes: &[u8]) -> Result<ZenginFile, ZenginError> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(err(
            0,
            None,
            format!("the file is larger than {MAX_FILE_BYTES} bytes"),
        ));
    }
    // データ区分 1 of the header, as a JIS or an EBCDIC byte, tells the code set. A file that
    // starts with another record is named as such.
    let first = CodeSet::ALL.into_iter().find_map(|cs| {
        let kind = RecordKind::ALL
            .into_iter()
            .find(|k| bytes.first() == encode_char(cs, k.code() as char).as_ref())?;
        Some((cs, kind))
    });
    let code_set =
        match first {
            Some((cs, RecordKind::Header)) if bytes.len() >= 4 => cs,
            Some((_, kind)) if kind != RecordKind::Header => {
                return Err(err(
                    1,
                    Some("データ区分"),
                    format!("{} before the header", kind.describe()),
                ))
            }
            _ => return Err(err(
                1,
                Some("データ区分"),
                "a Zengin file starts with a header record (1: byte 0x31 in JIS, 0xf1 in EBCDIC)",
            )),
        };
    let code = show(code_set, &bytes[1..3]);
    let kind = FileKind::ALL
        .into_iter()
        .find(|k| k.type_code() == code)
        .ok_or_else(|| {
            err(
                1,
                Some("種別コード"),
                format!("'{code}' is not 21, 91, 01 or 03"),
            )
        })?;
    let declared = show(code_set, &bytes[3..4]);
    match CodeSet::ALL
        .into_iter()
        .find(|cs| declared == (cs.code() as char).to_string())
    {
        Some(cs) if cs == code_set => {}
        Some(cs) => {
            return Err(err(
                1,
                Some("コード区分"),
                format!(
                    "says {declared}, {}, but the file is {}: its データ区分 is byte {:#04x}",
                    cs.name(),
                    code_set.name(),
                    bytes[0]
                ),
            ))
        }
        None => {
            return Err(err(
                1,
                Some("コード区分"),
                format!("'{declared}' is not 0 or 1"),
            ))
        }
    }
    let (raw, crlf) = split(bytes, kind.record_len(), code_set)?;
    let mut groups = vec![];
    let mut current: Option<(Record, Vec<Record>)> = None;
    let mut end = None;
    for (i, raw) in raw.iter().enumerate() {
        let number = i + 1;
        let record = decode_record(kind, code_set, number, raw)?;
        if end.is_some() {
            return Err(err(
                number,
                Some("データ区分"),
                "records after the end record (9)",
            ));
        }
        match (record.kind, current.as_mut()) {
            (RecordKind::Header, None) => {
                if record.get("種別コード") != kind.type_code()
                    || record.get("コード区分").as_bytes() != [code_set.code()]
                {
                    return Err(err(
                        number,
                        Some("種別コード"),
                        "every header of a file must have the same 種別コード and コード区分",
                    ));
                }
                current = Some((record, vec![]));
            }
            (RecordKind::Data, Some((_, data))) => data.push(record),
            (RecordKind::Trailer, Some(_)) => {
                let (header, data) = current.take().expect("matched Some");
                check_trailer(kind, number, &data, &record)?;
                groups.push(Group {
                    header,
                    data,
                    trailer: record,
                });
            }
            (RecordKind::End, None) if !groups.is_empty() => {
                check_end(kind, number, &groups, &record)?;
                end = Some(record);
            }
            (found, open) => {
                let reason = match (open, groups.is_empty()) {
                    (Some(_), _) => format!(
                        "{} where a data record (2) or a trailer (8) belongs",
                        found.describe()
                    ),
                    (None, true) => format!("{} before the header", found.describe()),
                    (None, false) => format!(
                        "{} after a trailer, where a header (1) or the end record (9) belongs",
                        found.describe()
                    ),
                };
                return Err(err(number, Some("データ区分"), reason));
            }
        }
    }
    let end = end.ok_or_else(|| err(raw.len(), None, "the file has no end record (9)"))?;
    Ok(ZenginFile {
        kind,
        code_set,
        crlf,
        groups,
        end,
    })
}

/// A (count, amount) total over data records, compared with two trailer fields.
fn check_total(
    number: usize,
    trailer: &Record,
    count_field: &'static str,
    amount_field: &'static str,
    records: &[&Record],
    amount_of: &str,
) -> Result<(), ZenginError> {
    let count = records.len() as u64;
    let amount: u64 = records.iter().map(|r| r.number(amount_of)).sum();
    if trailer.number(count_field) != count {
        return Err(err(
            number,
            Some(count_field),
            format!(
                "says {} but the group has {count}",
                trailer.number(count_field)
            ),
        ));
    }
    if trailer.number(amount_field) != amount {
        return Err(err(
            number,
            Some(amount_field),
            format!(
                "says {} but the records add up to {amount}",
                trailer.number(amount_field)
            ),
        ));
    }
    Ok(())
}

fn check_trailer(
    kind: FileKind,
    number: usize,
    data: &[Record],
    trailer: &Record,
) -> Result<(), ZenginError> {
    let all: Vec<&Record> = data.iter().collect();
    let matching = |field: &str, pred: &dyn Fn(&str) -> bool| -> Vec<&Record> {
        data.iter().filter(|r| pred(r.get(field))).collect()
    };
    match kind {
        FileKind::Transfer => {
            check_total(number, trailer, "合計件数", "合計金額", &all, "振込金額")
        }
        FileKind::Debit => {
            check_total(number, trailer, "合計件数", "合計金額", &all, "引落金額")?;
            // A request carries zeros here; a result splits the records by 振替結果コード.
            if trailer.number("振替済件数") + trailer.number("振替不能件数") == 0 {
                return Ok(());
            }
            check_total(
                number,
                trailer,
                "振替済件数",
                "振替済金額",
                &matching("振替結果コード", &|c| c == "0"),
                "引落金額",
            )?;
            check_total(
                number,
                trailer,
                "振替不能件数",
                "振替不能金額",
                &matching("振替結果コード", &|c| c != "0"),
                "引落金額",
            )
        }
        FileKind::Notice => {
            check_total(number, trailer, "件数", "合計金額", &all, "金額")?;
            check_total(
                number,
                trailer,
                "取消件数",
                "取消金額",
                &matching("取消区分", &|c| c != " "),
                "金額",
            )
        }
        FileKind::Statement => {
            check_total(
                number,
                trailer,
                "入金件数",
                "入金額合計",
                &matching("入払区分", &|c| c == "1"),
                "取引金額",
            )?;
            check_total(
                number,
                trailer,
                "出金件数",
                "出金額合計",
                &matching("入払区分", &|c| c == "2"),
                "取引金額",
            )?;
            if trailer.number("データ・レコード件数") != data.len() as u64 {
                return Err(err(
                    number,
                    Some("データ・レコード件数"),
                    format!(
                        "says {} but the group has {}",
                        trailer.number("データ・レコード件数"),
                        data.len()
                    ),
                ));
            }
            Ok(())
        }
    }
}

fn check_end(
    kind: FileKind,
    number: usize,
    groups: &[Group],
    end: &Record,
) -> Result<(), ZenginError> {
    if kind != FileKind::Statement {
        return Ok(());
    }
    // レコード総件数 counts every record of the file, the end record included.
    let total: usize = groups.iter().map(|g| g.data.len() + 2).sum::<usize>() + 1;
    if end.number("レコード総件数") != total as u64 {
        return Err(err(
            number,
            Some("レコード総件数"),
            format!(
                "says {} but the file has {total} records",
                end.number("レコード総件数")
            ),
        ));
    }
    if end.number("口座数") != groups.len() as u64 {
        return Err(err(
            number,
            Some("口座数"),
            format!(
                "says {} but the file has {} accounts",
                end.number("口座数"),
                groups.len()
            ),
        ));
    }
    Ok(())
}

/// Writes the file's bytes in `file.code_set`: every record at its fixed length, CR LF (in that
/// code set) after each if `crlf`. Every header's コード区分 is written from `file.code_set`.
pub fn write(file: &ZenginFile) -> Vec<u8> {
    let len = file.kind.record_len();
    let count = file.groups.iter().map(|g| g.data.len() + 2).sum::<usize>() + 1;
    let code_set = file.code_set;
    let encode =
        |c: char| encode_char(code_set, c).expect("values are checked when built or parsed");
    let mut out = Vec::with_capacity(count * (len + 2));
    let mut put = |r: &Record| {
        let code_field = r.code_set_field();
        for (i, v) in r.values().enumerate() {
            if Some(i) == code_field {
                out.push(encode(code_set.code() as char));
            } else {
                out.extend(v.chars().map(encode));
            }
        }
        if file.crlf {
            out.extend_from_slice(&code_set.crlf());
        }
    };
    for g in &file.groups {
        put(&g.header);
        g.data.iter().for_each(&mut put);
        put(&g.trailer);
    }
    put(&file.end);
    out
}
