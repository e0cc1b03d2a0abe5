//! Card numbers as the card networks define them (ISO/IEC 7812): the Luhn check digit and the
//! brand by the number's leading digits. Used by Kessai's card form and by the simulated
//! processor alike, as the other formats here are.

/// Whether `pan` passes the Luhn check (digits only, 12 to 19 of them).
pub fn luhn(pan: &str) -> bool {
    if !(12..=19).contains(&pan.len()) || !pan.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let sum: u32 = pan
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let twice = d * 2;
                if twice > 9 {
                    twice - 9
                } else {
                    twice
                }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// The brand of a card number, by its leading digits.
pub fn brand(pan: &str) -> &'static str {
    let two: u32 = pan.get(..2).and_then(|p| p.parse().ok()).unwrap_or(0);
    let four: u32 = pan.get(..4).and_then(|p| p.parse().ok()).unwrap_or(0);
    match () {
        _ if pan.starts_with('4') => "visa",
        _ if (51..=55).contains(&two) || (2221..=2720).contains(&four) => "mastercard",
        _ if two == 34 || two == 37 => "amex",
        _ if (3528..=3589).contains(&four) => "jcb",
        _ if two == 30 || two == 36 || two == 38 => "diners",
        _ if pan.starts_with("6011") || two == 65 => "discover",
        _ => "unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_published_test_numbers_pass_and_the_near_miss_fails() {
        for pan in [
            "4242424242424242",
            "4012888888881881",
            "5555555555554444",
            "5105105105105100",
            "378282246310005",
            "3530111333300000",
            "3566002020360505",
            "30569309025904",
            "6011111111111117",
        ] {
            assert!(luhn(pan), "{pan}");
        }
        assert!(!luhn("4242424242424241"));
        assert_eq!(brand("4012888888881881"), "visa");
        assert_eq!(brand("3566002020360505"), "jcb");
        assert_eq!(brand("30569309025904"), "diners");
        assert_eq!(brand("6011111111111117"), "discover");
        assert_eq!(brand("5105105105105100"), "mastercard");
    }
}
