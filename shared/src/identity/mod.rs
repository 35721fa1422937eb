//! Identifiers that parse at the edge: a value of these types is valid by
//! construction. Each parser names the expected format in its error.

mod checksum;
pub mod country;
pub mod date;
mod document;
mod legal_representative;
mod login_name;
mod mobile;
mod org_name;
mod passport;
mod permanent_resident_id;
mod permits;
mod person_name;
mod resident_id;
mod uscc;

pub use country::{COUNTRIES, Continent, Country, countries_in, country};
pub use date::CivilDate;
pub use document::{Document, DocumentType};
pub use legal_representative::{LegalRepresentative, LegalRepresentativeForm, LegalRepresentativeType};
pub use login_name::{LEGACY_PREFIX, LoginName};
pub use mobile::Mobile;
pub use org_name::OrgName;
pub(crate) use org_name::{collapse_whitespace, is_refused};
pub use passport::Passport;
pub use permanent_resident_id::{PermanentResidentId, PermanentResidentIdVersion};
pub use permits::{HkMoPermit, HkMoTwResidencePermit, Region, TwPermit};
pub use person_name::PersonName;
pub use resident_id::ResidentId;
pub use uscc::Uscc;

/// Folds full-width ASCII (U+FF01..U+FF5E) to half-width and the
/// ideographic space to a space, as Chinese input methods often produce them.
pub fn fold_full_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFF01 + 0x21).unwrap_or(c),
            '\u{3000}' => ' ',
            c => c,
        })
        .collect()
}

/// Folds full width, then trims white space (of any width) at both ends.
pub fn normalize_input(s: &str) -> String {
    fold_full_width(s).trim().to_owned()
}

/// [`normalize_input`], then ASCII uppercase: how codes and document
/// numbers are stored.
pub(crate) fn normalize_code(s: &str) -> String {
    normalize_input(s).to_ascii_uppercase()
}

/// A character as an error message shows it (a space is named).
pub(crate) fn shown_char(c: char) -> String {
    if c.is_whitespace() { "空格 / space".to_owned() } else { c.to_string() }
}

/// Keeps `start` leading and `end` trailing characters and stars the rest;
/// values too short to hide at least 4 that way keep a quarter at each end.
pub(crate) fn mask(s: &str, start: usize, end: usize) -> String {
    let chars: Vec<char> = s.chars().collect();
    let n = chars.len();
    let (start, end) = if start + end + 4 > n { (n / 4, n / 4) } else { (start, end) };
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| if i < start || i >= n - end { *c } else { '*' })
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Half-width ASCII to its full-width form, as Chinese input methods type it.
    pub(crate) fn full_width(s: &str) -> String {
        s.chars()
            .map(|c| match c {
                '!'..='~' => char::from_u32(c as u32 - 0x21 + 0xFF01).unwrap_or(c),
                ' ' => '\u{3000}',
                c => c,
            })
            .collect()
    }

    /// Inputs every parser must refuse without panicking.
    pub(crate) fn hostile_inputs() -> Vec<String> {
        vec![
            "9".repeat(10_000),
            "Ａ".repeat(10_000),
            "x".repeat(10 * 1024),
            "' OR '1'='1".to_owned(),
            "1; DROP TABLE accounts;--".to_owned(),
            "<script>alert(1)</script>".to_owned(),
            "\"><img src=x onerror=alert(1)>".to_owned(),
            "%00\u{0}\u{7}\u{202E}".to_owned(),
            "😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀".to_owned(),
            "\u{3000}\t\n".to_owned(),
        ]
    }

    #[test]
    fn masks_keep_the_ends() {
        assert_eq!(mask("13812341234", 3, 4), "138****1234");
        assert_eq!(mask("110105194912310021", 3, 4), "110***********0021");
        assert_eq!(mask("12345678", 3, 4), "12****78");
        assert_eq!(mask("", 3, 4), "");
    }

    #[test]
    fn folds_full_width_ascii_and_ideographic_space() {
        assert_eq!(fold_full_width("ＡＢＣ１２３＿"), "ABC123_");
        assert_eq!(normalize_input("\u{3000} ｗｐ１ \t"), "wp1");
        assert_eq!(fold_full_width("中文"), "中文");
    }
}
