//! Registration check of an organization (FAQ 1(2), 2): is its name or its
//! USCC already registered? Either exists -> ask colleagues or appeal;
//! neither -> register.

use super::guidance::{organization_available, organization_registered};
use crate::account::{org_name_registered, uscc_registered};
use crate::error::{AppError, AppResult};
use crate::guidance::Guidance;
use crate::i18n::Lang;
use crate::identity::{OrgName, Uscc};
use crate::store::Store;
use crate::validate::Form;
use serde_json::{Value, json};

#[derive(Debug, Clone, PartialEq)]
pub struct OrganizationCheck {
    pub org_name: Option<(OrgName, bool)>,
    pub uscc: Option<(Uscc, bool)>,
    pub guidance: Guidance,
}

impl OrganizationCheck {
    pub fn to_json(&self, lang: Lang) -> Value {
        json!({
            "org_name": self.org_name.as_ref().map(|(n, r)| json!({ "value": n.as_str(), "registered": r })),
            "uscc": self.uscc.as_ref().map(|(u, r)| json!({ "value": u.as_str(), "registered": r })),
            "guidance": self.guidance.to_json(lang),
        })
    }
}

/// Parses what was given (at least one of the two) and looks both up.
pub async fn check_organization<S: Store>(
    store: &S,
    org_name: Option<&str>,
    uscc: Option<&str>,
) -> AppResult<OrganizationCheck> {
    let org_name = org_name.filter(|s| !s.trim().is_empty());
    let uscc = uscc.filter(|s| !s.trim().is_empty());
    if org_name.is_none() && uscc.is_none() {
        return Err(AppError::new(
            "registration.organization_check_empty",
            400,
            "请填写法人单位名称或统一社会信用代码（至少一项）。",
            "Enter the organization name or the Unified Social Credit Code (at least one).",
        )
        .with_field("org_name"));
    }
    let mut form = Form::new();
    let name = org_name.and_then(|n| form.field(OrgName::parse(n)));
    let code = uscc.and_then(|u| form.field(Uscc::parse(u)));
    form.finish()?;
    let name_registered = match &name {
        Some(n) => org_name_registered(store, n).await?,
        None => false,
    };
    let code_registered = match &code {
        Some(c) => uscc_registered(store, c).await?,
        None => false,
    };
    let guidance = if name_registered || code_registered { organization_registered() } else { organization_available() };
    Ok(OrganizationCheck {
        org_name: name.map(|n| (n, name_registered)),
        uscc: code.map(|c| (c, code_registered)),
        guidance,
    })
}
