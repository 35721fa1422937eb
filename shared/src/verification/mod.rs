//! Flow 5: real-name verification (实名认证) and "my info" (我的信息),
//! FAQ 3.1-3.7.
//!
//! A natural person's "my info" is one part (`person`); a legal entity's is
//! three (`basic_info`, `authorization_info` with the main agent 主代办人,
//! `legal_representative`). Each part is verified on its own:
//!
//! 1. **Save** ([`MyInfo::save`]): the form's rules (`parts`), then the
//!    conflicts (a document or organization another account holds: FAQ 3.3,
//!    3.4, nothing changes), then the automatic check
//!    (`identity_service`): `passed`, `failed`, `check_unavailable` (no
//!    verdict: the upload is offered at once) or `manual_review_required`
//!    (the document cannot be checked online, or no service is configured:
//!    the built-in checker only checks formats and check characters). The
//!    check is an oracle for "does this name belong to this ID number": it
//!    is limited per account and per client (settings), audited, and the
//!    answer never says which field did not match.
//! 2. **Upload** ([`MyInfo::upload`]): after `failed`, `check_unavailable`,
//!    `manual_review_required` or `rejected`, the scans go to a review item
//!    of kind `verification`, due one working day later: `under_review`.
//! 3. **Review** (`review`): the reviewer sees the claim next to the scans
//!    and approves (`passed`) or rejects with a reason (`rejected`); an SMS
//!    tells the result either way.
//!
//! **The identity in force is never edited silently.** A part's current
//! verification is its newest; the identity in force is its newest passed
//! one (for a person and an organization, also kept on the account row:
//! `crate::account::set_verified_person`, `set_verified_organization`).
//! Saving a changed identity starts a new verification; the old identity
//! stays in force until the new one passes, and a rejection leaves it.
//!
//! Files: `parts` (forms, rules, document slots), `state` (the state
//! machine), `store` (every query on its tables), `identity_service` (the
//! protocol, the answers' mapping), `conflicts` (FAQ 3.3, 3.4), `view` (what
//! the owner sees), `mobile` (changing the reserved mobile), `review` (its
//! [`crate::review::ReviewKindEffects`]), `standing` (what other flows ask:
//! which parts passed, the verified organization and person), `spin_client`
//! (the outbound HTTP transport, feature `spin`).

pub mod conflicts;
pub mod identity_service;
pub mod mobile;
pub mod parts;
pub mod review;
#[cfg(feature = "spin")]
pub mod spin_client;
pub mod standing;
pub mod state;
pub mod store;
pub mod view;

#[cfg(test)]
mod tests;

use crate::account::Account;
use crate::audit::{self, Actor};
use crate::clock::{Clock, Timestamp};
use crate::error::{AppError, AppResult};
use crate::identity::{CivilDate, PersonName};
use crate::ids::AccountId;
use crate::random::Random;
use crate::rate_limit::{self, Limit};
use crate::review::{ReviewKind, Subject};
use crate::settings::{self, ClientLimit, Settings};
use crate::store::{Database, Transaction, in_transaction};
use crate::upload;
use crate::web::{MultipartForm, Request};
use identity_service::{CheckRequest, IdentityService, Verdict};
use parts::{Claim, Fields, Part, documents_for, fields_from_json, identity_of};
use serde_json::{Value, json};
use state::{Event, Outcome, State, transition};
use store::{NewVerification, Verification};

/// Automatic checks one client address may make per hour.
pub const CHECKS_PER_CLIENT: ClientLimit =
    ClientLimit { setting: &settings::VERIFICATION_CHECKS_PER_CLIENT, bucket: "verification.check.client", window_secs: 3600 };
/// Document uploads one client address may make per hour.
pub const UPLOADS_PER_CLIENT: ClientLimit =
    ClientLimit { setting: &settings::VERIFICATION_UPLOADS_PER_CLIENT, bucket: "verification.upload.client", window_secs: 3600 };

/// Automatic checks one account may make per 24 hours.
pub fn checks_per_account(settings: &Settings) -> Limit {
    Limit { bucket: "verification.check.account", max: settings.number(&settings::VERIFICATION_CHECKS_PER_ACCOUNT), window_secs: 86_400 }
}

/// Names that address an account or a record. "My info" is the session's
/// own: never an account id in a URL or a body, so another account's info
/// cannot be asked for. A request that names one gets 404, as a URL that
/// addresses nothing.
const ADDRESSING: [&str; 4] = ["account_id", "account", "id", "login_name"];

/// Refuses a request whose query names an account or record.
pub fn refuse_addressing(req: &Request) -> AppResult<()> {
    if ADDRESSING.iter().any(|n| req.query_param(n).is_some()) { Err(AppError::not_found()) } else { Ok(()) }
}

fn refuse_addressing_keys<'k>(mut keys: impl Iterator<Item = &'k str>) -> AppResult<()> {
    if keys.any(|k| ADDRESSING.contains(&k)) { Err(AppError::not_found()) } else { Ok(()) }
}

/// The part of the account's "my info" a path names; another kind's part
/// or anything else is a 404 that lists the account's parts.
pub fn part_of(account: &Account, code: &str) -> AppResult<Part> {
    let parts = Part::of_kind(account.kind);
    Part::parse(code).filter(|p| parts.contains(p)).ok_or_else(|| {
        let names: Vec<&str> = parts.iter().map(|p| p.code()).collect();
        AppError::new(
            "verification.part_not_found",
            404,
            format!("“我的信息”中没有这一部分；本账号的部分：{}。", names.join("、")),
            format!("“My info” has no such part; this account's parts are: {}.", names.join(", ")),
        )
        .with_details(json!({ "parts": names }))
    })
}

/// The organization's check needs its legal representative's name: the one
/// saved in the legal-representative part (FAQ 3.5: that part comes with
/// the basic info).
pub fn legal_representative_first() -> AppError {
    AppError::new(
        "verification.legal_representative_first",
        409,
        "请先填写并保存“法定代表人信息”（从“法定代表人信息 → 类型”开始）：法人单位基本信息的核验需要法定代表人姓名。",
        "Fill in and save “Legal representative” first (starting with “Legal representative → Type”): the organization is verified together with its legal representative's name.",
    )
    .with_field("legal_representative_type")
}

/// "My info" for one request: the store, clock and randomness, the
/// component's settings, the identity service (`None`: the built-in
/// checker) and the client address (limits, audit).
pub struct MyInfo<'a, D, I> {
    pub db: &'a D,
    pub clock: &'a dyn Clock,
    pub random: &'a dyn Random,
    pub settings: &'a Settings,
    pub service: Option<&'a I>,
    pub client: String,
    /// Who acts when it is not the account itself: a natural person
    /// holding the organization's `grant_admin` in force, completing the
    /// organization's info from "organizations that authorized me" (FAQ
    /// 7(1), [`crate::grants::mine`]). The part's history and the audit
    /// log name that person.
    pub acting_person: Option<AccountId>,
}

/// What a save does, decided from the new claim, the part's current
/// verification and the identity in force.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Plan {
    /// Nothing changed.
    Unchanged,
    /// Only details changed: the current verification keeps its state.
    Details,
    /// The identity in force, saved again: passed, no check.
    AdoptInForce,
    /// A new identity (or another try after failed / no verdict): check it.
    Check,
}

fn plan_save(part: Part, current: Option<&Verification>, in_force: Option<&Verification>, new: &Fields) -> Plan {
    let identity = identity_of(part, new);
    if let Some(c) = current
        && identity_of(part, &c.claim) == identity
    {
        if matches!(c.state, State::Failed | State::CheckUnavailable) {
            return Plan::Check;
        }
        return if &c.claim == new { Plan::Unchanged } else { Plan::Details };
    }
    if in_force.is_some_and(|f| identity_of(part, &f.claim) == identity) {
        return Plan::AdoptInForce;
    }
    Plan::Check
}

/// How a save's check went.
struct Checked {
    /// `person_2`, `person_3`, `enterprise_3`, `builtin`, `offline`.
    kind: &'static str,
    outcome: Outcome,
    /// What the audit log keeps of it (never the data itself).
    audit: Value,
}

impl<D: Database, I: IdentityService> MyInfo<'_, D, I> {
    /// Who acts on `account`'s info.
    fn actor(&self, account: &Account) -> Actor {
        Actor::Account(self.acting_person.unwrap_or(account.id))
    }

    /// `GET /api/my-info`.
    pub async fn view(&self, account: &Account) -> AppResult<Value> {
        view::my_info(self.db, self.clock, account, self.service.is_some()).await
    }

    /// `GET /api/my-info/{part}`: one part (an unknown part, or a number
    /// in its place, is a 404).
    pub async fn part(&self, account: &Account, part: &str) -> AppResult<Value> {
        view::part_view(self.db, self.clock, account, part_of(account, part)?).await
    }

    /// `PUT /api/my-info/{part}`: validates, refuses conflicts, runs the
    /// check, and answers the part as it now is.
    pub async fn save(&self, account: &Account, part: &str, body: &Value) -> AppResult<Value> {
        let part = part_of(account, part)?;
        let Value::Object(map) = body else {
            return Err(AppError::new(
                "request.invalid_json",
                400,
                "请求内容应为 JSON 对象。",
                "The request body must be a JSON object.",
            )
            .with_field("body"));
        };
        refuse_addressing_keys(map.keys().map(String::as_str))?;
        let today = CivilDate::today_in_china(self.clock);
        let claim = Claim::parse(part, &fields_from_json(part, map)?, today)?;
        let fields = claim.to_fields();
        let current = store::current(self.db, account.id, part).await?;
        if let Some(c) = &current {
            transition(c.state, Event::Saved(Outcome::CheckPassed), part.label())?;
        }
        conflicts::check(self.db, account.id, &claim).await?;
        let representative = match part {
            Part::BasicInfo => Some(self.legal_representative_name(account.id, today).await?),
            _ => None,
        };
        let in_force = store::in_force(self.db, account.id, part).await?;
        match plan_save(part, current.as_ref(), in_force.as_ref(), &fields) {
            Plan::Unchanged => {}
            Plan::Details => self.update_details(account, part, &fields).await?,
            Plan::AdoptInForce => {
                let checked = Checked { kind: "in_force", outcome: Outcome::IdentityInForce, audit: json!({}) };
                self.commit(account, &claim, &fields, checked).await?;
            }
            Plan::Check => {
                let checked = self.run_check(account.id, &claim, representative.as_ref()).await?;
                self.commit(account, &claim, &fields, checked).await?;
            }
        }
        view::part_view(self.db, self.clock, account, part).await
    }

    async fn legal_representative_name(&self, account: AccountId, today: CivilDate) -> AppResult<PersonName> {
        let rep = store::current(self.db, account, Part::LegalRepresentative).await?.ok_or_else(legal_representative_first)?;
        match Claim::parse(Part::LegalRepresentative, &rep.claim, today) {
            Ok(Claim::LegalRepresentative(r)) => Ok(r.name),
            _ => Err(legal_representative_first()),
        }
    }

    /// Counts one automatic check against the client's and the account's
    /// limits; `Some(retry_after)` when either is reached.
    async fn count_check(&self, account: AccountId) -> AppResult<Option<u64>> {
        let limits =
            [(CHECKS_PER_CLIENT.limit(self.settings), self.client.clone()), (checks_per_account(self.settings), account.to_string())];
        for (limit, subject) in limits {
            match rate_limit::hit(self.db, self.clock, limit, &subject).await {
                Ok(()) => {}
                Err(e) if e.status == 429 => {
                    let retry = e.details.as_ref().and_then(|d| d["retry_after_seconds"].as_u64()).unwrap_or(1);
                    return Ok(Some(retry));
                }
                Err(e) => return Err(e),
            }
        }
        Ok(None)
    }

    /// The automatic check: offline documents and the built-in checker give
    /// no verdict of their own; otherwise the service is asked, within the
    /// limits, and only a verified match passes.
    async fn run_check(&self, account: AccountId, claim: &Claim, representative: Option<&PersonName>) -> AppResult<Checked> {
        let Some((kind, subject)) = identity_service::plan(claim, representative) else {
            return Ok(Checked { kind: "offline", outcome: Outcome::NotCheckableOnline, audit: json!({ "verdict": "offline" }) });
        };
        let Some(service) = self.service else {
            return Ok(Checked { kind: "builtin", outcome: Outcome::FormatCheckedOnly, audit: json!({ "verdict": "builtin" }) });
        };
        if let Some(retry) = self.count_check(account).await? {
            return Ok(Checked {
                kind: kind.code(),
                outcome: Outcome::CheckLimitReached,
                audit: json!({ "verdict": "limit_reached", "retry_after_seconds": retry }),
            });
        }
        let request = CheckRequest { request_id: self.random.hex(16), kind, subject };
        let verdict = identity_service::ask(service, &request).await;
        let outcome = match verdict {
            Verdict::Match => Outcome::CheckPassed,
            Verdict::Mismatch | Verdict::NoRecord => Outcome::CheckFailed,
            Verdict::Unavailable(_) => Outcome::CheckUnavailable,
        };
        Ok(Checked { kind: kind.code(), outcome, audit: json!({ "verdict": verdict.code(), "request_id": request.request_id }) })
    }

    /// A new verification with its outcome, in one transaction that checks
    /// again what may have changed meanwhile (under review, conflicts); a
    /// pass puts the identity in force.
    async fn commit(&self, account: &Account, claim: &Claim, fields: &Fields, checked: Checked) -> AppResult<()> {
        let part = claim.part();
        let now = self.clock.now();
        in_transaction(self.db, async |tx| {
            let from = store::current(tx, account.id, part).await?.map_or(State::NotSubmitted, |c| c.state);
            let state = transition(from, Event::Saved(checked.outcome), part.label())?;
            conflicts::check(tx, account.id, claim).await?;
            let new =
                NewVerification { account_id: account.id, part, claim: fields, state, check_kind: checked.kind, check_result: checked.outcome };
            let id = store::insert(tx, &new, now).await?;
            let actor = self.actor(account);
            store::record(tx, (id, account.id, part), &actor, state, checked.outcome, now).await?;
            let mut detail = json!({ "part": part.code(), "check": checked.kind, "state": state.code(), "result": checked.outcome.code() });
            if let (Some(d), Value::Object(extra)) = (detail.as_object_mut(), checked.audit) {
                d.extend(extra);
            }
            audit::record(tx, self.clock, &actor, "verification.saved", Some(&id.audit_subject()), detail).await?;
            if state == State::Passed {
                put_in_force(tx, account.id, claim, now).await?;
            }
            Ok::<_, AppError>(())
        })
        .await
    }

    async fn update_details(&self, account: &Account, part: Part, fields: &Fields) -> AppResult<()> {
        let now = self.clock.now();
        in_transaction(self.db, async |tx| {
            let current = store::current(tx, account.id, part).await?.ok_or_else(AppError::internal)?;
            transition(current.state, Event::Saved(Outcome::CheckPassed), part.label())?;
            store::update_details(tx, current.id, fields, now).await?;
            let actor = self.actor(account);
            store::record(tx, (current.id, account.id, part), &actor, current.state, Outcome::DetailsUpdated, now).await?;
            audit::record(tx, self.clock, &actor, "verification.details_updated", Some(&current.id.audit_subject()), json!({ "part": part.code() }))
                .await?;
            Ok::<_, AppError>(())
        })
        .await
    }

    /// `POST /api/my-info/{part}/documents`: the scans for manual review.
    /// Refused before any file is decoded when the part does not take an
    /// upload now (not saved, passed, already under review).
    pub async fn upload(&self, account: &Account, part: &str, form: &MultipartForm) -> AppResult<Value> {
        let part = part_of(account, part)?;
        for name in ADDRESSING {
            if form.text(name)?.is_some() {
                return Err(AppError::not_found());
            }
        }
        let current = store::current(self.db, account.id, part).await?;
        let state = current.as_ref().map_or(State::NotSubmitted, |c| c.state);
        transition(state, Event::Uploaded, part.label())?;
        let Some(current) = current else { return Err(AppError::internal()) };
        let claim = stored_claim(&current, self.clock)?;
        let files = upload::validate_files(form, &documents_for(&claim))?;
        let now = self.clock.now();
        in_transaction(self.db, async |tx| {
            let latest = store::current(tx, account.id, part).await?.ok_or_else(AppError::internal)?;
            if latest.id != current.id {
                return Err(AppError::new(
                    "verification.changed",
                    409,
                    "这部分信息刚刚有变动，请刷新页面后重新上传。",
                    "This part changed a moment ago; reload the page and upload again.",
                ));
            }
            let target = submit_documents(tx, self.clock, (account.id, &self.actor(account)), &latest, &files, now).await?;
            audit::record(
                tx,
                self.clock,
                &self.actor(account),
                "verification.documents_submitted",
                Some(&target.audit_subject()),
                json!({ "part": part.code(), "files": files.len() }),
            )
            .await?;
            Ok::<_, AppError>(())
        })
        .await?;
        view::part_view(self.db, self.clock, account, part).await
    }
}

/// The scans of a verification and its review item, in the caller's
/// transaction: the verification goes under review. A resubmission after a
/// rejection is a verification of its own (its own documents and review),
/// with the same claim. `actor` is who acts: the account, or a person
/// acting for the organization (FAQ 7(1)).
async fn submit_documents<D: Database>(
    tx: &Transaction<'_, D>,
    clock: &dyn Clock,
    (account, actor): (AccountId, &Actor),
    v: &Verification,
    files: &[upload::ValidUpload],
    now: Timestamp,
) -> AppResult<crate::ids::VerificationId> {
    transition(v.state, Event::Uploaded, v.part.label())?;
    let target = if v.state == State::Rejected {
        let copy = NewVerification {
            account_id: account,
            part: v.part,
            claim: &v.claim,
            state: v.state,
            check_kind: &v.check_kind,
            check_result: v.check_result,
        };
        store::insert(tx, &copy, now).await?
    } else {
        v.id
    };
    let subject = Subject::Verification(target);
    for f in files {
        upload::store_upload(tx, clock, subject, f).await?;
    }
    let item = crate::review::submit(tx, clock, ReviewKind::Verification, subject).await?;
    let from = [State::Failed, State::CheckUnavailable, State::ManualReviewRequired, State::Rejected];
    if !store::move_state(tx, target, &from, State::UnderReview, Outcome::DocumentsSubmitted, Some(item.id), None, now).await? {
        return Err(state::already_under_review(v.part.label()));
    }
    store::record(tx, (target, account, v.part), actor, State::UnderReview, Outcome::DocumentsSubmitted, now).await?;
    Ok(target)
}

/// A passed claim becomes the identity in force on the account row where it
/// is the account's own (a person's, the organization's); the unique
/// indexes decide a race with another account.
pub(crate) async fn put_in_force<D: Database>(tx: &Transaction<'_, D>, account: AccountId, claim: &Claim, now: Timestamp) -> AppResult<()> {
    match claim {
        Claim::Person { name, document, .. } => {
            crate::account::set_verified_person(tx, account, name, document, now).await.map_err(conflicts::from_store)
        }
        Claim::BasicInfo { org_name, uscc, .. } => {
            crate::account::set_verified_organization(tx, account, org_name, uscc, now).await.map_err(conflicts::from_store)
        }
        Claim::AuthorizationInfo { .. } | Claim::LegalRepresentative(_) => Ok(()),
    }
}

/// Reads a part's stored claim again (what the review and the view use).
pub(crate) fn stored_claim(v: &Verification, clock: &dyn Clock) -> AppResult<Claim> {
    Claim::parse(v.part, &v.claim, CivilDate::today_in_china(clock))
        .map_err(|e| AppError::internal().with_cause(format!("verification {} claim: {}", v.id, e.code)))
}
