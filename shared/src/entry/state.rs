//! Where a user stands at an entry (`docs/design.md`): one answer with the
//! `entry_state`, what is missing, the due time or the reason, the
//! organizations to choose from, and the next action, so the entry page
//! renders it without rules of its own.
//!
//! - A legal entity at the work-permit entry, and a natural person at the
//!   R-visa entry, go through their own first entry: verification
//!   (`needs_verification`), then `needs_onboarding`,
//!   `onboarding_under_review` (with the due time), `onboarding_rejected`
//!   (with the reason) or `open` (their own business home).
//! - A natural person at the work-permit entry acts for organizations: the
//!   grants in force ([`crate::grants::Grant::in_force`]) from
//!   organizations whose first entry was approved. None: `needs_grant`,
//!   saying what the organization's administrator needs; then the person's
//!   own verification; several: `choose_organization`; one (or the one
//!   chosen with `?organization=`): `open`.
//! - A legal entity at the R-visa entry is refused (403) with where its
//!   own entry is; an organization the session may not see is refused
//!   (403) with the next step, never its data.

use super::Entry;
use super::onboarding;
use super::store::{self, Fields, Onboarding, Reviewed};
use crate::account::{self, Account, AccountKind};
use crate::clock::{Clock, Timestamp};
use crate::error::{AppError, AppResult};
use crate::grants::{self, Role};
use crate::ids::AccountId;
use crate::review;
use crate::store::Store;
use crate::verification::parts::Part;
use crate::verification::standing::{PartStanding, standing};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Where a user stands at an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryState {
    NeedsVerification,
    NeedsOnboarding,
    OnboardingUnderReview,
    OnboardingRejected,
    NeedsGrant,
    ChooseOrganization,
    Open,
}

impl EntryState {
    pub fn code(self) -> &'static str {
        match self {
            EntryState::NeedsVerification => "needs_verification",
            EntryState::NeedsOnboarding => "needs_onboarding",
            EntryState::OnboardingUnderReview => "onboarding_under_review",
            EntryState::OnboardingRejected => "onboarding_rejected",
            EntryState::NeedsGrant => "needs_grant",
            EntryState::ChooseOrganization => "choose_organization",
            EntryState::Open => "open",
        }
    }
}

/// What to do next: a page and its link text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Action {
    pub href: String,
    pub label_zh: &'static str,
    pub label_en: &'static str,
}

impl Action {
    fn new(href: impl Into<String>, label_zh: &'static str, label_en: &'static str) -> Action {
        Action { href: href.into(), label_zh, label_en }
    }

    pub fn to_json(&self) -> Value {
        json!({ "href": self.href, "label_zh": self.label_zh, "label_en": self.label_en })
    }
}

/// An organization a natural person may act for, with the roles in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgChoice {
    pub id: AccountId,
    pub name: String,
    pub roles: Vec<Role>,
}

impl OrgChoice {
    fn to_json(&self, entry: Entry) -> Value {
        json!({
            "id": self.id, "name": self.name,
            "roles": self.roles.iter().map(|r| r.to_json()).collect::<Vec<_>>(),
            "href": format!("{}?organization={}", entry.page(), self.id),
        })
    }
}

/// The one answer at an entry.
#[derive(Debug, Clone)]
pub struct Standing {
    pub entry: Entry,
    pub state: EntryState,
    /// The verification parts that have not passed (needs_verification).
    pub missing: Vec<PartStanding>,
    /// The current first-entry submission, if any.
    pub onboarding: Option<Onboarding>,
    /// When the waiting submission's review is due.
    pub due_at: Option<Timestamp>,
    /// What the first-entry form starts with (needs_onboarding: "my info";
    /// rejected: the submission to correct).
    pub prefill: Option<Fields>,
    /// The organizations to choose from (choose_organization).
    pub organizations: Vec<OrgChoice>,
    /// Grants in force from organizations whose first entry was not
    /// approved (needs_grant says so).
    pub not_onboarded: Vec<OrgChoice>,
    /// Whose business home opens (open): the organization or the person.
    pub owner: Option<(AccountId, String)>,
    /// The viewer's roles there (a legal entity: every role it holds).
    pub roles: Vec<Role>,
    pub next_action: Option<Action>,
    pub message: (String, String),
}

impl Standing {
    fn new(entry: Entry, state: EntryState, message: (String, String)) -> Standing {
        Standing {
            entry,
            state,
            missing: Vec::new(),
            onboarding: None,
            due_at: None,
            prefill: None,
            organizations: Vec::new(),
            not_onboarded: Vec::new(),
            owner: None,
            roles: Vec::new(),
            next_action: None,
            message,
        }
    }

    /// Whether the viewer may see the owner's granted persons and file a
    /// legacy-data request: the owner itself, or a grant administrator.
    pub fn administers(&self, viewer: AccountId) -> bool {
        self.owner.as_ref().is_some_and(|(owner, _)| *owner == viewer) || self.roles.contains(&Role::GrantAdmin)
    }

    pub fn to_json(&self) -> Value {
        let (label_zh, label_en) = self.entry.label();
        json!({
            "entry": self.entry.code(),
            "entry_label_zh": label_zh,
            "entry_label_en": label_en,
            "entry_state": self.state.code(),
            "message_zh": self.message.0,
            "message_en": self.message.1,
            "missing": self.missing.iter().map(PartStanding::to_json).collect::<Vec<_>>(),
            "onboarding": self.onboarding.as_ref().map(|o| json!({
                "id": o.id, "state": o.review.state.code(), "submitted_at": o.review.created_at.millis(),
                "decided_at": o.review.decided_at.map(Timestamp::millis), "form": o.form,
            })),
            "due_at": self.due_at.map(Timestamp::millis),
            "reason": self.onboarding.as_ref().filter(|o| o.review.state == Reviewed::Rejected).and_then(|o| o.review.reason.clone()),
            "form": (matches!(self.state, EntryState::NeedsOnboarding | EntryState::OnboardingRejected))
                .then(|| onboarding::form_json(self.entry, self.prefill.as_ref())),
            "organizations": self.organizations.iter().map(|o| o.to_json(self.entry)).collect::<Vec<_>>(),
            "not_onboarded": self.not_onboarded.iter().map(|o| json!({ "id": o.id, "name": o.name })).collect::<Vec<_>>(),
            "owner": self.owner.as_ref().map(|(id, name)| json!({ "id": id, "name": name })),
            "roles": self.roles.iter().map(|r| r.to_json()).collect::<Vec<_>>(),
            "home": self.owner.as_ref().map(|(id, _)| self.entry.home_page(*id)),
            "next_action": self.next_action.as_ref().map(Action::to_json),
        })
    }
}

/// An `organization` query parameter: an account id, else 404.
pub fn parse_organization(value: Option<&str>) -> AppResult<Option<AccountId>> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => AccountId::parse(v).map(Some).ok_or_else(|| {
            AppError::new("entry.organization_invalid", 404, "没有这个单位。", "There is no such organization.").with_field("organization")
        }),
    }
}

/// A legal entity at the R-visa entry: the entry is for individuals; its
/// own is the work-permit entry.
pub fn individuals_only() -> AppError {
    let (own_zh, own_en) = Entry::WorkPermit.label();
    AppError::new(
        "entry.r_visa_for_individuals",
        403,
        format!("持R字签证信息更新系统入口仅供持 R 字签证的外国人（自然人账号）使用。单位请从“{own_zh}”进入。"),
        format!("The R-visa info-update entry is for individuals holding an R visa (natural-person accounts). Organizations use the {own_en}."),
    )
    .with_details(json!({ "next_action": Action::new(Entry::WorkPermit.page(), own_zh, own_en).to_json() }))
}

/// An organization (or person) the session may not see: 403 with the next
/// step, nothing of its data.
pub fn not_permitted(entry: Entry) -> AppError {
    AppError::new(
        "entry.organization_not_permitted",
        403,
        "您无权进入该单位的业务。请从入口重新选择您已获授权的单位；如需为该单位办理业务，请联系该单位的授权管理员在“用户授权管理”中为您授权。",
        "You may not enter this organization's business. Choose, from the entry, an organization that authorized you; to act for this one, ask its grant administrator to authorize you in grant management.",
    )
    .with_field("organization")
    .with_details(json!({ "next_action": Action::new(entry.page(), entry.label().0, entry.label().1).to_json() }))
}

/// The verification parts an account needs at an entry.
fn parts_needed(kind: AccountKind) -> &'static [Part] {
    match kind {
        AccountKind::LegalEntity => &[Part::BasicInfo, Part::LegalRepresentative],
        AccountKind::NaturalPerson => &[Part::Person],
    }
}

fn display_name(a: &Account) -> String {
    match a.kind {
        AccountKind::LegalEntity => a.organization.as_ref().map(|o| o.name.as_str().to_owned()),
        AccountKind::NaturalPerson => a.real_name.clone(),
    }
    .unwrap_or_else(|| a.login_name.clone())
}

fn my_info() -> Action {
    Action::new("/my-info", "去“我的信息”完成实名认证", "Complete real-name verification in My info")
}

/// Where `account` stands at `entry`; `organization`: the one chosen.
pub async fn stand<S: Store>(store: &S, clock: &dyn Clock, account: &Account, entry: Entry, organization: Option<AccountId>) -> AppResult<Standing> {
    match (entry, account.kind) {
        (Entry::RVisa, AccountKind::LegalEntity) => Err(individuals_only()),
        (Entry::WorkPermit, AccountKind::NaturalPerson) => acting_for(store, clock, account, organization).await,
        _ => {
            if organization.is_some_and(|o| o != account.id) {
                return Err(not_permitted(entry));
            }
            own_first_entry(store, clock, account, entry).await
        }
    }
}

async fn missing_parts<S: Store>(store: &S, account: &Account) -> AppResult<Vec<PartStanding>> {
    Ok(standing(store, account.id, parts_needed(account.kind)).await?.into_iter().filter(|p| !p.passed).collect())
}

/// A legal entity at the work-permit entry, a person at the R-visa entry.
async fn own_first_entry<S: Store>(store: &S, clock: &dyn Clock, account: &Account, entry: Entry) -> AppResult<Standing> {
    let missing = missing_parts(store, account).await?;
    // The entry page shows the form under this anchor.
    let form_page = format!("{}#onboarding", entry.page());
    if !missing.is_empty() {
        let names: Vec<&str> = missing.iter().map(|p| p.part.label().0).collect();
        let names_en: Vec<&str> = missing.iter().map(|p| p.part.label().1).collect();
        let mut s = Standing::new(
            entry,
            EntryState::NeedsVerification,
            (
                format!("进入本入口前，“我的信息”中的{}须通过实名认证。", names.join("、")),
                format!("Before this entry, real-name verification of {} in My info must pass.", names_en.join(", ")),
            ),
        );
        s.missing = missing;
        s.next_action = Some(my_info());
        return Ok(s);
    }
    let current = store::current_onboarding(store, account.id, entry).await?;
    let mut s = match current.as_ref().map(|o| o.review.state) {
        None => {
            let mut s = Standing::new(
                entry,
                EntryState::NeedsOnboarding,
                ("首次进入，请填写并提交信息，审核通过后即可办理业务（约 1 个工作日）。".into(), "This is your first entry: submit the information below; once it is approved (about 1 working day) the business opens.".into()),
            );
            s.prefill = Some(onboarding::prefill(store, clock, account, entry).await?);
            s.next_action = Some(Action::new(form_page, "填写首次进入信息", "Fill in the first-entry information"));
            s
        }
        Some(Reviewed::UnderReview) => {
            let mut s = Standing::new(
                entry,
                EntryState::OnboardingUnderReview,
                ("首次进入信息审核中，审核结果将以短信通知。".into(), "Your first-entry information is under review; the result comes by SMS.".into()),
            );
            if let Some(item) = current.as_ref().and_then(|o| o.review.review_item_id) {
                s.due_at = review::get(store, item).await?.map(|i| i.due_at);
            }
            s
        }
        Some(Reviewed::Rejected) => {
            let mut s = Standing::new(
                entry,
                EntryState::OnboardingRejected,
                ("首次进入信息未通过审核，请按原因修改后重新提交。".into(), "Your first-entry information was rejected; correct it as the reason says and submit it again.".into()),
            );
            s.prefill = current.as_ref().map(|o| o.form.clone());
            s.next_action = Some(Action::new(form_page, "修改并重新提交", "Correct and submit again"));
            s
        }
        Some(Reviewed::Approved) => {
            let mut s = Standing::new(entry, EntryState::Open, ("已可办理业务。".into(), "The business is open.".into()));
            s.owner = Some((account.id, display_name(account)));
            s.roles = match account.kind {
                AccountKind::LegalEntity => grants::organization_roles(store, account.id).await?,
                AccountKind::NaturalPerson => Vec::new(),
            };
            s.next_action = Some(Action::new(entry.home_page(account.id), "进入业务首页", "Open the business home"));
            s
        }
    };
    s.onboarding = current;
    Ok(s)
}

/// A natural person at the work-permit entry: the organizations it acts for.
async fn acting_for<S: Store>(store: &S, clock: &dyn Clock, account: &Account, organization: Option<AccountId>) -> AppResult<Standing> {
    let entry = Entry::WorkPermit;
    let now = clock.now();
    let mut by_org: BTreeMap<AccountId, Vec<Role>> = BTreeMap::new();
    for g in grants::of_person(store, account.id).await? {
        if g.in_force(now) {
            by_org.entry(g.organization_id).or_default().extend(g.roles.iter().copied());
        }
    }
    let (mut choices, mut not_onboarded) = (Vec::new(), Vec::new());
    for (org, mut roles) in by_org {
        roles.sort();
        roles.dedup();
        let Some(org_account) = account::find_by_id(store, org).await? else { continue };
        let choice = OrgChoice { id: org, name: display_name(&org_account), roles };
        if store::onboarded(store, org, entry).await? {
            choices.push(choice);
        } else {
            not_onboarded.push(choice);
        }
    }
    let missing = missing_parts(store, account).await?;
    if choices.is_empty() {
        if organization.is_some() {
            return Err(not_permitted(entry));
        }
        let (zh, en) = if not_onboarded.is_empty() {
            (
                "您还没有获得任何单位的授权。请联系单位的授权管理员，在“用户授权管理”中为您授予“办理业务”角色；授权时需要您的真实姓名，并且您须已在“我的信息”中通过实名认证。".to_owned(),
                "No organization has authorized you yet. Ask your organization's grant administrator to give you the “Handle business” role in grant management; they need your real name, and you must have passed real-name verification in My info.".to_owned(),
            )
        } else {
            let names: Vec<&str> = not_onboarded.iter().map(|o| o.name.as_str()).collect();
            (
                format!("为您授权的单位（{}）尚未完成外国人来华工作许可办理业务入口的首次进入审核，暂不能为其办理业务。请联系该单位先完成首次进入；或联系其他已完成首次进入的单位的授权管理员为您授权（需要您的真实姓名，并且您须已通过实名认证）。", names.join("、")),
                format!("The organization that authorized you ({}) has not completed its first entry at the work-permit entry, so you cannot act for it yet. Ask it to complete its first entry, or ask the grant administrator of an organization that has to authorize you (they need your real name, and you must be verified).", names.join(", ")),
            )
        };
        let mut s = Standing::new(entry, EntryState::NeedsGrant, (zh, en));
        s.missing = missing;
        s.not_onboarded = not_onboarded;
        s.next_action = Some(if s.missing.is_empty() {
            Action::new("/services", "查看服务事项与授权要求", "See the service items and what a grant needs")
        } else {
            my_info()
        });
        return Ok(s);
    }
    if !missing.is_empty() {
        let mut s = Standing::new(
            entry,
            EntryState::NeedsVerification,
            ("您已获单位授权；进入前，“我的信息”中的自然人信息须通过实名认证。".into(), "An organization authorized you; before entering, your personal information in My info must pass real-name verification.".into()),
        );
        s.missing = missing;
        s.organizations = choices;
        s.next_action = Some(my_info());
        return Ok(s);
    }
    let chosen = match organization {
        Some(o) => Some(choices.iter().find(|c| c.id == o).cloned().ok_or_else(|| not_permitted(entry))?),
        None if choices.len() == 1 => choices.first().cloned(),
        None => None,
    };
    match chosen {
        Some(c) => {
            let mut s = Standing::new(
                entry,
                EntryState::Open,
                (format!("您正以“{}”的授权人员身份办理业务。", c.name), format!("You are acting for {} as an authorized person.", c.name)),
            );
            s.owner = Some((c.id, c.name.clone()));
            s.roles = c.roles.clone();
            s.next_action = Some(Action::new(entry.home_page(c.id), "进入业务首页", "Open the business home"));
            s.organizations = choices;
            Ok(s)
        }
        None => {
            let mut s = Standing::new(
                entry,
                EntryState::ChooseOrganization,
                ("您获得了多个单位的授权，请选择要办理业务的单位。".into(), "Several organizations authorized you; choose the one to act for.".into()),
            );
            s.organizations = choices;
            Ok(s)
        }
    }
}
