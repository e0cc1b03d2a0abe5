//! Names as Zengin bank files carry them (受取人名, 振込依頼人名, 預金者名): half-width katakana,
//! upper-case Latin, digits and a few symbols. [`KanaName::parse`] turns what people type into
//! that form once, at the edge; [`normalize`] is the same folding without any check, for comparing
//! a name a bank sends with one we hold.
//!
//! # Allowed characters
//!
//! One table, [`ALLOWED`], from the common rules in `standards/zengin.md`. Everything else is
//! either folded into it by [`normalize`] or refused:
//!
//! | characters | in a name | why |
//! |---|---|---|
//! | space `(` `)` `-` `.` | allowed | the common set |
//! | `0`-`9` `A`-`Z` | allowed | `a`-`z` and full-width forms fold to these |
//! | `ｱ`-`ﾝ` `ﾞ` `ﾟ` | allowed | JIS X 0201 0xB1-0xDF; a voiced kana is letter + mark (`ｶﾞ`) |
//! | `ｧ`-`ｯ` | folded to large | small kana are written large: `ｷｭｳﾖ` → `ｷﾕｳﾖ` |
//! | `ｦ` (0xA6) | folded to `ｵ` | outside `ｱ`-`ﾝ`; banks register ヲ as ｵ |
//! | `ｰ` (0xB0) | folded to `-` | outside `ｱ`-`ﾝ`; see *Long vowel* |
//! | `/` `\` `,` `¥` `｢` `｣` | refused | some banks accept them, the common set does not, and a name we write must pass every bank; widen [`ALLOWED`] only for a bank that needs it |
//! | anything else: kanji, emoji, `@`, `_` | refused | [`KanaError::Character`] names it and where it is |
//!
//! # Long vowel
//!
//! ー (U+30FC), its half-width form ｰ and the hyphen and dash look-alikes (‐ ‑ ‒ – — ― − ﹘ ﹣ －)
//! all become `-` (U+002D): `パーティー` → `ﾊﾟ-ﾃｲ-`. ｰ is JIS X 0201 0xB0, just outside the
//! `ｱ`-`ﾝ` range the standard allows, public bank guidance says the long vowel mark cannot be
//! used, and the usual converters write it as a hyphen. Folding every variant to one character
//! also makes a name typed with ー and one sent by a bank with `-` or ｰ compare equal.
//!
//! # Normalization, in order of appearance in [`fold`]
//!
//! - hiragana → katakana; full-width katakana → half-width, voiced letters split into letter +
//!   mark (ガ → ｶﾞ, パ → ﾊﾟ, ヴ → ｳﾞ); ゛ ゜ and the combining marks U+3099/U+309A → ﾞ ﾟ;
//! - small kana → large in all three forms (ャ ゃ ｬ → ﾔ, ッ っ ｯ → ﾂ, ヵ → ｶ, ヶ → ｹ, ヮ → ﾜ);
//!   ヲ を ｦ → ｵ and the obsolete ヰ ヱ → ｲ ｴ;
//! - the iteration marks ゝ ゞ ヽ ヾ repeat the kana before them (いすゞ → ｲｽｽﾞ);
//! - full-width ASCII → ASCII, `a`-`z` → `A`-`Z`; ・ → `.` (the banks' stand-in for the middle
//!   dot); 「 」 ￥ → ｢ ｣ ¥ (half-width forms, still refused);
//! - long vowel and dashes → `-`, as above;
//! - every run of whitespace (U+3000 included) → one space; both ends trimmed.

use serde::{Deserialize, Serialize};
use std::fmt;

/// What a name may hold in a Zengin file, as inclusive ranges.
pub const ALLOWED: [(char, char); 8] = [
    (' ', ' '),
    ('(', ')'),
    ('-', '-'),
    ('.', '.'),
    ('0', '9'),
    ('A', 'Z'),
    ('ｱ', 'ﾝ'), // U+FF71..U+FF9D
    ('ﾞ', 'ﾟ'),   // U+FF9E..U+FF9F, voiced and semi-voiced marks
];

/// The widest name field in the Zengin layouts (振込依頼人名 in types 01 and 03). A deserialized
/// [`KanaName`] is checked against this; a narrower field (受取人名, 30) parses with its own limit.
pub const MAX_NAME_CHARS: usize = 48;

pub fn is_allowed(c: char) -> bool {
    ALLOWED.iter().any(|&(lo, hi)| (lo..=hi).contains(&c))
}

/// A name in the form a Zengin file carries: normalized, not empty, only [`ALLOWED`] characters.
/// Each character is one byte in the file, so [`KanaName::char_count`] is its width there.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct KanaName(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KanaError {
    #[error("a bank name cannot be empty")]
    Empty,
    /// `position` counts the characters of the input, from 1; `ch` is the character as typed.
    #[error("{ch:?} (position {position}) cannot appear in a bank name: {hint}", hint = hint(*.ch))]
    Character { ch: char, position: usize },
    /// Counted after normalization, where ﾞ and ﾟ take a character each.
    #[error("a bank name here has at most {max} characters (ﾞ and ﾟ count as one each); this one has {got}")]
    TooLong { max: usize, got: usize },
}

fn hint(ch: char) -> &'static str {
    if ch.is_alphanumeric() {
        "use kana"
    } else {
        "besides kana, A-Z and 0-9 only space ( ) - . are allowed"
    }
}

impl KanaName {
    /// Normalizes `input` (see the module documentation), then checks it: not empty, only
    /// [`ALLOWED`] characters, at most `max_chars` characters.
    pub fn parse(input: &str, max_chars: usize) -> Result<KanaName, KanaError> {
        let folded = fold_all(input);
        if folded.is_empty() {
            return Err(KanaError::Empty);
        }
        if let Some(&(c, position)) = folded.iter().find(|(c, _)| !is_allowed(*c)) {
            // Name the character as typed (＿, not the _ it folded to).
            let ch = input.chars().nth(position - 1).unwrap_or(c);
            return Err(KanaError::Character { ch, position });
        }
        if folded.len() > max_chars {
            return Err(KanaError::TooLong {
                max: max_chars,
                got: folded.len(),
            });
        }
        Ok(KanaName(folded.into_iter().map(|(c, _)| c).collect()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The width in a Zengin field: one per character, ﾞ and ﾟ included.
    pub fn char_count(&self) -> usize {
        self.0.chars().count()
    }
}

/// The folding [`KanaName::parse`] applies, without its checks: what cannot be folded stays as it
/// is. For tolerant comparison (`normalize(a) == normalize(b)`); idempotent.
pub fn normalize(input: &str) -> String {
    fold_all(input).into_iter().map(|(c, _)| c).collect()
}

/// The normalized characters, each with the position (from 1) of the input character it came from.
fn fold_all(input: &str) -> Vec<(char, usize)> {
    let mut out: Vec<(char, usize)> = Vec::with_capacity(input.len());
    let mut space_at: Option<usize> = None;
    let mut previous_kana: Option<char> = None;
    for (index, c) in input.chars().enumerate() {
        let position = index + 1;
        if c.is_whitespace() {
            space_at = space_at.or(Some(position));
            previous_kana = None;
            continue;
        }
        if let Some(at) = space_at.take() {
            if !out.is_empty() {
                out.push((' ', at));
            }
        }
        let (first, mark) = fold(c, previous_kana);
        out.push((first, position));
        if let Some(mark) = mark {
            out.push((mark, position));
        }
        if ('ｱ'..='ﾝ').contains(&first) {
            previous_kana = Some(first);
        } else if !matches!(first, DAKUTEN | HANDAKUTEN) {
            previous_kana = None;
        }
    }
    out
}

const DAKUTEN: char = 'ﾞ';
const HANDAKUTEN: char = 'ﾟ';

/// One input character as a half-width letter and an optional voicing mark. Every character this
/// returns folds to itself, which is what makes [`normalize`] idempotent.
fn fold(c: char, previous_kana: Option<char>) -> (char, Option<char>) {
    match c {
        'ぁ'..='ゖ' => katakana(c, c as u32 + 0x60),
        'ァ'..='ヺ' => katakana(c, c as u32),
        'ゝ' | 'ヽ' => previous_kana.map_or((c, None), |k| (k, None)),
        'ゞ' | 'ヾ' => previous_kana.map_or((c, None), |k| (k, Some(DAKUTEN))),
        '\u{3099}' | '゛' => (DAKUTEN, None),
        '\u{309A}' | '゜' => (HANDAKUTEN, None),
        'ｦ' => ('ｵ', None),
        'ｧ'..='ｯ' => (SMALL_HALF_WIDTH[c as usize - 'ｧ' as usize], None),
        'ー' | 'ｰ' | '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE58}' | '\u{FE63}' => {
            ('-', None)
        }
        '・' | '･' => ('.', None),
        '「' => ('｢', None),
        '」' => ('｣', None),
        '￥' => ('¥', None),
        '\u{FF01}'..='\u{FF5E}' => {
            let ascii = char::from_u32(c as u32 - 0xFEE0).unwrap_or(c);
            (ascii.to_ascii_uppercase(), None)
        }
        _ => (c.to_ascii_uppercase(), None),
    }
}

/// ｧ ｨ ｩ ｪ ｫ ｬ ｭ ｮ ｯ written large.
const SMALL_HALF_WIDTH: [char; 9] = ['ｱ', 'ｲ', 'ｳ', 'ｴ', 'ｵ', 'ﾔ', 'ﾕ', 'ﾖ', 'ﾂ'];

/// `code` is the full-width katakana for `c` (itself, or the hiragana's counterpart).
fn katakana(c: char, code: u32) -> (char, Option<char>) {
    let index = code.wrapping_sub(0x30A1) as usize;
    KATAKANA.get(index).copied().unwrap_or((c, None))
}

const N: Option<char> = None;
const V: Option<char> = Some(DAKUTEN);
const P: Option<char> = Some(HANDAKUTEN);

/// ァ (U+30A1) to ヺ (U+30FA) in Unicode order, small kana already large.
#[rustfmt::skip]
const KATAKANA: [(char, Option<char>); 90] = [
    // ァ ア ィ イ ゥ ウ ェ エ ォ オ
    ('ｱ', N), ('ｱ', N), ('ｲ', N), ('ｲ', N), ('ｳ', N), ('ｳ', N), ('ｴ', N), ('ｴ', N), ('ｵ', N), ('ｵ', N),
    // カ ガ キ ギ ク グ ケ ゲ コ ゴ
    ('ｶ', N), ('ｶ', V), ('ｷ', N), ('ｷ', V), ('ｸ', N), ('ｸ', V), ('ｹ', N), ('ｹ', V), ('ｺ', N), ('ｺ', V),
    // サ ザ シ ジ ス ズ セ ゼ ソ ゾ
    ('ｻ', N), ('ｻ', V), ('ｼ', N), ('ｼ', V), ('ｽ', N), ('ｽ', V), ('ｾ', N), ('ｾ', V), ('ｿ', N), ('ｿ', V),
    // タ ダ チ ヂ ッ ツ ヅ テ デ ト ド
    ('ﾀ', N), ('ﾀ', V), ('ﾁ', N), ('ﾁ', V), ('ﾂ', N), ('ﾂ', N), ('ﾂ', V), ('ﾃ', N), ('ﾃ', V), ('ﾄ', N), ('ﾄ', V),
    // ナ ニ ヌ ネ ノ
    ('ﾅ', N), ('ﾆ', N), ('ﾇ', N), ('ﾈ', N), ('ﾉ', N),
    // ハ バ パ ヒ ビ ピ フ ブ プ ヘ ベ ペ ホ ボ ポ
    ('ﾊ', N), ('ﾊ', V), ('ﾊ', P), ('ﾋ', N), ('ﾋ', V), ('ﾋ', P), ('ﾌ', N), ('ﾌ', V), ('ﾌ', P),
    ('ﾍ', N), ('ﾍ', V), ('ﾍ', P), ('ﾎ', N), ('ﾎ', V), ('ﾎ', P),
    // マ ミ ム メ モ
    ('ﾏ', N), ('ﾐ', N), ('ﾑ', N), ('ﾒ', N), ('ﾓ', N),
    // ャ ヤ ュ ユ ョ ヨ
    ('ﾔ', N), ('ﾔ', N), ('ﾕ', N), ('ﾕ', N), ('ﾖ', N), ('ﾖ', N),
    // ラ リ ル レ ロ
    ('ﾗ', N), ('ﾘ', N), ('ﾙ', N), ('ﾚ', N), ('ﾛ', N),
    // ヮ ワ ヰ ヱ ヲ ン
    ('ﾜ', N), ('ﾜ', N), ('ｲ', N), ('ｴ', N), ('ｵ', N), ('ﾝ', N),
    // ヴ ヵ ヶ ヷ ヸ ヹ ヺ
    ('ｳ', V), ('ｶ', N), ('ｹ', N), ('ﾜ', V), ('ｲ', V), ('ｴ', V), ('ｵ', V),
];

impl fmt::Display for KanaName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for KanaName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// Through [`KanaName::parse`] with [`MAX_NAME_CHARS`]: what serde deserializes.
impl TryFrom<String> for KanaName {
    type Error = KanaError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        KanaName::parse(&s, MAX_NAME_CHARS)
    }
}

impl From<KanaName> for String {
    fn from(name: KanaName) -> String {
        name.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Input → normalized name; every row also parses to exactly that.
    const NORMALIZED: &[(&str, &str)] = &[
        // hiragana and full-width katakana, voiced letters split
        ("やまだ たろう", "ﾔﾏﾀﾞ ﾀﾛｳ"),
        ("ヤマダ　タロウ", "ﾔﾏﾀﾞ ﾀﾛｳ"),
        ("がぎぐげご", "ｶﾞｷﾞｸﾞｹﾞｺﾞ"),
        ("パピプペポ", "ﾊﾟﾋﾟﾌﾟﾍﾟﾎﾟ"),
        ("ぱぴぷぺぽ", "ﾊﾟﾋﾟﾌﾟﾍﾟﾎﾟ"),
        ("ヂヅ", "ﾁﾞﾂﾞ"),
        ("ヴァイオリン", "ｳﾞｱｲｵﾘﾝ"),
        ("ゔぁいおりん", "ｳﾞｱｲｵﾘﾝ"),
        // already half-width: unchanged
        ("ｶﾌﾞｼｷｶﾞｲｼﾔ", "ｶﾌﾞｼｷｶﾞｲｼﾔ"),
        ("ﾔﾏﾀﾞ ﾀﾛｳ", "ﾔﾏﾀﾞ ﾀﾛｳ"),
        // combining and spacing voicing marks
        ("カ\u{3099}ハ\u{309A}", "ｶﾞﾊﾟ"),
        ("か゛は゜", "ｶﾞﾊﾟ"),
        // small kana written large, in all three forms
        ("ｷｭｳﾖ", "ｷﾕｳﾖ"),
        ("キュウヨ", "ｷﾕｳﾖ"),
        ("きゅうよ", "ｷﾕｳﾖ"),
        ("ャュョッァィゥェォヮ", "ﾔﾕﾖﾂｱｲｳｴｵﾜ"),
        ("ゃゅょっぁぃぅぇぉゎ", "ﾔﾕﾖﾂｱｲｳｴｵﾜ"),
        ("ｬｭｮｯｧｨｩｪｫ", "ﾔﾕﾖﾂｱｲｳｴｵ"),
        ("ヵヶゕゖ", "ｶｹｶｹ"),
        ("ジョウ", "ｼﾞﾖｳ"),
        // ヲ and the obsolete ヰ ヱ
        ("ヲ を ｦ", "ｵ ｵ ｵ"),
        ("ヰヱ", "ｲｴ"),
        // iteration marks
        ("いすゞ", "ｲｽｽﾞ"),
        ("ミスヾ", "ﾐｽｽﾞ"),
        ("ばゝ", "ﾊﾞﾊ"),
        // full-width ASCII, lower case
        ("ａｂｃ１２３", "ABC123"),
        ("abc xyz", "ABC XYZ"),
        ("ＡＢＣ　ｓｈｏｊｉ", "ABC SHOJI"),
        ("カ）テスト", "ｶ)ﾃｽﾄ"),
        ("（カ）テスト", "(ｶ)ﾃｽﾄ"),
        ("(ｶ)ﾃｽﾄ", "(ｶ)ﾃｽﾄ"),
        ("テスト（カ", "ﾃｽﾄ(ｶ"),
        ("Ｎｏ．１", "NO.1"),
        // long vowel and dashes → -
        ("パーティー", "ﾊﾟ-ﾃｲ-"),
        ("ﾊﾟｰﾃｨｰ", "ﾊﾟ-ﾃｲ-"),
        ("ぱーてぃー", "ﾊﾟ-ﾃｲ-"),
        ("A－B‐C–D—E―F−G", "A-B-C-D-E-F-G"),
        // middle dot → .
        ("ネクサス・ツールズ", "ﾈｸｻｽ.ﾂ-ﾙｽﾞ"),
        ("ﾈｸｻｽ･ﾂｰﾙｽﾞ", "ﾈｸｻｽ.ﾂ-ﾙｽﾞ"),
        // spaces: any run → one, ends trimmed
        ("　 ヤマダ 　\t タロウ  ", "ﾔﾏﾀﾞ ﾀﾛｳ"),
        ("ｶ)ﾃｽﾄ\u{3000}\u{3000}ｼﾃﾝ", "ｶ)ﾃｽﾄ ｼﾃﾝ"),
        ("ABC123 ヤマダ", "ABC123 ﾔﾏﾀﾞ"),
    ];

    #[test]
    fn normalization_table() {
        for &(input, expected) in NORMALIZED {
            assert_eq!(normalize(input), expected, "normalize({input:?})");
            let name = KanaName::parse(input, MAX_NAME_CHARS)
                .unwrap_or_else(|e| panic!("parse({input:?}): {e}"));
            assert_eq!(name.as_str(), expected, "parse({input:?})");
            assert_eq!(normalize(expected), expected, "fixed point {expected:?}");
        }
    }

    /// Input → the character refused, as typed, and its position in the input (from 1).
    const REFUSED: &[(&str, char, usize)] = &[
        ("山田 タロウ", '山', 1),
        ("ヤマダ 太郎", '太', 5),
        ("ﾔﾏﾀﾞ😀", '😀', 5),
        ("YAMADA@EXAMPLE", '@', 7),
        ("YAMA_DA", '_', 5),
        ("ＹＡＭＡ＿ＤＡ", '＿', 5),
        ("ｶ)ﾃｽﾄ/ｼﾃﾝ", '/', 6),
        ("ｶ)ﾃｽﾄ,ｼﾃﾝ", ',', 6),
        ("ﾃｽﾄ¥", '¥', 4),
        ("ﾃｽﾄ￥", '￥', 4),
        ("「ﾃｽﾄ」", '「', 1),
        ("ｶ\\ﾃｽﾄ", '\\', 2),
        ("ﾔﾏﾀﾞ〜", '〜', 5),
        ("ＹＡＭＡＤＡ　ジローé", 'é', 11),
        ("ｲ々", '々', 2),
        ("ゝヤマダ", 'ゝ', 1),
        ("ヤマダ\u{200B}タロウ", '\u{200B}', 4),
        ("  ㈱テスト", '㈱', 3),
        ("ﾃｽﾄ\u{0301}", '\u{0301}', 4),
    ];

    #[test]
    fn refusal_table() {
        for &(input, ch, position) in REFUSED {
            assert_eq!(
                KanaName::parse(input, MAX_NAME_CHARS),
                Err(KanaError::Character { ch, position }),
                "parse({input:?})"
            );
            assert_eq!(input.chars().nth(position - 1), Some(ch), "row {input:?}");
        }
    }

    #[test]
    fn messages_name_the_character() {
        let e = KanaName::parse("山", 30).unwrap_err();
        assert_eq!(
            e.to_string(),
            "'山' (position 1) cannot appear in a bank name: use kana"
        );
        let e = KanaName::parse("ﾔﾏﾀﾞ@", 30).unwrap_err();
        assert_eq!(
            e.to_string(),
            "'@' (position 5) cannot appear in a bank name: \
             besides kana, A-Z and 0-9 only space ( ) - . are allowed"
        );
        let e = KanaName::parse("ﾔﾏ\u{200B}", 30).unwrap_err();
        assert!(e.to_string().starts_with("'\\u{200b}' (position 3)"), "{e}");
    }

    #[test]
    fn empty_and_length() {
        for blank in ["", " ", "　", " \t\u{3000} "] {
            assert_eq!(
                KanaName::parse(blank, 30),
                Err(KanaError::Empty),
                "{blank:?}"
            );
        }
        // ガ is two characters in the file.
        assert_eq!(
            KanaName::parse("ガ", 1),
            Err(KanaError::TooLong { max: 1, got: 2 })
        );
        assert_eq!(KanaName::parse("ガ", 2).map(|n| n.char_count()), Ok(2));
        let thirty = "ア".repeat(30);
        assert!(KanaName::parse(&thirty, 30).is_ok());
        assert_eq!(
            KanaName::parse(&format!("{thirty}ア"), 30),
            Err(KanaError::TooLong { max: 30, got: 31 })
        );
        // Spaces collapse before counting.
        assert!(KanaName::parse("  ｱ    ｲ  ", 3).is_ok());
        assert_eq!(
            KanaName::parse("ガ", 1).unwrap_err().to_string(),
            "a bank name here has at most 1 characters (ﾞ and ﾟ count as one each); this one has 2"
        );
    }

    #[test]
    fn every_kana_folds_into_the_allowed_set() {
        let kana = ('ぁ'..='ゖ').chain('ァ'..='ヺ').chain('ｦ'..='ﾟ');
        for c in kana {
            let name = KanaName::parse(&c.to_string(), 2)
                .unwrap_or_else(|e| panic!("{c:?} U+{:04X}: {e}", c as u32));
            let folded: Vec<char> = name.as_str().chars().collect();
            assert!(matches!(folded[..], [_] | [_, 'ﾞ' | 'ﾟ']), "{c:?} → {name}");
        }
        // Hiragana and katakana agree letter for letter.
        for h in 'ぁ'..='ゖ' {
            let k = char::from_u32(h as u32 + 0x60).unwrap();
            assert_eq!(normalize(&h.to_string()), normalize(&k.to_string()), "{h}");
        }
    }

    #[test]
    fn allowed_table_is_the_standard_set() {
        let expected = " ()-.0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ\
                        ｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜﾝﾞﾟ";
        let all: String = ALLOWED.iter().flat_map(|&(lo, hi)| lo..=hi).collect();
        assert_eq!(all, expected);
        for c in ['ｦ', 'ｧ', 'ｯ', 'ｰ', 'a', '/', '\\', ',', '¥', '｢', '｣', '_'] {
            assert!(!is_allowed(c), "{c:?}");
        }
    }

    #[test]
    fn serde_goes_through_parse() {
        use serde::de::value::{Error, StrDeserializer};
        let de = |s: &'static str| KanaName::deserialize(StrDeserializer::<Error>::new(s));
        assert_eq!(de("やまだ たろう").unwrap().as_str(), "ﾔﾏﾀﾞ ﾀﾛｳ");
        assert!(de("山田").is_err());
        assert!(de("").is_err());
        let widest = "ｱ".repeat(MAX_NAME_CHARS);
        assert!(KanaName::try_from(widest.clone()).is_ok());
        assert!(KanaName::try_from(format!("{widest}ｱ")).is_err());
        let name = KanaName::parse("ヤマダ", 30).unwrap();
        assert_eq!(name.to_string(), "ﾔﾏﾀﾞ");
        assert_eq!(String::from(name), "ﾔﾏﾀﾞ");
    }

    /// Characters near the rules: kana in every form, full-width and ASCII, spaces, marks, dashes.
    fn tricky_char() -> impl Strategy<Value = char> {
        prop_oneof![
            proptest::char::range('\u{3000}', '\u{30FF}'),
            proptest::char::range('\u{FF01}', '\u{FF9F}'),
            proptest::char::range(' ', '~'),
            proptest::char::range('\u{2010}', '\u{2015}'),
            prop::sample::select(vec!['\u{3000}', '\t', '\u{2212}', '￥', '山', '😀', 'é']),
            any::<char>(),
        ]
    }

    fn tricky_string() -> impl Strategy<Value = String> {
        prop::collection::vec(tricky_char(), 0..40).prop_map(|v| v.into_iter().collect())
    }

    /// Only what must always parse: kana, Latin letters and digits in any width, spaces, ー.
    fn acceptable_string() -> impl Strategy<Value = String> {
        let c = prop_oneof![
            proptest::char::range('ぁ', 'ゖ'),
            proptest::char::range('ァ', 'ヺ'),
            proptest::char::range('ｦ', 'ﾟ'),
            proptest::char::range('a', 'z'),
            proptest::char::range('ａ', 'ｚ'),
            proptest::char::range('Ａ', 'Ｚ'),
            proptest::char::range('０', '９'),
            prop::sample::select(vec![' ', '\u{3000}', 'ー', '（', '）', '．', '・']),
        ];
        prop::collection::vec(c, 1..40).prop_map(|v| v.into_iter().collect())
    }

    proptest! {
        #[test]
        fn normalize_is_idempotent(s in tricky_string()) {
            let once = normalize(&s);
            prop_assert_eq!(normalize(&once), once.clone());
            prop_assert_eq!(once.trim(), once.as_str());
            prop_assert!(!once.contains("  "));
        }

        #[test]
        fn parse_output_holds_only_allowed_characters(s in tricky_string()) {
            match KanaName::parse(&s, 1000) {
                Ok(name) => {
                    prop_assert!(name.as_str().chars().all(is_allowed), "{:?}", name);
                    prop_assert_eq!(name.as_str(), normalize(&s));
                    prop_assert_eq!(KanaName::parse(name.as_str(), 1000), Ok(name.clone()));
                }
                Err(KanaError::Character { ch, position }) => {
                    prop_assert_eq!(s.chars().nth(position - 1), Some(ch));
                }
                Err(KanaError::Empty) => prop_assert!(normalize(&s).is_empty()),
                Err(e) => prop_assert!(false, "unexpected {e}"),
            }
        }

        #[test]
        fn kana_and_latin_always_parse(s in acceptable_string()) {
            prop_assume!(!normalize(&s).is_empty());
            let name = KanaName::parse(&s, 1000);
            prop_assert!(name.is_ok(), "{:?} → {:?}", s, name);
        }
    }
}
