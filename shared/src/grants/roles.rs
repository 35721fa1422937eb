//! The role catalogue of the foreign-work system (外国人来华工作管理服务系统),
//! defined once: the entry (who may act at the work-permit entry), the
//! grant pages and the checks read it from here. Each role has its code
//! (stored in `grants.role` and `organization_roles.role`), its name in
//! both languages and what it allows.

use crate::store::StoreError;
use serde_json::{Value, json};

/// A role in an organization's foreign-work business.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// 办理业务: handles the organization's work-permit business.
    Business,
    /// 授权管理员: authorizes natural persons for the organization, with the
    /// roles it holds itself (FAQ 4.1).
    GrantAdmin,
}

impl Role {
    /// Every role, in the order the pages list them. An organization whose
    /// first entry was approved holds all of them (the legal entity).
    pub const ALL: [Role; 2] = [Role::Business, Role::GrantAdmin];

    pub fn code(self) -> &'static str {
        match self {
            Role::Business => "business",
            Role::GrantAdmin => "grant_admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == s)
    }

    /// A stored role; anything else is a corrupt row.
    pub fn from_db(s: &str) -> Result<Role, StoreError> {
        Role::parse(s).ok_or_else(|| StoreError::Other(format!("unknown role {s:?}")))
    }

    /// (zh, en), as the glossary names them.
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            Role::Business => ("办理业务", "Handle business"),
            Role::GrantAdmin => ("授权管理员", "Grant administrator"),
        }
    }

    /// What the role allows (zh, en).
    pub fn allows(self) -> (&'static str, &'static str) {
        match self {
            Role::Business => (
                "通过外国人来华工作许可办理业务入口进入本单位的业务，查看和办理本单位的外国人来华工作许可业务。",
                "Enter the organization's business at the work-permit entry, and see and handle its work-permit business.",
            ),
            Role::GrantAdmin => (
                "在“用户授权管理”中为本单位的自然人授权（只能授予自己拥有的角色），查看本单位的授权人员，申请关联本单位的历史业务数据。",
                "Authorize natural persons for the organization in grant management (only with roles it holds itself), see who may act for it, and request the association of its legacy business data.",
            ),
        }
    }

    pub fn to_json(self) -> Value {
        let ((name_zh, name_en), (allows_zh, allows_en)) = (self.label(), self.allows());
        json!({ "code": self.code(), "label_zh": name_zh, "label_en": name_en, "allows_zh": allows_zh, "allows_en": allows_en })
    }
}

/// The catalogue as the API shows it.
pub fn catalogue_json() -> Value {
    Value::Array(Role::ALL.iter().map(|r| r.to_json()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_round_trips_and_says_what_it_allows() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.code()), Some(r));
            assert_eq!(Role::from_db(r.code()).unwrap(), r);
            let (zh, en) = r.label();
            let (azh, aen) = r.allows();
            assert!(!zh.is_empty() && !en.is_empty() && !azh.is_empty() && !aen.is_empty());
        }
        assert_eq!(Role::Business.code(), "business");
        assert_eq!(Role::GrantAdmin.code(), "grant_admin");
        assert_eq!(Role::parse("foreign_work"), None, "the old system's name is migrated to `business`");
        assert!(Role::from_db("admin").is_err());
        assert_eq!(catalogue_json()[1]["label_zh"], "授权管理员");
    }
}
