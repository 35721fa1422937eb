//! Identifiers that parse at the edge: a value of these types is valid by
//! construction. Each parser names the expected format in its error.

mod login_name;

pub use login_name::LoginName;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_full_width_ascii_and_ideographic_space() {
        assert_eq!(fold_full_width("ＡＢＣ１２３＿"), "ABC123_");
        assert_eq!(normalize_input("\u{3000} ｗｐ１ \t"), "wp1");
        assert_eq!(fold_full_width("中文"), "中文");
    }
}
