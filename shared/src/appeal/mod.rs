//! Flow 4: recovery appeals (申诉找回; FAQ 1(2), 2, 3.3, 3.4).
//!
//! Someone who lost an account (forgot the login name, no reserved mobile,
//! a document or organization bound to an account they cannot reach) files
//! an appeal: who they are, a new mobile verified by SMS code, and scans.
//! The appeal gets a number; anyone holding the number and the new mobile
//! can follow its status. A reviewer approves (the reserved mobile becomes
//! the new one, sessions are revoked, an SMS brings the login name and a
//! one-time set-password code valid 24 hours) or rejects with a reason (an
//! SMS says why).

use crate::account::{AccountKind, find_by_id};
use crate::audit::{self, Actor};
use crate::auth::revoke_all_for;
use crate::clock::{Clock, Timestamp};
use crate::error::{AppError, AppResult};
use crate::guidance::Guidance;
use crate::identity::{CivilDate, Document, DocumentType, Mobile, OrgName, PersonName, Uscc};
use crate::random::Random;
use crate::registration::persistence::{OrganizationConflict, document_holder, organization_holder};
use crate::review::{self, ReviewKind};
use crate::sms::{self, Purpose, Template};
use crate::store::{Store, StoreError, finish};
use crate::upload::{self, ValidUpload};
use crate::validate::Form;
use serde_json::{Value, json};

/// The files each kind of appeal takes (multipart field names).
pub const LEGAL_ENTITY_FILES: &[&str] = &["id_front", "id_back", "business_licence"];
pub const LEGAL_ENTITY_REQUIRED: &[&str] = &["id_front", "id_back"];
pub const NATURAL_PERSON_FILES: &[&str] = &["document_front", "document_back"];
pub const NATURAL_PERSON_REQUIRED: &[&str] = &["document_front", "document_back"];

/// The text fields of an appeal, as submitted (from a multipart form).
#[derive(Debug, Clone, Default)]
pub struct AppealFields {
    pub kind: String,
    pub org_name: String,
    pub uscc: String,
    pub legal_representative_name: String,
    pub applicant_name: String,
    pub applicant_document_type: String,
    pub applicant_document_number: String,
    pub applicant_nationality: Option<String>,
    pub real_name: String,
    pub document_type: String,
    pub document_number: String,
    pub nationality: Option<String>,
    pub new_mobile: String,
    pub sms_code: String,
}

impl AppealFields {
    /// Reads the fields by name (`get` returns a text field's value).
    pub fn from_fields(mut get: impl FnMut(&str) -> Option<String>) -> AppealFields {
        const NAMES: [&str; 14] = [
            "kind", "org_name", "uscc", "legal_representative_name", "applicant_name", "applicant_document_type",
            "applicant_document_number", "applicant_nationality", "real_name", "document_type", "document_number",
            "nationality", "new_mobile", "sms_code",
        ];
        let values: std::collections::HashMap<&str, String> =
            NAMES.iter().filter_map(|n| get(n).map(|v| (*n, v))).collect();
        let f = |n: &str| values.get(n).cloned().unwrap_or_default();
        let opt = |n: &str| values.get(n).filter(|v| !v.trim().is_empty()).cloned();
        AppealFields {
            kind: f("kind"),
            org_name: f("org_name"),
            uscc: f("uscc"),
            legal_representative_name: f("legal_representative_name"),
            applicant_name: f("applicant_name"),
            applicant_document_type: f("applicant_document_type"),
            applicant_document_number: f("applicant_document_number"),
            applicant_nationality: opt("applicant_nationality"),
            real_name: f("real_name"),
            document_type: f("document_type"),
            document_number: f("document_number"),
            nationality: opt("nationality"),
            new_mobile: f("new_mobile"),
            sms_code: f("sms_code"),
        }
    }
}

pub fn parse_kind(kind: &str) -> AppResult<AccountKind> {
    match kind.trim() {
        "legal_entity" => Ok(AccountKind::LegalEntity),
        "natural_person" => Ok(AccountKind::NaturalPerson),
        _ => Err(AppError::new(
            "appeal.kind_required",
            400,
            "请选择申诉类型：单位法人申诉找回或自然人申诉找回。",
            "Choose the appeal type: legal-entity or natural-person recovery appeal.",
        )
        .with_field("kind")),
    }
}

/// The files allowed and required for a kind of appeal.
pub fn files_for(kind: AccountKind) -> (&'static [&'static str], &'static [&'static str]) {
    match kind {
        AccountKind::LegalEntity => (LEGAL_ENTITY_FILES, LEGAL_ENTITY_REQUIRED),
        AccountKind::NaturalPerson => (NATURAL_PERSON_FILES, NATURAL_PERSON_REQUIRED),
    }
}

/// An appeal's fields once validated, with the account it targets. Check
/// these (cheap) before the uploads (expensive to decode).
pub struct Validated {
    kind: AccountKind,
    account_id: i64,
    new_mobile: Mobile,
    record: Value,
}

impl Validated {
    pub fn kind(&self) -> AccountKind {
        self.kind
    }
}

fn field<T>(form: &mut Form, r: AppResult<T>, name: &str) -> Option<T> {
    form.field(r.map_err(|e| if e.field.is_some() { e.with_field(name) } else { e }))
}

pub async fn validate<S: Store>(store: &S, clock: &dyn Clock, f: &AppealFields) -> AppResult<Validated> {
    let kind = parse_kind(&f.kind)?;
    let today = CivilDate::today_in_china(clock);
    let mut form = Form::new();
    let new_mobile = field(&mut form, Mobile::parse(&f.new_mobile), "new_mobile");
    if f.sms_code.trim().is_empty() {
        form.check(Err(AppError::new("sms.code_required", 400, "请填写短信验证码。", "Please enter the SMS code.").with_field("sms_code")));
    }
    match kind {
        AccountKind::LegalEntity => {
            let org_name = form.field(OrgName::parse(&f.org_name));
            let uscc = form.field(Uscc::parse(&f.uscc));
            let rep = field(&mut form, PersonName::parse(&f.legal_representative_name), "legal_representative_name");
            let applicant = field(&mut form, PersonName::parse(&f.applicant_name), "applicant_name");
            let doc = field(&mut form, DocumentType::parse(&f.applicant_document_type), "applicant_document_type").and_then(|t| {
                field(
                    &mut form,
                    Document::parse(t, &f.applicant_document_number, f.applicant_nationality.as_deref(), today),
                    "applicant_document_number",
                )
            });
            form.finish()?;
            let (Some(org_name), Some(uscc), Some(rep), Some(applicant), Some(doc), Some(new_mobile)) =
                (org_name, uscc, rep, applicant, doc, new_mobile)
            else {
                return Err(AppError::internal());
            };
            let account_id = match organization_holder(store, &org_name, &uscc).await? {
                Some((id, AccountKind::LegalEntity, OrganizationConflict::Uscc)) => id,
                // The name is registered, under another USCC: the appeal must
                // name the organization by its code, so say which to check.
                Some((_, _, OrganizationConflict::OrgName)) => {
                    return Err(AppError::new(
                        "appeal.uscc_mismatch",
                        400,
                        "该单位名称已注册，但统一社会信用代码与之不符，请核对统一社会信用代码（以营业执照为准）。",
                        "This organization name is registered, but under another Unified Social Credit Code: check the code (as on the business licence).",
                    )
                    .with_field("uscc"));
                }
                _ => return Err(no_account(kind)),
            };
            Ok(Validated {
                kind,
                account_id,
                new_mobile,
                record: json!({
                    "org_name": org_name.as_str(), "uscc": uscc.as_str(),
                    "legal_representative_name": rep.as_str(), "applicant_name": applicant.as_str(),
                    "applicant_document_type": doc.doc_type().code(), "applicant_document_number": doc.number(),
                    "applicant_document_masked": doc.masked(),
                }),
            })
        }
        AccountKind::NaturalPerson => {
            let name = field(&mut form, PersonName::parse(&f.real_name), "real_name");
            let doc = form
                .field(DocumentType::parse(&f.document_type))
                .and_then(|t| form.field(Document::parse(t, &f.document_number, f.nationality.as_deref(), today)));
            form.finish()?;
            let (Some(name), Some(doc), Some(new_mobile)) = (name, doc, new_mobile) else {
                return Err(AppError::internal());
            };
            let Some((account_id, AccountKind::NaturalPerson)) = document_holder(store, &doc).await? else {
                return Err(no_account(kind));
            };
            Ok(Validated {
                kind,
                account_id,
                new_mobile,
                record: json!({
                    "real_name": name.as_str(), "document_type": doc.doc_type().code(),
                    "document_number": doc.number(), "document_masked": doc.masked(),
                }),
            })
        }
    }
}

/// The org or document matches no account: there is nothing to recover,
/// so register instead (refused at once, nothing stored).
fn no_account(kind: AccountKind) -> AppError {
    let (zh, en, href, field) = match kind {
        AccountKind::LegalEntity => (
            "本平台没有使用该单位名称或统一社会信用代码的法人账号，无需申诉，请直接注册单位用户（法人）。",
            "No legal-entity account here has this organization name or USCC: there is nothing to recover. Register the organization instead.",
            "/register/legal-entity",
            "uscc",
        ),
        AccountKind::NaturalPerson => (
            "本平台没有绑定该证件的自然人账号，无需申诉，请直接注册自然人用户。",
            "No natural-person account here is bound to this document: there is nothing to recover. Register instead.",
            "/register/natural-person",
            "document_number",
        ),
    };
    AppError::new("appeal.no_matching_account", 404, zh, en).with_field(field).with_guidance(
        Guidance::new("appeal.register_instead", "请先注册。", "Please register.").action(href, "去注册", "Register"),
    )
}

/// What the appellant is told after filing.
#[derive(Debug, Clone, PartialEq)]
pub struct Filed {
    pub number: String,
    pub due_at: Timestamp,
}

/// Files a validated appeal: the new mobile's SMS code, the appeal, its
/// scans and its review item, in one transaction.
pub async fn file<S: Store>(
    store: &S,
    clock: &dyn Clock,
    random: &dyn Random,
    client: &str,
    v: &Validated,
    sms_code: &str,
    files: Vec<ValidUpload>,
) -> AppResult<Filed> {
    sms::begin_with_code(store, clock, Purpose::Appeal, &v.new_mobile, sms_code).await?;
    let result = insert(store, clock, random, client, v, &files).await;
    finish(store, result).await
}

async fn insert<S: Store>(
    store: &S,
    clock: &dyn Clock,
    random: &dyn Random,
    client: &str,
    v: &Validated,
    files: &[ValidUpload],
) -> AppResult<Filed> {
    let open = store
        .execute(
            "SELECT 1 FROM appeals a JOIN review_items r ON r.id = a.review_item_id WHERE a.account_id = ? AND r.state = 'open'",
            &[v.account_id.into()],
        )
        .await?;
    if !open.is_empty() {
        return Err(AppError::new(
            "appeal.already_open",
            409,
            "该账号已有一份申诉正在审核，请用申诉编号和新手机号查询进度，无需重复提交。",
            "An appeal for this account is already under review; follow it with its number and the new mobile instead of filing again.",
        ));
    }
    let now = clock.now();
    let number = appeal_number(now, random);
    let rows = store
        .execute(
            "INSERT INTO appeals (number, kind, account_id, new_mobile, form, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
            &[
                number.clone().into(),
                v.kind.as_str().into(),
                v.account_id.into(),
                v.new_mobile.as_str().into(),
                v.record.to_string().into(),
                now.millis().into(),
            ],
        )
        .await?;
    let id = rows.first().ok_or_else(AppError::internal)?.int("id")?;
    let owner = format!("appeal:{id}");
    for f in files {
        upload::store_upload(store, clock, &owner, f).await?;
    }
    let kind = match v.kind {
        AccountKind::LegalEntity => ReviewKind::AppealLegalEntity,
        AccountKind::NaturalPerson => ReviewKind::AppealNaturalPerson,
    };
    let item = review::submit(store, clock, kind, &owner).await?;
    store.execute("UPDATE appeals SET review_item_id = ? WHERE id = ?", &[item.id.into(), id.into()]).await?;
    audit::record(
        store,
        clock,
        &Actor::Client(client.to_owned()),
        "appeal.filed",
        Some(&owner),
        json!({ "number": number, "account": v.account_id, "files": files.len() }),
    )
    .await?;
    Ok(Filed { number, due_at: item.due_at })
}

/// `SS` + the local date + 10 random digits: unguessable enough, since a
/// status lookup needs the new mobile as well.
fn appeal_number(now: Timestamp, random: &dyn Random) -> String {
    let d = CivilDate::from_timestamp_china(now);
    let mut b = [0u8; 8];
    random.fill(&mut b);
    format!("SS{:04}{:02}{:02}{:010}", d.year(), d.month(), d.day(), u64::from_le_bytes(b) % 10_000_000_000)
}

/// An appeal as its appellant sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct AppealStatus {
    pub id: i64,
    pub number: String,
    pub kind: AccountKind,
    pub state: String,
    /// A reviewer has taken it up.
    pub claimed: bool,
    pub reason: Option<String>,
    pub submitted_at: i64,
    pub due_at: i64,
    pub decided_at: Option<i64>,
}

impl AppealStatus {
    /// `submitted` until a reviewer takes it up, `under_review` while they
    /// review it, then `approved` or `rejected` (with the reason).
    pub fn status(&self) -> &'static str {
        match (self.state.as_str(), self.claimed) {
            ("approved", _) => "approved",
            ("rejected", _) => "rejected",
            (_, false) => "submitted",
            (_, true) => "under_review",
        }
    }

    /// Still waiting for a decision.
    pub fn is_open(&self) -> bool {
        self.state == "open"
    }

    pub fn to_json(&self) -> Value {
        json!({
            "number": self.number,
            "kind": self.kind.as_str(),
            "status": self.status(),
            "reason": self.reason,
            "submitted_at": self.submitted_at,
            "due_at": self.due_at,
            "decided_at": self.decided_at,
        })
    }
}

fn not_found() -> AppError {
    AppError::new(
        "appeal.not_found",
        404,
        "没有找到该申诉：请核对申诉编号和申诉时填写的新手机号。",
        "No such appeal: check the appeal number and the new mobile given in the appeal.",
    )
}

/// The status, for the holder of the number and the new mobile. A wrong
/// mobile and an unknown number are the same answer.
pub async fn status<S: Store>(store: &S, number: &str, mobile: &str) -> AppResult<AppealStatus> {
    let mobile = Mobile::parse(mobile).map_err(|e| e.with_field("mobile"))?;
    let number = crate::identity::normalize_input(number).to_ascii_uppercase();
    let rows = store
        .execute(
            "SELECT a.id, a.number, a.kind, a.new_mobile, r.state, r.claimed_by, r.reason, r.submitted_at, r.due_at, r.decided_at
               FROM appeals a JOIN review_items r ON r.id = a.review_item_id WHERE a.number = ?",
            &[number.into()],
        )
        .await?;
    let row = rows.first().ok_or_else(not_found)?;
    if !crate::digest::constant_time_eq(row.text("new_mobile")?, mobile.as_str()) {
        return Err(not_found());
    }
    Ok(AppealStatus {
        id: row.int("id")?,
        number: row.text("number")?.to_owned(),
        kind: AccountKind::from_db(row.text("kind")?)?,
        state: row.text("state")?.to_owned(),
        claimed: row.opt_int("claimed_by")?.is_some(),
        reason: row.opt_text("reason")?.map(str::to_owned),
        submitted_at: row.int("submitted_at")?,
        due_at: row.int("due_at")?,
        decided_at: row.opt_int("decided_at")?,
    })
}

/// What a reviewer sees of an appeal: the submitted fields (with full
/// document numbers, to compare with the scans) and the account it targets.
pub async fn details_for_review<S: Store>(store: &S, appeal_id: i64) -> AppResult<Value> {
    let rows = store
        .execute("SELECT number, kind, account_id, new_mobile, form, created_at FROM appeals WHERE id = ?", &[appeal_id.into()])
        .await?;
    let row = rows.first().ok_or_else(not_found)?;
    let account = find_by_id(store, row.int("account_id")?).await?.ok_or_else(AppError::internal)?;
    Ok(json!({
        "number": row.text("number")?,
        "kind": row.text("kind")?,
        "new_mobile": row.text("new_mobile")?,
        "form": serde_json::from_str::<Value>(row.text("form")?).unwrap_or(Value::Null),
        "account": account.to_json(),
        "filed_at": row.int("created_at")?,
    }))
}

/// Applies a reviewer's decision on the appeal `appeal:<id>` (inside the
/// reviewer's transaction). Returns the outbox ids to deliver.
pub async fn apply_decision<S: Store>(
    store: &S,
    clock: &dyn Clock,
    random: &dyn Random,
    reviewer: &Actor,
    appeal_id: i64,
    approved: bool,
    reason: Option<&str>,
) -> AppResult<Vec<i64>> {
    let rows = store
        .execute("SELECT number, account_id, new_mobile FROM appeals WHERE id = ?", &[appeal_id.into()])
        .await?;
    let row = rows.first().ok_or_else(not_found)?;
    let number = row.text("number")?.to_owned();
    let account_id = row.int("account_id")?;
    let mobile = Mobile::parse(row.text("new_mobile")?).map_err(|_| StoreError::Other("stored mobile does not parse".into()))?;
    let subject = format!("appeal:{appeal_id}");
    if !approved {
        let id = sms::enqueue(
            store,
            clock,
            &mobile,
            Template::AppealRejected,
            json!({ "appeal_number": number, "reason": reason.unwrap_or("") }),
        )
        .await?;
        audit::record(store, clock, reviewer, "appeal.rejected", Some(&subject), json!({ "reason": reason })).await?;
        return Ok(vec![id]);
    }
    let account = find_by_id(store, account_id).await?.ok_or_else(AppError::internal)?;
    store
        .execute(
            "UPDATE accounts SET reserved_mobile = ?, failed_logins = 0, last_failed_login_at = NULL, password_disabled = 0 WHERE id = ?",
            &[mobile.as_str().into(), account_id.into()],
        )
        .await?;
    let revoked = revoke_all_for(store, clock, account_id).await?;
    let code = sms::issue_system_code(store, clock, random, Purpose::SetPassword, &mobile).await?;
    let id = sms::enqueue(
        store,
        clock,
        &mobile,
        Template::AppealApproved,
        json!({ "appeal_number": number, "login_name": account.login_name, "code": code.code }),
    )
    .await?;
    audit::record(
        store,
        clock,
        reviewer,
        "appeal.approved",
        Some(&subject),
        json!({ "account": account_id, "sessions_revoked": revoked, "reserved_mobile_replaced": true }),
    )
    .await?;
    Ok(vec![id])
}

/// One line per appeal for the review queue: its number and who it is
/// about (organization or person), keyed by appeal id.
pub async fn queue_summaries<S: Store>(store: &S, appeal_ids: &[i64]) -> Result<std::collections::HashMap<i64, Value>, StoreError> {
    if appeal_ids.is_empty() {
        return Ok(Default::default());
    }
    let marks = vec!["?"; appeal_ids.len()].join(", ");
    let params: Vec<_> = appeal_ids.iter().map(|i| (*i).into()).collect();
    let rows = store
        .execute(&format!("SELECT id, number, kind, form FROM appeals WHERE id IN ({marks})"), &params)
        .await?;
    rows.iter()
        .map(|r| {
            let form: Value = serde_json::from_str(r.text("form")?).unwrap_or(Value::Null);
            let who = form.get("org_name").or_else(|| form.get("real_name")).cloned().unwrap_or(Value::Null);
            Ok((r.int("id")?, json!({ "number": r.text("number")?, "kind": r.text("kind")?, "name": who })))
        })
        .collect()
}
