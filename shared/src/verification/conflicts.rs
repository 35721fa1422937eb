//! A claim may not take what another account holds (FAQ 3.3, 3.4): a
//! document bound to another natural-person account, or an organization
//! name or USCC of another legal entity. The answer says so in plain words
//! and leads to the appeal that recovers that account; nothing changes.

use super::parts::Claim;
use crate::account::{self, OrganizationConflict};
use crate::error::{AppError, AppResult};
use crate::ids::AccountId;
use crate::registration::guidance;
use crate::store::{Store, StoreError};

/// Refuses a claim that names another account's document or organization.
pub async fn check<S: Store>(store: &S, me: AccountId, claim: &Claim) -> AppResult<()> {
    match claim {
        Claim::Person { document, .. } if account::document_held_elsewhere(store, document, me).await? => Err(document_taken()),
        Claim::BasicInfo { org_name, uscc, .. } => match account::organization_held_elsewhere(store, org_name, uscc, me).await? {
            Some(OrganizationConflict::Uscc) => Err(uscc_taken()),
            Some(OrganizationConflict::OrgName) => Err(org_name_taken()),
            None => Ok(()),
        },
        _ => Ok(()),
    }
}

/// A unique index on `accounts` caught what [`check`] could not see yet
/// (another account took the document or organization meanwhile).
pub fn from_store(e: StoreError) -> AppError {
    if e.is_unique_on("accounts.document_number") || e.is_unique_on("accounts.document_type") {
        document_taken()
    } else if e.is_unique_on("accounts.uscc") {
        uscc_taken()
    } else if e.is_unique_on("accounts.org_name_key") {
        org_name_taken()
    } else {
        e.into()
    }
}

/// FAQ 3.3: 证件号码已存在.
pub fn document_taken() -> AppError {
    AppError::new(
        "verification.document_taken",
        409,
        "该证件号码已存在：它已绑定本平台的另一个自然人账号，不能再用于本账号。这说明您在本平台已有自然人账号；请通过“自然人用户申诉找回密码”找回绑定了该证件的账号。本账号的信息没有改变。",
        "This document number already exists: it is bound to another natural-person account here and cannot be used for this one. You already have a natural-person account; recover it with a natural-person recovery appeal. Nothing on this account was changed.",
    )
    .with_field("document_number")
    .with_guidance(guidance::document_bound())
}

/// FAQ 3.4: 单位名称已存在.
pub fn org_name_taken() -> AppError {
    AppError::new(
        "verification.org_name_taken",
        409,
        "该单位名称已存在：本平台已有使用该单位名称的法人账号。请询问单位同事，或通过“单位法人申诉找回密码”找回该法人账号。本账号的信息没有改变。",
        "This organization name already exists: another legal-entity account here holds it. Ask your colleagues, or recover that account with a legal-entity recovery appeal. Nothing on this account was changed.",
    )
    .with_field("org_name")
    .with_guidance(guidance::organization_registered())
}

/// FAQ 3.4: 统一社会信用代码已存在.
pub fn uscc_taken() -> AppError {
    AppError::new(
        "verification.uscc_taken",
        409,
        "该统一社会信用代码已存在：本平台已有使用该代码的法人账号。请询问单位同事，或通过“单位法人申诉找回密码”找回该法人账号。本账号的信息没有改变。",
        "This Unified Social Credit Code already exists: another legal-entity account here holds it. Ask your colleagues, or recover that account with a legal-entity recovery appeal. Nothing on this account was changed.",
    )
    .with_field("uscc")
    .with_guidance(guidance::organization_registered())
}
