//! The single-byte character sets of Zengin files. Names may hold only space, ( ) - . 0-9 A-Z
//! and half-width katakana, so every character is one byte and every field is a byte range.
//!
//! コード区分 0 is JIS X 0201 (the single-byte half of Shift_JIS): ASCII plus half-width katakana
//! at 0xA1-0xDF (U+FF61-U+FF9F). A byte outside that set (a Shift_JIS lead byte, a control
//! character) is an error, not something to guess at. (EBCDIC kana, コード区分 1, is not
//! supported yet: a file declaring it is refused by name.)

/// The character set a file declares in its header (コード区分).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeSet {
    /// 0: JIS X 0201 / Shift_JIS single-byte.
    Jis,
}

impl CodeSet {
    pub fn code(self) -> u8 {
        match self {
            CodeSet::Jis => b'0',
        }
    }
}

/// One byte of a JIS X 0201 file as a character, or None when the byte is not allowed.
pub fn decode_byte(b: u8) -> Option<char> {
    match b {
        0x20..=0x7E => Some(b as char),
        0xA1..=0xDF => char::from_u32(0xFF61 + u32::from(b - 0xA1)),
        _ => None,
    }
}

/// A character as one JIS X 0201 byte, or None when it has no single-byte form.
pub fn encode_char(c: char) -> Option<u8> {
    match c as u32 {
        0x20..=0x7E => Some(c as u8),
        cp @ 0xFF61..=0xFF9F => Some((cp - 0xFF61) as u8 + 0xA1),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_allowed_byte_round_trips() {
        for b in (0x20u8..=0x7E).chain(0xA1..=0xDF) {
            let c = decode_byte(b).unwrap();
            assert_eq!(encode_char(c), Some(b));
        }
        for b in [0x00, 0x0A, 0x0D, 0x7F, 0x80, 0x81, 0xA0, 0xE0, 0xFC, 0xFF] {
            assert_eq!(decode_byte(b), None, "byte {b:#04x}");
        }
        assert_eq!(decode_byte(0xB1), Some('ｱ'));
        assert_eq!(encode_char('ﾞ'), Some(0xDE));
        assert_eq!(
            encode_char('ア'),
            None,
            "full-width kana has no single-byte form"
        );
    }
}
