//! Legacy-data requests (关联数据申请, replacing FAQ 8's phone call): when
//! records did not link by themselves (an old USCC, a renamed
//! organization, records known only by an old login name), the owner (or
//! its grant administrator) files what it knows, with optional documents;
//! it becomes a review item of kind `legacy_data` whose reviewer confirms
//! the records to link (`crate::entry::review`).
//!
//! Naming record numbers that are linked to another owner is refused (409)
//! and nothing is filed: such a record is never moved on a user's say; if
//! it is theirs, they say why in the note (with documents) without the
//! numbers, and the reviewer, who sees where each candidate is linked,
//! decides.

use super::Entry;
use super::legacy::{org_name_key, parse_old_uscc, parse_record_number};
use super::state;
use super::store::{self, Claims, Search};
use crate::account::{self, Account};
use crate::audit::{self, Actor};
use crate::clock::Clock;
use crate::error::{AppError, AppResult};
use crate::identity::{collapse_whitespace, fold_full_width, is_refused, normalize_input};
use crate::ids::AccountId;
use crate::review::{ReviewKind, Subject};
use crate::settings::{self, ClientLimit};
use crate::store::{Database, Store, in_transaction};
use crate::upload::{self, DocumentSlot};
use crate::validate::Form;
use crate::web::MultipartForm;
use serde_json::{Value, json};

/// The most record numbers one request names.
pub const RECORD_NUMBERS_MAX: usize = 50;
/// The longest note.
pub const NOTE_MAX: usize = 500;
/// The most candidates a reviewer is shown.
pub const CANDIDATES_MAX: i64 = 100;

/// Requests (with their uploads) one client may file per hour.
pub const FILINGS_PER_CLIENT: ClientLimit =
    ClientLimit { setting: &settings::LEGACY_DATA_REQUESTS_PER_CLIENT, bucket: "legacy_data_request", window_secs: 3600 };

/// The documents a request may bring (all optional).
pub const DOCUMENTS: &[DocumentSlot<'static>] = &[DocumentSlot {
    field: "documents",
    label_zh: "证明材料（如更名证明、原系统截图）",
    label_en: "Supporting documents (e.g. proof of renaming, old-system screenshots)",
    required: false,
}];

fn optional(form: &MultipartForm, name: &str) -> AppResult<Option<String>> {
    Ok(form.text(name)?.map(|v| collapse_whitespace(&fold_full_width(&v))).filter(|v| !v.is_empty()))
}

/// Parses what the request says it knows, every field error at once; at
/// least one of the old owner's names or a record number.
pub fn parse_claims(form: &MultipartForm) -> AppResult<Claims> {
    let mut errors = Form::new();
    let mut claims = Claims::default();
    for (name, slot) in [("old_login_name", &mut claims.old_login_name), ("old_org_name", &mut claims.old_org_name)] {
        if let Some(v) = errors.field(optional(form, name)).flatten() {
            if v.chars().count() > 100 || v.chars().any(is_refused) {
                errors.check(Err(AppError::new(
                    "legacy_data.field_invalid",
                    400,
                    "内容过长（最多 100 个字）或含有不允许的字符。",
                    "Too long (at most 100 characters) or contains characters not allowed.",
                )
                .with_field(name)));
            } else {
                *slot = Some(v);
            }
        }
    }
    if let Some(u) = errors.field(optional(form, "old_uscc")).flatten() {
        claims.old_uscc = errors.field(parse_old_uscc(&u, "old_uscc")).map(|u| u.as_str().to_owned());
    }
    if let Some(d) = errors.field(optional(form, "old_document_number")).flatten() {
        let d = normalize_input(&d).to_ascii_uppercase();
        if d.len() > 40 || !d.chars().all(|c| c.is_ascii_alphanumeric()) {
            errors.check(Err(AppError::new(
                "legacy_data.field_invalid",
                400,
                "证件号码只能包含字母和数字，最多 40 位。",
                "A document number has letters and digits only, at most 40.",
            )
            .with_field("old_document_number")));
        } else {
            claims.old_document_number = Some(d);
        }
    }
    if let Some(list) = errors.field(optional(form, "record_numbers")).flatten() {
        let mut numbers = Vec::new();
        for n in list.split(|c: char| c == ',' || c == '，' || c == '、' || c.is_whitespace()).filter(|s| !s.is_empty()) {
            if let Some(n) = errors.field(parse_record_number(n, "record_numbers"))
                && !numbers.contains(&n)
            {
                numbers.push(n);
            }
        }
        if numbers.len() > RECORD_NUMBERS_MAX {
            errors.check(Err(AppError::new(
                "legacy_data.too_many_numbers",
                400,
                format!("一次最多列出 {RECORD_NUMBERS_MAX} 个业务编号。"),
                format!("At most {RECORD_NUMBERS_MAX} record numbers per request."),
            )
            .with_field("record_numbers")));
        }
        claims.record_numbers = numbers;
    }
    if let Some(note) = errors.field(optional(form, "note")).flatten() {
        if note.chars().count() > NOTE_MAX || note.chars().any(is_refused) {
            errors.check(Err(AppError::new(
                "legacy_data.field_invalid",
                400,
                format!("说明最多 {NOTE_MAX} 个字，且不能含有尖括号或控制字符。"),
                format!("The note has at most {NOTE_MAX} characters, without angle brackets or control characters."),
            )
            .with_field("note")));
        } else {
            claims.note = Some(note);
        }
    }
    errors.finish()?;
    let knows_something = claims.old_login_name.is_some()
        || claims.old_org_name.is_some()
        || claims.old_uscc.is_some()
        || claims.old_document_number.is_some()
        || !claims.record_numbers.is_empty();
    if !knows_something {
        return Err(AppError::new(
            "legacy_data.nothing_known",
            400,
            "请至少填写一项：原登录名、原单位名称、原统一社会信用代码、原证件号码或业务编号。",
            "Fill in at least one of: the old login name, old organization name, old USCC, old document number, or record numbers.",
        )
        .with_field("old_login_name"));
    }
    Ok(claims)
}

/// What a request says it knows, as labelled rows for the reviewer.
pub fn claim_rows(claims: &Claims) -> Vec<Value> {
    let numbers = claims.record_numbers.join(", ");
    [
        ("old_login_name", "原登录名", "Old login name", claims.old_login_name.as_deref()),
        ("old_org_name", "原单位名称", "Old organization name", claims.old_org_name.as_deref()),
        ("old_uscc", "原统一社会信用代码", "Old USCC", claims.old_uscc.as_deref()),
        ("old_document_number", "原证件号码", "Old document number", claims.old_document_number.as_deref()),
        ("record_numbers", "业务编号", "Record numbers", Some(numbers.as_str()).filter(|n| !n.is_empty())),
        ("note", "说明", "Note", claims.note.as_deref()),
    ]
    .into_iter()
    .filter_map(|(field, zh, en, value)| {
        value.map(|v| json!({ "field": field, "label_zh": zh, "label_en": en, "value_zh": v, "value_en": v }))
    })
    .collect()
}

/// What the candidates' search looks for.
pub fn search_of(claims: &Claims) -> Search {
    Search {
        record_numbers: claims.record_numbers.clone(),
        old_login_key: claims.old_login_name.as_deref().map(account::login_key),
        old_org_name_key: claims.old_org_name.as_deref().map(org_name_key),
        old_uscc: claims.old_uscc.clone(),
        old_document_number: claims.old_document_number.clone(),
    }
}

/// The records a request's reviewer is offered: what matches its claims,
/// except what the owner holds already.
pub async fn candidates<S: Store>(store: &S, entry: Entry, owner: AccountId, claims: &Claims) -> AppResult<Vec<store::LegacyRecord>> {
    Ok(store::search(store, entry, owner, &search_of(claims), CANDIDATES_MAX).await?)
}

fn linked_elsewhere(numbers: &[String]) -> AppError {
    AppError::new(
        "legacy_data.records_linked_elsewhere",
        409,
        format!(
            "业务 {} 已关联到其他账号的业务首页，不能通过申请直接转移，本次申请未提交。如确属本单位，请不列出这些编号，在说明中写明原因并上传证明材料后重新提交，审核员会核实。",
            numbers.join("、")
        ),
        format!(
            "The records {} are linked to another account's business home and cannot be moved by a request; nothing was filed. If they are yours, file again without these numbers, say why in the note and add documents; a reviewer will check.",
            numbers.join(", ")
        ),
    )
    .with_field("record_numbers")
    .with_details(json!({ "record_numbers": numbers }))
}

fn request_open() -> AppError {
    AppError::new(
        "legacy_data.request_open",
        409,
        "已有一份关联数据申请正在审核中，请等待审核结果后再提交新的申请。",
        "A legacy-data request is already under review; wait for its decision before filing another.",
    )
}

/// `POST /api/entry/legacy-data-requests` (multipart: `entry`, optional
/// `organization`, what is known, optional `documents`).
pub async fn file<D: Database>(db: &D, clock: &dyn Clock, viewer: &Account, form: &MultipartForm) -> AppResult<Value> {
    let entry = Entry::parse(form.text("entry")?.as_deref().unwrap_or("").trim()).map_err(|e| e.with_field("entry"))?;
    let organization = state::parse_organization(form.text("organization")?.as_deref())?;
    let standing = state::stand(db, clock, viewer, entry, organization).await?;
    let Some((owner, _)) = standing.owner.clone() else {
        return Err(AppError::new(
            "entry.home_not_open",
            409,
            "业务首页尚未开通，暂不能申请关联数据：请先按入口的提示完成下一步。",
            "The business home is not open yet, so legacy data cannot be requested: take the next step the entry shows.",
        )
        .with_details(json!({ "entry_state": standing.state.code() })));
    };
    if !standing.administers(viewer.id) {
        return Err(AppError::new(
            "legacy_data.needs_grant_admin",
            403,
            "关联历史业务数据须由单位本身或其授权管理员申请。",
            "Legacy data is requested by the organization itself or its grant administrator.",
        ));
    }
    let claims = parse_claims(form)?;
    let files = upload::validate_files(form, DOCUMENTS)?;
    let named = store::records_by_numbers(db, &claims.record_numbers).await?;
    let elsewhere: Vec<String> =
        named.iter().filter(|r| r.owner.is_some_and(|o| o != owner)).map(|r| r.record_number.clone()).collect();
    if !elsewhere.is_empty() {
        return Err(linked_elsewhere(&elsewhere));
    }
    let now = clock.now();
    let id = in_transaction(db, async |tx| {
        let id = store::insert_request(tx, entry, owner, viewer.id, &claims, now)
            .await
            .map_err(|e| if e.is_unique_on("legacy_data_requests.owner_account_id") { request_open() } else { e.into() })?;
        let subject = Subject::LegacyDataRequest(id);
        for f in &files {
            upload::store_upload(tx, clock, subject, f).await?;
        }
        let item = crate::review::submit(tx, clock, ReviewKind::LegacyData, subject).await?;
        store::set_request_item(tx, id, item.id).await?;
        audit::record(
            tx,
            clock,
            &Actor::Account(viewer.id),
            "legacy_data.requested",
            Some(&id.audit_subject()),
            json!({ "entry": entry.code(), "owner": owner, "record_numbers": claims.record_numbers.len(), "documents": files.len() }),
        )
        .await?;
        Ok::<_, AppError>(id)
    })
    .await?;
    let request = store::get_request(db, id).await?.ok_or_else(AppError::internal)?;
    Ok(json!({ "id": request.id, "state": request.review.state.code(), "claims": request.claims, "documents": files.len() }))
}
