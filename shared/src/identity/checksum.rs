//! The two check-character algorithms of Chinese identifiers.
//!
//! - ISO 7064 MOD 11-2 as GB 11643-1999 uses it (resident ID card, the 2023
//!   permanent-resident ID card, the HK/Macau/Taiwan residence permit):
//!   weights 2^(18-i) mod 11, check = "10X98765432"[sum mod 11].
//! - GB 32100-2015 (USCC): 31 characters, weights 3^(i-1) mod 31,
//!   check = 31 - (sum mod 31), 31 written as 0.

/// Weights 2^(18-i) mod 11 for i = 1..17.
const MOD11_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const MOD11_CHECK: &[u8; 11] = b"10X98765432";

/// The check character of 17 ASCII digits; `None` if they are not that.
pub(crate) fn mod11_2_check(first17: &str) -> Option<char> {
    let b = first17.as_bytes();
    if b.len() != 17 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sum: u32 = b.iter().zip(MOD11_WEIGHTS).map(|(d, w)| u32::from(d - b'0') * w).sum();
    Some(char::from(MOD11_CHECK[(sum % 11) as usize]))
}

/// How an 18-character MOD 11-2 number (17 digits + digit or X) fails.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Mod11Error {
    /// A character that is not a digit (nor X in position 18).
    InvalidCharacter(char),
    /// Length in characters, when it is not 18.
    WrongLength(usize),
    CheckMismatch,
}

/// Checks an uppercase, normalized 18-character number.
pub(crate) fn check_mod11_2(s: &str) -> Result<(), Mod11Error> {
    let count = s.chars().count();
    for (i, c) in s.chars().enumerate() {
        let last = i == 17 && count == 18;
        if !(c.is_ascii_digit() || (last && c == 'X')) {
            return Err(Mod11Error::InvalidCharacter(c));
        }
    }
    if count != 18 {
        return Err(Mod11Error::WrongLength(count));
    }
    match mod11_2_check(&s[..17]) {
        Some(c) if s.ends_with(c) => Ok(()),
        _ => Err(Mod11Error::CheckMismatch),
    }
}

/// The 31 USCC characters in value order: `0-9 A-H J-N P-R T-U W-Y`.
pub(crate) const USCC_ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Weights 3^(i-1) mod 31 for i = 1..17.
const USCC_WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

pub(crate) fn uscc_value(c: char) -> Option<u32> {
    USCC_ALPHABET.iter().position(|&a| char::from(a) == c).map(|p| p as u32)
}

/// The USCC check character of 17 characters from the alphabet.
pub(crate) fn uscc_check(first17: &str) -> Option<char> {
    if first17.chars().count() != 17 {
        return None;
    }
    let mut sum = 0;
    for (c, w) in first17.chars().zip(USCC_WEIGHTS) {
        sum += uscc_value(c)? * w;
    }
    let check = (31 - sum % 31) % 31;
    Some(char::from(USCC_ALPHABET[check as usize]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_are_the_documented_powers() {
        for (i, w) in MOD11_WEIGHTS.iter().enumerate() {
            assert_eq!(*w, (1u32 << (17 - i)) % 11);
        }
        let mut p = 1;
        for w in USCC_WEIGHTS {
            assert_eq!(w, p);
            p = p * 3 % 31;
        }
    }

    #[test]
    fn mod11_matches_the_standard_examples() {
        // The examples printed in GB 11643-1999.
        assert_eq!(mod11_2_check("11010519491231002"), Some('X'));
        assert_eq!(mod11_2_check("44052418800101001"), Some('4'));
        assert_eq!(check_mod11_2("11010519491231002X"), Ok(()));
        assert_eq!(check_mod11_2("110105194912310021"), Err(Mod11Error::CheckMismatch));
        assert_eq!(check_mod11_2("1101051949123100"), Err(Mod11Error::WrongLength(16)));
        assert_eq!(
            check_mod11_2("11010519491231002A"),
            Err(Mod11Error::InvalidCharacter('A'))
        );
        assert_eq!(
            check_mod11_2("X10105194912310021"),
            Err(Mod11Error::InvalidCharacter('X'))
        );
        assert_eq!(mod11_2_check("1101051949123100"), None);
    }

    #[test]
    fn uscc_alphabet_skips_i_o_z_s_v() {
        assert_eq!(USCC_ALPHABET.len(), 31);
        for c in ['I', 'O', 'Z', 'S', 'V'] {
            assert_eq!(uscc_value(c), None);
        }
        assert_eq!(uscc_value('Y'), Some(30));
        assert_eq!(uscc_check("9111000010000000"), None);
        assert_eq!(uscc_check("9111000010000000I"), None);
    }
}
