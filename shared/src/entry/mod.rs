//! Flow 7: entry routing, first-entry onboarding and legacy business
//! (FAQ 5, 6, 8 and the part of 4.4 that gives an organization its roles;
//! `docs/design.md`, "Where a user stands at an entry").
//!
//! The service items ([`services`]) list the foreign-work system with its
//! two [`Entry`]s. At an entry, one answer ([`state::stand`]) says where the
//! user stands (`entry_state`) and what to do next, so a page has no rules
//! of its own:
//!
//! - **work-permit entry**, legal entity: its real-name verification (basic
//!   info and legal representative) must have passed; the first entry is a
//!   submission of the organization's information ([`onboarding`]), a
//!   review item of kind `onboarding`; approval gives the organization every
//!   role of the role catalogue ([`crate::grants::roles`]) and opens its
//!   business home ([`home`]); a rejection says why and takes a corrected
//!   submission.
//! - **work-permit entry**, natural person: a grant in force from an
//!   organization whose first entry was approved; with several, the person
//!   chooses; without, the answer says what the organization's
//!   administrator needs to authorize them.
//! - **R-visa entry**: natural persons only, the same first-entry pattern
//!   with the R-visa holder's information.
//!
//! Legacy business ([`legacy`]): the old system's records come in through
//! a bearer-token import; a record links to its owner automatically when
//! its USCC (an R-visa record: its document) equals an onboarded owner's
//! verified one, at the approval or at the import, in the same transaction,
//! audited. What does not link by itself is a legacy-data request
//! ([`requests`], a review item of kind `legacy_data`), whose reviewer
//! confirms the records to link; a record linked to another owner is never
//! moved without that review, and the reviewer sees it is.
//!
//! Files: `services`, `state` (the entries' answer and who may act),
//! `onboarding`, `home`, `legacy` (records, their import, automatic links),
//! `requests`, `review` (both kinds' [`crate::review::ReviewKindEffects`]),
//! `store` (every query on `onboardings`, `legacy_records` and
//! `legacy_data_requests`).

pub mod home;
pub mod legacy;
pub mod onboarding;
pub mod requests;
pub mod review;
pub mod services;
pub mod state;
pub mod store;

#[cfg(test)]
mod tests;

use crate::account::AccountKind;
use crate::error::{AppError, AppResult};
use crate::store::StoreError;

/// An entry of the foreign-work system (外国人来华工作管理服务系统).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Entry {
    /// 外国人来华工作许可办理业务入口.
    WorkPermit,
    /// 持R字签证信息更新系统入口.
    RVisa,
}

impl Entry {
    pub const ALL: [Entry; 2] = [Entry::WorkPermit, Entry::RVisa];

    /// `work_permit`, `r_visa` (the API's path segment).
    pub fn code(self) -> &'static str {
        match self {
            Entry::WorkPermit => "work_permit",
            Entry::RVisa => "r_visa",
        }
    }

    /// An entry named in a path; anything else is 404 `entry.not_found`.
    pub fn parse(s: &str) -> AppResult<Entry> {
        Entry::ALL.into_iter().find(|e| e.code() == s).ok_or_else(|| {
            AppError::new(
                "entry.not_found",
                404,
                "没有这个入口：外国人来华工作管理服务系统的入口是 work_permit（工作许可）和 r_visa（持R字签证信息更新）。",
                "There is no such entry: the foreign-work system's entries are work_permit and r_visa.",
            )
            .with_details(serde_json::json!({ "entries": Entry::ALL.map(Entry::code) }))
        })
    }

    pub fn from_db(s: &str) -> Result<Entry, StoreError> {
        Entry::ALL.into_iter().find(|e| e.code() == s).ok_or_else(|| StoreError::Other(format!("unknown entry {s:?}")))
    }

    /// (zh, en), as the glossary names them.
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            Entry::WorkPermit => ("外国人来华工作许可办理业务入口", "Work-permit entry"),
            Entry::RVisa => ("持R字签证信息更新系统入口", "R-visa info-update entry"),
        }
    }

    /// The entry's page.
    pub fn page(self) -> &'static str {
        match self {
            Entry::WorkPermit => "/entry/work-permit",
            Entry::RVisa => "/entry/r-visa",
        }
    }

    /// The business home's page for `owner` (an organization, or the R-visa person).
    pub fn home_page(self, owner: crate::ids::AccountId) -> String {
        format!("/entry/home?entry={}&organization={owner}", self.code())
    }

    /// Who may use it (zh, en).
    pub fn who(self) -> (&'static str, &'static str) {
        match self {
            Entry::WorkPermit => (
                "法人（单位用户），或经单位授权的自然人",
                "Legal entities (organizations), or natural persons an organization authorized",
            ),
            Entry::RVisa => ("持 R 字签证的外国人（自然人账号）", "Foreigners holding an R visa (natural-person accounts)"),
        }
    }

    /// What it needs before the business opens (zh, en).
    pub fn needs(self) -> (&'static str, &'static str) {
        match self {
            Entry::WorkPermit => (
                "法人：“我的信息”中的法人单位基本信息和法定代表人信息已通过实名认证，首次进入时提交单位信息并通过审核（约 1 个工作日）。自然人：已完成实名认证，并由已通过首次进入审核的单位在“用户授权管理”中授权。",
                "Legal entities: the organization's basic information and legal representative in “My info” passed real-name verification, and the organization's information submitted at the first entry was approved (about 1 working day). Natural persons: real-name verified, and authorized in grant management by an organization whose first entry was approved.",
            ),
            Entry::RVisa => (
                "“我的信息”中的自然人信息已通过实名认证，首次进入时提交持R字签证人员信息（护照、国籍、签证号码、工作单位）并通过审核（约 1 个工作日）。",
                "Your personal information in “My info” passed real-name verification, and the R-visa holder information submitted at the first entry (passport, nationality, visa number, employer) was approved (about 1 working day).",
            ),
        }
    }

    /// The account kinds that may use it.
    pub fn account_kinds(self) -> &'static [AccountKind] {
        match self {
            Entry::WorkPermit => &[AccountKind::LegalEntity, AccountKind::NaturalPerson],
            Entry::RVisa => &[AccountKind::NaturalPerson],
        }
    }
}
