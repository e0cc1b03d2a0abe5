//! Which of the formats Kessai reads a file is, from its first bytes: so that only this crate
//! knows what a Zengin header or an ISO 20022 namespace looks like.

use crate::{iso_notification, iso_statement, iso_status};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Detected {
    /// A Zengin file (JIS or EBCDIC); its type is in the header.
    Zengin,
    /// pain.002.001.11 status report.
    Pain002,
    /// camt.054.001.08 debit/credit notification.
    Camt054,
    /// camt.053.001.08 statement.
    Camt053,
    Unknown,
}

pub fn detect(bytes: &[u8]) -> Detected {
    // A Zengin header starts with データ区分 1: b'1' in JIS, 0xF1 in EBCDIC. A file of fixed
    // records that starts with another データ区分 (2, 8, 9) is a Zengin file missing its
    // header: the parser names that record instead of the file going unrecognized.
    match bytes.first() {
        Some(&b'1') | Some(&0xF1) => return Detected::Zengin,
        Some(&(b'2' | b'8' | b'9' | 0xF2 | 0xF8 | 0xF9)) if fixed_records(bytes) => {
            return Detected::Zengin
        }
        _ => {}
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]);
    [
        (iso_status::PAIN_002_NS, Detected::Pain002),
        (iso_notification::CAMT_054_NS, Detected::Camt054),
        (iso_statement::CAMT_053_NS, Detected::Camt053),
    ]
    .into_iter()
    .find(|(ns, _)| head.contains(ns))
    .map_or(Detected::Unknown, |(_, d)| d)
}

/// Whether the length fits whole Zengin records (120 or 200 bytes, with or without CR LF).
fn fixed_records(bytes: &[u8]) -> bool {
    let body = bytes.strip_suffix(&[0x1A]).unwrap_or(bytes);
    [120, 122, 200, 202]
        .iter()
        .any(|len| !body.is_empty() && body.len().is_multiple_of(*len))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detection_table() {
        let xml = |ns: &str| format!("<?xml version=\"1.0\"?><Document xmlns=\"{ns}\">");
        let cases: Vec<(Vec<u8>, Detected)> = vec![
            (b"12101234".to_vec(), Detected::Zengin),
            (vec![0xF1, 0xF0, 0xF1], Detected::Zengin),
            // A data record first: still Zengin, so that the record is named.
            ([b"2".as_slice(), &[b' '; 201]].concat(), Detected::Zengin),
            ([b"2".as_slice(), &[b' '; 200]].concat(), Detected::Unknown),
            (b"2026-11-24 some text".to_vec(), Detected::Unknown),
            (xml(iso_status::PAIN_002_NS).into_bytes(), Detected::Pain002),
            (
                xml(iso_notification::CAMT_054_NS).into_bytes(),
                Detected::Camt054,
            ),
            (
                xml(iso_statement::CAMT_053_NS).into_bytes(),
                Detected::Camt053,
            ),
            (
                xml(crate::iso20022::PAIN_001_NS).into_bytes(),
                Detected::Unknown,
            ),
            (b"".to_vec(), Detected::Unknown),
        ];
        for (bytes, expected) in cases {
            assert_eq!(
                detect(&bytes),
                expected,
                "{:?}",
                String::from_utf8_lossy(&bytes)
            );
        }
    }
}
