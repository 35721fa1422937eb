//! Accounts: the two kinds (DESIGN.md "Who uses it"), how they are found by
//! login name (their own, or a legacy alias), and how they are shown.

use crate::error::{AppError, AppResult};
use crate::identity::normalize_input;
use crate::store::{Row, Store, StoreError};
use serde_json::{Value, json};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountKind {
    LegalEntity,
    NaturalPerson,
}

impl AccountKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AccountKind::LegalEntity => "legal_entity",
            AccountKind::NaturalPerson => "natural_person",
        }
    }

    pub fn from_db(s: &str) -> Result<AccountKind, StoreError> {
        match s {
            "legal_entity" => Ok(AccountKind::LegalEntity),
            "natural_person" => Ok(AccountKind::NaturalPerson),
            other => Err(StoreError::Other(format!("unknown account kind {other:?}"))),
        }
    }

    /// The account type a user picks at login (`account_type`).
    pub fn parse(input: Option<&str>) -> AppResult<AccountKind> {
        match input.map(str::trim) {
            Some("legal_entity") => Ok(AccountKind::LegalEntity),
            Some("natural_person") => Ok(AccountKind::NaturalPerson),
            _ => Err(AppError::new(
                "auth.account_type_required",
                400,
                "请选择登录类型：法人登录（单位用户）或自然人登录。",
                "Choose the login type: legal-entity login (organizations) or natural-person login.",
            )
            .with_field("account_type")),
        }
    }

    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            AccountKind::LegalEntity => ("法人（单位用户）", "legal entity (organization)"),
            AccountKind::NaturalPerson => ("自然人", "natural person"),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Account {
    pub id: i64,
    pub kind: AccountKind,
    pub login_name: String,
    pub password_hash: Option<String>,
    pub reserved_mobile: Option<String>,
    pub org_name: Option<String>,
    pub uscc: Option<String>,
    pub real_name: Option<String>,
    pub document_type: Option<String>,
    pub document_number: Option<String>,
    pub legacy_old_name: Option<String>,
    pub converted_from_legacy: bool,
    pub failed_logins: i64,
    pub last_failed_login_at: Option<i64>,
    pub password_disabled: bool,
}

const COLUMNS: &str = "a.id, a.kind, a.login_name, a.password_hash, a.reserved_mobile, a.org_name, a.uscc, \
    a.real_name, a.document_type, a.document_number, a.legacy_old_name, a.converted_from_legacy, \
    a.failed_logins, a.last_failed_login_at, a.password_disabled";

impl Account {
    fn from_row(r: Row<'_>) -> Result<Account, StoreError> {
        let opt = |c: &str| r.opt_text(c).map(|v| v.map(str::to_owned));
        Ok(Account {
            id: r.int("id")?,
            kind: AccountKind::from_db(r.text("kind")?)?,
            login_name: r.text("login_name")?.to_owned(),
            password_hash: opt("password_hash")?,
            reserved_mobile: opt("reserved_mobile")?,
            org_name: opt("org_name")?,
            uscc: opt("uscc")?,
            real_name: opt("real_name")?,
            document_type: opt("document_type")?,
            document_number: opt("document_number")?,
            legacy_old_name: opt("legacy_old_name")?,
            converted_from_legacy: r.int("converted_from_legacy")? != 0,
            failed_logins: r.int("failed_logins")?,
            last_failed_login_at: r.opt_int("last_failed_login_at")?,
            password_disabled: r.int("password_disabled")? != 0,
        })
    }

    /// What the account's owner (and the UI) sees: never the hash, the
    /// mobile only masked, the document number only masked.
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "kind": self.kind.as_str(),
            "login_name": self.login_name,
            "org_name": self.org_name,
            "uscc": self.uscc,
            "real_name": self.real_name,
            "document_type": self.document_type,
            "document_masked": self.document_number.as_deref().map(mask_middle),
            "mobile_masked": self.reserved_mobile.as_deref().map(mask_mobile),
            "legacy_old_name": self.legacy_old_name,
        })
    }
}

/// 138****1234 for mainland numbers; keeps the country code and the last 4
/// digits of others.
pub fn mask_mobile(m: &str) -> String {
    match crate::identity::Mobile::parse(m) {
        Ok(mobile) => mobile.masked(),
        Err(_) => mask_middle(m),
    }
}

fn mask_middle(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() <= 4 {
        return "*".repeat(chars.len());
    }
    let keep_start = if chars.len() > 8 { 3 } else { 1 };
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| if i < keep_start || i + 4 >= chars.len() { *c } else { '*' })
        .collect()
}

/// The key a typed login name is looked up by: full width folded, trimmed,
/// ASCII case folded. Lenient on purpose: legacy old names predate today's
/// login-name format.
pub fn login_key(typed: &str) -> String {
    normalize_input(typed).to_ascii_lowercase()
}

pub async fn find_by_login<S: Store>(store: &S, key: &str) -> Result<Option<Account>, StoreError> {
    let rows = store
        .execute(
            &format!(
                "SELECT {COLUMNS} FROM accounts a WHERE a.login_name_key = ?1
                 UNION ALL
                 SELECT {COLUMNS} FROM login_name_aliases l JOIN accounts a ON a.id = l.account_id WHERE l.alias_key = ?1
                 LIMIT 1"
            ),
            &[key.into()],
        )
        .await?;
    rows.first().map(Account::from_row).transpose()
}

pub async fn find_by_id<S: Store>(store: &S, id: i64) -> Result<Option<Account>, StoreError> {
    let rows = store.execute(&format!("SELECT {COLUMNS} FROM accounts a WHERE a.id = ?"), &[id.into()]).await?;
    rows.first().map(Account::from_row).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks() {
        assert_eq!(mask_mobile("13812341234"), "138****1234");
        assert_eq!(mask_middle("110105194912310021"), "110***********0021");
        assert_eq!(mask_middle("E1234567"), "E***4567");
        assert_eq!(mask_middle("abc"), "***");
    }

    #[test]
    fn login_key_is_lenient_and_case_folded() {
        assert_eq!(login_key("  ＷＰAbc "), "wpabc");
        assert_eq!(login_key("ab"), "ab");
    }

    #[test]
    fn account_type_is_required() {
        assert_eq!(AccountKind::parse(Some("natural_person")).unwrap(), AccountKind::NaturalPerson);
        let e = AccountKind::parse(None).unwrap_err();
        assert_eq!((e.code, e.field.as_deref()), ("auth.account_type_required", Some("account_type")));
        assert!(AccountKind::parse(Some("admin")).is_err());
    }
}
