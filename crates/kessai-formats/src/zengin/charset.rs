//! The single-byte character sets of Zengin files. Names may hold only space, ( ) - . 0-9 A-Z
//! and half-width katakana, so every character is one byte and every field is a byte range.
//!
//! コード区分 0 is JIS X 0201 (the single-byte half of Shift_JIS): ASCII plus half-width katakana
//! at 0xA1-0xDF (U+FF61-U+FF9F). コード区分 1 is EBCDIC with katakana: IBM CCSID 290 (the
//! single-byte part of IBM 930/5026, "EBCDIC カナ"), where the katakana take over much of the
//! space CCSID 37 uses for lower-case Latin, so the lower-case letters sit elsewhere (a-h at
//! 0x62-0x69, i-p at 0x71-0x78, q 0x8B, r 0x9B, s 0xAB, t-z 0xB3-0xB9). Fujitsu JEF and Hitachi
//! KEIS hosts have their own kana EBCDIC variants; they are not supported (a bank using one
//! would need its own table here).
//!
//! Both code sets carry exactly the same 158 characters: printable ASCII (0x20-0x7E) and the 63
//! half-width katakana U+FF61-U+FF9F. That is a superset of the Zengin repertoire, and it is the
//! same set for both, so a file built or parsed in one code set can always be written in the
//! other. CCSID 290 has five more graphic characters (£ 0x4A, ¥ 0x5B, ¬ 0x5F, ‾ 0xA1, ¢ 0xB1)
//! with no place in JIS X 0201 as used here; they are left out, like the control characters.
//! A byte outside the set (a Shift_JIS lead byte, a control character, one of those five) is
//! an error, not something to guess at.
//!
//! The tables are data: one byte→character array per code set, and the character→byte arrays
//! are derived from them at compile time (a character mapped twice or not at all stops the
//! build).

/// The character set a file declares in its header (コード区分).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeSet {
    /// 0: JIS X 0201 / Shift_JIS single-byte.
    Jis,
    /// 1: EBCDIC katakana, IBM CCSID 290 (the SBCS part of IBM 930).
    Ebcdic,
}

impl CodeSet {
    pub const ALL: [CodeSet; 2] = [CodeSet::Jis, CodeSet::Ebcdic];

    /// The コード区分 digit (the character, not its byte in the file).
    pub fn code(self) -> u8 {
        match self {
            CodeSet::Jis => b'0',
            CodeSet::Ebcdic => b'1',
        }
    }

    /// The code set's name, for messages.
    pub fn name(self) -> &'static str {
        match self {
            CodeSet::Jis => "JIS X 0201",
            CodeSet::Ebcdic => "CCSID 290 (EBCDIC kana)",
        }
    }

    /// CR LF in this code set: the separator a file may have after every record (CR and LF
    /// are 0x0D and 0x25 in CCSID 290).
    pub fn crlf(self) -> [u8; 2] {
        match self {
            CodeSet::Jis => *b"\r\n",
            CodeSet::Ebcdic => [0x0D, 0x25],
        }
    }

    /// Line-end bytes (CR, LF, and in EBCDIC also NL 0x15 and an ASCII LF left by a converter):
    /// found right after a record without the whole CR LF, they are a broken separator.
    pub(crate) fn line_ends(self) -> &'static [u8] {
        match self {
            CodeSet::Jis => b"\r\n",
            CodeSet::Ebcdic => &[0x0D, 0x25, 0x15, 0x0A],
        }
    }

    fn table(self) -> &'static Table {
        match self {
            CodeSet::Jis => &JIS,
            CodeSet::Ebcdic => &EBCDIC,
        }
    }
}

/// One byte of a file in `code_set` as a character, or None when the byte is not allowed.
pub fn decode_byte(code_set: CodeSet, b: u8) -> Option<char> {
    match code_set.table().decode[usize::from(b)] {
        NONE => None,
        cp => char::from_u32(u32::from(cp)),
    }
}

/// A character as one byte in `code_set`, or None when it has no single-byte form there.
pub fn encode_char(code_set: CodeSet, c: char) -> Option<u8> {
    slot(c as u32).map(|i| code_set.table().encode[i])
}

/// Whether a character may be written in a Zengin file: every code set carries it.
pub fn is_carried(c: char) -> bool {
    CodeSet::ALL.iter().all(|&cs| encode_char(cs, c).is_some())
}

/// How many characters the code sets carry: printable ASCII and the half-width katakana.
const CARRIED: usize = 95 + 63;

/// "No character" in a byte→character table (U+0000 is never allowed).
const NONE: u16 = 0;
const ____: u16 = NONE;

struct Table {
    /// Byte → code point, NONE for a byte that is not allowed.
    decode: [u16; 256],
    /// Carried character (by `slot`) → byte.
    encode: [u8; CARRIED],
}

static JIS: Table = Table {
    decode: JIS_X_0201,
    encode: invert(&JIS_X_0201),
};

static EBCDIC: Table = Table {
    decode: CCSID_290,
    encode: invert(&CCSID_290),
};

/// JIS X 0201 as Shift_JIS uses it: ASCII at 0x20-0x7E (0x5C and 0x7E read as \ and ~, not
/// ¥ and ‾), half-width katakana U+FF61-U+FF9F at 0xA1-0xDF.
const JIS_X_0201: [u16; 256] = {
    let mut t = [NONE; 256];
    let mut b = 0x20;
    while b <= 0x7E {
        t[b] = b as u16;
        b += 1;
    }
    let mut b = 0xA1;
    while b <= 0xDF {
        t[b] = (0xFF61 + (b - 0xA1)) as u16;
        b += 1;
    }
    t
};

/// IBM CCSID 290 (EBCDIC Japanese Katakana Extended, the single-byte part of CCSID 930/5026),
/// byte → Unicode, limited to the characters Zengin files carry (see the module comment; ____
/// marks control characters, unassigned bytes and the five symbols left out).
///
/// Source: OpenJDK `make/data/charsetmapping/IBM290.map` ("b2c mapping for IBM290, generated
/// from cdctables.zip/Package2.zip/IBM-290.zip/012234B0.TPMAP100", IBM's CDRA table), checked
/// entry by entry against IBM JTOpen `com/ibm/jtopenlite/ccsidConversion/CCSID290.java`; the
/// two agree on all 163 graphic positions. Each row's characters are spelled out after it.
#[rustfmt::skip]
const CCSID_290: [u16; 256] = [
    /* 0x */ ____, ____, ____, ____, ____, ____, ____, ____, ____, ____, ____, ____, ____, ____, ____, ____, // ················
    /* 1x */ ____, ____, ____, ____, ____, ____, ____, ____, ____, ____, ____, ____, ____, ____, ____, ____, // ················
    /* 2x */ ____, ____, ____, ____, ____, ____, ____, ____, ____, ____, ____, ____, ____, ____, ____, ____, // ················
    /* 3x */ ____, ____, ____, ____, ____, ____, ____, ____, ____, ____, ____, ____, ____, ____, ____, ____, // ················
    /* 4x */ 0x0020, 0xFF61, 0xFF62, 0xFF63, 0xFF64, 0xFF65, 0xFF66, 0xFF67, 0xFF68, 0xFF69, ____, 0x002E, 0x003C, 0x0028, 0x002B, 0x007C, //  ｡｢｣､･ｦｧｨｩ·.<(+|
    /* 5x */ 0x0026, 0xFF6A, 0xFF6B, 0xFF6C, 0xFF6D, 0xFF6E, 0xFF6F, ____, 0xFF70, ____, 0x0021, ____, 0x002A, 0x0029, 0x003B, ____, // &ｪｫｬｭｮｯ·ｰ·!·*);·
    /* 6x */ 0x002D, 0x002F, 0x0061, 0x0062, 0x0063, 0x0064, 0x0065, 0x0066, 0x0067, 0x0068, ____, 0x002C, 0x0025, 0x005F, 0x003E, 0x003F, // -/abcdefgh·,%_>?
    /* 7x */ 0x005B, 0x0069, 0x006A, 0x006B, 0x006C, 0x006D, 0x006E, 0x006F, 0x0070, 0x0060, 0x003A, 0x0023, 0x0040, 0x0027, 0x003D, 0x0022, // [ijklmnop`:#@'="
    /* 8x */ 0x005D, 0xFF71, 0xFF72, 0xFF73, 0xFF74, 0xFF75, 0xFF76, 0xFF77, 0xFF78, 0xFF79, 0xFF7A, 0x0071, 0xFF7B, 0xFF7C, 0xFF7D, 0xFF7E, // ]ｱｲｳｴｵｶｷｸｹｺqｻｼｽｾ
    /* 9x */ 0xFF7F, 0xFF80, 0xFF81, 0xFF82, 0xFF83, 0xFF84, 0xFF85, 0xFF86, 0xFF87, 0xFF88, 0xFF89, 0x0072, ____, 0xFF8A, 0xFF8B, 0xFF8C, // ｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉr·ﾊﾋﾌ
    /* Ax */ 0x007E, ____, 0xFF8D, 0xFF8E, 0xFF8F, 0xFF90, 0xFF91, 0xFF92, 0xFF93, 0xFF94, 0xFF95, 0x0073, 0xFF96, 0xFF97, 0xFF98, 0xFF99, // ~·ﾍﾎﾏﾐﾑﾒﾓﾔﾕsﾖﾗﾘﾙ
    /* Bx */ 0x005E, ____, 0x005C, 0x0074, 0x0075, 0x0076, 0x0077, 0x0078, 0x0079, 0x007A, 0xFF9A, 0xFF9B, 0xFF9C, 0xFF9D, 0xFF9E, 0xFF9F, // ^·\tuvwxyzﾚﾛﾜﾝﾞﾟ
    /* Cx */ 0x007B, 0x0041, 0x0042, 0x0043, 0x0044, 0x0045, 0x0046, 0x0047, 0x0048, 0x0049, ____, ____, ____, ____, ____, ____, // {ABCDEFGHI······
    /* Dx */ 0x007D, 0x004A, 0x004B, 0x004C, 0x004D, 0x004E, 0x004F, 0x0050, 0x0051, 0x0052, ____, ____, ____, ____, ____, ____, // }JKLMNOPQR······
    /* Ex */ 0x0024, ____, 0x0053, 0x0054, 0x0055, 0x0056, 0x0057, 0x0058, 0x0059, 0x005A, ____, ____, ____, ____, ____, ____, // $·STUVWXYZ······
    /* Fx */ 0x0030, 0x0031, 0x0032, 0x0033, 0x0034, 0x0035, 0x0036, 0x0037, 0x0038, 0x0039, ____, ____, ____, ____, ____, ____, // 0123456789······
];

/// The index of a carried character in `Table::encode`.
const fn slot(cp: u32) -> Option<usize> {
    match cp {
        0x20..=0x7E => Some((cp - 0x20) as usize),
        0xFF61..=0xFF9F => Some(95 + (cp - 0xFF61) as usize),
        _ => None,
    }
}

/// The character→byte table of a byte→character table. Fails the build if the table maps a
/// character outside the carried set, maps one twice, or leaves one out: both code sets carry
/// exactly the same characters.
const fn invert(decode: &[u16; 256]) -> [u8; CARRIED] {
    assert!(decode[0] == NONE, "byte 0x00 is never a character");
    let mut encode = [0u8; CARRIED];
    let mut b = 0;
    while b < 256 {
        if decode[b] != NONE {
            match slot(decode[b] as u32) {
                Some(i) => {
                    assert!(encode[i] == 0, "a character is mapped twice");
                    encode[i] = b as u8;
                }
                None => panic!("a byte is mapped to a character Zengin files do not carry"),
            }
        }
        b += 1;
    }
    let mut i = 0;
    while i < CARRIED {
        assert!(encode[i] != 0, "a carried character has no byte");
        i += 1;
    }
    encode
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Zengin repertoire (names): space ( ) - . 0-9 A-Z and the large and small
    /// half-width katakana with the sound marks.
    fn zengin_repertoire() -> Vec<char> {
        " ()-."
            .chars()
            .chain('0'..='9')
            .chain('A'..='Z')
            .chain('ｦ'..='ﾟ') // ｦ ｧ-ｯ ｰ ｱ-ﾝ ﾞ ﾟ
            .collect()
    }

    #[test]
    fn every_mapped_byte_round_trips() {
        for cs in CodeSet::ALL {
            let mut mapped = 0;
            for b in 0..=255u8 {
                if let Some(c) = decode_byte(cs, b) {
                    assert_eq!(encode_char(cs, c), Some(b), "{cs:?} byte {b:#04x} ({c})");
                    mapped += 1;
                }
            }
            assert_eq!(mapped, CARRIED, "{cs:?}");
        }
    }

    #[test]
    fn both_code_sets_carry_the_same_characters() {
        for cp in (0..=0x10FFFF).filter_map(char::from_u32) {
            assert_eq!(
                encode_char(CodeSet::Jis, cp).is_some(),
                encode_char(CodeSet::Ebcdic, cp).is_some(),
                "U+{:04X}",
                cp as u32
            );
        }
        for c in zengin_repertoire() {
            assert!(is_carried(c), "{c}");
        }
        for c in ['ア', '山', '£', '¥', '¬', '‾', '¢', '\r', '\n', '\u{0}'] {
            assert!(!is_carried(c), "{c:?}");
        }
    }

    #[test]
    fn jis_x_0201_bytes() {
        let jis = CodeSet::Jis;
        for b in [0x00, 0x0A, 0x0D, 0x7F, 0x80, 0x81, 0xA0, 0xE0, 0xFC, 0xFF] {
            assert_eq!(decode_byte(jis, b), None, "byte {b:#04x}");
        }
        assert_eq!(decode_byte(jis, 0xB1), Some('ｱ'));
        assert_eq!(encode_char(jis, 'ﾞ'), Some(0xDE));
        assert_eq!(
            encode_char(jis, 'ア'),
            None,
            "full-width kana has no single-byte form"
        );
    }

    /// Spot checks against the published CCSID 290 code chart, in particular the lower-case
    /// letters, which are not where CCSID 37 has them.
    #[test]
    fn ccsid_290_bytes() {
        let ebcdic = CodeSet::Ebcdic;
        for (c, b) in [
            (' ', 0x40),
            ('.', 0x4B),
            ('(', 0x4D),
            (')', 0x5D),
            ('-', 0x60),
            ('0', 0xF0),
            ('1', 0xF1),
            ('9', 0xF9),
            ('A', 0xC1),
            ('I', 0xC9),
            ('J', 0xD1),
            ('R', 0xD9),
            ('S', 0xE2),
            ('Z', 0xE9),
            ('a', 0x62),
            ('h', 0x69),
            ('i', 0x71),
            ('p', 0x78),
            ('q', 0x8B),
            ('r', 0x9B),
            ('s', 0xAB),
            ('t', 0xB3),
            ('z', 0xB9),
            ('｡', 0x41),
            ('ｦ', 0x46),
            ('ｧ', 0x47),
            ('ｯ', 0x56),
            ('ｰ', 0x58),
            ('ｱ', 0x81),
            ('ｺ', 0x8A),
            ('ｻ', 0x8C),
            ('ﾉ', 0x9A),
            ('ﾊ', 0x9D),
            ('ﾌ', 0x9F),
            ('ﾍ', 0xA2),
            ('ﾕ', 0xAA),
            ('ﾖ', 0xAC),
            ('ﾙ', 0xAF),
            ('ﾚ', 0xBA),
            ('ﾝ', 0xBD),
            ('ﾞ', 0xBE),
            ('ﾟ', 0xBF),
            ('\\', 0xB2),
            ('~', 0xA0),
        ] {
            assert_eq!(encode_char(ebcdic, c), Some(b), "{c}");
            assert_eq!(decode_byte(ebcdic, b), Some(c), "byte {b:#04x}");
        }
        // Controls (0x0D CR, 0x15 NL, 0x25 LF), unassigned bytes, the five CCSID 290 symbols
        // outside the carried set, and the CCSID 37 places of lower-case letters that CCSID 290
        // gives to katakana (0x81 is ｱ, not a).
        for b in [
            0x00, 0x0D, 0x15, 0x25, 0x3F, 0x57, 0x59, 0x6A, 0x9C, 0xCA, 0xE1, 0xFA, 0xFF, 0x4A,
            0x5B, 0x5F, 0xA1, 0xB1,
        ] {
            assert_eq!(decode_byte(ebcdic, b), None, "byte {b:#04x}");
        }
        assert_eq!(decode_byte(ebcdic, 0x81), Some('ｱ'));
    }
}
