//! How what people type is made comparable: Unicode NFKC (full-width Latin and digits become
//! ASCII, half-width katakana becomes full-width), every run of whitespace (U+3000 included)
//! one space, both ends trimmed. For comparing, [`comparable`] also drops a space between two
//! Japanese characters: 鈴木 花子 and 鈴木花子 are one name, while `Nikon F3` keeps its space.

use unicode_normalization::UnicodeNormalization;

/// NFKC with whitespace collapsed and trimmed: the form a registration stores.
pub fn normalize(s: &str) -> String {
    let nfkc: String = s.nfkc().collect();
    nfkc.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// [`normalize`], then without spaces between two Japanese characters: the form two
/// registrations are compared in.
pub fn comparable(s: &str) -> String {
    let n = normalize(s);
    let chars: Vec<char> = n.chars().collect();
    let mut out = String::with_capacity(n.len());
    for (i, &c) in chars.iter().enumerate() {
        let between_japanese = c == ' '
            && i > 0
            && is_japanese(chars[i - 1])
            && chars.get(i + 1).is_some_and(|&n| is_japanese(n));
        if !between_japanese {
            out.push(c);
        }
    }
    out
}

/// Kanji, kana and the iteration and long-vowel marks: scripts written without spaces.
fn is_japanese(c: char) -> bool {
    matches!(c,
        '\u{3005}'..='\u{3007}'    // 々 〆 〇
        | '\u{3041}'..='\u{30FF}'  // hiragana, katakana, ー
        | '\u{3400}'..='\u{4DBF}'  // CJK extension A
        | '\u{4E00}'..='\u{9FFF}'  // CJK unified ideographs
        | '\u{F900}'..='\u{FAFF}'  // compatibility ideographs
        | '\u{20000}'..='\u{3134F}')
}

/// Digits as typed with a Japanese input method (０００１) or with spaces around them: NFKC
/// and trimmed, ready to be checked as ASCII digits.
pub fn digits(s: &str) -> String {
    s.nfkc().collect::<String>().trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_after_normalization() {
        let same = [
            ("鈴木花子", "鈴木 花子"),
            ("鈴木　花子", "鈴木花子"),
            ("Ｆ３", "F3"),
            ("中古カメラ Nikon Ｆ３", "中古カメラ  Nikon F3 "),
            ("ｶﾒﾗ", "カメラ"),
            ("ガ", "ｶﾞ"),
        ];
        for (a, b) in same {
            assert_eq!(comparable(a), comparable(b), "{a} vs {b}");
        }
        let different = [
            ("Nikon F3", "NikonF3"),
            ("鈴木 花子", "鈴木 花"),
            ("F3", "F4"),
        ];
        for (a, b) in different {
            assert_ne!(comparable(a), comparable(b), "{a} vs {b}");
        }
    }

    #[test]
    fn stored_form_keeps_spaces_between_words() {
        assert_eq!(normalize("  山田\u{3000}\u{3000}太郎 "), "山田 太郎");
        assert_eq!(normalize("Ｎｉｋｏｎ　Ｆ３"), "Nikon F3");
        assert_eq!(digits(" ０００１ "), "0001");
    }
}
