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

use crate::account::{self, AccountKind, OrganizationConflict};
use crate::audit::{self, Actor};
use crate::clock::{Clock, Timestamp};
use crate::error::{AppError, AppResult};
use crate::guidance::Guidance;
use crate::identity::{CivilDate, Document, DocumentType, Mobile, OrgName, PersonName, Uscc};
use crate::random::Random;
use crate::rate_limit::Limit;
use crate::settings::{self, ClientLimit};
use crate::review::{ReviewKind, ReviewState, Subject};
use crate::sms::{self, Purpose};
use crate::ids::{AccountId, AppealId, UploadId};
use crate::store::{Database, Store, Transaction};
use crate::upload::{self, DocumentSlot, ValidUpload};
use crate::validate::Form;
use crate::web::MultipartForm;
use serde_json::{Value, json};

pub mod review;

/// The scans of a legal-entity appeal (FAQ 1(2), 2): the applicant's ID
/// card, both sides stamped with the official seal and signed, and
/// optionally the business licence.
pub const LEGAL_ENTITY_DOCUMENTS: &[DocumentSlot<'static>] = &[
    DocumentSlot {
        field: "id_front",
        label_zh: "身份证正面（加盖公章并本人签字）",
        label_en: "ID card front (stamped and signed)",
        required: true,
    },
    DocumentSlot {
        field: "id_back",
        label_zh: "身份证反面（加盖公章并本人签字）",
        label_en: "ID card back (stamped and signed)",
        required: true,
    },
    DocumentSlot { field: "business_licence", label_zh: "营业执照", label_en: "business licence", required: false },
];

/// The scans of a natural-person appeal (FAQ 3.3, 3.4): the document's
/// front and back.
pub const NATURAL_PERSON_DOCUMENTS: &[DocumentSlot<'static>] = &[
    DocumentSlot { field: "document_front", label_zh: "证件正面", label_en: "document front", required: true },
    DocumentSlot { field: "document_back", label_zh: "证件反面", label_en: "document back", required: true },
];

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
    /// The fields of a multipart appeal; a file where a text field belongs
    /// is an error naming it (every such error at once).
    pub fn from_form(form: &MultipartForm) -> AppResult<AppealFields> {
        let mut not_text = Vec::new();
        let fields = AppealFields::from_fields(|name| {
            form.text(name).unwrap_or_else(|e| {
                not_text.push(e);
                None
            })
        });
        match AppError::combine(not_text) {
            Some(e) => Err(e),
            None => Ok(fields),
        }
    }

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

/// SMS codes one client address may request per hour for appeals.
pub const SMS_CODE_LIMIT: ClientLimit =
    ClientLimit { setting: &settings::SMS_CODES_PER_CLIENT, bucket: "sms.appeal.client", window_secs: 3600 };
/// Status and document lookups per client address per hour.
pub const LOOKUP_LIMIT: ClientLimit =
    ClientLimit { setting: &settings::APPEAL_LOOKUPS_PER_CLIENT, bucket: "appeal.lookup", window_secs: 3600 };
/// Appeals filed per client address per hour (their scans are decoded).
pub const FILING_LIMIT: ClientLimit =
    ClientLimit { setting: &settings::APPEAL_FILINGS_PER_CLIENT, bucket: "appeal.file", window_secs: 3600 };

/// A code to the appeal's new mobile; counted against the client's hourly
/// limit once the number is well formed.
pub async fn send_code<D: Database>(
    db: &D,
    clock: &dyn Clock,
    random: &dyn Random,
    client_limit: Limit,
    client: &str,
    mobile: &str,
) -> AppResult<(sms::IssuedCode, Mobile)> {
    sms::send_requested_code(db, clock, random, client_limit, client, mobile, Purpose::Appeal, sms::Template::AppealCode).await
}

/// The scans a kind of appeal takes ([`upload::validate_files`] checks a
/// form's files against them).
pub fn documents_for(kind: AccountKind) -> &'static [DocumentSlot<'static>] {
    match kind {
        AccountKind::LegalEntity => LEGAL_ENTITY_DOCUMENTS,
        AccountKind::NaturalPerson => NATURAL_PERSON_DOCUMENTS,
    }
}

/// An appeal's fields once validated, with the account it targets. Check
/// these (cheap) before the uploads (expensive to decode).
pub struct Validated {
    kind: AccountKind,
    account_id: AccountId,
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
            let account_id = match account::organization_holder(store, &org_name, &uscc).await? {
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
            let Some((account_id, AccountKind::NaturalPerson)) = account::document_holder(store, &doc).await? else {
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
pub async fn file<D: Database>(
    store: &D,
    clock: &dyn Clock,
    random: &dyn Random,
    client: &str,
    v: &Validated,
    sms_code: &str,
    files: Vec<ValidUpload>,
) -> AppResult<Filed> {
    let tx = sms::begin_with_code(store, clock, Purpose::Appeal, &v.new_mobile, sms_code).await?;
    let filed = insert(&tx, clock, random, client, v, &files).await?;
    tx.commit().await?;
    Ok(filed)
}

async fn insert<D: Database>(
    store: &Transaction<'_, D>,
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
    let id = AppealId(rows.first().ok_or_else(AppError::internal)?.int("id")?);
    let subject = Subject::Appeal(id);
    for f in files {
        upload::store_upload(store, clock, subject, f).await?;
    }
    let kind = match v.kind {
        AccountKind::LegalEntity => ReviewKind::AppealLegalEntity,
        AccountKind::NaturalPerson => ReviewKind::AppealNaturalPerson,
    };
    let item = crate::review::submit(store, clock, kind, subject).await?;
    store.execute("UPDATE appeals SET review_item_id = ? WHERE id = ?", &[item.id.into(), id.into()]).await?;
    audit::record(
        store,
        clock,
        &Actor::Client(client.to_owned()),
        "appeal.filed",
        Some(&id.audit_subject()),
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
    pub id: AppealId,
    pub number: String,
    pub kind: AccountKind,
    pub state: ReviewState,
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
        match (self.state, self.claimed) {
            (ReviewState::Approved, _) => "approved",
            (ReviewState::Rejected, _) => "rejected",
            (ReviewState::Open, false) => "submitted",
            (ReviewState::Open, true) => "under_review",
        }
    }

    /// Still waiting for a decision.
    pub fn is_open(&self) -> bool {
        self.state == ReviewState::Open
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
        id: AppealId(row.int("id")?),
        number: row.text("number")?.to_owned(),
        kind: AccountKind::from_db(row.text("kind")?)?,
        state: ReviewState::parse(row.text("state")?)
            .ok_or_else(|| crate::store::StoreError::Other("review_items.state does not parse".into()))?,
        claimed: row.opt_int("claimed_by")?.is_some(),
        reason: row.opt_text("reason")?.map(str::to_owned),
        submitted_at: row.int("submitted_at")?,
        due_at: row.int("due_at")?,
        decided_at: row.opt_int("decided_at")?,
    })
}

/// The appellant's mobile for the status and document lookups: the
/// `X-Appeal-Mobile` header, never the URL (browser history, server logs and
/// referrers keep URLs). A missing header is the mobile's own error.
pub fn appellant_mobile(req: &crate::web::Request) -> AppResult<&str> {
    if req.query_param("mobile").is_some() {
        return Err(AppError::new(
            "appeal.mobile_in_url",
            400,
            "手机号不能放在网址中：请在 X-Appeal-Mobile 请求头中发送。",
            "The mobile number must not be in the URL: send it in the X-Appeal-Mobile header.",
        )
        .with_field("mobile"));
    }
    Ok(req.header("x-appeal-mobile").unwrap_or_default())
}

/// What the holder of the number and the new mobile sees: the status, and
/// the appellant's own documents while the appeal is open.
pub async fn lookup<S: Store>(store: &S, number: &str, mobile: &str) -> AppResult<Value> {
    let status = status(store, number, mobile).await?;
    let documents = if status.is_open() {
        upload::list_for(store, Subject::Appeal(status.id)).await?.iter().map(|d| d.to_json()).collect()
    } else {
        Vec::new()
    };
    let mut body = status.to_json();
    body["documents"] = json!(documents);
    Ok(body)
}

/// One of the appellant's scans, for the holder of the number and the new
/// mobile, while the appeal is open; any other case is a 404.
pub async fn appellant_document<S: Store>(store: &S, number: &str, mobile: &str, document: &str) -> AppResult<upload::StoredUpload> {
    let status = status(store, number, mobile).await?;
    let id = UploadId::parse(document).ok_or_else(AppError::not_found)?;
    if !status.is_open() {
        return Err(AppError::not_found());
    }
    match upload::fetch(store, id).await? {
        Some(doc) if doc.owner == Subject::Appeal(status.id) => Ok(doc),
        _ => Err(AppError::not_found()),
    }
}

#[cfg(test)]
mod tests;
